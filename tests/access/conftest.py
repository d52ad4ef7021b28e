"""An enterprise with a door, a weekday time zone, an access group and a member whose card holds
an access application, plus a door terminal bound to the door — built through the API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from factories import login, make_card, make_enterprise, make_member
from yikatong.core.clock import SHANGHAI

WEEKDAYS = {"name": "工作日", "periods": [{"weekdays": [1, 2, 3, 4, 5], "start": "08:00", "end": "18:00"},
                                        {"weekdays": [8], "start": "09:00", "end": "12:00"}]}


def bj(y, m, d, hh=0, mm=0, ss=0) -> dt.datetime:
    """A Beijing time."""
    return dt.datetime(y, m, d, hh, mm, ss, tzinfo=SHANGHAI)


@dataclass
class Site:
    client: object
    database: object
    eid: int
    admin_name: str
    admin: dict
    tz: int
    door: int
    group: int
    mid: int
    card_id: int
    card_no: str
    terminal: dict
    terminal_id: int
    extra: dict = field(default_factory=dict)

    def api(self, method: str, path: str, **kw):
        return self.client.request(method, f"/api/v1{path}", headers=kw.pop("headers", self.admin), **kw)

    def decide(self, card_no: str, at: dt.datetime, terminal: dict | None = None):
        r = self.client.post("/api/v1/terminal/access-decisions", headers=terminal or self.terminal,
                             json={"card_no": card_no, "at": at.isoformat()})
        assert r.status_code == 200, r.text
        return r.json()["allowed"], r.json()["reason"]

    def sync(self, params: dict | None = None, terminal: dict | None = None) -> dict:
        r = self.client.get("/api/v1/terminal/sync", headers=terminal or self.terminal, params=params or {})
        assert r.status_code == 200, r.text
        return r.json()

    def add_member_with_card(self, *, name="李四", department="技术部", apps=("access",)) -> tuple[int, int, str]:
        mid = make_member(self.database, enterprise_id=self.eid, name=name, department=department)
        card_id = make_card(self.database, member_id=mid, apps=apps)
        card_no = self.api("GET", f"/cards/{card_id}").json()["card_no"]
        return mid, card_id, card_no

    def door_terminal(self, door_id: int, name="北门终端") -> tuple[dict, int]:
        r = self.api("POST", f"/enterprises/{self.eid}/terminals", json={"type": "door", "name": name,
                                                                         "door_id": door_id})
        assert r.status_code == 201, r.text
        return {"Authorization": f"Bearer {r.json()['token']}"}, r.json()["id"]


def build_site(client, database) -> Site:
    eid, admin_name = make_enterprise(database)
    admin = login(client, admin_name)
    r = client.post(f"/api/v1/enterprises/{eid}/time-zones", headers=admin, json=WEEKDAYS)
    assert r.status_code == 201, r.text
    tz = r.json()["id"]
    r = client.post(f"/api/v1/enterprises/{eid}/doors", headers=admin, json={"name": "东门", "site": "总部大楼"})
    assert r.status_code == 201, r.text
    door = r.json()["id"]
    mid = make_member(database, enterprise_id=eid, name="张三", department="技术部")
    card_id = make_card(database, member_id=mid, apps=("access",))
    card_no = client.get(f"/api/v1/cards/{card_id}", headers=admin).json()["card_no"]
    r = client.post(f"/api/v1/enterprises/{eid}/access-groups", headers=admin,
                    json={"name": "技术部门禁", "door_ids": [door], "time_zone_id": tz, "member_ids": [mid]})
    assert r.status_code == 201, r.text
    group = r.json()["id"]
    r = client.post(f"/api/v1/enterprises/{eid}/terminals", headers=admin,
                    json={"type": "door", "name": "东门终端", "door_id": door})
    assert r.status_code == 201, r.text
    return Site(client, database, eid, admin_name, admin, tz, door, group, mid, card_id, card_no,
                {"Authorization": f"Bearer {r.json()['token']}"}, r.json()["id"])


@pytest.fixture
def site(client, database) -> Site:
    return build_site(client, database)
