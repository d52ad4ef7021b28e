"""The replay of the access and attendance demo (demo_access.py): last month and this month so far,
day by day, as the terminals would have lived them. Each door terminal syncs (``terminals.sync``)
and decides offline with the reference implementation (``access.door.DoorTerminal``); the last few
swipes before now are decided online (``access.decisions.decide_online``); door logs and clock
records (``attendance.records.upload``) are uploaded on Sunday nights and at the end — weekly
rather than daily, and few online decisions, to keep `ykt demo` quick. The clock is moved by hand
(as in demo_desk.py), so upload times, sync times and audit entries are those of the day replayed.

The people: most work a fixed day shift, the night department an overnight one, the flexible
department flexible hours; each has a propensity to be late; a few are absent, forget a punch or
leave early; some try doors they may not open, swipe twice at the anti-passback entrance, or come
in at the weekend; a found lost card is tried at the gate now and then."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from yikatong.access import decisions as access_decisions
from yikatong.access.door import DoorTerminal
from yikatong.access.schemas import EventIn
from yikatong.attendance import records as clock_records
from yikatong.attendance.schemas import ClockRecordIn
from yikatong.core import clock
from yikatong.core.actor import Actor
from yikatong.terminals import sync as terminal_sync

if TYPE_CHECKING:
    from yikatong.demo_access import Layout

# What the demo's departments do: shifts, doors and behaviour follow these.
WEEKDAYS = [1, 2, 3, 4, 5]
NIGHT_DEPARTMENT = "生产部"
FLEXIBLE_DEPARTMENT = "技术研发部"
DUTY_DEPARTMENT = "后勤保障部"  # on duty at weekends and holidays
GUARDS = "安全保卫部"


def beijing(day: dt.date, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), clock.SHANGHAI) + dt.timedelta(hours=hour, minutes=minute,
                                                                              seconds=second)


@dataclass
class Person:
    member_id: int
    department: str | None
    card_no: str
    lateness: float  # the chance of arriving late on a working day
    weekend: bool = False  # works the Saturday shift only (see demo_access._set_up)


@dataclass
class Premises:
    """One enterprise as replayed: its devices (a DoorTerminal per door), people and calendar."""

    enterprise_id: int
    layout: Layout
    door_actors: dict[str, Actor]
    devices: dict[str, DoorTerminal]
    attendance_actor: Actor
    people: list[Person]
    calendar: dict[dt.date, tuple[str, int]]  # date -> (kind, as_weekday)
    lost_cards: list[str]
    picked: set[int]
    swipes: list[tuple[dt.datetime, str, str]] = field(default_factory=list)  # (at, door key, card)
    punches: list[tuple[dt.datetime, str]] = field(default_factory=list)


def replay(db: Session, places: list[Premises], rng: random.Random, *, first: dt.date, real: dt.datetime) -> None:
    """Every day from the day before ``first`` (its night shift reaches into the month) to now."""
    today = clock.local(real).date()
    fixed = clock.FixedClock(beijing(first - dt.timedelta(days=2), 0, 5))
    previous = clock.set_clock(fixed)
    try:
        for place in places:
            sync_doors(db, place)
        day = first - dt.timedelta(days=1)
        while day <= today:
            for place in places:
                _plan_day(place, rng, day)
            evening = min(beijing(day, 23, 50), real)
            fixed.set(evening)
            for place in places:
                # The doors decide as the day goes; the devices upload on Sunday nights (and today).
                _run_doors_offline(db, place, until=evening if day < today else _online_from(place, real),
                                   upload=day.isoweekday() == 7 or day == today)
                if day.isoweekday() == 7 or day == today:
                    _upload_punches(db, place, until=evening)
            day += dt.timedelta(days=1)
        for place in places:
            _run_doors_online(db, place, until=real)
    finally:
        clock.set_clock(previous)
    for place in places:  # the devices' last sync is now, as for terminals in service
        sync_doors(db, place)


def sync_doors(db: Session, place: Premises) -> None:
    """Each door terminal's GET /terminal/sync, from the versions it holds (T3)."""
    for key, device in place.devices.items():
        answer = terminal_sync.sync(db, actor=place.door_actors[key], blacklist_version=device.blacklist_version,
                                    parameters_version=device.parameters_version,
                                    permissions_version=device.permissions_version)
        device.apply_sync(answer.model_dump(mode="json"))


def _working(place: Premises, day: dt.date) -> bool:
    kind, as_weekday = place.calendar.get(day, ("", day.isoweekday()))
    return kind != "holiday" and as_weekday in WEEKDAYS


def _minutes(rng: random.Random, low: int, high: int) -> dt.timedelta:
    """A random span from ``low`` minutes (inclusive) to ``high`` (exclusive), to the second: with a
    grace of 5 minutes, up to +5:59 is on time."""
    return dt.timedelta(seconds=rng.randrange(low * 60, high * 60))


def _times(rng: random.Random, person: Person, day: dt.date) -> tuple[dt.datetime, dt.datetime, bool]:
    """Arrival and departure at the clock (Beijing): mostly on time, sometimes late or leaving
    early; and whether they went in by the restricted door on the way."""
    late = rng.random() < person.lateness
    early = rng.random() < 0.03
    if person.department == NIGHT_DEPARTMENT:
        start = beijing(day, 22)
        arrive = start + (_minutes(rng, 6, 40) if late else _minutes(rng, -30, 5))
        leave = start + dt.timedelta(hours=8) + (-_minutes(rng, 10, 60) if early else _minutes(rng, 0, 40))
    elif person.department == FLEXIBLE_DEPARTMENT:
        arrive = beijing(day, 8, 10) + _minutes(rng, 0, 140)
        worked = _minutes(rng, 360, 450) if early else _minutes(rng, 485, 560)
        leave = min(arrive + worked, beijing(day, 19, 50))
    else:
        start = beijing(day, 9)
        arrive = start + (_minutes(rng, 6, 45) if late else _minutes(rng, -38, 6))
        leave = beijing(day, 18) + (-_minutes(rng, 5, 70) if early else _minutes(rng, 0, 90))
    return arrive, leave, rng.random() < 0.6


