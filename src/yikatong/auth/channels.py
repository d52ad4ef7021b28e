"""Channel and time-window rules (X1): a hall clerk's stolen password is useless at night."""

from __future__ import annotations

import datetime as dt
import re

from yikatong.core.actor import Channel
from yikatong.core.clock import local
from yikatong.core.errors import Forbidden, InvalidInput

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def _minutes(hhmm: str) -> int:
    m = _HHMM.match(hhmm)
    if not m:
        raise InvalidInput(f"'{hhmm}' is not a time of day HH:MM", code="invalid_time")
    return int(m.group(1)) * 60 + int(m.group(2))


def validate_time_windows(windows: list[dict]) -> list[dict]:
    """Normalises ``[{weekdays: [1..7], start: HH:MM, end: HH:MM}]``; end before start crosses midnight."""
    clean = []
    for w in windows:
        days = sorted(set(w.get("weekdays") or []))
        if not days or any(not isinstance(d, int) or d < 1 or d > 7 for d in days):
            raise InvalidInput("weekdays must be a non-empty list of 1 (Monday) … 7 (Sunday)", code="invalid_time_window")
        start, end = str(w.get("start", "")), str(w.get("end", ""))
        if _minutes(start) == _minutes(end):
            raise InvalidInput("a time window cannot start and end at the same minute", code="invalid_time_window")
        clean.append({"weekdays": days, "start": start, "end": end})
    return clean


def validate_channels(channels: list[str] | None) -> list[str] | None:
    if channels is None:
        return None
    valid = {c.value for c in Channel if c is not Channel.system}
    bad = [c for c in channels if c not in valid]
    if bad or not channels:
        raise InvalidInput(
            f"unknown channels: {', '.join(bad)}" if bad else "at least one channel is required",
            code="invalid_channel",
            details={"allowed": sorted(valid)},
        )
    return sorted(set(channels))


def within_windows(windows: list[dict], at: dt.datetime) -> bool:
    if not windows:
        return True
    t = local(at)
    minute, weekday = t.hour * 60 + t.minute, t.isoweekday()
    yesterday = 7 if weekday == 1 else weekday - 1
    for w in windows:
        start, end = _minutes(w["start"]), _minutes(w["end"])
        if start < end:
            if weekday in w["weekdays"] and start <= minute < end:
                return True
        else:  # overnight: the window belongs to the day it starts on
            if weekday in w["weekdays"] and minute >= start:
                return True
            if yesterday in w["weekdays"] and minute < end:
                return True
    return False


def check_channel(*, allowed_channels: list[str] | None, time_windows: list[dict], channel: Channel, at: dt.datetime) -> None:
    """Refuses (403) a request through a channel the user is not bound to, or outside their hours (X1)."""
    if allowed_channels is not None and channel.value not in allowed_channels:
        raise Forbidden(
            f"this account may not act through the '{channel.value}' channel",
            code="channel_not_allowed",
            details={"channel": channel.value, "allowed": allowed_channels},
        )
    if not within_windows(time_windows, at):
        raise Forbidden(
            "this account may not act at this time",
            code="outside_time_window",
            details={"time_windows": time_windows},
        )
