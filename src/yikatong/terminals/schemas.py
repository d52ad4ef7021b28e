from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from yikatong.terminals.models import TerminalStatus, TerminalType


class TerminalCreate(BaseModel):
    type: TerminalType
    name: str = Field(min_length=1, max_length=100)
    merchant: int | str | None = Field(default=None, description="a POS's merchant: its id, or a name (created if new)")
    door_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


class TerminalCreated(BaseModel):
    id: int
    token: str = Field(description="the device's credential, shown once: send it as Authorization: Bearer")
    type: TerminalType
    name: str
    merchant_id: int | None


class TerminalOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    enterprise_id: int
    type: TerminalType
    name: str
    merchant_id: int | None
    door_id: int | None
    status: TerminalStatus
    created_at: dt.datetime


class MerchantCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)


class MerchantOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    enterprise_id: int
    name: str
