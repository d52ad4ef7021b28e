"""What the purse pages share: amounts typed in yuan, a purse as a page shows it (the kind's label,
signed amounts, a reference said for people), and the one-time key every money form carries, so a
double click or a reload moves money once (P8)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request

from yikatong.core import clock
from yikatong.core.actor import Actor
from yikatong.core.errors import InvalidInput
from yikatong.core.idempotency import MAX_KEY, IdempotentRequest, respond
from yikatong.core.money import parse_yuan
from yikatong.ota import service as ota
from yikatong.purse import service as purse
from yikatong.purse.ledger import MAX_AMOUNT_FEN
from yikatong.terminals import service as terminals
from yikatong.web.i18n import Translator, translator_for
from yikatong.web.pages.cards_common import CardView
from yikatong.web.pages.common import FormFailure
from yikatong.web.session import Console
from yikatong.web.templating import card_no, localtime

KEY_FIELD = "idempotency_key"
LARGE_TOPUP_FEN = 100_000  # 1,000 yuan: a top-up this large is confirmed on a second page first
RECENT = 10


def new_key() -> str:
    """A fresh key for one money form (a hidden field): a repeat of that form moves nothing."""
    return "web-" + secrets.token_urlsafe(18)


def amount_fen(text: str) -> int:
    """An amount typed in yuan (``12.5``, ``1,000``, ``¥20``) in whole fen, within the ledger's
    limit; else 422 on the field ``amount``."""
    cleaned = text.replace(",", "").replace("，", "").replace("¥", "").replace("￥", "").strip()
    try:
        fen = parse_yuan(cleaned)
    except ValueError:
        fen = 0
    if not 0 < fen <= MAX_AMOUNT_FEN:
        raise InvalidInput("amount: an amount in yuan above 0", code="invalid_amount",
                           details={"errors": [{"field": "amount", "type": "invalid_amount"}]})
    return fen


def once(db: Session, *, actor: Actor, key: str, what: str, produce: Callable[[], Any]) -> tuple[dict, bool]:
    """Run ``produce`` once per form key through the platform's idempotency records (the answer is
    kept in the transaction of the change): a repeat of the same form gets the first answer and
    moves nothing. ``what`` names the request (a different one under the same key is refused).
    Returns the answer and whether it was a repeat."""
    fingerprint = hashlib.sha256(f"web {what}".encode()).hexdigest()
    request = IdempotentRequest(key=key[:MAX_KEY] if key else None, fingerprint=fingerprint)
    response = respond(db, actor=actor, request=request, status_code=201, produce=produce)
    return json.loads(bytes(response.body)), response.headers.get("Idempotent-Replayed") == "true"


@dataclass(frozen=True)
class Transaction:
    id: int
    kind: str
    amount_fen: int
    balance_after_fen: int
    at: dt.datetime
    reference: str


@dataclass(frozen=True)
class PurseView:
    """One purse: its balance, validity and latest transactions (newest first)."""

    balance_fen: int
    expires_at: dt.datetime | None
    card_no: str | None
    transactions: list[Transaction]
    enterprise_name: str = ""

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and clock.as_utc(self.expires_at) <= clock.now()


def has_purse(view: CardView | None, enterprise_id: int) -> bool:
    """The live card holds this enterprise's open purse sub-application."""
    return view is not None and view.live and any(
        row.app.type == "purse" and row.app.enterprise_id == enterprise_id for row in view.open_apps)


def purse_view(db: Session, actor: Actor, member_id: int, *, limit: int = RECENT,
               enterprise_name: str = "") -> PurseView:
    found = purse.member_purse(db, actor=actor, member_id=member_id, limit=limit)
    rows = [Transaction(id=t["id"], kind=t["kind"], amount_fen=t["amount_fen"],
                        balance_after_fen=t["balance_after_fen"], at=t["at"], reference=t.get("reference", ""))
            for t in found["transactions"]]
    return PurseView(balance_fen=found["balance_fen"], expires_at=found["expires_at"], card_no=found["card_no"],
                     transactions=rows, enterprise_name=enterprise_name)


def holder_purses(db: Session, actor: Actor, view: CardView | None) -> list[PurseView]:
    """C10: every purse on the holder's live card, one per enterprise (the portal and the STK menu)."""
    if view is None or not view.live:
        return []
    return [purse_view(db, actor, row.app.member_id, enterprise_name=row.enterprise_name, limit=5)
            for row in view.open_apps if row.app.type == "purse"]


def reference_text(t: Translator, reference: str, terminals: dict[int, str] | None = None) -> str:
    """What a transaction's reference means to a person: 空中充值, 一号窗口, 冲正 #12 …"""
    prefix, _, rest = reference.partition(":")
    if prefix == "ota":
        return t.gettext("Over-the-air top-up")
    if prefix == "bulk":
        return t.gettext("Bulk top-up")
    if prefix == "terminal" and rest.isdigit():
        name = (terminals or {}).get(int(rest))
        return name or t.gettext("Terminal #%(id)s", id=rest)
    if prefix == "reverses" and rest.isdigit():
        return t.gettext("Reverses #%(id)s", id=rest)
    if prefix == "expired":
        try:
            return t.gettext("Valid until %(time)s", time=localtime(dt.datetime.fromisoformat(rest)))
        except ValueError:
            return reference
    if prefix == "cancel":
        return t.gettext("Card %(card)s cancelled", card=card_no(rest.partition(":")[0]))
    if prefix == "replace":
        old, _, new = rest.partition("->")
        return t.gettext("Card %(old)s replaced by %(new)s", old=card_no(old), new=card_no(new))
    return reference or "—"


def terminal_names(db: Session, actor: Actor, enterprise_id: int) -> dict[int, str]:
    return {t.id: t.name for t in terminals.list_terminals(db, actor=actor, enterprise_id=enterprise_id)}


def purse_context(request: Request, db: Session, console: Console, enterprise_id: int, member_id: int,
                  live: CardView | None, failure: FormFailure | None = None,
                  values: dict[str, str] | None = None) -> dict[str, Any]:
    """The purse part of a member's page (P1, C10): balance, validity, latest transactions and the
    over-the-air top-up form — when the live card holds this enterprise's purse."""
    t = translator_for(request)
    if not has_purse(live, enterprise_id) or not console.manages_members:
        return {"purse": None, "purse_failure": failure, "purse_values": {}}
    names = terminal_names(db, console.actor, enterprise_id)
    return {
        "purse": purse_view(db, console.actor, member_id), "purse_failure": failure,
        # C4: the chip's own balance, read over the air, beside the ledger's (None: no chip purse / no answer)
        "chip_balance": ota.chip_balance(db, card=live.card, enterprise_id=enterprise_id),
        "purse_values": {"amount": "", KEY_FIELD: new_key()} | (values or {}),
        "reference": lambda ref: reference_text(t, ref, names), "large_topup": LARGE_TOPUP_FEN,
    }
