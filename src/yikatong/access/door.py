"""A door terminal deciding offline (A2): the state a device builds from its syncs — the full
permission list, then deltas; the blacklist likewise; time zones, holidays, its door's direction
and anti-passback — and ``decide`` with no platform at hand, through rules.decide, the same rule
the platform applies online. Every decision is logged with a local sequence number; the log is
uploaded (POST /terminal/access-events) from the platform's cursor on.

This is the reference implementation for terminal vendors (docs/access-attendance.md); the tests
and bench/access.py drive it with real sync payloads. Pure Python: no database, no network."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from yikatong.access import rules
from yikatong.core.clock import SHANGHAI


@dataclass
class DoorTerminal:
    blacklist_version: int = 0
    permissions_version: int = 0
    parameters_version: str | None = None
    blacklist: set[str] = field(default_factory=set)
    entries: dict[str, rules.Entry] = field(default_factory=dict)
    time_zones: dict[int, tuple[rules.Period, ...]] = field(default_factory=dict)
    holidays: dict[dt.date, str] = field(default_factory=dict)
    door: rules.DoorInfo = field(default_factory=rules.DoorInfo)
    door_id: int | None = None
    # Anti-passback: the site's last directions as of the sync, then this door's own passes.
    directions_date: dt.date | None = None
    directions: dict[str, str] = field(default_factory=dict)
    log: list[dict] = field(default_factory=list)
    next_seq: int = 1
    cursor: int = 0  # the highest seq the platform has acknowledged

    def sync_params(self) -> dict:
        """The query of the next GET /terminal/sync."""
        params = {"blacklist_version": self.blacklist_version, "permissions_version": self.permissions_version}
        if self.parameters_version:
            params["parameters_version"] = self.parameters_version
        return params

    def apply_sync(self, payload: Mapping) -> None:
        """Apply a GET /terminal/sync answer to the lists held (the answer to ``sync_params()``)."""
        bl = payload["blacklist"]
        if self.blacklist_version == 0:
            self.blacklist = set(bl["added"])
        else:
            self.blacklist.update(bl["added"])
            self.blacklist.difference_update(bl["removed"])
        self.blacklist_version = bl["version"]
        params = payload.get("parameters") or {}
        if params.get("version"):
            self.parameters_version = params["version"]
        perms = payload.get("permissions")
        if perms is not None:
            if perms["full"]:
                self.entries = {}
            for row in perms["changed"]:
                self.entries[row["card_no"]] = rules.Entry(
                    status=row["status"], time_zone_ids=tuple(row["time_zones"]),
                    valid_from=_date(row.get("valid_from")), valid_until=_date(row.get("valid_until")))
            for card_no in perms["removed"]:
                self.entries.pop(card_no, None)
            self.permissions_version = perms["version"]
        door = payload.get("door")
        if door is not None:
            self.door_id = door["door_id"]
            self.door = rules.DoorInfo(direction=door["direction"], anti_passback=door["anti_passback"])
            self.time_zones = {int(k): rules.compile_periods(v) for k, v in door["time_zones"].items()}
            self.holidays = {_date(h["date"]): h["kind"] for h in door["holidays"]}
            self.directions_date = _date(door["directions_date"])
            self.directions = dict(door["directions"])

    def _last_direction(self, card_no: str, day: dt.date) -> str | None:
        if self.directions_date != day:
            # A new day: anti-passback starts afresh (as on the platform).
            self.directions_date, self.directions = day, {}
        return self.directions.get(card_no)

    def decide(self, card_no: str, at: dt.datetime) -> tuple[bool, str]:
        """Decide offline and log the event (A2). ``at`` is aware."""
        local_at = at.astimezone(SHANGHAI)
        passback = self.door.anti_passback and self.door.direction != "both"
        last = self._last_direction(card_no, local_at.date()) if passback else None
        allowed, reason = rules.decide(self.entries.get(card_no), blacklisted=card_no in self.blacklist,
                                       local_at=local_at, time_zones=self.time_zones, holidays=self.holidays,
                                       door=self.door, last_direction=last)
        direction = self.door.direction if self.door.direction != "both" else None
        if allowed and direction is not None:
            self.directions[card_no] = direction
        event = {"seq": self.next_seq, "card_no": card_no, "at": at.isoformat(), "allowed": allowed,
                 "reason": reason.value}
        if direction is not None:
            event["direction"] = direction
        self.log.append(event)
        self.next_seq += 1
        return allowed, reason.value

    def pending_events(self, limit: int = 1000) -> list[dict]:
        """The events after the platform's cursor, oldest first, at most ``limit``."""
        return [e for e in self.log if e["seq"] > self.cursor][:limit]

    def acknowledge(self, answer: Mapping) -> None:
        """Apply a POST /terminal/access-events answer: the platform holds every seq ≤ cursor, so
        those may be dropped from the device's memory."""
        self.cursor = max(self.cursor, int(answer["cursor"]))
        self.log = [e for e in self.log if e["seq"] > self.cursor]


def _date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)
