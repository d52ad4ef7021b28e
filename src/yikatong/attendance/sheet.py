"""The monthly attendance sheet (A3) and its counts per member and department (A4), computed from
the roster in force on each day (roster.py: a change of shifts applies from its day on), the
calendar, the clock records and the admins' corrections. Only days that are over appear: a working
day once its window has closed, a rest day once it has passed; days before a member joined the
enterprise are not counted."""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from yikatong.attendance import compute
from yikatong.attendance.calendar import calendar_between
from yikatong.attendance.common import ensure_can_manage
from yikatong.attendance.models import Correction, CorrectionKind, DayKind, DayStatus, Holiday
from yikatong.attendance.records import punches_between
from yikatong.attendance.schemas import DayOut, DepartmentSheet, MemberCounts, MemberSheet, PeriodOut, SheetOut
from yikatong.attendance.roster import Roster, RosterHistory, ShiftRule, roster_history
from yikatong.core import clock
from yikatong.core.actor import Actor
from yikatong.core.clock import SHANGHAI
from yikatong.core.errors import InvalidInput
from yikatong.core.pagination import PageParams
from yikatong.core.spreadsheets import write_table
from yikatong.members import service as members
from yikatong.members.models import Member

ALL_MEMBERS = PageParams(limit=1_000_000, offset=0)


def parse_month(text: str) -> tuple[dt.date, dt.date]:
    """"YYYY-MM" → its first and last day; anything else 422 ``invalid_month``."""
    try:
        year, month = (int(p) for p in text.split("-"))
        if len(text) != 7 or not 2000 <= year <= 2099:
            raise ValueError
        first = dt.date(year, month, 1)
    except (ValueError, AttributeError):
        raise InvalidInput("month: YYYY-MM", code="invalid_month") from None
    return first, first.replace(day=_calendar.monthrange(year, month)[1])


def month_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def today() -> dt.date:
    return clock.local(clock.now()).date()


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)


@dataclass
class _Corrections:
    status: dict[tuple[int, dt.date], DayStatus] = field(default_factory=dict)  # the latest wins
    reasons: dict[tuple[int, dt.date], list[str]] = field(default_factory=lambda: defaultdict(list))
    punches: dict[int, list[dt.datetime]] = field(default_factory=lambda: defaultdict(list))


def _corrections(db: Session, enterprise_id: int, first: dt.date, last: dt.date,
                 member_id: int | None = None) -> _Corrections:
    stmt = select(Correction).where(Correction.enterprise_id == enterprise_id, Correction.day >= first,
                                    Correction.day <= last)
    if member_id is not None:
        stmt = stmt.where(Correction.member_id == member_id)
    out = _Corrections()
    for c in db.scalars(stmt.order_by(Correction.id)):
        key = (c.member_id, c.day)
        out.reasons[key].append(c.reason)
        if c.kind == CorrectionKind.status.value and c.status:
            out.status[key] = DayStatus(c.status)
        elif c.punch_at is not None:
            out.punches[c.member_id].append(clock.as_utc(c.punch_at))
    return out


def rule_for_day(plan: Roster, calendar: dict[dt.date, Holiday], member: Member, day: dt.date) -> ShiftRule | None:
    """The shift a member works on ``day`` under ``plan`` (the roster in force that day): none on a
    holiday; on a 调休 workday the shift of the weekday it stands for (Monday unless the calendar
    says otherwise); else the weekday's."""
    entry = calendar.get(day)
    if entry is not None and entry.kind == DayKind.holiday.value:
        return None
    weekday = (entry.as_weekday or 1) if entry is not None else day.isoweekday()
    return plan.shift_for(member.id, member.department, weekday)


