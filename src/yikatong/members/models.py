from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from yikatong.core.clock import now
from yikatong.db import Base, UTCDateTime


class MemberStatus(StrEnum):
    active = "active"
    suspended = "suspended"  # M6 业务暂停
    removed = "removed"


class Member(Base):
    __tablename__ = "members"
    __table_args__ = (
        # A phone is unique among an enterprise's current members; a removed member frees it.
        Index("uq_members_enterprise_phone", "enterprise_id", "phone", unique=True,
              sqlite_where=text("status != 'removed'"), postgresql_where=text("status != 'removed'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str] = mapped_column(String(11), index=True)
    staff_no: Mapped[str | None] = mapped_column(String(32))
    department: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), default=MemberStatus.active.value)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)
    suspended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    removed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
