"""The electronic-purse computations and field encodings of CARD-PROTOCOL.md (T1, P7).

Every computation takes the already encoded fields (bytes) in the order the protocol lists them, so
the card, the SAM, the terminal and the key service compute the same thing from the same bytes. The
``encode_*`` helpers turn Python values into those fields. ``dtk`` arguments are the card's 16-byte
TAC key; the TAC MAC key is derived inside (``algorithms.tac_key``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from yikatong.cardproto import algorithms as alg

TX_DEPOSIT_LOAD = 0x01
TX_PURSE_LOAD = 0x02
TX_DEPOSIT_PURCHASE = 0x05
TX_PURSE_PURCHASE = 0x06
TX_COMPOSITE_PURCHASE = 0x09

APP_DEPOSIT = 0x01  # P2 of INITIALIZE / GET BALANCE
APP_PURSE = 0x02

MAX_AMOUNT = 0xFFFFFFFF
MAX_COUNTER = 0xFFFF
LOAD_SESSION_TAIL = b"\x80\x00"


# --- encodings -------------------------------------------------------------------------------

def encode_amount(fen: int) -> bytes:
    """Amount or balance in fen: 4 bytes big-endian unsigned."""
    if not 0 <= fen <= MAX_AMOUNT:
        raise ValueError(f"amount out of range: {fen}")
    return fen.to_bytes(4, "big")


def decode_amount(data: bytes) -> int:
    if len(data) != 4:
        raise ValueError("amount must be 4 bytes")
    return int.from_bytes(data, "big")


def encode_counter(value: int) -> bytes:
    """Online / offline counter: 2 bytes big-endian."""
    if not 0 <= value <= MAX_COUNTER:
        raise ValueError(f"counter out of range: {value}")
    return value.to_bytes(2, "big")


def decode_counter(data: bytes) -> int:
    if len(data) != 2:
        raise ValueError("counter must be 2 bytes")
    return int.from_bytes(data, "big")


def encode_terminal_serial(value: int) -> bytes:
    """The SAM's terminal transaction serial: 4 bytes big-endian."""
    if not 0 <= value <= 0xFFFFFFFF:
        raise ValueError(f"terminal serial out of range: {value}")
    return value.to_bytes(4, "big")


def encode_terminal_id(value: bytes | str) -> bytes:
    """Terminal id: 6 bytes, given as bytes or as 12 hex digits."""
    raw = bytes.fromhex(value) if isinstance(value, str) else bytes(value)
    if len(raw) != 6:
        raise ValueError("terminal id must be 6 bytes (12 hex digits)")
    return raw


def encode_tx_type(value: int) -> bytes:
    if not 0 <= value <= 0xFF:
        raise ValueError("transaction type is one byte")
    return bytes([value])


def bcd(digits: str) -> bytes:
    if len(digits) % 2 or not digits.isdigit():
        raise ValueError(f"not an even number of decimal digits: {digits!r}")
    return bytes.fromhex(digits)


def unbcd(data: bytes) -> str:
    digits = data.hex()
    if not digits.isdigit():
        raise ValueError(f"not BCD: {digits}")
    return digits


def encode_datetime(when: dt.datetime) -> tuple[bytes, bytes]:
    """(date 4 bytes BCD ``YYYYMMDD``, time 3 bytes BCD ``hhmmss``). Cards and terminals keep local
    (Beijing) time: an aware datetime is converted to Asia/Shanghai, a naive one is taken as is."""
    if when.tzinfo is not None:
        from yikatong.core.clock import SHANGHAI

        when = when.astimezone(SHANGHAI)
    return bcd(when.strftime("%Y%m%d")), bcd(when.strftime("%H%M%S"))


def decode_datetime(date: bytes, time: bytes) -> dt.datetime:
    """Naive local (Beijing) datetime from the BCD date and time fields."""
    if len(date) != 4 or len(time) != 3:
        raise ValueError("date is 4 bytes, time 3 bytes")
    return dt.datetime.strptime(unbcd(date) + unbcd(time), "%Y%m%d%H%M%S")


SERIAL_LENGTH = 10


def serial_from_card_no(card_no: str) -> bytes:
    """The card's 10-byte application serial for a platform card number (16 decimal digits, see
    docs/card-lifecycle.md): the number in BCD, left-padded with zero bytes. Its right-most 8 bytes
    (``algorithms.factor_from_serial``) — the card number's BCD — diversify the card keys."""
    if len(card_no) % 2:
        card_no = "0" + card_no
    raw = bcd(card_no)
    if len(raw) > SERIAL_LENGTH:
        raise ValueError("card number too long for an application serial")
    return raw.rjust(SERIAL_LENGTH, b"\x00")


def card_no_from_serial(serial: bytes) -> str:
    """Inverse of ``serial_from_card_no`` (leading zero bytes dropped)."""
    return unbcd(serial.lstrip(b"\x00") or b"\x00")


def _need(name: str, value: bytes, length: int) -> bytes:
    if len(value) != length:
        raise ValueError(f"{name} must be {length} bytes, not {len(value)}")
    return value


# --- load ------------------------------------------------------------------------------------

def load_session_key(alg_id: int, dlk: bytes, *, random: bytes, online_counter: bytes) -> bytes:
    """``SESLK = E(DLK_card, random || online counter || 80 00)``."""
    data = _need("random", random, 4) + _need("online counter", online_counter, 2)
    return alg.session_key(alg_id, dlk, data + LOAD_SESSION_TAIL)


