from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from yikatong.cards.models import AppMode, AppStatus, AppType, CardKind, CardStatus
from yikatong.core.ids import BodyId

ICCID = r"^89\d{17,18}$"  # ITU-T E.118: 19–20 digits starting 89
IMSI = r"^\d{15}$"
UID = r"^([0-9A-Fa-f]{8}|[0-9A-Fa-f]{14}|[0-9A-Fa-f]{20})$"  # 4, 7 or 10 bytes


class CardIdentifiers(BaseModel):
    iccid: str | None = Field(default=None, pattern=ICCID, description="RFID-SIM: 19–20 digits starting 89")
    imsi: str | None = Field(default=None, pattern=IMSI, description="RFID-SIM: 15 digits")
    uid: str | None = Field(default=None, pattern=UID, description="IC card: 4, 7 or 10 bytes in hex")


class CardIssue(CardIdentifiers):
    member_id: BodyId
    kind: CardKind


class CardReplace(CardIdentifiers):
    kind: CardKind
    old_card_readable: bool = Field(description="the old card is present and readable: back up its data")


class CardCancel(BaseModel):
    refund: Literal["cash", "transfer"] = Field(description="how a remaining purse balance is settled")


class ServicePasswordBody(BaseModel):
    service_password: str | None = Field(default=None, max_length=6, description="the member's six digits")


class ApplicationOpen(BaseModel):
    enterprise_id: BodyId
    type: AppType
    mode: AppMode


class ApplicationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    type: AppType
    enterprise_id: int
    member_id: int
    mode: AppMode
    status: AppStatus
    opened_at: dt.datetime
    closed_at: dt.datetime | None


class CardOut(BaseModel):
    id: int
    card_no: str
    kind: CardKind
    status: CardStatus
    phone: str
    holder_name: str
    iccid: str | None
    imsi: str | None
    uid: str | None
    issued_at: dt.datetime
    replaces_card_id: int | None
    restored_from: str | None
    applications: list[ApplicationOut]


class CardStatusOut(BaseModel):
    id: int
    card_no: str
    status: CardStatus


class CancelOut(CardStatusOut):
    refunded_fen: int


class StockRow(BaseModel):
    row: int
    message: str
    code: str


class StockImportResult(BaseModel):
    imported: int
    errors: list[StockRow]


class BlacklistDelta(BaseModel):
    version: int
    added: list[str]
    removed: list[str]


class PhoneChange(CardIdentifiers):
    new_phone: str = Field(min_length=1, max_length=32)
    kind: CardKind = CardKind.rfid_sim
