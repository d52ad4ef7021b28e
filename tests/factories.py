"""Builders for test data, through the real services (no shortcuts into tables)."""

from __future__ import annotations

import itertools

from yikatong.auth import service as auth
from yikatong.core.actor import SYSTEM, Role
from yikatong.db import Database
from yikatong.enterprises import flows as enterprise_flows
from yikatong.members import service as members

PASSWORD = "Passw0rd!"
_seq = itertools.count(1)


def unique_phone() -> str:
    return f"139{next(_seq):08d}"


def make_user(db: Database, *, role: Role, username: str | None = None, enterprise_id: int | None = None,
              allowed_channels=None, time_windows=None) -> str:
    username = username or f"{role.value}{next(_seq)}"
    with db.write() as s:
        auth.create_user(s, actor=SYSTEM, username=username, password=PASSWORD, role=role,
                         enterprise_id=enterprise_id, allowed_channels=allowed_channels, time_windows=time_windows)
    return username


def make_enterprise(db: Database, *, code: str | None = None, name: str = "测试企业", zone: str = "urban",
                    admin_username: str | None = None, key_algorithm: str = "3des") -> tuple[int, str]:
    """An enterprise with its admin and its key set (E2); returns (enterprise_id, admin_username)."""
    n = next(_seq)
    admin_username = admin_username or f"admin{n}"
    with db.write() as s:
        e = enterprise_flows.register_enterprise(s, actor=SYSTEM, code=code or f"GC{n:07d}", name=f"{name}{n}",
                                            city="杭州", zone=zone, admin_username=admin_username,
                                            admin_password=PASSWORD, key_algorithm=key_algorithm)
        return e.id, admin_username


def make_member(db: Database, *, enterprise_id: int, name: str = "张三", phone: str | None = None,
                department: str | None = "技术部", staff_no: str | None = None) -> int:
    with db.write() as s:
        m = members.add_member(s, actor=SYSTEM, enterprise_id=enterprise_id, name=name, phone=phone or unique_phone(),
                               staff_no=staff_no, department=department)
        return m.id


def login(client, username: str, password: str = PASSWORD, channel: str | None = None) -> dict[str, str]:
    """Authorization (and channel) headers for ``username``."""
    headers = {"X-Channel": channel} if channel else {}
    r = client.post("/api/v1/auth/token", json={"username": username, "password": password}, headers=headers)
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}", **headers}


def make_card(db: Database, *, member_id: int, kind: str = "rfid_sim", apps: tuple[str, ...] = (),
              mode: str = "ota") -> int:
    """Issue a card to a member and open the named sub-applications of the member's enterprise."""
    from yikatong.cards import service as cards
    from yikatong.cards.models import AppMode, AppType, CardKind
    from yikatong.members.models import Member

    with db.write() as s:
        card = cards.issue_card(s, actor=SYSTEM, member_id=member_id, kind=CardKind(kind))
        enterprise_id = s.get(Member, member_id).enterprise_id
        for app in apps:
            cards.open_application(s, actor=SYSTEM, card_id=card.id, enterprise_id=enterprise_id,
                                   type=AppType(app), mode=AppMode(mode if kind == "rfid_sim" else "local"))
        return card.id


def set_service_password(db: Database, *, phone: str, password: str = "802413") -> str:
    from yikatong.auth import person
    from yikatong.core.actor import Actor, Channel

    with db.write() as s:
        person.set_service_password(s, actor=Actor(user_id=None, username=phone, role=Role.member,
                                                   channel=Channel.portal), new_password=password)
    return password


def make_member_login(db: Database, *, phone: str, password: str = PASSWORD) -> str:
    """A portal login for the person with this number (as if set up through the SMS code)."""
    with db.write() as s:
        auth.create_user(s, actor=SYSTEM, username=phone, password=password, role=Role.member)
    return phone


def make_terminal(client, admin_headers: dict, enterprise_id: int, *, type: str = "pos", name: str = "一号窗口",
                  merchant: str | int | None = None) -> dict[str, str]:
    """Register a terminal through the API; returns its Authorization header."""
    body = {"type": type, "name": name} | ({"merchant": merchant} if merchant is not None else {})
    r = client.post(f"/api/v1/enterprises/{enterprise_id}/terminals", headers=admin_headers, json=body)
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def make_team(db: Database, *, kind: str = "vendor", city: str = "杭州", zones=("urban", "suburban"),
              name: str | None = None) -> int:
    """An on-site service team (S8) covering ``city`` and ``zones``."""
    from yikatong.servicedesk import service as desk

    with db.write() as s:
        return desk.create_team(s, actor=SYSTEM, name=name or f"{kind}团队{next(_seq)}", kind=kind, city=city,
                                zones=list(zones)).id


def make_engineer(db: Database, *, team_id: int, skills=("door", "pos"), on_duty: bool = True,
                  username: str | None = None, phone: str | None = None) -> tuple[int, str]:
    """A field_engineer login on ``team_id``; returns (user id, username)."""
    from yikatong.servicedesk import service as desk

    username = make_user(db, role=Role.field_engineer, username=username)
    with db.write() as s:
        user_id = auth.find_user(s, username=username).id
        desk.set_engineer(s, actor=SYSTEM, user_id=user_id, team_id=team_id, skills=list(skills), on_duty=on_duty,
                          phone=phone)
    return user_id, username


def make_ticket(client, headers: dict, *, type: str = "fault", category: str = "terminal",
                channel: str = "hotline_10086", title: str = "门禁刷卡无反应", enterprise_id: int | None = None,
                phone: str | None = None, **extra) -> dict:
    """Create a work order through the API; returns the 201 body."""
    body = {"type": type, "category": category, "title": title, "description": "客户来电", "channel": channel,
            "enterprise_id": enterprise_id, "phone": phone} | extra
    r = client.post("/api/v1/tickets", headers=headers, json={k: v for k, v in body.items() if v is not None})
    assert r.status_code == 201, r.text
    return r.json()


def make_key_set(db: Database, *, enterprise_id: int, algorithm: str = "3des") -> None:
    """The enterprise's key set (E2) in the given profile, as an operator would create it."""
    from yikatong.keys import service as keys

    with db.write() as s:
        keys.ensure_enterprise_keys(s, actor=SYSTEM, enterprise_id=enterprise_id, algorithm=algorithm)
