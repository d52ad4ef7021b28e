"""What a door terminal gets at its sync (A2, T3): its permission list changes since the version it
holds, and — whole, since they are small — the rules to apply them offline: its door's direction
and anti-passback, the enterprise's time zones, the holiday calendar for a year ahead, and today's
last directions at its site. Called by terminals.sync; docs/access-attendance.md is the format."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from yikatong.access import decisions, permissions
from yikatong.access import service as setup
from yikatong.access.models import TerminalPermissionState
from yikatong.access.schemas import DoorRules, Holiday, PeriodIn, PermissionDelta
from yikatong.core import clock

HOLIDAYS_AHEAD = 365


def door_sync(db: Session, *, terminal, permissions_version: int) -> tuple[PermissionDelta, DoorRules] | None:
    """T3 for a door terminal (``terminal`` is terminals.terminal_of's row); None when it is not
    bound to a live door. Refreshes the enterprise's permission rows first, then records the
    version the terminal said it held."""
    door = setup.door_of_enterprise(db, enterprise_id=terminal.enterprise_id, door_id=terminal.door_id) \
        if terminal.door_id else None
    if door is None:
        return None
    permissions.refresh(db, enterprise_id=terminal.enterprise_id)
    delta = permissions.delta_since(db, enterprise_id=terminal.enterprise_id, door_id=door.id,
                                    since=permissions_version)
    info = decisions.door_info(db, door)
    today = clock.local(clock.now()).date()
    calendar = decisions.holidays(db, enterprise_id=terminal.enterprise_id, start=today - dt.timedelta(days=1),
                                  end=today + dt.timedelta(days=HOLIDAYS_AHEAD))
    zones = setup.time_zones_of(db, enterprise_id=terminal.enterprise_id)
    directions = decisions.site_directions(db, site_id=door.site_id, day=today) if info.anti_passback else {}
    rules = DoorRules(door_id=door.id, name=door.name, direction=door.direction, site_id=door.site_id,
                      anti_passback=info.anti_passback,
                      time_zones={k: [PeriodIn.model_validate(p) for p in v] for k, v in sorted(zones.items())},
                      holidays=[Holiday(date=d, kind=k) for d, k in sorted(calendar.items())],
                      directions_date=today, directions=directions)
    state = db.get(TerminalPermissionState, terminal.id)
    if state is None:
        db.add(TerminalPermissionState(terminal_id=terminal.id, permissions_version=permissions_version,
                                       synced_at=clock.now()))
    else:
        state.permissions_version, state.synced_at = permissions_version, clock.now()
    return delta, rules


def held_versions(db: Session, *, terminal_ids: list[int]) -> dict[int, int]:
    """T3: the permission version each door terminal held at its last sync."""
    if not terminal_ids:
        return {}
    return dict(db.execute(select(TerminalPermissionState.terminal_id, TerminalPermissionState.permissions_version)
                           .where(TerminalPermissionState.terminal_id.in_(terminal_ids))).all())
