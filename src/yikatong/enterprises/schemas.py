from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from yikatong.enterprises.models import EnterpriseStatus, Zone

MIN_FEE_FEN, MAX_FEE_FEN = 300, 500  # E3: 3–5 yuan per member per month


class EnterpriseCreate(BaseModel):
    code: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$", description="集团编码")
    name: str = Field(min_length=1, max_length=100)
    city: str = Field(min_length=1, max_length=50)
    zone: Zone
    address: str = Field(default="", max_length=200)
    admin_username: str = Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")
    admin_password: str = Field(min_length=8, max_length=128)
    service_fee_fen: int | None = Field(default=None, ge=MIN_FEE_FEN, le=MAX_FEE_FEN)


class EnterpriseUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    city: str | None = Field(default=None, min_length=1, max_length=50)
    zone: Zone | None = None
    address: str | None = Field(default=None, max_length=200)
    service_fee_fen: int | None = Field(default=None, ge=MIN_FEE_FEN, le=MAX_FEE_FEN)


class EnterpriseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    city: str
    zone: Zone
    address: str
    status: EnterpriseStatus
    service_fee_fen: int
    created_at: dt.datetime
