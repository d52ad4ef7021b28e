"""A3: the day rules as plain functions — the window of a shift's day (never over 24 h, so one
shift's days never share a punch), first-in/last-out, whole minutes, and the month's counts."""

from __future__ import annotations

import datetime as dt

from yikatong.attendance import compute
from yikatong.attendance.schemas import Counts, DayOut
from yikatong.attendance.roster import ShiftRule
from yikatong.core.clock import SHANGHAI

DAY = dt.date(2026, 3, 2)


def rule(start: int, end: int, **kw) -> ShiftRule:
    values = dict(id=1, name="班", kind="fixed", weekdays=frozenset({1, 2, 3, 4, 5, 6, 7}), start=start, end=end,
                  grace=5, early_grace=0, required=None) | kw
    return ShiftRule(**values)


def at(day: int, hour: int, minute: int, second: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, second, tzinfo=SHANGHAI)


def test_r_a3_window_of_a_day_shift_and_of_an_overnight_shift():
    day = compute.window(DAY, rule(9 * 60, 18 * 60))
    assert (day.open, day.start, day.end, day.close) == (at(2, 5, 0), at(2, 9, 0), at(2, 18, 0), at(3, 0, 0))
    night = compute.window(DAY, rule(22 * 60, 6 * 60))
    assert (night.open, night.end, night.close) == (at(2, 18, 0), at(3, 6, 0), at(3, 12, 0))


def test_r_a3_windows_of_consecutive_days_never_overlap_even_for_long_shifts():
    shapes = ((8 * 60, 20 * 60), (7 * 60, 23 * 60), (0, 23 * 60 + 59), (20 * 60, 19 * 60), (9 * 60, 9 * 60 + 1))
    for start, end in shapes:
        r = rule(start, end, grace=0)
        today, tomorrow = compute.window(DAY, r), compute.window(DAY + dt.timedelta(days=1), r)
        assert today.close <= tomorrow.open and today.open <= today.start < today.end <= today.close
        assert today.close - today.open <= dt.timedelta(hours=24)


def test_r_a3_first_in_last_out_and_a_punch_claimed_once():
    r = rule(9 * 60, 18 * 60)
    win = compute.window(DAY, r)
    punches = [at(2, 4, 59), at(2, 8, 58), at(2, 12, 0), at(2, 18, 30), at(3, 0, 0)]
    used: set[int] = set()
    taken = compute.take(punches, used, win)
    assert taken == punches[1:4] and used == {1, 2, 3}
    assert compute.take(punches, used, win) == []  # already claimed
    out = compute.evaluate(DAY, r, win, taken)
    assert (out.status, out.first_in, out.last_out) == ("on_time", at(2, 8, 58), at(2, 18, 30))
    assert out.overtime_minutes == 30


def test_r_a3_exact_grace_boundary_minute_pure():
    r = rule(9 * 60, 18 * 60, grace=5)
    win = compute.window(DAY, r)
    assert compute.evaluate(DAY, r, win, [at(2, 9, 5, 59), at(2, 18, 0)]).status == "on_time"
    late = compute.evaluate(DAY, r, win, [at(2, 9, 6, 0), at(2, 18, 0)])
    assert late.status == "late" and late.late_minutes == 6
    early = compute.evaluate(DAY, r, win, [at(2, 9, 0), at(2, 17, 59, 59)])
    assert early.status == "early_leave" and early.early_leave_minutes == 1


def test_r_a3_month_counts_add_flags_and_statuses():
    days = [DayOut(date=DAY, weekday=1, status="late", late=True, early_leave=True, late_minutes=10,
                   early_leave_minutes=20),
            DayOut(date=DAY, weekday=1, status="absent"), DayOut(date=DAY, weekday=1, status="rest"),
            DayOut(date=DAY, weekday=1, status="on_time", overtime_minutes=30)]
    counts = Counts(**compute.totals(days))
    assert (counts.workdays, counts.late, counts.early_leave, counts.absent, counts.rest, counts.on_time) == (
        3, 1, 1, 1, 1, 1)
    assert (counts.late_minutes, counts.early_leave_minutes, counts.overtime_minutes) == (10, 20, 30)
    corrected = compute.override(days[0], "on_time", ["出差"])
    assert not corrected.late and not corrected.early_leave and corrected.late_minutes == 0 and corrected.corrected
