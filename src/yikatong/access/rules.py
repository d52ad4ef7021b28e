"""The access rule (A1), in one place: the platform's online decision and a door terminal's
offline decision (A2, ``door.py``) both call ``decide`` with the same inputs — the card's
permission entry at this door, whether the card is on the blacklist, the time zones, the
holidays and, for anti-passback, the card's last direction at the site. Pure Python, no database.

Time zones (A1): a period ``{weekdays, start, end}`` covers the Beijing minutes ``start`` ≤ t <
``end`` on the listed weekdays (1 = Monday … 7 = Sunday); ``end`` "24:00" means midnight. Weekday
8 stands for holidays. The enterprise's calendar marks a date ``holiday`` (a day off) or
``workday`` (调休: a weekend day made a working day):

- on a holiday only the weekday-8 periods apply (none: the door stays shut for that zone);
- on a 调休 workday the periods of the day's own weekday apply *and* every period of an ordinary
  working day (weekdays 1–5), since staff work that day as on any weekday;
- any other day: the periods listing its weekday.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

HOLIDAY_WEEKDAY = 8
WORKING_WEEKDAYS = frozenset({1, 2, 3, 4, 5})
HOLIDAY, WORKDAY = "holiday", "workday"


class Reason(StrEnum):
    ok = "ok"
    card_lost = "card_lost"  # lost (挂失) or otherwise on the blacklist
    card_inactive = "card_inactive"  # replaced or cancelled
    no_application = "no_application"  # the card holds no live access application of this enterprise
    member_suspended = "member_suspended"
    not_in_group = "not_in_group"  # no access group gives this card this door
    not_yet_valid = "not_yet_valid"
    expired = "expired"
    outside_time_zone = "outside_time_zone"
    passback = "passback"  # anti-passback: already in (or out) at this site


# Entry statuses the platform materialises; anything but ``ok`` is itself the denial reason.
ENTRY_STATUSES = (Reason.ok, Reason.card_lost, Reason.card_inactive, Reason.no_application, Reason.member_suspended)


def parse_hhmm(value: str) -> int:
    """"HH:MM" → minutes after midnight; "24:00" is allowed (as an end)."""
    hours, _, minutes = value.partition(":")
    if len(hours) != 2 or len(minutes) != 2 or not (hours + minutes).isdigit():
        raise ValueError(f"'{value}' is not HH:MM")
    h, m = int(hours), int(minutes)
    if m > 59 or h > 24 or (h == 24 and m):
        raise ValueError(f"'{value}' is not a time of day")
    return h * 60 + m


@dataclass(frozen=True, slots=True)
class Period:
    weekdays: frozenset[int]
    start: int  # minutes after midnight, inclusive
    end: int  # exclusive

    @classmethod
    def of(cls, raw: Mapping) -> Period:
        return cls(frozenset(int(d) for d in raw["weekdays"]), parse_hhmm(raw["start"]), parse_hhmm(raw["end"]))


def compile_periods(raw: Iterable[Mapping]) -> tuple[Period, ...]:
    return tuple(Period.of(p) for p in raw)


def applicable_weekdays(day: dt.date, holidays: Mapping[dt.date, str]) -> frozenset[int]:
    """Which weekday numbers' periods apply on ``day`` (see the module docstring)."""
    kind = holidays.get(day)
    if kind == HOLIDAY:
        return frozenset({HOLIDAY_WEEKDAY})
    own = day.isoweekday()
    if kind == WORKDAY:
        return WORKING_WEEKDAYS | {own}
    return frozenset({own})


def in_time_zone(periods: Iterable[Period], local_at: dt.datetime, holidays: Mapping[dt.date, str]) -> bool:
    """A1: is the Beijing time ``local_at`` inside one of the periods?"""
    days = applicable_weekdays(local_at.date(), holidays)
    minute = local_at.hour * 60 + local_at.minute
    return any(p.start <= minute < p.end and not p.weekdays.isdisjoint(days) for p in periods)


@dataclass(frozen=True, slots=True)
class Entry:
    """One card's standing at one door, as the platform materialised it and syncs it."""

    status: str
    time_zone_ids: tuple[int, ...]
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None


@dataclass(frozen=True, slots=True)
class DoorInfo:
    direction: str = "both"  # "in", "out" or "both"
    anti_passback: bool = False


def decide(entry: Entry | None, *, blacklisted: bool, local_at: dt.datetime,
           time_zones: Mapping[int, tuple[Period, ...]], holidays: Mapping[dt.date, str],
           door: DoorInfo = DoorInfo(), last_direction: str | None = None) -> tuple[bool, Reason]:
    """A1/A2: may this card open this door at Beijing time ``local_at``? Checked in this order,
    the first failure being the reason: the entry's own status (lost, inactive, no access
    application, member suspended), the blacklist (a card listed after the last permission sync is
    refused as ``card_lost``), no entry (``not_in_group``), the validity dates (inclusive), the time
    zones, and — at an in/out door of a site with anti-passback — the card's last direction there
    (entering twice or leaving twice is ``passback``; an unknown last direction lets it through)."""
    if entry is not None and entry.status != Reason.ok:
        return False, Reason(entry.status)
    if blacklisted:
        return False, Reason.card_lost
    if entry is None:
        return False, Reason.not_in_group
    day = local_at.date()
    if entry.valid_from is not None and day < entry.valid_from:
        return False, Reason.not_yet_valid
    if entry.valid_until is not None and day > entry.valid_until:
        return False, Reason.expired
    if not any(in_time_zone(time_zones.get(tz, ()), local_at, holidays) for tz in entry.time_zone_ids):
        return False, Reason.outside_time_zone
    if door.anti_passback and door.direction in ("in", "out") and last_direction == door.direction:
        return False, Reason.passback
    return True, Reason.ok
