"""An enterprise with an attendance terminal and members holding cards with the attendance
sub-application, and helpers to punch and read the sheet through the API (A3)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from factories import login, make_card, make_enterprise, make_member, make_terminal
from yikatong.core import clock as clock_module
from yikatong.core.clock import SHANGHAI, FixedClock

API = "/api/v1"


def beijing(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture
def clock():
    """Starts on Sunday 2026-03-01 09:00 Beijing, before the test's members join (they join that day)."""
    fixed = FixedClock(beijing("2026-03-01T09:00:00"))
    previous = clock_module.set_clock(fixed)
    yield fixed
    clock_module.set_clock(previous)


@dataclass
class Office:
    client: object
    eid: int
    admin_name: str
    terminal: dict
    people: list[tuple[int, str]] = field(default_factory=list)  # (member id, card number)

    @property
    def admin(self) -> dict:
        # A fresh login each time: tests move the clock by days, past a console token's lifetime.
        return login(self.client, self.admin_name)

    @property
    def mid(self) -> int:
        return self.people[0][0]

    @property
    def card_no(self) -> str:
        return self.people[0][1]

    def shift(self, **body) -> dict:
        body = {"name": "白班", "weekdays": [1, 2, 3, 4, 5], "start": "09:00", "end": "18:00", "grace_minutes": 5,
                "member_ids": [self.mid]} | body
        r = self.client.post(f"{API}/enterprises/{self.eid}/shifts", headers=self.admin, json=body)
        assert r.status_code == 201, r.text
        return r.json()

    def upload(self, *times: str, card_no: str | None = None, rejected: bool = False) -> dict:
        records = [{"card_no": card_no or self.card_no, "at": t} for t in times]
        r = self.client.post(f"{API}/terminal/clock-records", headers=self.terminal, json={"records": records})
        assert r.status_code == 200, r.text
        assert rejected or r.json()["rejected"] == [], r.text
        return r.json()

    def sheet(self, month: str = "2026-03", **params) -> dict:
        r = self.client.get(f"{API}/enterprises/{self.eid}/attendance", headers=self.admin,
                            params={"month": month} | params)
        assert r.status_code == 200, r.text
        return r.json()

    def member(self, member_id: int | None = None, month: str = "2026-03") -> dict:
        mid = member_id or self.mid
        return next(i for i in self.sheet(month)["items"] if i["member_id"] == mid)

    def day(self, date: str, member_id: int | None = None) -> dict:
        return next(d for d in self.member(member_id, month=date[:7])["days"] if d["date"] == date)


def make_office(client, database, *, people: int = 1, departments: tuple[str | None, ...] = ("技术部",),
                names: tuple[str, ...] = ("张三", "李四", "王五", "赵六")) -> Office:
    eid, admin_name = make_enterprise(database)
    admin = login(client, admin_name)
    terminal = make_terminal(client, admin, eid, type="attendance", name="前台考勤机")
    office = Office(client, eid, admin_name, terminal)
    for i in range(people):
        mid = make_member(database, enterprise_id=eid, name=names[i % len(names)],
                          department=departments[i % len(departments)])
        card_id = make_card(database, member_id=mid, apps=("attendance",))
        card_no = client.get(f"{API}/cards/{card_id}", headers=admin).json()["card_no"]
        office.people.append((mid, card_no))
    return office