def _member_month(member: Member, first: dt.date, last: dt.date, plans: RosterHistory,
                  calendar: dict[dt.date, Holiday], punches: list[dt.datetime], fixes: _Corrections,
                  now: dt.datetime) -> MemberSheet:
    joined = clock.local(member.created_at).date()
    local_today = clock.local(now).date()
    weeks = plans.weekly(member.id, member.department)  # [(effective_from, {weekday: shift})], ascending
    version = 0
    used: set[int] = set()
    days: list[DayOut] = []
    one_day = dt.timedelta(days=1)
    # The day before the month is computed too, unseen, so its overnight shift keeps its own punches.
    day = max(first - one_day, joined)
    while day <= last:
        while version + 1 < len(weeks) and weeks[version + 1][0] <= day:
            version += 1
        weekly = weeks[version][1]
        entry = calendar.get(day)
        if entry is None:
            rule = weekly.get(day.isoweekday())
        else:
            rule = None if entry.kind == DayKind.holiday.value else weekly.get(entry.as_weekday or 1)
        if rule is not None:
            win = compute.window(day, rule)
            if now < win.close:
                break
            out = compute.evaluate(day, rule, win, compute.take(punches, used, win))
        else:
            if day >= local_today:
                break
            out = compute.day_out(date=day, status=DayStatus.rest, weekday=day.isoweekday())
        if day >= first:
            if entry is not None:
                out.holiday = entry.name
            key = (member.id, day)
            if key in fixes.status:
                compute.override(out, fixes.status[key], list(fixes.reasons[key]))
            elif key in fixes.reasons:
                out.corrected, out.corrections = True, list(fixes.reasons[key])
            days.append(out)
        day += one_day
    return MemberSheet(member_id=member.id, name=member.name, department=member.department,
                       staff_no=member.staff_no, days=days, **compute.totals(days))


