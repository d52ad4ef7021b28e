"""Demo data of door access and attendance for `ykt demo`. Each demo enterprise gets a site with
anti-passback and a second one, four doors (an entrance in and out, a department's room, a room
for named people), weekly time zones, access groups by department and a hand-picked one, a door
terminal per door and an attendance terminal; the year's public holidays with their 调休 workdays
and a company day off made up on a Saturday; shifts (a fixed day shift, an overnight one, a
flexible one, and a Saturday shift for the person who works at both enterprises). All of it goes
through the access, attendance and terminals services, as an admin would set it up. Then last
month and this month so far are replayed through the terminals' services (demo_access_replay.py).

Members must have joined before the months shown (the sheet skips the days before a member was
added): demo.py registers the enterprises, their staff and cards under
``backdated(signed_up_at())``."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.orm import Session

from yikatong.access import service as access
from yikatong.access.door import DoorTerminal
from yikatong.attendance import calendar as attendance_calendar
from yikatong.attendance import shifts as attendance_shifts
from yikatong.auth import service as auth
from yikatong.cards import service as cards
from yikatong.cards.models import CardStatus
from yikatong.core import clock
from yikatong.core.actor import SYSTEM, Actor, Channel
from yikatong.core.pagination import PageParams
from yikatong.demo_access_replay import (
    DUTY_DEPARTMENT, FLEXIBLE_DEPARTMENT, GUARDS, NIGHT_DEPARTMENT, WEEKDAYS, Person, Premises, beijing, replay,
)
from yikatong.enterprises import service as enterprises
from yikatong.members import service as members
from yikatong.terminals import service as terminals

# The State Council's published schedules (国务院办公厅关于部分节假日安排的通知): the days off, and
# the weekend days worked instead (调休上班). Years not yet published are left out.
PUBLIC_HOLIDAYS: dict[int, tuple[tuple[str, str, str], ...]] = {
    2025: (("元旦", "01-01", "01-01"), ("春节", "01-28", "02-04"), ("清明节", "04-04", "04-06"),
           ("劳动节", "05-01", "05-05"), ("端午节", "05-31", "06-02"), ("国庆节、中秋节", "10-01", "10-08")),
    2026: (("元旦", "01-01", "01-03"), ("春节", "02-15", "02-23"), ("清明节", "04-04", "04-06"),
           ("劳动节", "05-01", "05-05"), ("端午节", "06-19", "06-21"), ("中秋节", "09-25", "09-27"),
           ("国庆节", "10-01", "10-07")),
}
MAKE_UP_WORKDAYS: dict[int, tuple[tuple[str, str], ...]] = {
    2025: (("春节调休上班", "01-26"), ("春节调休上班", "02-08"), ("劳动节调休上班", "04-27"),
           ("国庆节调休上班", "09-28"), ("国庆节调休上班", "10-11")),
    2026: (("元旦调休上班", "01-04"), ("春节调休上班", "02-14"), ("春节调休上班", "02-28"),
           ("劳动节调休上班", "05-09"), ("国庆节调休上班", "09-20"), ("国庆节调休上班", "10-10")),
}

TIME_ZONES = {
    "工作日": [{"weekdays": WEEKDAYS, "start": "08:00", "end": "20:00"}],
    "全天": [{"weekdays": [1, 2, 3, 4, 5, 6, 7, 8], "start": "00:00", "end": "24:00"}],
    "周末及节假日值班": [{"weekdays": [6, 7, 8], "start": "09:00", "end": "17:00"}],
}


@dataclass(frozen=True)
class Layout:
    """One enterprise's premises. Door keys: gate_in / gate_out (the anti-passback site's entrance),
    restricted (a department's own room), picked (a room for named people, at the other site)."""

    site: str
    other_site: str
    doors: dict[str, str]
    restricted_department: str
    picked_departments: tuple[str, ...]
    company_day: str


LAYOUTS = (
    Layout("园区 A 栋", "园区 B 栋",
           {"gate_in": "A 栋大门（进）", "gate_out": "A 栋大门（出）", "restricted": "研发实验室",
            "picked": "财务室"},
           restricted_department=FLEXIBLE_DEPARTMENT, picked_departments=("财务部", "行政部"),
           company_day="公司年会"),
    Layout("厂区", "仓储区",
           {"gate_in": "厂区东门（进）", "gate_out": "厂区东门（出）", "restricted": "生产车间",
            "picked": "成品仓库"},
           restricted_department=NIGHT_DEPARTMENT, picked_departments=(DUTY_DEPARTMENT, "财务部"),
           company_day="厂庆日"),
)
DIRECTIONS = {"gate_in": "in", "gate_out": "out"}


def signed_up_at(now: dt.datetime | None = None) -> dt.datetime:
    """When the demo enterprises signed up and registered their staff: the 10th of the month before
    the two months replayed (10:00 Beijing), so both months' sheets are whole."""
    first = _first_replayed_day(clock.local(now or clock.now()).date())
    month_before = (first - dt.timedelta(days=1)).replace(day=10)
    return dt.datetime.combine(month_before, dt.time(10), clock.SHANGHAI).astimezone(dt.UTC)


@contextmanager
def backdated(at: dt.datetime) -> Iterator[None]:
    """Run the block with the clock standing at ``at`` (the services stamp what they create with it)."""
    previous = clock.set_clock(clock.FixedClock(at))
    try:
        yield
    finally:
        clock.set_clock(previous)


def _first_replayed_day(today: dt.date) -> dt.date:
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def seed_access_attendance(db: Session, *, enterprise_ids: list[int], seed_value: int = 2009
                           ) -> list[tuple[str, str, str]]:
    """The access and attendance demo data (see the module docstring) of each enterprise. Returns
    each enterprise's entrance door terminal token (role, name, token), for trying the terminal API."""
    rng = random.Random(seed_value)
    real = clock.now()
    today = clock.local(real).date()
    first = _first_replayed_day(today)
    logins: list[tuple[str, str, str]] = []
    places = []
    taken: set[str] = set()  # a person in two enterprises works at the first one
    # Everything is set up before the first replayed day, as an admin would have.
    with backdated(beijing(first - dt.timedelta(days=3), 10)):
        for n, enterprise_id in enumerate(enterprise_ids):
            place, token = _set_up(db, rng, enterprise_id, LAYOUTS[n % len(LAYOUTS)], first, today, taken)
            places.append(place)
            short = enterprises.get_enterprise(db, actor=SYSTEM, enterprise_id=enterprise_id).name[:4]
            logins.append(("door terminal token", f"{short}·{place.layout.doors['gate_in']}", token))
    replay(db, places, rng, first=first, real=real)
    return logins


def _terminal_actor(db: Session, terminal) -> Actor:
    return auth.actor_for(auth.get_user(db, user_id=terminal.user_id), Channel.terminal)


def _set_up(db: Session, rng: random.Random, enterprise_id: int, layout: Layout, first: dt.date, today: dt.date,
            taken: set[str]) -> tuple[Premises, str]:
    access.create_site(db, actor=SYSTEM, enterprise_id=enterprise_id, name=layout.site, anti_passback=True)
    sites = {"picked": layout.other_site}
    doors = {key: access.create_door(db, actor=SYSTEM, enterprise_id=enterprise_id, name=name,
                                     site=sites.get(key, layout.site), direction=DIRECTIONS.get(key, "both"))
             for key, name in layout.doors.items()}
    zones = {name: access.create_time_zone(db, actor=SYSTEM, enterprise_id=enterprise_id, name=name, periods=periods)
             for name, periods in TIME_ZONES.items()}
    staff = members.search_members(db, actor=SYSTEM, enterprise_id=enterprise_id,
                                   page=PageParams(limit=10_000, offset=0)).items
    departments = sorted({m.department for m in staff if m.department})
    people, lost, weekenders = [], [], []
    for member in staff:
        card = cards.live_card_of_phone(db, phone=member.phone)
        if card is None:
            continue
        if card.card_no in taken:
            # A member of an earlier enterprise too: works there in the week and here on Saturdays,
            # under a shift of their own (which overrides their department's).
            weekenders.append(Person(member.id, member.department, card.card_no, 0.02, weekend=True))
            continue
        if card.status == CardStatus.lost.value:
            lost.append(card.card_no)  # found by someone, tried at the gate now and then
            continue
        taken.add(card.card_no)
        lateness = rng.choices((0.02, 0.08, 0.25), weights=(6, 3, 1))[0]
        people.append(Person(member.id, member.department, card.card_no, lateness))
    picked = [p.member_id for p in people if p.department in layout.picked_departments][:4]
    day_staff = [d for d in departments if d != NIGHT_DEPARTMENT]
    ids = {key: door.id for key, door in doors.items()}
    gates = [ids["gate_in"], ids["gate_out"]]
    groups = (
        ("全员通行", gates, "工作日", {"departments": day_staff}),
        (f"{NIGHT_DEPARTMENT}夜班通行", gates, "全天", {"departments": [NIGHT_DEPARTMENT]}),
        (f"{layout.doors['restricted']}（{layout.restricted_department}）", [ids["restricted"]],
         "全天" if layout.restricted_department == NIGHT_DEPARTMENT else "工作日",
         {"departments": [layout.restricted_department]}),
        (f"{layout.doors['picked']}（指定人员）", [ids["picked"]], "工作日", {"member_ids": picked}),
        (f"{DUTY_DEPARTMENT}值班", gates, "周末及节假日值班", {"departments": [DUTY_DEPARTMENT]}),
        (f"{GUARDS}全天巡查", list(ids.values()), "全天", {"departments": [GUARDS]}),
    )
    for name, door_ids, zone, who in groups:
        access.create_group(db, actor=SYSTEM, enterprise_id=enterprise_id, name=name, time_zone_id=zones[zone].id,
                            door_ids=door_ids, **who)
    actors, devices, tokens = {}, {}, {}
    for key, door in doors.items():
        terminal, tokens[key] = terminals.register_terminal(db, actor=SYSTEM, enterprise_id=enterprise_id,
                                                            type="door", name=f"{door.name}读头", door_id=door.id)
        actors[key], devices[key] = _terminal_actor(db, terminal), DoorTerminal()
    clock_in, _ = terminals.register_terminal(db, actor=SYSTEM, enterprise_id=enterprise_id, type="attendance",
                                              name=f"{layout.site}大堂考勤机")
    calendar = _seed_calendar(db, enterprise_id, layout, first, today)
    _seed_shifts(db, enterprise_id, departments, weekenders=[p.member_id for p in weekenders])
    return Premises(enterprise_id=enterprise_id, layout=layout, door_actors=actors, devices=devices,
                    attendance_actor=_terminal_actor(db, clock_in), people=people + weekenders, calendar=calendar,
                    lost_cards=lost, picked=set(picked)), tokens["gate_in"]


def _seed_calendar(db: Session, enterprise_id: int, layout: Layout, first: dt.date, today: dt.date
                   ) -> dict[dt.date, tuple[str, int]]:
    """This year's (and, in January, last year's) public holidays with their 调休 workdays, and a
    company day off on the third Friday of the first replayed month, made up the Saturday before
    (worked as a Friday)."""
    days: dict[dt.date, tuple[str, str, int | None]] = {}
    for year in sorted({first.year, today.year}):
        for name, start, end in PUBLIC_HOLIDAYS.get(year, ()):
            day, last = dt.date.fromisoformat(f"{year}-{start}"), dt.date.fromisoformat(f"{year}-{end}")
            while day <= last:
                days[day] = ("holiday", name, None)
                day += dt.timedelta(days=1)
        for name, on in MAKE_UP_WORKDAYS.get(year, ()):
            days[dt.date.fromisoformat(f"{year}-{on}")] = ("workday", name, 1)
    fridays = [first + dt.timedelta(days=i) for i in range(28) if (first + dt.timedelta(days=i)).isoweekday() == 5]
    company = fridays[2]
    if company not in days and company - dt.timedelta(days=6) not in days:
        days[company] = ("holiday", layout.company_day, None)
        days[company - dt.timedelta(days=6)] = ("workday", f"{layout.company_day}调休上班", 5)
    for day, (kind, name, as_weekday) in sorted(days.items()):
        attendance_calendar.add_holiday(db, actor=SYSTEM, enterprise_id=enterprise_id, day=day, kind=kind,
                                        name=name, as_weekday=as_weekday)
    return {day: (kind, as_weekday or 1) for day, (kind, _, as_weekday) in days.items()}


def _seed_shifts(db: Session, enterprise_id: int, departments: list[str], *, weekenders: list[int]) -> None:
    day_departments = [d for d in departments if d not in (NIGHT_DEPARTMENT, FLEXIBLE_DEPARTMENT)]
    attendance_shifts.create_shift(db, actor=SYSTEM, enterprise_id=enterprise_id, name="标准班", kind="fixed",
                                   weekdays=WEEKDAYS, start="09:00", end="18:00", grace_minutes=5,
                                   departments=day_departments)
    attendance_shifts.create_shift(db, actor=SYSTEM, enterprise_id=enterprise_id, name="夜班", kind="fixed",
                                   weekdays=WEEKDAYS, start="22:00", end="06:00", grace_minutes=5,
                                   departments=[NIGHT_DEPARTMENT])
    attendance_shifts.create_shift(db, actor=SYSTEM, enterprise_id=enterprise_id, name="弹性班", kind="flexible",
                                   weekdays=WEEKDAYS, start="08:00", end="20:00", required_minutes=480,
                                   early_leave_grace_minutes=10, departments=[FLEXIBLE_DEPARTMENT])
    if weekenders:
        attendance_shifts.create_shift(db, actor=SYSTEM, enterprise_id=enterprise_id, name="周六班", kind="fixed",
                                       weekdays=[6], start="09:00", end="17:00", grace_minutes=5,
                                       member_ids=weekenders)
