from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from yikatong.core.actor import Role
from yikatong.core.ids import BodyId


class TokenRequest(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=128)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    role: Role
    enterprise_id: int | None


class TimeWindow(BaseModel):
    weekdays: list[int] = Field(min_length=1, max_length=7, description="1 = Monday … 7 = Sunday")
    start: str = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["08:30"])
    end: str = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["17:30"])


class UserCreate(BaseModel):
    username: str = Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")
    password: str = Field(min_length=8, max_length=128)
    role: Role
    enterprise_id: BodyId | None = None
    display_name: str = Field(default="", max_length=100)
    allowed_channels: list[str] | None = None
    time_windows: list[TimeWindow] = Field(default_factory=list)


class ChannelsUpdate(BaseModel):
    allowed_channels: list[str] | None = Field(description="null = every channel")
    time_windows: list[TimeWindow] = Field(default_factory=list)


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str
    role: Role
    enterprise_id: int | None
    active: bool
    allowed_channels: list[str] | None
    time_windows: list[TimeWindow]
    last_login_at: dt.datetime | None
