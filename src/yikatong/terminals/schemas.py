from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from yikatong.access.schemas import DoorRules, PermissionDelta
from yikatong.cards.schemas import BlacklistDelta
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


class Parameters(BaseModel):
    version: str = Field(description="a digest of the values; send it back as parameters_version")
    changed: bool = Field(description="false: the values you hold are current, and none are sent")
    values: dict | None = None


class SyncOut(BaseModel):
    blacklist: BlacklistDelta
    parameters: Parameters
    server_time: dt.datetime = Field(description="for the device's clock (UTC)")
    permissions: PermissionDelta | None = Field(
        default=None, description="door terminals: their door's permission changes since permissions_version (A2)")
    door: DoorRules | None = Field(default=None, description="door terminals: what deciding offline needs (A2)")


class TerminalSyncState(BaseModel):
    terminal_id: int
    name: str
    type: str
    blacklist_version: int | None
    blacklist_behind: int | None = Field(description="versions behind the platform; None: never synced")
    parameters_current: bool | None
    last_sync_at: dt.datetime | None
    permissions_version: int | None = Field(default=None, description="door terminals: the permission version held")
    permissions_behind: int | None = Field(default=None, description="door terminals: versions behind the platform")
