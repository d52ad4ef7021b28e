"""Door decisions and events (A1, A2). A door terminal asks online (``decide_online``) or decides
offline from its last sync (door.py) — both through rules.decide, the one implementation of the
rule — and uploads its event log (``upload_events``), idempotently: each event carries the
terminal's local sequence number, a re-upload adds nothing, and the answer's ``cursor`` (the
highest sequence stored) tells the terminal where to resume."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from yikatong.access import permissions, rules
from yikatong.access import service as setup
from yikatong.access.models import AccessEvent, Door
from yikatong.access.schemas import DecisionOut, EventIn, EventsOut
from yikatong.attendance import calendar
from yikatong.cards import blacklist
from yikatong.core import clock
from yikatong.core.actor import Actor
from yikatong.core.errors import Conflict, InvalidInput
from yikatong.members import roster as member_roster
from yikatong.terminals import service as terminals
from yikatong.terminals.models import TerminalType

_events = AccessEvent.__table__
ONLINE, OFFLINE = "online", "offline"
# How far an event's time may lie ahead of the platform's clock (a terminal clock running fast).
MAX_CLOCK_AHEAD = dt.timedelta(hours=1)


def holidays(db: Session, *, enterprise_id: int, start: dt.date, end: dt.date) -> dict[dt.date, str]:
    """The enterprise calendar (节假日/调休), which the attendance domain owns."""
    return calendar.holidays_between(db, enterprise_id=enterprise_id, start=start, end=end)


def _door_of(db: Session, terminal) -> Door:
    door = setup.door_of_enterprise(db, enterprise_id=terminal.enterprise_id, door_id=terminal.door_id) \
        if terminal.door_id else None
    if door is None:
        raise Conflict("this door terminal is not bound to a door of its enterprise", code="door_not_set")
    return door


def door_info(db: Session, door: Door) -> rules.DoorInfo:
    site = setup.site_by_id(db, site_id=door.site_id)
    return rules.DoorInfo(direction=door.direction, anti_passback=bool(site and site.anti_passback))


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(), tzinfo=clock.SHANGHAI)
    return start.astimezone(dt.UTC), (start + dt.timedelta(days=1)).astimezone(dt.UTC)


def _site_passes(site_id: int, day: dt.date):
    start, end = _day_bounds(day)
    return (select(_events.c.card_no, _events.c.direction)
            .join(Door, Door.id == _events.c.door_id)
            .where(Door.site_id == site_id, _events.c.allowed.is_(True), _events.c.direction.is_not(None),
                   _events.c.at >= start, _events.c.at < end)
            .order_by(_events.c.at, _events.c.id))


def last_direction(db: Session, *, site_id: int, card_no: str, day: dt.date) -> str | None:
    """Anti-passback: the card's last direction through the site's doors on this Beijing day (the
    state resets at midnight, so a missed swipe never locks anyone out for longer)."""
    stmt = _site_passes(site_id, day).where(_events.c.card_no == card_no).order_by(None) \
        .order_by(_events.c.at.desc(), _events.c.id.desc()).limit(1)
    row = db.execute(stmt).first()
    return row.direction if row else None


def site_directions(db: Session, *, site_id: int, day: dt.date) -> dict[str, str]:
    """Every card's last direction at the site today, for door terminals deciding offline."""
    out: dict[str, str] = {}
    for card_no, direction in db.execute(_site_passes(site_id, day)):
        out[card_no] = direction
    return out


def entry_of(row) -> rules.Entry | None:
    if row is None:
        return None
    return rules.Entry(status=row.status, time_zone_ids=tuple(int(z) for z in row.time_zone_ids.split(",") if z),
                       valid_from=row.valid_from, valid_until=row.valid_until)


