"""Access reports (A4): the event log filtered by door, person, department, outcome and period,
totals by door, person, department or day, and a door's hourly traffic. Days and hours are
Beijing time; a period ``start``..``end`` is inclusive of both dates."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from enum import StrEnum

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from yikatong.access import service as setup
from yikatong.access.models import AccessEvent, Door
from yikatong.access.schemas import EventOut, HourlyRow, SummaryRow
from yikatong.core import clock
from yikatong.core.errors import InvalidInput
from yikatong.core.pagination import Page, PageParams, paginate
from yikatong.members import roster as member_roster

MAX_SPAN_DAYS = 366


class GroupBy(StrEnum):
    door = "door"
    member = "member"
    department = "department"
    day = "day"


def _bounds(start: dt.date | None, end: dt.date | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    if start and end and end < start:
        raise InvalidInput("the period ends before it starts", code="invalid_period")
    lo = dt.datetime.combine(start, dt.time(), tzinfo=clock.SHANGHAI).astimezone(dt.UTC) if start else None
    hi = (dt.datetime.combine(end, dt.time(), tzinfo=clock.SHANGHAI) + dt.timedelta(days=1)).astimezone(dt.UTC) \
        if end else None
    return lo, hi


def _filtered(stmt, *, enterprise_id: int, door_id=None, member_id=None, department=None, card_no=None,
              allowed=None, start=None, end=None):
    lo, hi = _bounds(start, end)
    stmt = stmt.where(AccessEvent.enterprise_id == enterprise_id)
    conditions = ((door_id, lambda: AccessEvent.door_id == door_id),
                  (member_id, lambda: AccessEvent.member_id == member_id),
                  (department, lambda: AccessEvent.department == department),
                  (card_no, lambda: AccessEvent.card_no == card_no),
                  (allowed, lambda: AccessEvent.allowed.is_(bool(allowed))),
                  (lo, lambda: AccessEvent.at >= lo), (hi, lambda: AccessEvent.at < hi))
    for value, condition in conditions:
        if value is not None:
            stmt = stmt.where(condition())
    return stmt


def list_events(db: Session, *, actor, enterprise_id: int, page: PageParams, door_id: int | None = None,
                member_id: int | None = None, department: str | None = None, card_no: str | None = None,
                allowed: bool | None = None, start: dt.date | None = None, end: dt.date | None = None) -> Page:
    """A4: the enterprise's door events, newest first; ``allowed=false`` for denied attempts."""
    setup.scope(db, actor, enterprise_id)
    stmt = _filtered(select(AccessEvent), enterprise_id=enterprise_id, door_id=door_id, member_id=member_id,
                     department=department, card_no=card_no, allowed=allowed, start=start, end=end)
    return paginate(db, stmt.order_by(AccessEvent.at.desc(), AccessEvent.id.desc()), page)


def events_out(db: Session, *, enterprise_id: int, events: list[AccessEvent]) -> list[EventOut]:
    doors = dict(db.execute(select(Door.id, Door.name).where(Door.id.in_({e.door_id for e in events}))).all()) \
        if events else {}
    people = member_roster.members_by_ids(db, enterprise_id=enterprise_id,
                                   member_ids={e.member_id for e in events if e.member_id})
    return [EventOut(id=e.id, door_id=e.door_id, door=doors.get(e.door_id, ""), terminal_id=e.terminal_id, seq=e.seq,
                     card_no=e.card_no, member_id=e.member_id,
                     member=people[e.member_id].name if e.member_id in people else None, department=e.department,
                     at=e.at, allowed=e.allowed, reason=e.reason, direction=e.direction, source=e.source)
            for e in events]


def summary(db: Session, *, actor, enterprise_id: int, by: GroupBy | str, start: dt.date, end: dt.date,
            door_id: int | None = None) -> list[SummaryRow]:
    """A4: allowed and denied presentations per door, person, department or day in the period
    (at most a year)."""
    setup.scope(db, actor, enterprise_id)
    by = GroupBy(by)
    if (end - start).days >= MAX_SPAN_DAYS:
        raise InvalidInput(f"at most {MAX_SPAN_DAYS} days at a time", code="span_too_long")
    flt = dict(enterprise_id=enterprise_id, door_id=door_id, start=start, end=end)
    if by == GroupBy.day:
        counts: Counter = Counter()
        for at, ok in db.execute(_filtered(select(AccessEvent.at, AccessEvent.allowed), **flt)):
            counts[clock.local(at).date(), bool(ok)] += 1
        days = sorted({d for d, _ in counts})
        return [SummaryRow(key=d.isoformat(), label=d.isoformat(), allowed=counts[d, True], denied=counts[d, False])
                for d in days]
    column = {GroupBy.door: AccessEvent.door_id, GroupBy.member: AccessEvent.member_id,
              GroupBy.department: AccessEvent.department}[by]
    rows = db.execute(_filtered(select(column, func.sum(case((AccessEvent.allowed.is_(True), 1), else_=0)),
                                       func.sum(case((AccessEvent.allowed.is_(True), 0), else_=1))), **flt)
                      .group_by(column)).all()
    if by == GroupBy.door:
        names = dict(db.execute(select(Door.id, Door.name).where(Door.enterprise_id == enterprise_id)).all())
        label = lambda k: names.get(k, str(k))  # noqa: E731
    elif by == GroupBy.member:
        people = member_roster.members_by_ids(db, enterprise_id=enterprise_id, member_ids=[k for k, *_ in rows if k])
        label = lambda k: people[k].name if k in people else "未知持卡人"  # noqa: E731
    else:
        label = lambda k: k or "未分部门"  # noqa: E731
    out = [SummaryRow(key="" if k is None else str(k), label=label(k), allowed=int(a or 0), denied=int(d or 0))
           for k, a, d in rows]
    return sorted(out, key=lambda r: (-(r.allowed + r.denied), r.label))


def hourly(db: Session, *, actor, door_id: int, day: dt.date) -> list[HourlyRow]:
    """A4: a door's traffic by Beijing hour on one day (24 rows)."""
    door = setup.get_door(db, actor=actor, door_id=door_id)
    counts: Counter = Counter()
    stmt = _filtered(select(AccessEvent.at, AccessEvent.allowed), enterprise_id=door.enterprise_id, door_id=door.id,
                     start=day, end=day)
    for at, ok in db.execute(stmt):
        counts[clock.local(at).hour, bool(ok)] += 1
    return [HourlyRow(hour=h, allowed=counts[h, True], denied=counts[h, False]) for h in range(24)]
