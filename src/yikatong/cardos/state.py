"""The persistent state of a virtual card and its file format (C3, C7).

A saved card is UTF-8 JSON (``format: "ykt-card"``, ``version: 1``), byte strings as upper-case
hex, keys included: the file is the card's secure memory, so it is as secret as the card keys
(the platform keeps backups encrypted; see docs/card-os.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from yikatong.cardproto import algorithms as alg

FORMAT = "ykt-card"
FORMAT_VERSION = 1

SERIAL_LENGTH = 10
LOG_RECORD_SIZE = 23
MAX_MAC_ERRORS = 3
MAX_AUTH_TRIES = 5
DEFAULT_MAX_BALANCE = 100_000_00  # 100,000 yuan in fen

# Ours: a published default transport key; real card batches come with the vendor's own.
DEFAULT_TRANSPORT_KEY = b"YKT-TRANSPORT-01"

SFI_IDENTITY = 0x01
SFI_ACCESS = 0x02
SFI_ATTENDANCE = 0x03
SFI_PUBLIC = 0x15  # binary: public application data (serial etc.)
SFI_LOG = 0x18


class CardFormatError(ValueError):
    pass


@dataclass
class KeySlot:
    key_type: int
    index: int
    version: int
    alg_id: int
    key: bytes

    def to_json(self) -> dict:
        return {"type": self.key_type, "index": self.index, "version": self.version,
                "alg": self.alg_id, "key": self.key.hex().upper()}

    @classmethod
    def from_json(cls, d: dict) -> KeySlot:
        slot = cls(int(d["type"]), int(d["index"]), int(d["version"]), int(d["alg"]),
                   bytes.fromhex(d["key"]))
        if len(slot.key) != alg.key_length(slot.alg_id):
            raise CardFormatError("key of the wrong length")
        return slot


@dataclass
class RecordFile:
    """A record EF. Linear files are updated in place (UPDATE RECORD); cyclic ones take new records
    at the front (APPEND RECORD, or the card itself for the transaction log), record 1 the newest."""

    sfi: int
    name: str
    record_size: int
    max_records: int
    cyclic: bool
    writable: bool = True
    records: list[bytes] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.cyclic and not self.records:
            self.records = [bytes(self.record_size) for _ in range(self.max_records)]

    def push(self, record: bytes) -> None:
        self.records.insert(0, record.ljust(self.record_size, b"\x00"))
        del self.records[self.max_records:]

    def to_json(self) -> dict:
        return {"sfi": self.sfi, "name": self.name, "record_size": self.record_size,
                "max_records": self.max_records, "cyclic": self.cyclic, "writable": self.writable,
                "records": [r.hex().upper() for r in self.records]}

    @classmethod
    def from_json(cls, d: dict) -> RecordFile:
        f = cls(int(d["sfi"]), str(d["name"]), int(d["record_size"]), int(d["max_records"]),
                bool(d["cyclic"]), bool(d["writable"]), [bytes.fromhex(r) for r in d["records"]])
        if len(f.records) > f.max_records or any(len(r) != f.record_size for r in f.records):
            raise CardFormatError(f"file {f.name}: bad records")
        return f


def default_files() -> dict[int, RecordFile]:
    return {
        SFI_IDENTITY: RecordFile(SFI_IDENTITY, "identity", 64, 1, cyclic=False),
        SFI_ACCESS: RecordFile(SFI_ACCESS, "access", 16, 8, cyclic=False),
        SFI_ATTENDANCE: RecordFile(SFI_ATTENDANCE, "attendance", 16, 10, cyclic=True),
        SFI_LOG: RecordFile(SFI_LOG, "transactions", LOG_RECORD_SIZE, 10, cyclic=True,
                            writable=False),
    }


@dataclass
class Prove:
    """What GET TRANSACTION PROVE returns for the last transaction of a type."""

    counter: int
    mac: bytes
    tac: bytes


@dataclass
class CardState:
    serial: bytes
    issuer_id: bytes = bytes(8)
    start_date: bytes = bytes.fromhex("20260101")
    end_date: bytes = bytes.fromhex("20991231")
    balance: int = 0
    max_balance: int = DEFAULT_MAX_BALANCE
    online_counter: int = 0
    offline_counter: int = 0
    mac_errors: int = 0
    locked: bool = False
    auth_tries: int = MAX_AUTH_TRIES
    keys: dict[tuple[int, int], KeySlot] = field(default_factory=dict)
    files: dict[int, RecordFile] = field(default_factory=default_files)
    proves: dict[int, Prove] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not 1 <= len(self.serial) <= SERIAL_LENGTH:
            raise CardFormatError("application serial is 1 to 10 bytes")
        self.serial = self.serial.rjust(SERIAL_LENGTH, b"\x00")

    def key(self, key_type: int, index: int) -> KeySlot | None:
        return self.keys.get((key_type, index))

    def put_key(self, slot: KeySlot) -> None:
        self.keys[(slot.key_type, slot.index)] = slot

    def public_data(self) -> bytes:
        """EF 0015: issuer id(8) app type(1) app version(1) serial(10) start(4) end(4) rfu(2)."""
        return (self.issuer_id + b"\x02\x01" + self.serial + self.start_date + self.end_date
                + bytes(2))

    # --- file format --------------------------------------------------------------------------

    def to_json(self) -> dict:
        return {
            "format": FORMAT, "version": FORMAT_VERSION,
            "serial": self.serial.hex().upper(), "issuer_id": self.issuer_id.hex().upper(),
            "start_date": self.start_date.hex(), "end_date": self.end_date.hex(),
            "balance": self.balance, "max_balance": self.max_balance,
            "online_counter": self.online_counter, "offline_counter": self.offline_counter,
            "mac_errors": self.mac_errors, "locked": self.locked, "auth_tries": self.auth_tries,
            "keys": [s.to_json() for _, s in sorted(self.keys.items())],
            "files": [f.to_json() for _, f in sorted(self.files.items())],
            "proves": {f"{t:02X}": {"counter": p.counter, "mac": p.mac.hex().upper(),
                                    "tac": p.tac.hex().upper()}
                       for t, p in sorted(self.proves.items())},
        }

    @classmethod
    def from_json(cls, d: dict) -> CardState:
        if not isinstance(d, dict) or d.get("format") != FORMAT:
            raise CardFormatError("not a saved card")
        if d.get("version") != FORMAT_VERSION:
            raise CardFormatError(f"unsupported card file version {d.get('version')}")
        try:
            state = cls(
                serial=bytes.fromhex(d["serial"]), issuer_id=bytes.fromhex(d["issuer_id"]),
                start_date=bytes.fromhex(d["start_date"]), end_date=bytes.fromhex(d["end_date"]),
                balance=int(d["balance"]), max_balance=int(d["max_balance"]),
                online_counter=int(d["online_counter"]),
                offline_counter=int(d["offline_counter"]), mac_errors=int(d["mac_errors"]),
                locked=bool(d["locked"]), auth_tries=int(d["auth_tries"]),
                files={}, proves={})
            for k in d["keys"]:
                state.put_key(KeySlot.from_json(k))
            for f in d["files"]:
                rf = RecordFile.from_json(f)
                state.files[rf.sfi] = rf
            missing = set(default_files()) - set(state.files)
            if missing:
                raise CardFormatError(f"card file lacks files {sorted(missing)}")
            for t, p in d["proves"].items():
                state.proves[int(t, 16)] = Prove(int(p["counter"]), bytes.fromhex(p["mac"]),
                                                 bytes.fromhex(p["tac"]))
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, CardFormatError):
                raise
            raise CardFormatError(f"damaged card file: {exc}") from exc
        return state

    def to_bytes(self) -> bytes:
        return json.dumps(self.to_json(), indent=1, sort_keys=True).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> CardState:
        try:
            return cls.from_json(json.loads(data))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CardFormatError("not a saved card") from exc

    def save(self, path: str | Path) -> None:
        Path(path).write_bytes(self.to_bytes())

    @classmethod
    def load(cls, path: str | Path) -> CardState:
        return cls.from_bytes(Path(path).read_bytes())
