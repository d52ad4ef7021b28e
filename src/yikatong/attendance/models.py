from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yikatong.core.clock import now
from yikatong.db import Base, UTCDateTime


class DayKind(StrEnum):
    holiday = "holiday"  # a day off (法定节假日, company holiday)
    workday = "workday"  # 调休: a weekend day made a working day


class ShiftKind(StrEnum):
    fixed = "fixed"  # 固定班次: arrive by start (+grace), leave at end (−early-leave grace)
    flexible = "flexible"  # 弹性班次: any arrival within the window, required_minutes of presence


class DayStatus(StrEnum):
    on_time = "on_time"
    late = "late"
    early_leave = "early_leave"
    absent = "absent"
    missing_punch = "missing_punch"
    rest = "rest"


class CorrectionKind(StrEnum):
    status = "status"  # the admin sets the day's status (business trip, leave, a broken terminal)
    punch = "punch"  # the admin adds a forgotten punch (补卡)


class Holiday(Base):
    """One day of an enterprise's calendar that differs from the normal week (A1, A3)."""

    __tablename__ = "attendance_holidays"
    __table_args__ = (UniqueConstraint("enterprise_id", "day", name="uq_attendance_holidays_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    day: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(50))
    # A "workday" (调休) follows the shifts of this weekday (1 = Monday); None for a holiday.
    as_weekday: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)


class Shift(Base):
    """A shift (班次, A3). Times are Beijing minutes of the day; ``end_minute <= start_minute``
    means the shift ends the next day (overnight)."""

    __tablename__ = "attendance_shifts"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(8), default=ShiftKind.fixed.value)
    weekdays: Mapped[str] = mapped_column(String(13))  # "1,2,3,4,5"
    start_minute: Mapped[int] = mapped_column(Integer)
    end_minute: Mapped[int] = mapped_column(Integer)
    grace_minutes: Mapped[int] = mapped_column(Integer, default=0)
    early_leave_grace_minutes: Mapped[int] = mapped_column(Integer, default=0)
    required_minutes: Mapped[int | None] = mapped_column(Integer)  # flexible shifts only
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)


class ShiftAssignment(Base):
    """Who works a shift: one member, or every member of a department (members' ``department``)."""

    __tablename__ = "attendance_shift_assignments"
    __table_args__ = (
        UniqueConstraint("shift_id", "member_id", name="uq_attendance_shift_assignments_member"),
        UniqueConstraint("shift_id", "department", name="uq_attendance_shift_assignments_department"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("attendance_shifts.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    department: Mapped[str | None] = mapped_column(String(100))


class RosterVersion(Base):
    """The whole roster of an enterprise (its shifts' rules and who works which) in force from
    ``effective_from`` (Beijing date) until the next version (A3, attendance/roster.py)."""

    __tablename__ = "attendance_roster_versions"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "effective_from", name="uq_attendance_roster_versions_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    effective_from: Mapped[dt.date] = mapped_column(Date)
    # {"v": 1, "shifts": [ShiftRule fields], "members": {member id: [shift ids]}, "departments": {name: [shift ids]}}
    roster: Mapped[dict] = mapped_column(JSON)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)  # the last change of that day


class ClockRecord(Base):
    """A card presented at an attendance terminal (打卡, A3), as uploaded. A re-upload of the same
    card at the same second is the same record."""

    __tablename__ = "attendance_clock_records"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "card_no", "at", name="uq_attendance_clock_records_card_at"),
        Index("ix_attendance_clock_records_member_at", "enterprise_id", "member_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    terminal_id: Mapped[int] = mapped_column(ForeignKey("terminals.id"), index=True)
    card_no: Mapped[str] = mapped_column(String(16))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)


class Correction(Base):
    """An admin's correction of one member's day (A3), kept with its reason; audited."""

    __tablename__ = "attendance_corrections"
    __table_args__ = (Index("ix_attendance_corrections_member_day", "enterprise_id", "member_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    day: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(8))
    status: Mapped[str | None] = mapped_column(String(16))
    punch_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)


class AttendanceBill(Base):
    """One attendance bill (考勤账单) SMS per member and month, whoever asks and however often."""

    __tablename__ = "attendance_bills"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "member_id", "month", name="uq_attendance_bills_member_month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    month: Mapped[str] = mapped_column(String(7))  # "2026-03"
    phone: Mapped[str] = mapped_column(String(11))
    sms_id: Mapped[int | None] = mapped_column(Integer)
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
