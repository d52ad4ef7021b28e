"""A1: the one access rule (rules.decide), on its own — no database."""

from __future__ import annotations

import datetime as dt

import pytest

from yikatong.access import rules
from yikatong.access.rules import DoorInfo, Entry, compile_periods, decide, in_time_zone, parse_hhmm
from yikatong.core.clock import SHANGHAI

ZONES = {1: compile_periods([{"weekdays": [1, 2, 3, 4, 5], "start": "08:00", "end": "18:00"},
                             {"weekdays": [8], "start": "09:00", "end": "12:00"}]),
         2: compile_periods([{"weekdays": [6, 7], "start": "00:00", "end": "24:00"}])}
OK = Entry(status="ok", time_zone_ids=(1,))
MONDAY = dt.date(2026, 3, 2)


def at(day: dt.date, hh: int, mm: int = 0, ss: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hh, mm, ss, tzinfo=SHANGHAI)


def run(entry=OK, when=None, *, blacklisted=False, holidays=None, door=DoorInfo(), last=None):
    return decide(entry, blacklisted=blacklisted, local_at=when or at(MONDAY, 10), time_zones=ZONES,
                  holidays=holidays or {}, door=door, last_direction=last)


def test_r_a1_boundary_minutes_start_allowed_end_denied():
    assert run(when=at(MONDAY, 8, 0)) == (True, "ok")
    assert run(when=at(MONDAY, 7, 59, 59)) == (False, "outside_time_zone")
    assert run(when=at(MONDAY, 17, 59, 59)) == (True, "ok")
    assert run(when=at(MONDAY, 18, 0)) == (False, "outside_time_zone")


def test_r_a1_weekday_numbers_are_iso_monday_first():
    sunday = MONDAY - dt.timedelta(days=1)
    assert run(when=at(sunday, 10)) == (False, "outside_time_zone")
    assert run(Entry("ok", (2,)), when=at(sunday, 23, 59)) == (True, "ok")  # "24:00" ends at midnight
    assert run(Entry("ok", (1, 2)), when=at(sunday, 0, 0)) == (True, "ok")  # several zones: any one


def test_r_a1_holiday_uses_only_weekday_8_periods():
    holidays = {MONDAY: rules.HOLIDAY}
    assert run(when=at(MONDAY, 9), holidays=holidays) == (True, "ok")
    assert run(when=at(MONDAY, 12), holidays=holidays) == (False, "outside_time_zone")
    assert run(when=at(MONDAY, 15), holidays=holidays) == (False, "outside_time_zone")  # normally open


def test_r_a1_workday_tiaoxiu_uses_working_day_periods():
    saturday = MONDAY + dt.timedelta(days=5)
    assert run(when=at(saturday, 10)) == (False, "outside_time_zone")
    assert run(when=at(saturday, 10), holidays={saturday: rules.WORKDAY}) == (True, "ok")
    # the day's own weekday periods still apply on a 调休 day
    assert run(Entry("ok", (2,)), when=at(saturday, 20), holidays={saturday: rules.WORKDAY}) == (True, "ok")


def test_r_a1_validity_dates_are_inclusive():
    e = Entry("ok", (1,), valid_from=MONDAY, valid_until=MONDAY + dt.timedelta(days=1))
    assert run(e, at(MONDAY, 8)) == (True, "ok")
    assert run(e, at(MONDAY + dt.timedelta(days=1), 17, 59)) == (True, "ok")
    assert run(e, at(MONDAY - dt.timedelta(days=7), 10)) == (False, "not_yet_valid")
    assert run(e, at(MONDAY + dt.timedelta(days=2), 10)) == (False, "expired")


def test_r_a1_entry_status_and_blacklist_come_first():
    for status in ("card_lost", "card_inactive", "no_application", "member_suspended"):
        assert run(Entry(status, (1,))) == (False, status)
    assert run(blacklisted=True) == (False, "card_lost")
    assert run(None) == (False, "not_in_group")
    assert run(None, blacklisted=True) == (False, "card_lost")


def test_r_a1_anti_passback_in_then_out():
    door_in, door_out = DoorInfo("in", True), DoorInfo("out", True)
    assert run(door=door_in, last=None) == (True, "ok")
    assert run(door=door_in, last="in") == (False, "passback")
    assert run(door=door_out, last="in") == (True, "ok")
    assert run(door=door_out, last="out") == (False, "passback")
    assert run(door=DoorInfo("in", False), last="in") == (True, "ok")  # the site has no anti-passback


@pytest.mark.parametrize("bad", ["8:00", "24:01", "12:60", "ab:cd", "1200"])
def test_r_a1_bad_times_are_refused(bad):
    with pytest.raises(ValueError):
        parse_hhmm(bad)


def test_r_a1_in_time_zone_reads_minutes_not_seconds():
    assert in_time_zone(ZONES[1], at(MONDAY, 17, 59, 59), {})
    assert not in_time_zone(ZONES[1], at(MONDAY, 18, 0, 1), {})
