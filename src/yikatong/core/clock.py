"""The one clock. Services ask ``clock.now()`` instead of ``datetime.now()`` so tests can move time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock:
    def now(self) -> dt.datetime:
        """Aware UTC now."""
        return dt.datetime.now(dt.timezone.utc)


class FixedClock(Clock):
    """A clock tests set and advance by hand."""

    def __init__(self, at: dt.datetime):
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at

    def now(self) -> dt.datetime:
        return self._at

    def set(self, at: dt.datetime) -> None:
        self._at = at

    def advance(self, **delta: float) -> None:
        self._at += dt.timedelta(**delta)


_clock: Clock = Clock()


def now() -> dt.datetime:
    return _clock.now()


def set_clock(clock: Clock) -> Clock:
    """Install a clock (tests); returns the previous one so it can be restored."""
    global _clock
    previous, _clock = _clock, clock
    return previous


def as_utc(value: dt.datetime) -> dt.datetime:
    """Databases may hand back naive datetimes (SQLite); ours are always stored in UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc)


def local(value: dt.datetime) -> dt.datetime:
    """The time a Chinese user reads: Asia/Shanghai."""
    return as_utc(value).astimezone(SHANGHAI)


def beijing_time(value: dt.datetime) -> dt.datetime:
    """A time given to the platform — by a terminal (A2, A3, P7) or an admin's form: aware, Beijing,
    whole seconds. Terminals keep Beijing time, so a time without an offset is Beijing's; a card's BCD
    date holds years 2000–2099 only, so a time outside them is refused (ValueError: a 422 naming the
    field)."""
    try:
        beijing = value.replace(tzinfo=SHANGHAI) if value.tzinfo is None else value.astimezone(SHANGHAI)
    except (OverflowError, ValueError):
        raise ValueError("a date-time between 2000 and 2099") from None
    if not 2000 <= beijing.year <= 2099:
        raise ValueError("a date-time between 2000 and 2099")
    return beijing.replace(microsecond=0)
