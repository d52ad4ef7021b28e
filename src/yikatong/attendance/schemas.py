"""Attendance API and service input/output (A3, A4). "HH:MM" times and naive date-times are Beijing."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, field_validator, model_validator

from yikatong.attendance.models import DayKind, DayStatus, ShiftKind
from yikatong.core.clock import beijing_time
from yikatong.core.ids import BodyId

MAX_BATCH = 500
MAX_ASSIGNEES = 5000
HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
Month = Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
Department = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


def minute_of(text: str) -> int:
    """"HH:MM" → minutes after midnight."""
    match = HHMM.match(text)
    if match is None:
        raise ValueError("a time HH:MM from 00:00 to 23:59")
    return int(match.group(1)) * 60 + int(match.group(2))


def hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def in_range(day: dt.date) -> dt.date:
    if not 2000 <= day.year <= 2099:
        raise ValueError("a date between 2000 and 2099")
    return day


class HolidayIn(BaseModel):
    day: dt.date

    _day = field_validator("day")(classmethod(lambda cls, v: in_range(v)))
    kind: DayKind
    name: str = Field(min_length=1, max_length=50)
    as_weekday: int | None = Field(default=None, ge=1, le=7,
                                   description="a workday (调休) works this weekday's shifts; default 1 (Monday)")

    @field_validator("name", mode="before")
    @classmethod
    def _strip(cls, value):
        return value.strip() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _weekday(self) -> HolidayIn:
        if self.kind == DayKind.holiday and self.as_weekday is not None:
            raise ValueError("as_weekday is only for a workday (调休)")
        if self.kind == DayKind.workday and self.as_weekday is None:
            self.as_weekday = 1
        return self


class HolidayOut(BaseModel):
    day: dt.date
    kind: DayKind
    name: str
    as_weekday: int | None


class ShiftFields(BaseModel):
    """The fields a shift is made of, checked together (a PATCH is merged onto the stored shift first)."""

    name: str = Field(min_length=1, max_length=50)
    kind: ShiftKind = ShiftKind.fixed
    weekdays: list[Annotated[int, Field(ge=1, le=7)]] = Field(min_length=1, max_length=7,
                                                              description="1 = Monday … 7 = Sunday")
    start: str = Field(description="HH:MM, Beijing; a flexible shift's earliest counted time")
    end: str = Field(description="HH:MM, Beijing; end <= start: the shift ends the next day")
    grace_minutes: int = Field(default=0, ge=0, le=240, description="arriving up to this many minutes after "
                                                                     "start is on time")
    early_leave_grace_minutes: int = Field(default=0, ge=0, le=240,
                                           description="leaving up to this many minutes before end is not early")
    required_minutes: int | None = Field(default=None, ge=1, le=1440,
                                         description="flexible shifts: the presence required between start and end")
    member_ids: list[BodyId] = Field(default_factory=list, max_length=MAX_ASSIGNEES)
    departments: list[Department] = Field(default_factory=list, max_length=200)

    @field_validator("name", mode="before")
    @classmethod
    def _strip(cls, value):
        return value.strip() if isinstance(value, str) else value

    @field_validator("start", "end")
    @classmethod
    def _time(cls, value: str) -> str:
        minute_of(value)
        return value

    @field_validator("weekdays", "member_ids", "departments")
    @classmethod
    def _distinct(cls, value: list) -> list:
        return sorted(set(value))

    @model_validator(mode="after")
    def _consistent(self) -> ShiftFields:
        start, end = minute_of(self.start), minute_of(self.end)
        if start == end:
            raise ValueError("start and end must differ")
        length = (end - start) % 1440
        if self.kind == ShiftKind.flexible:
            if self.required_minutes is None:
                raise ValueError("a flexible shift needs required_minutes")
            if self.required_minutes > length:
                raise ValueError("required_minutes is longer than the shift's window")
        elif self.required_minutes is not None:
            raise ValueError("required_minutes is only for a flexible shift")
        if self.grace_minutes + self.early_leave_grace_minutes >= length:
            raise ValueError("the grace periods cover the whole shift")
        return self

    @property
    def start_minute(self) -> int:
        return minute_of(self.start)

    @property
    def end_minute(self) -> int:
        return minute_of(self.end)


class ShiftCreate(ShiftFields):
    pass


class ShiftPatch(BaseModel):
    name: str | None = None
    kind: ShiftKind | None = None
    weekdays: list[int] | None = None
    start: str | None = None
    end: str | None = None
    grace_minutes: int | None = None
    early_leave_grace_minutes: int | None = None
    required_minutes: int | None = None
    member_ids: list[int] | None = None
    departments: list[str] | None = None


class ShiftCreated(BaseModel):
    id: int


class ShiftOut(BaseModel):
    id: int
    name: str
    kind: ShiftKind
    weekdays: list[int]
    start: str
    end: str
    overnight: bool = Field(description="the shift ends the next day")
    grace_minutes: int
    early_leave_grace_minutes: int
    required_minutes: int | None
    member_ids: list[int]
    departments: list[str]


class ClockRecordIn(BaseModel):
    card_no: str = Field(pattern=r"^\d{16}$", min_length=16, max_length=16)
    at: dt.datetime = Field(description="when the card was presented; without an offset it is Beijing time")

    _beijing = field_validator("at")(classmethod(lambda cls, v: beijing_time(v)))


class ClockBatchIn(BaseModel):
    records: list[ClockRecordIn] = Field(max_length=MAX_BATCH)


class Rejected(BaseModel):
    index: int
    code: str = Field(description="unknown_card, no_application or future_time")


class ClockBatchOut(BaseModel):
    accepted: int
    duplicates: int
    rejected: list[Rejected]


class DayOut(BaseModel):
    date: dt.date
    status: DayStatus
    weekday: int
    shift_id: int | None = None
    shift_name: str | None = None
    first_in: dt.datetime | None = None
    last_out: dt.datetime | None = None
    late: bool = False
    early_leave: bool = False
    late_minutes: int = 0
    early_leave_minutes: int = 0
    worked_minutes: int = 0
    overtime_minutes: int = 0
    holiday: str | None = Field(default=None, description="the calendar's name of the day, if listed")
    corrected: bool = False
    corrections: list[str] = Field(default_factory=list, description="the reasons of the day's corrections")


class Counts(BaseModel):
    workdays: int = 0
    on_time: int = 0
    late: int = 0
    early_leave: int = 0
    absent: int = 0
    missing_punch: int = 0
    rest: int = 0
    late_minutes: int = 0
    early_leave_minutes: int = 0
    overtime_minutes: int = 0


class MemberCounts(Counts):
    member_id: int
    name: str
    department: str | None
    staff_no: str | None


class MemberSheet(MemberCounts):
    days: list[DayOut]


class DepartmentSheet(Counts):
    department: str | None
    members: int = 0


class SheetOut(BaseModel):
    month: str
    items: list[MemberSheet]
    departments: list[DepartmentSheet]


class PeriodOut(BaseModel):
    """A4: the counts of a period (any days, at most a year) per member and per department."""

    start: dt.date = Field(serialization_alias="from")
    end: dt.date = Field(serialization_alias="to")
    members: list[MemberCounts]
    departments: list[DepartmentSheet]


class CorrectionIn(BaseModel):
    day: dt.date

    _day = field_validator("day")(classmethod(lambda cls, v: in_range(v)))
    status: DayStatus | None = Field(default=None, description="set the day's status")
    punch_at: dt.datetime | None = Field(default=None, description="add a punch (补卡); naive: Beijing")
    reason: str = Field(min_length=1, max_length=200)

    @field_validator("reason", mode="before")
    @classmethod
    def _strip(cls, value):
        return value.strip() if isinstance(value, str) else value

    @field_validator("punch_at")
    @classmethod
    def _punch(cls, value):
        return None if value is None else beijing_time(value)

    @model_validator(mode="after")
    def _one(self) -> CorrectionIn:
        if (self.status is None) == (self.punch_at is None):
            raise ValueError("give either status or punch_at")
        return self


class CorrectionOut(BaseModel):
    id: int
    member_id: int
    day: dt.date
    kind: str
    status: DayStatus | None
    punch_at: dt.datetime | None
    reason: str
    created_by: str
    created_at: dt.datetime


class BillsIn(BaseModel):
    month: Month


class BillsOut(BaseModel):
    month: str
    sent: int = Field(description="bills queued now")
    already_sent: int = Field(description="members who had this month's bill already")
    skipped: int = Field(description="members without a working day in the month")
