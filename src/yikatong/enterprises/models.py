from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from yikatong.core.clock import now
from yikatong.db import Base, UTCDateTime


class Zone(StrEnum):
    urban = "urban"  # 市区: on-site within 24 h
    suburban = "suburban"  # 远郊: on-site within 48 h


class EnterpriseStatus(StrEnum):
    active = "active"
    cancelled = "cancelled"


class Enterprise(Base):
    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(50))
    zone: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=EnterpriseStatus.active.value)
    service_fee_fen: Mapped[int] = mapped_column(Integer)
    # No foreign key: users already point at enterprises, and a cycle would complicate every migration.
    account_manager_id: Mapped[int | None] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
