"""A tiny reader/terminal: the command sequences a POS, a load terminal or an issuing terminal runs
against a card (T1, C3, P1, P7). ``card`` is anything that takes command APDU bytes and returns
response bytes — ``VirtualCard.transmit`` in tests, a PC/SC reader or an OTA channel later.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from yikatong.cardos.card import AID
from yikatong.cardos.sam import SamError, VirtualSAM
from yikatong.cardos.state import SFI_LOG
from yikatong.cardproto import apdu as A
from yikatong.cardproto import purse as P
from yikatong.cardproto import secure
from yikatong.core.clock import SHANGHAI

Transmit = Callable[[bytes], bytes]
Host = Callable[[P.LoadRequest], bytes]
KeyWriteStep = Callable[[bytes], bytes]  # challenge -> key-write APDU


class Mac2Mismatch(SamError):
    """The card debited but its MAC2 does not verify: a counterfeit or broken card."""

    def __init__(self, record: OfflineRecord):
        super().__init__("card MAC2 does not verify")
        self.record = record


def send(card: Transmit, raw: bytes) -> bytes:
    """The response data; ``apdu.CardError`` on any status word but 9000."""
    return A.Response.parse(card(raw)).check()


def select_purse(card: Transmit) -> bytes:
    """SELECT the purse application; answers the application serial from the FCI (tag 9F0C holds
    the EF 0015 public data, so a locked application still tells who it is)."""
    fci = send(card, A.select_aid(AID))
    at = fci.find(b"\x9f\x0c")
    if at < 0 or len(fci) < at + 3 + 20:
        raise A.MalformedApdu("FCI without the public application data")
    return fci[at + 3 + 10:at + 3 + 20]


@dataclass(frozen=True)
class OfflineRecord:
    """The offline purchase record a POS stores and uploads (API.md layout via ``as_upload``)."""

    card_serial: bytes
    offline_counter: int
    amount: int
    tx_type: int
    terminal_id: bytes
    terminal_serial: int
    at: dt.datetime  # naive Beijing time, as the SAM wrote it
    tac: bytes
    balance_after: int

    def as_upload(self, card_no: str | None = None) -> dict:
        """The API.md record; ``card_no`` defaults to the one the application serial encodes."""
        card_no = card_no or P.card_no_from_serial(self.card_serial)
        return {"card_no": card_no, "offline_counter": self.offline_counter,
                "amount_fen": self.amount, "transaction_type": f"{self.tx_type:02X}",
                "terminal_id": self.terminal_id.hex().upper(),
                "terminal_serial": f"{self.terminal_serial:08X}",
                "at": self.at.replace(tzinfo=SHANGHAI).isoformat(), "tac": self.tac.hex().upper()}


def offline_purchase(card: Transmit, sam: VirtualSAM, *, amount: int, when: dt.datetime,
                     tx_type: int = P.TX_PURSE_PURCHASE) -> OfflineRecord:
    """SELECT, INITIALIZE FOR PURCHASE, SAM MAC1, DEBIT FOR PURCHASE, SAM checks MAC2 (P7).
    ``CardError`` when the card refuses (9401 insufficient, 9302 MAC1 wrong, 6984 locked…)."""
    serial = select_purse(card)
    init = P.PurchaseInit.parse(send(card, A.initialize_for_purchase(
        key_index=sam.key_index, amount=P.encode_amount(amount), terminal_id=sam.terminal_id)))
    sp = sam.init_purchase(card_serial=serial, init=init, amount=amount, when=when,
                           tx_type=tx_type)
    answer = send(card, A.debit_for_purchase(terminal_serial=sp.terminal_serial, date=sp.date,
                                             time=sp.time, mac1=sp.mac1))
    tac, mac2 = answer[:4], answer[4:8]
    record = OfflineRecord(
        card_serial=serial, offline_counter=init.offline_counter, amount=amount, tx_type=tx_type,
        terminal_id=sam.terminal_id, terminal_serial=int.from_bytes(sp.terminal_serial, "big"),
        at=P.decode_datetime(sp.date, sp.time), tac=tac, balance_after=init.balance - amount)
    if not sam.verify_mac2(mac2):
        raise Mac2Mismatch(record)
    return record


@dataclass(frozen=True)
class LoadResult:
    card_serial: bytes
    online_counter: int  # before the load: the one in SESLK and the TAC
    balance_before: int
    balance_after: int
    date: bytes
    time: bytes
    tac: bytes


def load(card: Transmit, *, host: Host, amount: int, terminal_id: bytes, when: dt.datetime,
         key_index: int = 1) -> LoadResult:
    """SELECT, INITIALIZE FOR LOAD, the host checks MAC1 and answers MAC2, CREDIT FOR LOAD (P1).
    The host (the key service) may raise to refuse; the card is then left uncredited."""
    terminal_id = P.encode_terminal_id(terminal_id)
    serial = select_purse(card)
    init = P.LoadInit.parse(send(card, A.initialize_for_load(
        key_index=key_index, amount=P.encode_amount(amount), terminal_id=terminal_id)))
    date, time = P.encode_datetime(when)
    mac2 = host(P.LoadRequest(card_serial=serial, init=init, amount=amount,
                              tx_type=P.TX_PURSE_LOAD, terminal_id=terminal_id, date=date,
                              time=time))
    tac = send(card, A.credit_for_load(date=date, time=time, mac2=mac2))
    return LoadResult(serial, init.online_counter, init.balance, init.balance + amount, date, time,
                      tac)


def get_balance(card: Transmit) -> int:
    select_purse(card)
    return P.decode_amount(send(card, A.get_balance()))


def transaction_prove(card: Transmit, *, tx_type: int, counter: int) -> tuple[bytes, bytes]:
    """(MAC, TAC) of the card's last transaction of that type, if its counter matches."""
    select_purse(card)
    answer = send(card, A.get_transaction_prove(tx_type=tx_type, counter=P.encode_counter(counter)))
    return answer[:4], answer[4:8]


