"""Loads in doubt (P1, P8; docs/ota.md "The window"). A chip load is credited on the card by CREDIT
FOR LOAD before the platform commits; if the card's answer is lost, or the commit fails after the card
said 9000, the request fails and the ledger credit rolls back, but the chip keeps the money. Every
load the platform commits is journalled with the card's online counter in the same transaction (the
audit entries ``ota.topup`` / ``ota.restore``), so a load on the card's own log without one is a load
in doubt. The newest load of a card can still be proven: GET TRANSACTION PROVE gives its TAC, which
the key service verifies — then the ledger is credited, once (``ota.recover``). An older one can no
longer be proven by the card and is reported for a person to settle."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from yikatong.audit import service as audit
from yikatong.cardos import terminal as T
from yikatong.cardproto import apdu as A
from yikatong.cardproto import purse as pp
from yikatong.cards.models import Card
from yikatong.core.actor import Actor
from yikatong.keys import service as keys
from yikatong.ota import channel as ota_channel
from yikatong.ota.channel import CardUnreachable
from yikatong.ota.service import OTA_TERMINAL_ID, has_chip_purse

JOURNAL = ("ota.topup", "ota.restore", "ota.recover")


@dataclass(frozen=True)
class CardLoad:
    """A load as the card's transaction log holds it (``position`` 0 = the newest record)."""

    position: int
    online_counter: int
    amount: int
    terminal_id: bytes
    date: bytes
    time: bytes


@dataclass
class Recovery:
    card_no: str
    reachable: bool = True
    chip_fen: int | None = None
    recovered: list[tuple[int, int]] = field(default_factory=list)  # (online counter, amount) credited now
    unproven: list[tuple[int, int]] = field(default_factory=list)  # in doubt, too old for the card to prove


def _parse_log(records: list[bytes]) -> tuple[list[CardLoad], list[tuple[int, int]]]:
    """The loads and (position, amount) of the purchases of a PBOC log, newest first:
    counter(2) overdraft(3) amount(4) type(1) terminal(6) date(4) time(3)."""
    loads, purchases = [], []
    for position, r in enumerate(records):
        counter, amount, tx_type = int.from_bytes(r[0:2], "big"), int.from_bytes(r[5:9], "big"), r[9]
        if tx_type == pp.TX_PURSE_LOAD:
            loads.append(CardLoad(position, counter, amount, r[10:16], r[16:20], r[20:23]))
        elif tx_type == pp.TX_PURSE_PURCHASE:
            purchases.append((position, amount))
    return loads, purchases


def recover_loads(db: Session, *, actor: Actor, card: Card, enterprise_id: int,
                  credit: Callable[[int, str], Any]) -> Recovery:
    """P1/P8: find the card's loads in doubt and settle the newest one if the card proves it.
    ``credit(amount_fen, reference)`` posts the ledger credit (the purse's rules: purse.service); it
    runs in the caller's transaction with the journal entry, so a recovery happens at most once."""
    out = Recovery(card.card_no)
    if not has_chip_purse(db, card=card, enterprise_id=enterprise_id):
        return out
    journalled = {int(e["online_counter"]) for e in audit.changes_of(
        db, entity_type="card", entity_id=card.id, actions=JOURNAL) if "online_counter" in e}
    try:
        with ota_channel.current().session(card.card_no) as send:
            out.chip_fen = T.get_balance(send)
            loads, purchases = _parse_log(T.read_log(send))
            ours = [x for x in loads if x.terminal_id == OTA_TERMINAL_ID]
            doubtful = [x for x in ours if x.online_counter not in journalled]
            if not doubtful:
                return out
            newest = max(ours, key=lambda x: x.online_counter)
            proof = None
            if newest in doubtful:
                try:
                    proof = T.transaction_prove(send, tx_type=pp.TX_PURSE_LOAD, counter=newest.online_counter)
                except A.CardError:
                    proof = None  # 9406: the card keeps no proof of it any more
    except (CardUnreachable, A.CardError, A.MalformedApdu):
        out.reachable = False
        return out
    if proof is not None:
        # The balance right after that load: today's, plus the purchases made since (newer in the log).
        newer_purchases = sum(a for p, a in purchases if p < newest.position)
        _mac, tac = proof
        if keys.verify_load_tac(db, enterprise_id=enterprise_id, card_serial=card.card_no, key_version=None,
                                algorithm_id=None, new_balance=out.chip_fen + newer_purchases,
                                online_counter=newest.online_counter, amount=newest.amount,
                                terminal_id=newest.terminal_id, date=newest.date, time=newest.time, tac=tac):
            transfer = credit(newest.amount, f"ota-recover:{card.card_no}:{newest.online_counter}")
            audit.record(db, actor=actor, action="ota.recover", entity_type="card", entity_id=card.id,
                         enterprise_id=enterprise_id,
                         after={"online_counter": newest.online_counter, "amount_fen": newest.amount,
                                "transfer_id": transfer.id, "tac": tac.hex().upper()})
            out.recovered.append((newest.online_counter, newest.amount))
            doubtful = [x for x in doubtful if x is not newest]
    out.unproven = [(x.online_counter, x.amount) for x in doubtful]
    return out

