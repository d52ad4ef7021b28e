"""What a card change tells the world (C11): an outbox event to each affected enterprise's
subsystems and terminals, and an SMS to the card holder — both in the transaction of the change."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from yikatong.cards.models import Card
from yikatong.core.clock import local
from yikatong.members import service as members
from yikatong.notify import service as notify


def announce(db: Session, card: Card, *, kind: str, enterprise_ids: Iterable[int], **extra) -> None:
    """One event per enterprise, carrying that enterprise's member (staff number) for the card."""
    holders = {m.enterprise_id: m for m in members.members_for_phone(db, phone=card.phone)}
    for enterprise_id in sorted(set(enterprise_ids)):
        member = holders.get(enterprise_id)
        payload = {"card_no": card.card_no, "card_status": card.status, "card_kind": card.kind,
                   "member_id": member.id if member else None, "staff_no": member.staff_no if member else None,
                   **extra}
        notify.emit(db, kind=kind, enterprise_id=enterprise_id, payload=payload, card_id=card.id)


def tell_holder(db: Session, card: Card, *, what: str, enterprise_ids: Iterable[int] = ()) -> None:
    """An SMS to the holder: '【一卡通】您尾号5678的一卡通卡已于 2026-03-02 10:00 挂失成功…'. It is
    filed under the first enterprise concerned, so that enterprise's admin sees it in the SMS log."""
    at = local(card.status_changed_at).strftime("%Y-%m-%d %H:%M")
    text = f"【一卡通】您尾号{card.card_no[-4:]}的一卡通卡已于 {at} {what}。如非本人操作，请致电 10086。"
    concerned = sorted(set(enterprise_ids))
    notify.send_sms(db, phone=card.phone, text=text, purpose="card_status",
                    enterprise_id=concerned[0] if concerned else None)
