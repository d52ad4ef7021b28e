"""Card flows that move money: the purse is settled before a cancellation (C9) and carried over
to the replacement card (C7), in the same transaction as the card change."""

from __future__ import annotations

from sqlalchemy.orm import Session

from yikatong.cards import service as cards
from yikatong.cards.models import Card, CardKind
from yikatong.core.actor import Actor
from yikatong.purse import service as purse


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
    return new
