"""APDU framing (ISO 7816-4 short APDUs) and the status words the virtual card answers (T1).

``6983`` and ``6984`` are our picks (no public source fixes them for this product):
``6983`` the external-authentication key is blocked (its try counter ran out);
``6984`` the application is locked (3 MAC errors) and answers this to everything but SELECT,
GET CHALLENGE and APPLICATION UNBLOCK.
"""

from __future__ import annotations

from dataclasses import dataclass

SW_OK = 0x9000
SW_MAC_WRONG = 0x9302
SW_INSUFFICIENT = 0x9401
SW_COUNTER_MAX = 0x9402
SW_KEY_INDEX = 0x9403
SW_NO_PROVE = 0x9406  # GET TRANSACTION PROVE: no such transaction (required MAC not available)
SW_AUTH_BLOCKED = 0x6983  # ours
SW_APP_LOCKED = 0x6984  # ours
SW_WRONG_LENGTH = 0x6700
SW_INCOMPATIBLE = 0x6981
SW_SECURITY = 0x6982
SW_CONDITIONS = 0x6985
SW_BAD_DATA = 0x6A80
SW_FILE_NOT_FOUND = 0x6A82
SW_RECORD_NOT_FOUND = 0x6A83
SW_WRONG_P1P2 = 0x6A86
SW_KEY_NOT_FOUND = 0x6A88
SW_INS_NOT_SUPPORTED = 0x6D00
SW_CLA_NOT_SUPPORTED = 0x6E00
SW_WRONG_LE = 0x6C00

STATUS_WORDS = {
    SW_OK: "ok",
    SW_MAC_WRONG: "MAC wrong",
    SW_INSUFFICIENT: "insufficient balance",
    SW_COUNTER_MAX: "transaction counter at its maximum",
    SW_KEY_INDEX: "key index not supported",
    SW_NO_PROVE: "no transaction with that counter",
    SW_AUTH_BLOCKED: "authentication blocked",
    SW_APP_LOCKED: "application locked",
    SW_WRONG_LENGTH: "wrong length",
    SW_INCOMPATIBLE: "command incompatible with the file structure",
    SW_SECURITY: "security status not satisfied",
    SW_CONDITIONS: "conditions of use not satisfied",
    SW_BAD_DATA: "incorrect data",
    SW_FILE_NOT_FOUND: "file not found",
    SW_RECORD_NOT_FOUND: "record not found",
    SW_WRONG_P1P2: "incorrect P1/P2",
    SW_KEY_NOT_FOUND: "key not found",
    SW_INS_NOT_SUPPORTED: "instruction not supported",
    SW_CLA_NOT_SUPPORTED: "class not supported",
}


def sw_name(sw: int) -> str:
    if sw & 0xFFF0 == 0x63C0:
        return f"verification failed, {sw & 0x0F} tries left"
    return STATUS_WORDS.get(sw, f"status {sw:04X}")


class MalformedApdu(ValueError):
    pass


@dataclass(frozen=True)
class Command:
    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    le: int | None = None  # None: no Le; 0 means 256

    def to_bytes(self) -> bytes:
        if len(self.data) > 255:
            raise ValueError("short APDUs carry at most 255 data bytes")
        out = bytes([self.cla, self.ins, self.p1, self.p2])
        if self.data:
            out += bytes([len(self.data)]) + self.data
        if self.le is not None:
            out += bytes([self.le & 0xFF])
        return out

    @classmethod
    def parse(cls, raw: bytes) -> Command:
        """Cases 1-4 of short APDUs."""
        if len(raw) < 4:
            raise MalformedApdu("an APDU has at least 4 bytes")
        cla, ins, p1, p2 = raw[:4]
        body = raw[4:]
        if not body:
            return cls(cla, ins, p1, p2)
        if len(body) == 1:
            return cls(cla, ins, p1, p2, le=body[0])
        lc = body[0]
        if lc == 0 or len(body) not in (1 + lc, 2 + lc):
            raise MalformedApdu("Lc does not match the data")
        le = body[1 + lc] if len(body) == 2 + lc else None
        return cls(cla, ins, p1, p2, bytes(body[1:1 + lc]), le)

    @property
    def header(self) -> bytes:
        return bytes([self.cla, self.ins, self.p1, self.p2])


