"""Personalising and loading cards over the air (C3, C4, P1, C7) through the process's
``OtaChannel``. Plain functions in the caller's transaction; the card steps happen inside it, so
a refused or unreachable card raises and the caller's ledger work rolls back with it.

Whose keys (docs/ota.md): at issue a card is washed with the keys of the enterprise whose member
it is issued to. The chip has one purse application: it belongs to the first enterprise that
opens a purse while its keys are on the chip (in practice the issuing enterprise). Every other
purse of the card — another enterprise's, or any purse of a card that could not be personalised —
lives on the ledger only, as every purse did before (P1 top-ups then credit the ledger alone).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from yikatong.audit import service as audit
from yikatong.cardos import terminal as T
from yikatong.cardos.state import DEFAULT_TRANSPORT_KEY
from yikatong.cardproto import algorithms as alg
from yikatong.cardproto import apdu as A
from yikatong.cardproto import purse as pp
from yikatong.cardproto import secure
from yikatong.cards.models import Card
from yikatong.core import clock
from yikatong.core.actor import SYSTEM, Actor
from yikatong.core.errors import Conflict, YktError
from yikatong.keys import provisioning
from yikatong.keys import service as keys
from yikatong.ota import channel as ota_channel
from yikatong.ota.channel import CardUnreachable
from yikatong.ota.models import Chip, ChipState

# The platform's own "terminal" in the load records and TACs of over-the-air loads (6 bytes BCD).
OTA_TERMINAL_ID = bytes.fromhex("990000000001")
# Factory cards of every batch carry this transport key for now; a stock batch with the vendor's
# own key would carry it with the batch (docs/ota.md).
TRANSPORT_KEY = DEFAULT_TRANSPORT_KEY


@dataclass(frozen=True)
class ChipLoad:
    """An over-the-air load the card answered and the platform verified (P1)."""

    card_no: str
    online_counter: int
    balance_before: int
    balance_after: int
    tac: str


def chip_of(db: Session, *, card_id: int) -> Chip | None:
    return db.get(Chip, card_id)


def _error(exc: Exception) -> str:
    if isinstance(exc, A.CardError):
        return f"card answered {exc.sw:04X}"
    return (getattr(exc, "code", None) or type(exc).__name__)[:200]


def external_authenticate(send: ota_channel.Transmit, *, alg_id: int, key: bytes) -> None:
    """The platform proves it holds the card's external-authentication key (GET CHALLENGE, EXTERNAL
    AUTHENTICATE): before washing, the transport key's. A factory card has no internal-
    authentication key yet, so the card's side is proven by the key-writes it accepts."""
    T.select_purse(send)
    challenge = T.send(send, A.get_challenge(8))
    T.send(send, A.command(A.CLA_ISO, A.INS_EXTERNAL_AUTH, 0, 1, secure.auth_cryptogram(alg_id, key, challenge)))


def personalise(db: Session, *, actor: Actor, card: Card, enterprise_id: int, new_card: bool = True) -> Chip:
    """C3 洗卡 at issue: over the channel, authenticate with the transport key, then write the
    enterprise's current keys, diversified for the card (``keys.provisioning.washing_keys``). A card
    that cannot be reached (or refuses) stays issued with its chip ``pending`` — not personalised —
    and its purses on the ledger only. ``new_card`` makes the development store's factory card."""
    chip = chip_of(db, card_id=card.id)
    if chip is None:
        chip = Chip(card_id=card.id, card_no=card.card_no, state=ChipState.pending.value)
        db.add(chip)
    channel = ota_channel.current()
    current = keys.current_key_version(db, enterprise_id=enterprise_id)
    try:
        if new_card:
            channel.prepare(card.card_no, serial=pp.serial_from_card_no(card.card_no))
        if current is None:
            raise Conflict("the enterprise has no key set", code="no_key_set")
        steps = provisioning.washing_keys(db, actor=SYSTEM, enterprise_id=enterprise_id, card_serial=card.card_no,
                                          transport_key=TRANSPORT_KEY)
        with channel.session(card.card_no) as send:
            external_authenticate(send, alg_id=alg.ALG_3DES, key=TRANSPORT_KEY)
            T.wash(send, steps)
    except (YktError, A.CardError, T.SamError, A.MalformedApdu, OSError) as exc:
        chip.state, chip.last_error = ChipState.pending.value, _error(exc)
    else:
        chip.state, chip.last_error = ChipState.washed.value, None
        chip.key_enterprise_id, chip.key_version = enterprise_id, current[0]
    chip.updated_at = clock.now()
    db.flush()
    audit.record(db, actor=actor, action="ota.wash", entity_type="card", entity_id=card.id, enterprise_id=enterprise_id,
                 after={"card_no": card.card_no, "state": chip.state, "key_version": chip.key_version,
                        "error": chip.last_error})
    return chip


def open_purse(db: Session, *, actor: Actor, card: Card, enterprise_id: int) -> Chip | None:
    """C4: a purse sub-application opens. The chip's purse goes to this enterprise when the chip
    holds its keys and no purse yet; a chip still pending is washed for it first (washing precedes
    the purse, C3). Otherwise the purse is ledger-only. The purse is new, so its ledger balance is
    0 like the chip's: from here on both move together."""
    chip = chip_of(db, card_id=card.id)
    if chip is None or chip.purse_enterprise_id is not None:
        return chip
    if chip.state == ChipState.pending.value:
        chip = personalise(db, actor=actor, card=card, enterprise_id=enterprise_id, new_card=False)
    if chip.state == ChipState.washed.value and chip.key_enterprise_id == enterprise_id:
        chip.purse_enterprise_id, chip.updated_at = enterprise_id, clock.now()
        audit.record(db, actor=actor, action="ota.purse_open", entity_type="card", entity_id=card.id,
                     enterprise_id=enterprise_id, after={"card_no": card.card_no})
    return chip