def _punch_range(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    # An overnight shift's window reaches into the next day; one started the day before the month
    # may reach into it (its punches are claimed by that day, which is not shown, so never twice).
    return _midnight(first - dt.timedelta(days=1)), _midnight(last + dt.timedelta(days=2))


def member_sheets(db: Session, *, enterprise_id: int, first: dt.date, last: dt.date, people: list[Member]
                  ) -> list[MemberSheet]:
    """The month of each member (the caller checked access). A few queries for the whole enterprise,
    the roster versions of the span among them."""
    plans = roster_history(db, enterprise_id=enterprise_id, start=first - dt.timedelta(days=1), end=last)
    calendar = calendar_between(db, enterprise_id=enterprise_id, start=first - dt.timedelta(days=1), end=last)
    start, end = _punch_range(first, last)
    only = people[0].id if len(people) == 1 else None
    punches = punches_between(db, enterprise_id=enterprise_id, start=start, end=end, member_id=only)
    fixes = _corrections(db, enterprise_id, first - dt.timedelta(days=1), last, member_id=only)
    now = clock.now()
    out = []
    for member in people:
        mine = sorted(punches.get(member.id, []) + fixes.punches.get(member.id, []))
        out.append(_member_month(member, first, last, plans, calendar, mine, fixes, now))
    return out


def departments_of(items: list[MemberSheet]) -> list[DepartmentSheet]:
    """A4: the counts per department (members without one under ``None``), in name order."""
    groups: dict[str | None, DepartmentSheet] = {}
    for item in items:
        group = groups.setdefault(item.department, DepartmentSheet(department=item.department))
        group.members += 1
        compute.merge(group, item)
    return sorted(groups.values(), key=lambda g: (g.department is None, g.department or ""))


def monthly_sheet(db: Session, *, actor: Actor, enterprise_id: int, month: str, department: str | None = None,
                  member_id: int | None = None) -> SheetOut:
    """A3/A4: every current member's days of ``month`` (YYYY-MM) with their counts, and the counts
    per department; ``department`` / ``member_id`` narrow it down."""
    ensure_can_manage(db, actor=actor, enterprise_id=enterprise_id)
    first, last = parse_month(month)
    people = list(members.search_members(db, actor=actor, enterprise_id=enterprise_id, page=ALL_MEMBERS,
                                         department=department or None).items)
    if member_id is not None:
        people = [m for m in people if m.id == member_id]
    items = member_sheets(db, enterprise_id=enterprise_id, first=first, last=last, people=people) if people else []
    return SheetOut(month=month, items=items, departments=departments_of(items))


MAX_PERIOD_DAYS = 366


def period_counts(db: Session, *, actor: Actor, enterprise_id: int, start: dt.date, end: dt.date,
                  department: str | None = None) -> PeriodOut:
    """A4: each current member's counts over ``start``..``end`` (inclusive, at most 366 days; 422
    ``invalid_period`` otherwise) and the counts per department, by the same rules as the sheet."""
    ensure_can_manage(db, actor=actor, enterprise_id=enterprise_id)
    if end < start or (end - start).days >= MAX_PERIOD_DAYS or not 2000 <= start.year <= end.year <= 2099:
        raise InvalidInput(f"from must not be after to, the period at most {MAX_PERIOD_DAYS} days, in 2000–2099",
                           code="invalid_period")
    people = list(members.search_members(db, actor=actor, enterprise_id=enterprise_id, page=ALL_MEMBERS,
                                         department=department or None).items)
    items = member_sheets(db, enterprise_id=enterprise_id, first=start, last=end, people=people) if people else []
    counts = [MemberCounts(**i.model_dump(exclude={"days"})) for i in items]
    return PeriodOut(start=start, end=end, members=counts, departments=departments_of(items))


def member_month(db: Session, *, actor: Actor, member_id: int, month: str) -> MemberSheet:
    """A3: one member's month, day by day (another enterprise's member is 404)."""
    member = members.get_member(db, actor=actor, member_id=member_id)
    ensure_can_manage(db, actor=actor, enterprise_id=member.enterprise_id)
    first, last = parse_month(month)
    return member_sheets(db, enterprise_id=member.enterprise_id, first=first, last=last, people=[member])[0]


def member_day(db: Session, *, member: Member, day: dt.date) -> DayOut | None:
    """The member's day as computed now (None if not over yet or before they joined)."""
    first, last = parse_month(month_of(day))
    sheet = member_sheets(db, enterprise_id=member.enterprise_id, first=first, last=last, people=[member])[0]
    return next((d for d in sheet.days if d.date == day), None)


STATUS_MARKS = {DayStatus.on_time: "√", DayStatus.late: "迟到", DayStatus.early_leave: "早退",
                DayStatus.absent: "缺勤", DayStatus.missing_punch: "缺卡", DayStatus.rest: "休"}
XLSX_HEADER = ["姓名", "工号", "部门", "出勤天数", "正常", "迟到", "早退", "缺勤", "缺卡", "休息",
               "迟到分钟", "早退分钟", "加班分钟"]


def to_xlsx(sheet: SheetOut) -> bytes:
    """The month as Excel: one row per member with the counts, then one column per day with its
    status (迟到+早退 when both), and a row per department below."""
    first, last = parse_month(sheet.month)
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    header = XLSX_HEADER + [f"{d.day}日" for d in days]
    rows = []

    def counts(c) -> list:
        return [c.workdays, c.on_time, c.late, c.early_leave, c.absent, c.missing_punch, c.rest, c.late_minutes,
                c.early_leave_minutes, c.overtime_minutes]

    for item in sheet.items:
        marks = {}
        for d in item.days:
            mark = STATUS_MARKS[d.status]
            if d.status == DayStatus.late and d.early_leave:
                mark = "迟到+早退"
            marks[d.date] = mark + ("*" if d.corrected else "")
        rows.append([item.name, item.staff_no or "", item.department or ""] + counts(item)
                    + [marks.get(d, "") for d in days])
    if sheet.departments:
        rows.append([])
        for group in sheet.departments:
            rows.append([f"部门合计（{group.members}人）", "", group.department or "未分部门"] + counts(group))
    return write_table(title=f"考勤 {sheet.month}", header=header, rows=rows,
                       widths=(12, 10, 14) + (9,) * 10 + (6,) * 13, text_columns="B")
