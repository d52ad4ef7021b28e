"""A small service desk for the tests: an urban and a suburban enterprise in 杭州, logins for every
desk role, a vendor and an integrator team with engineers."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from factories import login, make_engineer, make_enterprise, make_member, make_team, make_user, unique_phone
from yikatong.core.actor import Role

API = "/api/v1"


@dataclass
class Desk:
    client: object
    database: object
    eid: int
    suburban_eid: int
    phone: str
    member_id: int
    vendor_team: int
    integrator_team: int
    engineers: dict[str, tuple[int, dict]] = field(default_factory=dict)
    h: dict[str, dict] = field(default_factory=dict)  # role name → headers

    def post(self, who: str, path: str, json=None):
        return self.client.post(API + path, headers=self.h[who], json=json)

    def get(self, who: str, path: str, **params):
        return self.client.get(API + path, headers=self.h[who], params=params)

    def create(self, who: str = "l1", **body) -> dict:
        body = {"type": "fault", "category": "terminal", "title": "门禁刷卡无反应", "description": "三号门",
                "channel": "hotline_10086", "enterprise_id": self.eid, "phone": self.phone} | body
        r = self.post(who, "/tickets", {k: v for k, v in body.items() if v is not None})
        assert r.status_code == 201, r.text
        return r.json()

    def act(self, who: str, ticket_id: int, action: str, json=None, status: int = 200) -> dict:
        r = self.post(who, f"/tickets/{ticket_id}/{action}", json)
        assert r.status_code == status, r.text
        return r.json()

    def ticket(self, ticket_id: int, who: str = "op") -> dict:
        r = self.get(who, f"/tickets/{ticket_id}")
        assert r.status_code == 200, r.text
        return r.json()

    def uid(self, name: str) -> int:
        return self.engineers[name][0]

    def onsite(self, who: str = "l2", **body) -> int:
        """An accepted tier-2 fault assigned to the vendor team: ready to dispatch."""
        t = self.create("l2", channel="hotline_400", **body)
        self.act("l2", t["id"], "accept")
        self.act("l2", t["id"], "assign", {})
        return t["id"]


@pytest.fixture
def desk(client, database) -> Desk:
    eid, admin = make_enterprise(database, zone="urban")
    suburban_eid, sub_admin = make_enterprise(database, zone="suburban")
    phone = unique_phone()
    member_id = make_member(database, enterprise_id=eid, phone=phone)
    from factories import make_member_login

    make_member_login(database, phone=phone)
    vendor = make_team(database, kind="vendor")
    integrator = make_team(database, kind="integrator", zones=("urban",))
    d = Desk(client=client, database=database, eid=eid, suburban_eid=suburban_eid, phone=phone,
             member_id=member_id, vendor_team=vendor, integrator_team=integrator)
    for name, role in (("op", Role.operator), ("l1", Role.agent_l1), ("l2", Role.agent_l2),
                       ("tech", Role.tech_support), ("am", Role.account_manager)):
        d.h[name] = login(client, make_user(database, role=role))
    d.h["admin"] = login(client, admin)
    d.h["sub_admin"] = login(client, sub_admin)
    d.h["member"] = login(client, phone)
    for name, skills, on_duty in (("eng_a", ("door", "pos"), True), ("eng_b", ("door",), True),
                                  ("eng_off", ("door", "pos"), False)):
        uid, username = make_engineer(database, team_id=vendor, skills=skills, on_duty=on_duty,
                                      phone=unique_phone())
        d.h[name] = login(client, username)
        d.engineers[name] = (uid, d.h[name])
    uid, username = make_engineer(database, team_id=integrator, skills=("construction",))
    d.h["eng_int"] = login(client, username)
    d.engineers["eng_int"] = (uid, d.h["eng_int"])
    return d