def load_mac1(alg_id: int, seslk: bytes, *, old_balance: bytes, amount: bytes, tx_type: bytes,
              terminal_id: bytes) -> bytes:
    """Card → terminal: ``MAC(SESLK, old balance || amount || type || terminal id)``."""
    data = (_need("old balance", old_balance, 4) + _need("amount", amount, 4)
            + _need("type", tx_type, 1) + _need("terminal id", terminal_id, 6))
    return alg.mac(alg_id, seslk, data)


def load_mac2(alg_id: int, seslk: bytes, *, amount: bytes, tx_type: bytes, terminal_id: bytes,
              date: bytes, time: bytes) -> bytes:
    """Host → card: ``MAC(SESLK, amount || type || terminal id || date || time)``."""
    data = (_need("amount", amount, 4) + _need("type", tx_type, 1)
            + _need("terminal id", terminal_id, 6) + _need("date", date, 4) + _need("time", time, 3))
    return alg.mac(alg_id, seslk, data)


def load_tac(alg_id: int, dtk: bytes, *, new_balance: bytes, online_counter: bytes, amount: bytes,
             tx_type: bytes, terminal_id: bytes, date: bytes, time: bytes) -> bytes:
    """``MAC(tac_key(DTK), new balance || online counter before increment || amount || type ||
    terminal id || date || time)``."""
    data = (_need("new balance", new_balance, 4) + _need("online counter", online_counter, 2)
            + _need("amount", amount, 4) + _need("type", tx_type, 1)
            + _need("terminal id", terminal_id, 6) + _need("date", date, 4) + _need("time", time, 3))
    return alg.mac(alg_id, alg.tac_key(alg_id, dtk), data)


# --- purchase --------------------------------------------------------------------------------

def purchase_session_key(alg_id: int, dpk: bytes, *, random: bytes, offline_counter: bytes,
                         terminal_serial: bytes) -> bytes:
    """``SESPK = E(DPK_card, random || offline counter || last 2 bytes of terminal serial)``.
    ``terminal_serial`` is the full 4-byte serial."""
    data = (_need("random", random, 4) + _need("offline counter", offline_counter, 2)
            + _need("terminal serial", terminal_serial, 4)[2:])
    return alg.session_key(alg_id, dpk, data)


def purchase_mac1(alg_id: int, sespk: bytes, *, amount: bytes, tx_type: bytes, terminal_id: bytes,
                  date: bytes, time: bytes) -> bytes:
    """SAM → card: ``MAC(SESPK, amount || type || terminal id || date || time)``."""
    data = (_need("amount", amount, 4) + _need("type", tx_type, 1)
            + _need("terminal id", terminal_id, 6) + _need("date", date, 4) + _need("time", time, 3))
    return alg.mac(alg_id, sespk, data)


def purchase_mac2(alg_id: int, sespk: bytes, *, amount: bytes) -> bytes:
    """Card → SAM: ``MAC(SESPK, amount)``."""
    return alg.mac(alg_id, sespk, _need("amount", amount, 4))


def purchase_tac(alg_id: int, dtk: bytes, *, amount: bytes, tx_type: bytes, terminal_id: bytes,
                 terminal_serial: bytes, date: bytes, time: bytes) -> bytes:
    """``MAC(tac_key(DTK), amount || type || terminal id || terminal serial || date || time)``."""
    data = (_need("amount", amount, 4) + _need("type", tx_type, 1)
            + _need("terminal id", terminal_id, 6) + _need("terminal serial", terminal_serial, 4)
            + _need("date", date, 4) + _need("time", time, 3))
    return alg.mac(alg_id, alg.tac_key(alg_id, dtk), data)


# --- parsed INITIALIZE answers -----------------------------------------------------------------

@dataclass(frozen=True)
class LoadInit:
    """The card's answer to INITIALIZE FOR LOAD (16 bytes)."""

    balance: int
    online_counter: int
    key_version: int
    alg_id: int
    random: bytes
    mac1: bytes

    @classmethod
    def parse(cls, data: bytes) -> LoadInit:
        _need("INITIALIZE FOR LOAD answer", data, 16)
        return cls(balance=decode_amount(data[0:4]), online_counter=decode_counter(data[4:6]),
                   key_version=data[6], alg_id=data[7], random=data[8:12], mac1=data[12:16])

    def to_bytes(self) -> bytes:
        return (encode_amount(self.balance) + encode_counter(self.online_counter)
                + bytes([self.key_version, self.alg_id]) + self.random + self.mac1)


@dataclass(frozen=True)
class PurchaseInit:
    """The card's answer to INITIALIZE FOR PURCHASE (15 bytes)."""

    balance: int
    offline_counter: int
    overdraft_limit: int
    key_version: int
    alg_id: int
    random: bytes

    @classmethod
    def parse(cls, data: bytes) -> PurchaseInit:
        _need("INITIALIZE FOR PURCHASE answer", data, 15)
        return cls(balance=decode_amount(data[0:4]), offline_counter=decode_counter(data[4:6]),
                   overdraft_limit=int.from_bytes(data[6:9], "big"), key_version=data[9],
                   alg_id=data[10], random=data[11:15])

    def to_bytes(self) -> bytes:
        return (encode_amount(self.balance) + encode_counter(self.offline_counter)
                + self.overdraft_limit.to_bytes(3, "big")
                + bytes([self.key_version, self.alg_id]) + self.random)


@dataclass(frozen=True)
class LoadRequest:
    """What a terminal hands the host (the key service) to authorise a load: the host checks
    ``init.mac1`` and answers MAC2. ``card_serial`` is the application serial (its right-most 8
    bytes diversify the card keys)."""

    card_serial: bytes
    init: LoadInit
    amount: int
    tx_type: int
    terminal_id: bytes
    date: bytes
    time: bytes
