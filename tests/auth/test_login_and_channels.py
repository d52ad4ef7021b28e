"""Logins, lockout, tokens, and X1: channels and time windows."""

from __future__ import annotations

import datetime as dt

from factories import PASSWORD, login, make_user
from yikatong.core.actor import Role


def test_r_x1_token_shape_and_me(client, database):
    make_user(database, role=Role.operator, username="op1")
    r = client.post("/api/v1/auth/token", json={"username": "op1", "password": PASSWORD})
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "bearer" and body["role"] == "operator" and body["enterprise_id"] is None
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200 and me.json()["username"] == "op1"


def test_wrong_password_is_401_with_error_shape(client, database):
    make_user(database, role=Role.operator, username="op2")
    r = client.post("/api/v1/auth/token", json={"username": "op2", "password": "wrong-pass"})
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "invalid_credentials"
    r = client.post("/api/v1/auth/token", json={"username": "nobody", "password": "wrong-pass"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_credentials"


def test_lockout_after_repeated_failures_then_unlocks(client, database, clock):
    make_user(database, role=Role.operator, username="op3")
    for _ in range(5):
        assert client.post("/api/v1/auth/token", json={"username": "op3", "password": "bad-guess"}).status_code == 401
    r = client.post("/api/v1/auth/token", json={"username": "op3", "password": PASSWORD})
    assert r.status_code == 403 and r.json()["error"]["code"] == "account_locked"
    clock.advance(minutes=16)
    assert client.post("/api/v1/auth/token", json={"username": "op3", "password": PASSWORD}).status_code == 200


def test_requests_without_or_with_bad_token_are_401(client, database):
    assert client.get("/api/v1/auth/me").json()["error"]["code"] == "not_authenticated"
    r = client.get("/api/v1/auth/me", headers={"Authorization": "Bearer ykt_forged"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_token"
    r = client.get("/api/v1/auth/me", headers={"Authorization": "Basic abc"})
    assert r.status_code == 401


def test_logout_revokes_the_token(client, database):
    make_user(database, role=Role.operator, username="op4")
    headers = login(client, "op4")
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_token_expires(client, database, clock):
    make_user(database, role=Role.operator, username="op5")
    headers = login(client, "op5")
    clock.advance(hours=13)
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_r_x1_user_bound_to_hall_is_refused_through_other_channels(client, database):
    make_user(database, role=Role.agent_l1, username="clerk", allowed_channels=["hall"])
    r = client.post("/api/v1/auth/token", json={"username": "clerk", "password": PASSWORD})
    assert r.status_code == 403 and r.json()["error"]["code"] == "channel_not_allowed"
    headers = login(client, "clerk", channel="hall")
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    other = {**headers, "X-Channel": "website"}
    r = client.get("/api/v1/auth/me", headers=other)
    assert r.status_code == 403 and r.json()["error"]["code"] == "channel_not_allowed"


def test_r_x1_time_window_refuses_outside_business_hours(client, database, clock):
    # The clock starts on Monday 2026-03-02 10:00 Beijing time.
    make_user(database, role=Role.agent_l1, username="dayclerk", allowed_channels=["hall"],
              time_windows=[{"weekdays": [1, 2, 3, 4, 5], "start": "09:00", "end": "17:30"}])
    headers = login(client, "dayclerk", channel="hall")
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    clock.set(dt.datetime(2026, 3, 2, 17, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))))  # end is exclusive
    r = client.get("/api/v1/auth/me", headers=headers)
    assert r.status_code == 403 and r.json()["error"]["code"] == "outside_time_window"
    clock.set(dt.datetime(2026, 3, 7, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))  # Saturday
    r = client.post("/api/v1/auth/token", json={"username": "dayclerk", "password": PASSWORD},
                    headers={"X-Channel": "hall"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "outside_time_window"


def test_r_x1_unknown_channel_is_422(client, database):
    make_user(database, role=Role.operator, username="op6")
    r = client.post("/api/v1/auth/token", json={"username": "op6", "password": PASSWORD},
                    headers={"X-Channel": "carrier-pigeon"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_channel"
    r = client.post("/api/v1/auth/token", json={"username": "op6", "password": PASSWORD},
                    headers={"X-Channel": "system"})
    assert r.status_code == 422


def test_r_x1_operator_binds_a_user_to_channels_and_it_is_audited(client, database, clock):
    make_user(database, role=Role.operator, username="op7")
    make_user(database, role=Role.agent_l1, username="agent7")
    op = login(client, "op7")
    agent_id = client.get("/api/v1/auth/me", headers=login(client, "agent7")).json()["id"]
    body = {"allowed_channels": ["hotline"], "time_windows": [{"weekdays": [1, 2, 3, 4, 5, 6, 7],
                                                                "start": "20:00", "end": "08:00"}]}
    r = client.put(f"/api/v1/users/{agent_id}/channels", json=body, headers=op)
    assert r.status_code == 200 and r.json()["allowed_channels"] == ["hotline"]
    r = client.post("/api/v1/auth/token", json={"username": "agent7", "password": PASSWORD},
                    headers={"X-Channel": "hotline"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "outside_time_window"  # 10:00, night shift only
    trail = client.get("/api/v1/audit", params={"entity_type": "user", "entity_id": str(agent_id),
                                                "action": "user.channels"}, headers=op).json()
    assert trail["total"] == 1 and trail["items"][0]["after"]["allowed_channels"] == ["hotline"]
    bad = client.put(f"/api/v1/users/{agent_id}/channels", headers=op,
                     json={"allowed_channels": ["moon"], "time_windows": []})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_channel"


def test_only_operators_create_staff_and_account_managers_only_admins(client, database):
    make_user(database, role=Role.operator, username="op8")
    make_user(database, role=Role.account_manager, username="am8")
    op, am = login(client, "op8"), login(client, "am8")
    r = client.post("/api/v1/users", headers=op, json={"username": "agent8", "password": PASSWORD, "role": "agent_l2"})
    assert r.status_code == 201 and r.json()["role"] == "agent_l2"
    r = client.post("/api/v1/users", headers=am, json={"username": "agent9", "password": PASSWORD, "role": "operator"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "role_not_allowed"
    r = client.post("/api/v1/users", headers=op, json={"username": "agent8", "password": PASSWORD, "role": "agent_l2"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "duplicate_username"
    r = client.post("/api/v1/users", headers=op, json={"username": "admin9", "password": PASSWORD,
                                                       "role": "enterprise_admin"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "enterprise_required"
