"""The day computation of A3 as plain functions (no database): which punches belong to a shift's
day, and what they make of it. docs/attendance.md states the same rules for the admins.

- The day's window: from ``before`` minutes before the shift's start to ``after`` minutes after its
  end, at most 4 h and 6 h and together never more than 24 h, so two days of one shift never share a
  punch. An overnight shift's window belongs to the day it starts on.
- First-in/last-out: the earliest punch in the window is the arrival, the latest the departure;
  punches in between (a second tap, lunch) do not matter. One punch only is ``missing_punch``, none
  ``absent``.
- Times count in whole minutes (seconds are dropped): with 5 grace minutes a 09:05:59 arrival at a
  09:00 shift is on time and 09:06:00 late; leaving at 17:59:59 from an 18:00 shift is early.
- A fixed shift: late when the arrival is more than ``grace`` minutes after start, early leave when
  the departure is more than ``early_grace`` minutes before end; both can hold (the status is then
  ``late`` and ``early_leave`` is flagged). Overtime: the minutes after the end.
- A flexible shift: the presence counted between start and end must reach ``required`` minutes
  (less ``early_grace``); short of that is ``early_leave`` (by the minutes missing). Never late.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from yikatong.attendance.models import DayStatus
from yikatong.attendance.schemas import Counts, DayOut
from yikatong.attendance.roster import ShiftRule
from yikatong.core.clock import SHANGHAI

MAX_BEFORE = 240
MAX_AFTER = 360
MINUTE = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class Window:
    open: dt.datetime  # the first instant a punch counts for this day
    close: dt.datetime  # exclusive
    start: dt.datetime  # the shift's start and end on this day, Beijing
    end: dt.datetime


@lru_cache(maxsize=4096)  # the same few shifts on the same days, for every member of the sheet
def window(day: dt.date, rule: ShiftRule) -> Window:
    midnight = dt.datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)
    start = midnight + dt.timedelta(minutes=rule.start)
    end = start + dt.timedelta(minutes=rule.length)
    before = min(MAX_BEFORE, (1440 - rule.length) // 2)
    after = min(MAX_AFTER, 1440 - rule.length - before)
    return Window(open=start - dt.timedelta(minutes=before), close=end + dt.timedelta(minutes=after),
                  start=start, end=end)


def _minute(at: dt.datetime) -> dt.datetime:
    # Beijing is a whole number of hours from UTC, so dropping the seconds is the same in either.
    return at.replace(second=0, microsecond=0)


def _minutes(delta: dt.timedelta) -> int:
    return int(delta // MINUTE)


def take(punches: list[dt.datetime], used: set[int], win: Window) -> list[dt.datetime]:
    """The punches (sorted, aware) inside the window not yet claimed by an earlier day; marks them used."""
    out = []
    for i in range(bisect_left(punches, win.open), len(punches)):
        if punches[i] >= win.close:
            break
        if i not in used:
            used.add(i)
            out.append(punches[i])
    return out


def day_out(**values) -> DayOut:
    """One day (built once, with its final values: pydantic's validation in Rust is cheaper than
    assigning fields one by one on tens of thousands of days)."""
    return DayOut(**values)


def evaluate(day: dt.date, rule: ShiftRule, win: Window, punches: list[dt.datetime]) -> DayOut:
    """A working day from its punches (already limited to its window, sorted)."""
    base = {"date": day, "weekday": day.isoweekday(), "shift_id": rule.id, "shift_name": rule.name}
    if not punches:
        return day_out(status=DayStatus.absent, **base)
    if len(punches) == 1:
        only = punches[0]
        side = "first_in" if only < win.start + (win.end - win.start) / 2 else "last_out"
        return day_out(status=DayStatus.missing_punch, **base, **{side: only})
    first, last = punches[0], punches[-1]
    first_m, last_m = _minute(first), _minute(last)
    late = early = False
    late_minutes = early_minutes = 0
    if rule.flexible:
        worked = max(0, _minutes(min(last_m, win.end) - max(first_m, win.start)))
        short = (rule.required or 0) - worked
        if short > rule.early_grace:
            early, early_minutes = True, short
    else:
        worked = max(0, _minutes(last_m - first_m))
        after_start, before_end = _minutes(first_m - win.start), _minutes(win.end - last_m)
        if after_start > rule.grace:
            late, late_minutes = True, after_start
        if before_end > rule.early_grace:
            early, early_minutes = True, before_end
    status = DayStatus.late if late else DayStatus.early_leave if early else DayStatus.on_time
    return day_out(
        status=status, first_in=first, last_out=last, late=late, early_leave=early, late_minutes=late_minutes,
        early_leave_minutes=early_minutes, worked_minutes=worked,
        overtime_minutes=max(0, _minutes(last_m - win.end)), **base)


def override(out: DayOut, status: DayStatus, reasons: list[str]) -> DayOut:
    """An admin's status correction wins over the punches; the flags follow the status set."""
    out.status = status
    out.late = status == DayStatus.late
    out.early_leave = status == DayStatus.early_leave
    if not out.late:
        out.late_minutes = 0
    if not out.early_leave:
        out.early_leave_minutes = 0
    out.corrected = True
    out.corrections = reasons
    return out


def totals(days: list[DayOut]) -> dict[str, int]:
    """A member's month from its days: ``late`` and ``early_leave`` count the days flagged so (a day
    can be both); ``workdays`` every day that is not ``rest``; the others count statuses."""
    out = dict.fromkeys(Counts.model_fields, 0)
    for day in days:
        status = day.status
        if status == DayStatus.rest:
            out["rest"] += 1
            continue
        out["workdays"] += 1
        if status == DayStatus.on_time:
            out["on_time"] += 1
        elif status == DayStatus.absent:
            out["absent"] += 1
        elif status == DayStatus.missing_punch:
            out["missing_punch"] += 1
        out["late"] += day.late
        out["early_leave"] += day.early_leave
        out["late_minutes"] += day.late_minutes
        out["early_leave_minutes"] += day.early_leave_minutes
        out["overtime_minutes"] += day.overtime_minutes
    return out


def merge(into: Counts, other: Counts) -> None:
    for field in Counts.model_fields:
        setattr(into, field, getattr(into, field) + getattr(other, field))