def decide_online(db: Session, *, actor: Actor, card_no: str, at: dt.datetime | None = None) -> DecisionOut:
    """A1: may this card open the calling door terminal's door at ``at`` (default now)? The card's
    permission rows are refreshed first (cards, members and groups may have changed since the last
    sync); the rule is rules.decide, as offline. The decision is recorded as an event (A4)."""
    terminal = terminals.terminal_of(db, actor=actor, type=TerminalType.door)
    door = _door_of(db, terminal)
    enterprise_id = terminal.enterprise_id
    at = clock.as_utc(at) if at is not None else clock.now()
    local_at = clock.local(at)
    permissions.refresh(db, enterprise_id=enterprise_id, card_no=card_no)
    row = permissions.entry_row(db, door_id=door.id, card_no=card_no)
    entry = entry_of(row)
    zones = setup.time_zones_of(db, enterprise_id=enterprise_id, ids=list(entry.time_zone_ids) if entry else [])
    info = door_info(db, door)
    last = None
    if info.anti_passback and door.direction in ("in", "out"):
        last = last_direction(db, site_id=door.site_id, card_no=card_no, day=local_at.date())
    allowed, reason = rules.decide(
        entry, blacklisted=blacklist.is_blacklisted(db, enterprise_id=enterprise_id, card_no=card_no),
        local_at=local_at, time_zones={k: rules.compile_periods(v) for k, v in zones.items()},
        holidays=holidays(db, enterprise_id=enterprise_id, start=local_at.date(), end=local_at.date()),
        door=info, last_direction=last)
    member = member_roster.members_by_ids(db, enterprise_id=enterprise_id, member_ids=[row.member_id]).get(row.member_id) \
        if row is not None else None
    db.add(AccessEvent(enterprise_id=enterprise_id, door_id=door.id, terminal_id=terminal.id, seq=None,
                       card_no=card_no, member_id=member.id if member else None,
                       department=member.department if member else None, at=at, allowed=allowed,
                       reason=reason.value, direction=door.direction if door.direction != "both" else None,
                       source=ONLINE, uploaded_at=clock.now()))
    return DecisionOut(allowed=allowed, reason=reason.value)


def _insert(db: Session):
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(AccessEvent).on_conflict_do_nothing(index_elements=["terminal_id", "seq"])


def cursor_of(db: Session, *, terminal_id: int) -> int:
    return db.scalar(select(func.max(_events.c.seq)).where(_events.c.terminal_id == terminal_id)) or 0


def upload_events(db: Session, *, actor: Actor, events: list[EventIn]) -> EventsOut:
    """A2: store a door terminal's offline event log. An event whose ``seq`` this terminal has
    already stored is a duplicate (the first one stands), so a re-upload adds nothing; the answer
    carries the terminal's cursor (highest stored ``seq``). Each event is stored against the
    terminal's door with the card's holder and department as the platform knows them now, for
    reports (A4). An event dated over an hour ahead of the platform's clock is 422 ``future_event``
    and nothing is stored."""
    terminal = terminals.terminal_of(db, actor=actor, type=TerminalType.door)
    door = _door_of(db, terminal)
    now = clock.now()
    for i, e in enumerate(events):
        if clock.as_utc(e.at) > now + MAX_CLOCK_AHEAD:
            raise InvalidInput(f"event {i} is dated in the future", code="future_event", details={"index": i})
    unique: dict[int, EventIn] = {}
    for e in events:
        unique.setdefault(e.seq, e)
    stored: set[int] = set()
    seqs = sorted(unique)
    for i in range(0, len(seqs), 500):
        stored.update(db.scalars(select(_events.c.seq).where(_events.c.terminal_id == terminal.id,
                                                             _events.c.seq.in_(seqs[i:i + 500]))))
    new = [unique[s] for s in seqs if s not in stored]
    if new:
        holders = permissions.members_of_cards(db, enterprise_id=terminal.enterprise_id,
                                               card_nos=sorted({e.card_no for e in new}))
        people = member_roster.members_by_ids(db, enterprise_id=terminal.enterprise_id, member_ids=set(holders.values()))
        default_direction = door.direction if door.direction != "both" else None
        rows = []
        for e in new:
            member = people.get(holders.get(e.card_no))
            rows.append({"enterprise_id": terminal.enterprise_id, "door_id": door.id, "terminal_id": terminal.id,
                         "seq": e.seq, "card_no": e.card_no, "member_id": member.id if member else None,
                         "department": member.department if member else None, "at": clock.as_utc(e.at),
                         "allowed": e.allowed, "reason": e.reason, "direction": e.direction or default_direction,
                         "source": OFFLINE, "uploaded_at": now})
        db.execute(_insert(db), rows)
    return EventsOut(accepted=len(new), duplicates=len(events) - len(new), cursor=cursor_of(db, terminal_id=terminal.id))
