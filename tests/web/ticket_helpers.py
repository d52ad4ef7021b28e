"""The service desk the ticket page tests work in: an urban enterprise with a member who uses the
portal, another enterprise, a vendor team with two engineers, and a signed-in browser per role."""

from __future__ import annotations

import pytest
from factories import (
    PASSWORD, make_engineer, make_enterprise, make_member, make_member_login, make_team, make_user, unique_phone,
)
from fastapi.testclient import TestClient
from web_helpers import csrf_from

from yikatong.auth import service as auth
from yikatong.core.actor import Channel, Role
from yikatong.servicedesk import service as desk
from yikatong.servicedesk.models import Ticket

TICKETS = "/console/tickets"


class Desk:
    """An urban enterprise in 杭州 with a member (portal login), another enterprise, a vendor team
    with two engineers, and a logged-in browser per role (each its own cookie jar)."""

    def __init__(self, app, database):
        self.app, self.database = app, database
        self.eid, self.admin = make_enterprise(database, name="西湖数智")
        self.other_eid, self.other_admin = make_enterprise(database, name="青山湖制造")
        self.phone = unique_phone()
        make_member(database, enterprise_id=self.eid, name="林晓", phone=self.phone)
        make_member_login(database, phone=self.phone)
        self.team = make_team(database, kind="vendor", name="杭州厂家驻地组")
        self.eng_a, self.eng_a_name = make_engineer(database, team_id=self.team, username="eng_zhou")
        self.eng_b, self.eng_b_name = make_engineer(database, team_id=self.team, username="eng_wu")
        self.users = {role: make_user(database, role=role) for role in
                      (Role.operator, Role.agent_l1, Role.agent_l2, Role.tech_support, Role.account_manager)}
        self._browsers: dict[str, TestClient] = {}

    def browser(self, who: str) -> TestClient:
        """A signed-in client: a role name, "admin", "other_admin", "member", "eng_a" or "eng_b"."""
        if who not in self._browsers:
            username = {"admin": self.admin, "other_admin": self.other_admin, "member": self.phone,
                        "eng_a": self.eng_a_name, "eng_b": self.eng_b_name}.get(who) or self.users[Role(who)]
            c = TestClient(self.app)
            page = c.get("/portal/login" if who == "member" else "/login")
            r = c.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": csrf_from(page.text),
                                       "channel": "portal" if who == "member" else "website"},
                       follow_redirects=False)
            assert r.status_code == 303, r.text
            self._browsers[who] = c
        return self._browsers[who]

    def create(self, who: str = "agent_l1", **kw) -> int:
        """An order recorded through the service (as ``who``), for the member's number by default."""
        values = {"type": "fault", "category": "terminal", "title": "门禁刷卡无反应", "description": "三号门",
                  "channel": "hotline_10086", "enterprise_id": self.eid, "phone": self.phone} | kw
        with self.database.write() as s:
            username = self.users[Role(who)] if who in Role.__members__ else who
            actor = auth.actor_for(auth.find_user(s, username=username), Channel.website)
            return desk.create_ticket(s, actor=actor, **values).id

    def ticket(self, ticket_id: int) -> Ticket:
        with self.database.read() as s:
            t = s.get(Ticket, ticket_id)
            s.expunge(t)
            return t

    def act(self, who: str, ticket_id: int, action: str, base: str = TICKETS, **data):
        c = self.browser(who)
        token = csrf_from(c.get("/portal/tickets" if who == "member" else "/console/audit").text)
        return c.post(f"{base}/{ticket_id}/{action}", data={"csrf_token": token, **data}, follow_redirects=False)


@pytest.fixture
def d(app, database, clock) -> Desk:
    return Desk(app, database)


def on_duty(d: Desk, user_id: int) -> bool:
    with d.database.read() as s:
        return desk.get_engineer(s, user_id=user_id).on_duty


def ok(r, to: str | None = None) -> None:
    assert r.status_code == 303, r.text[:2000]
    if to:
        assert r.headers["location"].startswith(to), r.headers["location"]
