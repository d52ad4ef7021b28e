"""The personal portal: a one-time code by SMS to set the portal password, then the member's own
service password (X3)."""

from __future__ import annotations

import re

from sqlalchemy import select

from factories import login, make_enterprise, make_member, make_member_login


def _last_code(database, phone):
    from yikatong.notify.models import SmsMessage

    with database.read() as s:
        texts = [m.text for m in s.scalars(select(SmsMessage).where(SmsMessage.phone == phone).order_by(SmsMessage.id))]
    return re.search(r"\b(\d{6})\b", texts[-1]).group(1) if texts else None


def test_portal_password_set_with_the_sms_code_then_login(client, database, clock):
    eid, _ = make_enterprise(database)
    make_member(database, enterprise_id=eid, name="李雷", phone="13800000021")
    assert client.post("/api/v1/portal/code", json={"phone": "138 0000 0021"}).status_code == 202
    code = _last_code(database, "13800000021")
    assert code is not None
    wrong = client.post("/api/v1/portal/password", json={"phone": "13800000021", "code": "000000" if code != "000000" else "111111",
                                                         "password": "Portal-pass-1"})
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "wrong_code"
    r = client.post("/api/v1/portal/password", json={"phone": "13800000021", "code": code, "password": "Portal-pass-1"})
    assert r.status_code == 204
    token = client.post("/api/v1/auth/token", json={"username": "13800000021", "password": "Portal-pass-1"}).json()
    assert token["role"] == "member"
    reused = client.post("/api/v1/portal/password", json={"phone": "13800000021", "code": code, "password": "Other-pass-2"})
    assert reused.status_code == 403 and reused.json()["error"]["code"] == "code_expired"


def test_portal_code_for_a_stranger_sends_nothing_but_answers_the_same(client, database):
    r = client.post("/api/v1/portal/code", json={"phone": "13900000099"})
    assert r.status_code == 202
    assert _last_code(database, "13900000099") is None
    assert client.post("/api/v1/portal/code", json={"phone": "12345"}).status_code == 422


def test_portal_code_is_rate_limited_and_expires(client, database, clock):
    eid, _ = make_enterprise(database)
    make_member(database, enterprise_id=eid, phone="13800000022")
    client.post("/api/v1/portal/code", json={"phone": "13800000022"})
    r = client.post("/api/v1/portal/code", json={"phone": "13800000022"})
    assert r.status_code == 429 and r.json()["error"]["code"] == "code_recently_sent"
    code = _last_code(database, "13800000022")
    clock.advance(minutes=11)
    r = client.post("/api/v1/portal/password", json={"phone": "13800000022", "code": code, "password": "Portal-pass-1"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "code_expired"


def test_r_x3_member_sets_and_changes_the_service_password(client, database):
    eid, _ = make_enterprise(database)
    make_member(database, enterprise_id=eid, phone="13800000023")
    make_member_login(database, phone="13800000023")
    me = login(client, "13800000023", channel="portal")
    for weak in ("123456", "000000", "654321", "12345", "abcdef"):
        assert client.put("/api/v1/me/service-password", headers=me, json={"new_password": weak}).status_code == 422
    assert client.put("/api/v1/me/service-password", headers=me, json={"new_password": "802413"}).status_code == 204
    r = client.put("/api/v1/me/service-password", headers=me, json={"new_password": "913524"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "service_password_required"
    r = client.put("/api/v1/me/service-password", headers=me, json={"new_password": "913524", "old_password": "802413"})
    assert r.status_code == 204
