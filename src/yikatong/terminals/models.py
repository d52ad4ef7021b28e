from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from yikatong.core.clock import now
from yikatong.db import Base, UTCDateTime


class TerminalType(StrEnum):
    issuing = "issuing"
    door = "door"
    attendance = "attendance"
    pos = "pos"
    topup = "topup"


class TerminalStatus(StrEnum):
    active = "active"
    retired = "retired"


class Terminal(Base):
    __tablename__ = "terminals"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    type: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
    # The device's login: a ``terminal`` user whose token the device presents.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    merchant_id: Mapped[int | None] = mapped_column(ForeignKey("merchants.id"))
    door_id: Mapped[int | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default=TerminalStatus.active.value)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    # T3: what the device said it holds at its last sync, so the console can show who lags.
    blacklist_version: Mapped[int | None] = mapped_column(Integer)
    parameters_version: Mapped[str | None] = mapped_column(String(16))
    last_sync_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class Merchant(Base):
    """A canteen window or shop of an enterprise (商户/窗口, P9); POS terminals are bound to one."""

    __tablename__ = "merchants"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
