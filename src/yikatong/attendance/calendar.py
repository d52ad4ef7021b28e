"""The enterprise holiday calendar (节假日与调休, A1/A3). A day listed here overrides the normal week:
``holiday`` is a day off (no shift is worked, and door time zones use their holiday periods);
``workday`` (调休) is a weekend day made a working day, worked with the shifts of the weekday named
by ``as_weekday`` (default Monday). Door access (yikatong.access) reads it through
``holidays_between``."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from yikatong.attendance.common import ensure_can_manage
from yikatong.attendance.models import DayKind, Holiday
from yikatong.attendance.schemas import HolidayIn
from yikatong.audit import service as audit
from yikatong.core.actor import Actor
from yikatong.core.errors import Conflict, InvalidInput, NotFound
from yikatong.core.validation import validated

MAX_SPAN_DAYS = 3 * 366
AUDITED = ["day", "kind", "name", "as_weekday"]


def add_holiday(db: Session, *, actor: Actor, enterprise_id: int, day: dt.date | str, kind: DayKind | str,
                name: str, as_weekday: int | None = None) -> Holiday:
    """A1/A3: mark one day. A day already in the calendar is 409 ``duplicate_day`` (remove it first);
    ``as_weekday`` is only for a ``workday`` (default 1, Monday's shifts)."""
    ensure_can_manage(db, actor=actor, enterprise_id=enterprise_id)
    data = validated(HolidayIn, day=day, kind=kind, name=name, as_weekday=as_weekday)
    if db.scalar(select(Holiday.id).where(Holiday.enterprise_id == enterprise_id, Holiday.day == data.day)):
        raise Conflict(f"{data.day.isoformat()} is already in the calendar", code="duplicate_day",
                       details={"day": data.day.isoformat()})
    holiday = Holiday(enterprise_id=enterprise_id, day=data.day, kind=data.kind.value, name=data.name,
                      as_weekday=data.as_weekday)
    db.add(holiday)
    db.flush()
    audit.record(db, actor=actor, action="attendance.holiday_add", entity_type="holiday", entity_id=holiday.id,
                 enterprise_id=enterprise_id, after=audit.snapshot(holiday, AUDITED))
    return holiday


def list_holidays(db: Session, *, actor: Actor, enterprise_id: int, year: int | None = None) -> list[Holiday]:
    """The enterprise's calendar in date order, optionally one year of it."""
    ensure_can_manage(db, actor=actor, enterprise_id=enterprise_id)
    stmt = select(Holiday).where(Holiday.enterprise_id == enterprise_id)
    if year is not None:
        stmt = stmt.where(Holiday.day >= dt.date(year, 1, 1), Holiday.day <= dt.date(year, 12, 31))
    return list(db.scalars(stmt.order_by(Holiday.day)))


def remove_holiday(db: Session, *, actor: Actor, enterprise_id: int, day: dt.date) -> None:
    """A day not in the calendar is 404 ``holiday_not_found``."""
    ensure_can_manage(db, actor=actor, enterprise_id=enterprise_id)
    holiday = db.scalar(select(Holiday).where(Holiday.enterprise_id == enterprise_id, Holiday.day == day))
    if holiday is None:
        raise NotFound(f"{day.isoformat()} is not in the calendar", code="holiday_not_found")
    audit.record(db, actor=actor, action="attendance.holiday_remove", entity_type="holiday", entity_id=holiday.id,
                 enterprise_id=enterprise_id, before=audit.snapshot(holiday, AUDITED))
    db.delete(holiday)
    db.flush()


def calendar_between(db: Session, *, enterprise_id: int, start: dt.date, end: dt.date) -> dict[dt.date, Holiday]:
    """For the attendance computation: the calendar rows from ``start`` to ``end`` inclusive."""
    rows = db.scalars(select(Holiday).where(Holiday.enterprise_id == enterprise_id, Holiday.day >= start,
                                            Holiday.day <= end))
    return {h.day: h for h in rows}


def holidays_between(db: Session, *, enterprise_id: int, start: dt.date, end: dt.date) -> dict[dt.date, str]:
    """For other domains (door time zones, A1): ``{day: "holiday" | "workday"}`` for the days from
    ``start`` to ``end`` inclusive that the calendar lists; days not listed follow the normal week.
    No actor: the caller has already checked who is asking."""
    if end < start:
        return {}
    if (end - start).days > MAX_SPAN_DAYS:
        raise InvalidInput(f"at most {MAX_SPAN_DAYS} days at a time", code="span_too_long")
    rows = db.execute(select(Holiday.day, Holiday.kind).where(
        Holiday.enterprise_id == enterprise_id, Holiday.day >= start, Holiday.day <= end))
    return {day: kind for day, kind in rows}