def read_log(card: Transmit) -> list[bytes]:
    """The transaction log, newest first (23-byte PBOC records)."""
    select_purse(card)
    records = []
    for n in range(1, 256):
        resp = A.Response.parse(card(A.read_record(sfi=SFI_LOG, record=n)))
        if resp.sw == A.SW_RECORD_NOT_FOUND:
            break
        records.append(resp.check())
    return records


def mutual_authenticate(card: Transmit, *, alg_id: int, external_key: bytes,
                        internal_key: bytes, key_index: int = 1,
                        rng: Callable[[int], bytes]) -> None:
    """Terminal proves itself (GET CHALLENGE + EXTERNAL AUTHENTICATE), then the card (INTERNAL
    AUTHENTICATE on the terminal's random). ``CardError`` or ``SamError`` on failure (T1)."""
    select_purse(card)
    challenge = send(card, A.get_challenge(8))
    send(card, A.command(A.CLA_ISO, A.INS_EXTERNAL_AUTH, 0, key_index,
                         secure.auth_cryptogram(alg_id, external_key, challenge)))
    mine = rng(8)
    answer = send(card, A.command(A.CLA_ISO, A.INS_INTERNAL_AUTH, 0, key_index, mine))
    if answer != secure.auth_cryptogram(alg_id, internal_key, mine):
        raise SamError("the card failed internal authentication")


@dataclass(frozen=True)
class NewKey:
    key_type: int
    key_index: int
    version: int
    alg_id: int
    key: bytes


def key_write_steps(*, alg_id: int, maint_key: bytes, keys: Iterable[NewKey]) -> list[KeyWriteStep]:
    """Key-write steps built from clear keys (an issuing terminal holding the key mother card);
    the maintenance key is written last, since it governs the writes before it."""
    ordered = sorted(keys, key=lambda k: k.key_type == secure.KeyType.MAINTENANCE)

    def step(k: NewKey) -> KeyWriteStep:
        return lambda challenge: secure.key_write_apdu(
            alg_id, maint_key, challenge, key_type=k.key_type, key_index=k.key_index,
            version=k.version, new_alg=k.alg_id, new_key=k.key)

    return [step(k) for k in ordered]


def wash(card: Transmit, steps: Sequence[KeyWriteStep]) -> bytes:
    """Washing (C3): for each step a fresh challenge, then the key-write APDU the step builds from
    it. Returns the card's application serial."""
    serial = select_purse(card)
    for build in steps:
        challenge = send(card, A.get_challenge(4))
        send(card, build(challenge))
    return serial


def record_write(card: Transmit, *, alg_id: int, maint_key: bytes, sfi: int, record: int | None,
                 data: bytes) -> None:
    """UPDATE RECORD (``record`` given) or APPEND RECORD (``None``) with the maintenance-key MAC."""
    select_purse(card)
    challenge = send(card, A.get_challenge(4))
    if record is None:
        ins, p1, p2 = A.INS_APPEND_RECORD, 0, sfi << 3
    else:
        ins, p1, p2 = A.INS_UPDATE_RECORD, record, (sfi << 3) | 0x04
    send(card, secure.secure_command(alg_id, maint_key, challenge, cla=A.CLA_ISO_SECURE, ins=ins,
                                     p1=p1, p2=p2, data=data))


__all__ = ["LoadResult", "Mac2Mismatch", "NewKey", "OfflineRecord", "get_balance", "load",
           "key_write_steps", "mutual_authenticate", "offline_purchase", "read_log",
           "record_write", "select_purse", "send", "transaction_prove", "wash"]