def _plan_day(place: Premises, rng: random.Random, day: dt.date) -> None:
    """The day's swipes at the doors and punches at the attendance terminal."""
    swipe, punch = place.swipes.append, place.punches.append
    restricted = place.layout.restricted_department
    working = _working(place, day)
    saturday = place.calendar.get(day, ("", day.isoweekday())) == ("", 6)
    for person in place.people:
        if person.weekend:
            if saturday:  # their door swipes are left out
                punch((beijing(day, 8, 45) + _minutes(rng, 0, 20), person.card_no))
                punch((beijing(day, 17) + _minutes(rng, 0, 30), person.card_no))
            continue
        if person.department == DUTY_DEPARTMENT and not working and rng.random() < 0.3:
            start = beijing(day, 9) + _minutes(rng, 5, 60)  # weekend duty: doors only, no shift
            swipe((start, "gate_in", person.card_no))
            swipe((start + _minutes(rng, 240, 420), "gate_out", person.card_no))
            continue
        if not working:
            if rng.random() < 0.01:  # came in at the weekend anyway: the gate stays shut
                swipe((beijing(day, 10) + _minutes(rng, 0, 300), "gate_in", person.card_no))
            continue
        if rng.random() < 0.025:
            continue  # absent
        arrive, leave, via_restricted = _times(rng, person, day)
        missing = rng.random()
        if missing >= 0.015:
            punch((arrive, person.card_no))
        if missing < 0.015 or missing >= 0.03:
            punch((leave, person.card_no))
        swipe((arrive - _minutes(rng, 1, 6), "gate_in", person.card_no))
        if rng.random() < 0.01:  # swiped twice to let a visitor through: refused the second time
            swipe((arrive - _minutes(rng, 0, 1), "gate_in", person.card_no))
        swipe((leave + _minutes(rng, 1, 5), "gate_out", person.card_no))
        if person.department == restricted and via_restricted:
            swipe((arrive + _minutes(rng, 5, 60), "restricted", person.card_no))
        if person.member_id in place.picked and rng.random() < 0.7:
            swipe((arrive + _minutes(rng, 60, 300), "picked", person.card_no))
    if working:
        outsiders = [p for p in place.people if p.department not in (restricted, GUARDS)]
        for person in rng.sample(outsiders, k=min(len(outsiders), rng.randrange(1, 4))):
            swipe((beijing(day, 10) + _minutes(rng, 0, 420), "restricted", person.card_no))
    if place.lost_cards and rng.random() < 0.15:
        swipe((beijing(day, 8, 30) + _minutes(rng, 0, 60), "gate_in", rng.choice(place.lost_cards)))


def _take(items: list, until: dt.datetime) -> list:
    """Remove and return the items (tuples led by a time) up to ``until``, in time order."""
    items.sort()
    cut = next((i for i, item in enumerate(items) if item[0] > until), len(items))
    due = items[:cut]
    del items[:cut]
    return due


def _upload_punches(db: Session, place: Premises, *, until: dt.datetime) -> None:
    """The attendance terminal's records up to ``until``, in batches of 500. The batches go card by
    card: the upload looks each card of a batch up, so fewer cards per batch keep the demo fast."""
    due = sorted(_take(place.punches, until), key=lambda punch: (punch[1], punch[0]))
    for i in range(0, len(due), 500):
        batch = [ClockRecordIn(card_no=card_no, at=at) for at, card_no in due[i:i + 500]]
        clock_records.upload(db, actor=place.attendance_actor, records=batch)


def _run_doors_offline(db: Session, place: Premises, *, until: dt.datetime, upload: bool) -> None:
    """The swipes up to ``until`` decided by each door terminal on its own (A2); with ``upload``
    the devices then upload their logs."""
    for at, key, card_no in _take(place.swipes, until):
        place.devices[key].decide(card_no, at)
    if not upload:
        return
    for key, device in place.devices.items():
        while pending := device.pending_events():
            answer = access_decisions.upload_events(db, actor=place.door_actors[key],
                                                    events=[EventIn.model_validate(e) for e in pending])
            device.acknowledge(answer.model_dump())


ONLINE_SWIPES = 20  # each online decision re-derives the card's permissions: keep the demo quick


def _online_from(place: Premises, until: dt.datetime) -> dt.datetime:
    """Today's swipes before this time are decided offline, the last few before ``until`` online."""
    due = sorted(s for s in place.swipes if s[0] <= until)
    return due[-ONLINE_SWIPES][0] - dt.timedelta(microseconds=1) if len(due) >= ONLINE_SWIPES else \
        dt.datetime.min.replace(tzinfo=dt.UTC)


def _run_doors_online(db: Session, place: Premises, *, until: dt.datetime) -> None:
    """The last swipes before now, decided by the platform as they happen (the terminals are online)."""
    due = _take(place.swipes, until)
    fixed = clock.FixedClock(until)
    previous = clock.set_clock(fixed)
    try:
        for at, key, card_no in due:
            fixed.set(at)
            access_decisions.decide_online(db, actor=place.door_actors[key], card_no=card_no, at=at)
    finally:
        clock.set_clock(previous)
    place.swipes.clear()  # later today's: not happened yet
