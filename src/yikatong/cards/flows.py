"""Card flows that move money: the purse is settled before a cancellation (C9) and carried over
to the replacement card (C7), in the same transaction as the card change; and the flows that reach
the chip over the air: washing at issue (C3), the chip purse at opening (C4), the chip restored on
replacement (C7) — see docs/ota.md."""

from __future__ import annotations

from sqlalchemy.orm import Session

from yikatong.cards import service as cards
from yikatong.cards.models import AppMode, AppStatus, AppType, Card, CardApplication, CardKind
from yikatong.core.actor import Actor
from yikatong.members import service as members
from yikatong.ota import service as ota
from yikatong.purse import service as purse


def issue_card(db: Session, *, actor: Actor, member_id: int, kind: CardKind, iccid: str | None = None,
               imsi: str | None = None, uid: str | None = None) -> Card:
    """C2/C3: issue the card, then wash it over the channel with the keys of the member's
    enterprise. A card that does not answer stays issued, not personalised (its purses ledger-only)."""
    card = cards.issue_card(db, actor=actor, member_id=member_id, kind=kind, iccid=iccid, imsi=imsi, uid=uid)
    enterprise_id = members.get_member(db, actor=actor, member_id=member_id).enterprise_id
    ota.personalise(db, actor=actor, card=card, enterprise_id=enterprise_id)
    return card


def open_application(db: Session, *, actor: Actor, card_id: int, enterprise_id: int, type: AppType,
                     mode: AppMode) -> CardApplication:
    """C4: open the sub-application; a purse takes the chip's purse when the chip holds the
    enterprise's keys and no purse yet (docs/ota.md)."""
    app = cards.open_application(db, actor=actor, card_id=card_id, enterprise_id=enterprise_id, type=type, mode=mode)
    if type == AppType.purse:
        ota.open_purse(db, actor=actor, card=cards.load_card(db, card_id), enterprise_id=enterprise_id)
    return app


def cancel_card(db: Session, *, actor: Actor, card_id: int, refund: str) -> tuple[Card, int]:
    """C9: settle every purse on the card (refund in cash or by transfer, recorded in the ledger),
    then cancel the card. A refused cancellation rolls the settlement back with it."""
    cards.get_card(db, actor=actor, card_id=card_id)  # may the actor see it at all (404 first)
    # Lock the card before reading balances: a top-up racing this cancellation either lands first
    # (and is refunded here) or waits and then finds the card cancelled — never stranded.
    card = cards.load_card(db, card_id, lock=True)
    refunded = purse.settle_card(db, actor=actor, card=card, refund=refund)
    return cards.cancel_card(db, actor=actor, card_id=card_id, refund=refund, refunded_fen=refunded)


def replace_card(db: Session, *, actor: Actor, card_id: int, kind: CardKind, old_card_readable: bool,
                 iccid: str | None = None, imsi: str | None = None, uid: str | None = None) -> Card:
    """C7: replace the card, then move each purse balance, to the fen, onto the new card."""
    new = cards.replace_card(db, actor=actor, card_id=card_id, kind=kind, old_card_readable=old_card_readable,
                             iccid=iccid, imsi=imsi, uid=uid)
    purse.carry_over(db, actor=actor, old_card_id=card_id, new_card=new)
    balances = {app.enterprise_id: purse.purse_account(db, app=app).balance_fen
                for app in cards.applications_of(db, card=new)
                if app.type == AppType.purse.value and app.status == AppStatus.active.value}
    ota.restore_to_new_card(db, actor=actor, old=cards.load_card(db, card_id), new=new,
                            old_card_readable=old_card_readable, ledger_balances=balances)
    return new