@dataclass(frozen=True)
class Response:
    data: bytes
    sw: int

    def to_bytes(self) -> bytes:
        return self.data + self.sw.to_bytes(2, "big")

    @classmethod
    def parse(cls, raw: bytes) -> Response:
        if len(raw) < 2:
            raise MalformedApdu("a response has at least the 2 status bytes")
        return cls(bytes(raw[:-2]), int.from_bytes(raw[-2:], "big"))

    @property
    def ok(self) -> bool:
        return self.sw == SW_OK

    def check(self) -> bytes:
        """The data, or CardError when the status word is not 9000."""
        if not self.ok:
            raise CardError(self.sw)
        return self.data


class CardError(Exception):
    """A card answered a status word other than 9000."""

    def __init__(self, sw: int):
        super().__init__(f"card answered {sw:04X} ({sw_name(sw)})")
        self.sw = sw


def command(cla: int, ins: int, p1: int, p2: int, data: bytes = b"", le: int | None = None) -> bytes:
    return Command(cla, ins, p1, p2, data, le).to_bytes()


def response(data: bytes = b"", sw: int = SW_OK) -> bytes:
    return Response(data, sw).to_bytes()


# --- the command APDUs of the purse, as bytes --------------------------------------------------

CLA_ISO = 0x00
CLA_PROP = 0x80
CLA_SECURE = 0x84  # proprietary with line-protection MAC
CLA_ISO_SECURE = 0x04

INS_SELECT = 0xA4
INS_READ_BINARY = 0xB0
INS_READ_RECORD = 0xB2
INS_UPDATE_RECORD = 0xDC
INS_APPEND_RECORD = 0xE2
INS_GET_CHALLENGE = 0x84
INS_EXTERNAL_AUTH = 0x82
INS_INTERNAL_AUTH = 0x88
INS_INITIALIZE = 0x50
INS_CREDIT = 0x52
INS_DEBIT = 0x54
INS_GET_BALANCE = 0x5C
INS_GET_PROVE = 0x5A
INS_KEY_WRITE = 0xD4
INS_APP_UNBLOCK = 0x18


def select_aid(aid: bytes) -> bytes:
    return command(CLA_ISO, INS_SELECT, 0x04, 0x00, aid)


def select_fid(fid: int) -> bytes:
    return command(CLA_ISO, INS_SELECT, 0x00, 0x00, fid.to_bytes(2, "big"))


def get_challenge(length: int = 8) -> bytes:
    return command(CLA_ISO, INS_GET_CHALLENGE, 0, 0, le=length)


def initialize_for_load(*, key_index: int, amount: bytes, terminal_id: bytes) -> bytes:
    return command(CLA_PROP, INS_INITIALIZE, 0x00, 0x02, bytes([key_index]) + amount + terminal_id,
                   le=0x10)


def credit_for_load(*, date: bytes, time: bytes, mac2: bytes) -> bytes:
    return command(CLA_PROP, INS_CREDIT, 0x00, 0x00, date + time + mac2, le=0x04)


def initialize_for_purchase(*, key_index: int, amount: bytes, terminal_id: bytes) -> bytes:
    return command(CLA_PROP, INS_INITIALIZE, 0x01, 0x02, bytes([key_index]) + amount + terminal_id,
                   le=0x0F)


def debit_for_purchase(*, terminal_serial: bytes, date: bytes, time: bytes, mac1: bytes) -> bytes:
    return command(CLA_PROP, INS_DEBIT, 0x01, 0x00, terminal_serial + date + time + mac1, le=0x08)


def get_balance() -> bytes:
    return command(CLA_PROP, INS_GET_BALANCE, 0x00, 0x02, le=0x04)


def get_transaction_prove(*, tx_type: int, counter: bytes) -> bytes:
    return command(CLA_PROP, INS_GET_PROVE, 0x00, tx_type, counter, le=0x08)


def read_record(*, sfi: int, record: int, length: int = 0) -> bytes:
    return command(CLA_ISO, INS_READ_RECORD, record, (sfi << 3) | 0x04, le=length)


def read_binary(*, sfi: int, offset: int = 0, length: int = 0) -> bytes:
    return command(CLA_ISO, INS_READ_BINARY, 0x80 | sfi, offset, le=length)