def chip_purse_cards(db: Session, *, enterprise_id: int) -> list[int]:
    """The ids of the cards whose chip carries this enterprise's purse."""
    return list(db.scalars(select(Chip.card_id).where(Chip.purse_enterprise_id == enterprise_id,
                                                      Chip.state == ChipState.washed.value).order_by(Chip.card_id)))


def has_chip_purse(db: Session, *, card: Card, enterprise_id: int) -> bool:
    chip = chip_of(db, card_id=card.id)
    return (chip is not None and chip.state == ChipState.washed.value
            and chip.purse_enterprise_id == enterprise_id)


def load_chip(db: Session, *, actor: Actor, card: Card, enterprise_id: int, amount_fen: int,
              purpose: str = "topup") -> ChipLoad | None:
    """P1 via C4: INITIALIZE FOR LOAD over the channel, the key service checks MAC1 and answers
    MAC2, CREDIT FOR LOAD, and the card's TAC is verified. None when the card has no chip purse of
    this enterprise (the top-up is ledger-only). Raises — so the caller's ledger credit rolls back —
    503 ``card_unreachable``, 409 ``card_refused`` (the card's status word in details), 409
    ``bad_mac1`` (the card's keys are not the enterprise's: a counterfeit or a mis-washed card) and
    409 ``bad_tac`` (the card credited but its TAC is false: see docs/ota.md, reconciliation)."""
    if not has_chip_purse(db, card=card, enterprise_id=enterprise_id):
        return None
    key_service = provisioning.load_host(db, enterprise_id=enterprise_id)
    asked: list[pp.LoadRequest] = []

    def host(request: pp.LoadRequest) -> bytes:  # the TAC is checked with the keys the card used
        asked.append(request)
        return key_service(request)

    try:
        with ota_channel.current().session(card.card_no) as send:
            result = T.load(send, host=host, amount=amount_fen,
                            terminal_id=OTA_TERMINAL_ID, when=clock.now())
    except A.CardError as exc:
        raise Conflict("the card refused the load", code="card_refused", details={"sw": f"{exc.sw:04X}"}) from None
    except A.MalformedApdu:
        raise Conflict("the card's answer is malformed", code="card_refused") from None
    except YktError as exc:
        if exc.code == "bad_mac1":
            raise Conflict("the card's MAC1 does not verify: it does not hold this enterprise's keys",
                           code="bad_mac1") from None
        raise
    if not keys.verify_load_tac(db, enterprise_id=enterprise_id, card_serial=result.card_serial,
                                key_version=asked[0].init.key_version, algorithm_id=asked[0].init.alg_id,
                                new_balance=result.balance_after,
                                online_counter=result.online_counter, amount=amount_fen,
                                terminal_id=OTA_TERMINAL_ID, date=result.date, time=result.time, tac=result.tac):
        raise Conflict("the card's load TAC does not verify", code="bad_tac",
                       details={"online_counter": result.online_counter})
    load = ChipLoad(card.card_no, result.online_counter, result.balance_before, result.balance_after,
                    result.tac.hex().upper())
    audit.record(db, actor=actor, action=f"ota.{purpose}", entity_type="card", entity_id=card.id,
                 enterprise_id=enterprise_id, after={"amount_fen": amount_fen, "online_counter": load.online_counter,
                                                     "balance_after_fen": load.balance_after, "tac": load.tac})
    return load


def chip_balance(db: Session, *, card: Card, enterprise_id: int) -> int | None:
    """The chip purse's balance, read over the channel (GET BALANCE); None without a chip purse of
    this enterprise or when the card does not answer."""
    if not has_chip_purse(db, card=card, enterprise_id=enterprise_id):
        return None
    try:
        with ota_channel.current().session(card.card_no) as send:
            return T.get_balance(send)
    except (CardUnreachable, A.CardError, A.MalformedApdu):
        return None


def restore_to_new_card(db: Session, *, actor: Actor, old: Card, new: Card, old_card_readable: bool,
                        ledger_balances: dict[int, int]) -> Chip | None:
    """C7 补换卡: the new card is washed with the old chip's enterprise keys, gets the chip purse,
    and the purse balance is loaded onto it — the old chip's balance read from the old card when it
    is readable, else the platform's (the ledger balance carried over, ``ledger_balances`` by
    enterprise). The ledger moved already (``purse.carry_over``): this load credits the chip only.
    The identity/access/attendance records are not copied (docs/ota.md)."""
    old_chip = chip_of(db, card_id=old.id)
    if old_chip is None or old_chip.key_enterprise_id is None:
        return None
    chip = personalise(db, actor=actor, card=new, enterprise_id=old_chip.key_enterprise_id)
    eid = old_chip.purse_enterprise_id
    if eid is None or chip.state != ChipState.washed.value or chip.key_enterprise_id != eid:
        return chip
    chip.purse_enterprise_id = eid
    amount = None
    if old_card_readable and old_chip.state == ChipState.washed.value:
        try:
            with ota_channel.current().session(old.card_no) as send:
                amount = T.get_balance(send)
        except (CardUnreachable, A.CardError, A.MalformedApdu):
            amount = None  # not readable after all: the platform's records
    if amount is None:
        amount = ledger_balances.get(eid, 0)
    if amount > 0:
        load_chip(db, actor=actor, card=new, enterprise_id=eid, amount_fen=amount, purpose="restore")
    return chip
