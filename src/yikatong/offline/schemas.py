from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, Field, field_validator

from yikatong.core.clock import beijing_time
from yikatong.purse.ledger import MAX_AMOUNT_FEN

MAX_BATCH = 500


class Rejection(StrEnum):
    """Why a record was not accepted (P7). Nothing was stored or posted for it."""

    unknown_card = "unknown_card"  # no card with this number
    no_application = "no_application"  # the card holds no purse of this enterprise
    bad_tac = "bad_tac"  # the TAC does not verify with any of the enterprise's key versions
    conflicting_record = "conflicting_record"  # this card's counter is already stored with other content
    replayed_record = "replayed_record"  # this SAM serial is already stored for another card or counter


class Flag(StrEnum):
    """Accepted, but reported for follow-up (the console lists them)."""

    counter_gap = "counter_gap"  # the card's offline counter jumped past the highest seen
    serial_gap = "serial_gap"  # the SAM's transaction serial jumped past the highest seen
    after_blacklist = "after_blacklist"  # the card was on the blacklist at the record's time
    ledger_short = "ledger_short"  # stored but not posted: the ledger purse could not cover it


Hex = lambda n: Field(pattern=rf"^[0-9A-Fa-f]{{{n}}}$", min_length=n, max_length=n)  # noqa: E731


class RecordIn(BaseModel):
    """The offline record layout of API.md (docs/terminal-protocol.md, "Offline purchases")."""

    card_no: str = Field(pattern=r"^\d{16}$", min_length=16, max_length=16)
    offline_counter: int = Field(ge=0, le=0xFFFF, strict=True)
    amount_fen: int = Field(gt=0, le=MAX_AMOUNT_FEN, strict=True)
    transaction_type: str = Field(pattern=r"^06$", description='"06": purse purchase')
    terminal_id: str = Hex(12)
    terminal_serial: str = Hex(8)
    at: dt.datetime = Field(description="the SAM's date-time; without an offset it is Beijing time")
    tac: str = Hex(8)

    _at = field_validator("at")(classmethod(lambda cls, v: beijing_time(v)))


class BatchIn(BaseModel):
    records: list[RecordIn] = Field(max_length=MAX_BATCH)


class Outcome(BaseModel):
    index: int
    code: str


class BatchOut(BaseModel):
    accepted: int
    duplicates: int
    rejected: list[Outcome]
    flagged: list[Outcome]


class RecordOut(BaseModel):
    id: int
    terminal_id: int
    card_no: str
    offline_counter: int
    amount_fen: int
    transaction_type: str
    sam_terminal_id: str
    terminal_serial: int
    at: dt.datetime
    tac: str
    transfer_id: int | None
    flags: list[str]
    uploaded_at: dt.datetime
