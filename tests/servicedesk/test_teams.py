"""S5, S8: operators manage on-site teams and engineers (audited); engineers set their duty;
second line sets an enterprise's dispatch rules."""

from __future__ import annotations

from sqlalchemy import select

from factories import make_user
from yikatong.audit.models import AuditEntry
from yikatong.core.actor import Role


def test_r_s8_operator_manages_teams_and_engineers_and_it_is_audited(desk, client, database):
    op = desk.h["op"]
    r = client.post("/api/v1/teams", headers=op, json={"name": "杭州门禁厂家驻地组", "kind": "vendor", "city": "杭州",
                                                       "zones": ["urban"]})
    assert r.status_code == 201 and r.json()["zones"] == ["urban"]
    team_id = r.json()["id"]
    r = client.patch(f"/api/v1/teams/{team_id}", headers=op, json={"zones": ["urban", "suburban"]})
    assert r.json()["zones"] == ["urban", "suburban"]
    username = make_user(database, role=Role.field_engineer)
    with database.read() as s:
        from yikatong.auth.models import User

        user_id = s.scalar(select(User.id).where(User.username == username))
    r = client.put(f"/api/v1/engineers/{user_id}", headers=op,
                   json={"team_id": team_id, "skills": ["pos", "door", "pos"], "on_duty": True})
    assert r.status_code == 200 and r.json()["skills"] == ["door", "pos"] and r.json()["username"] == username
    listed = client.get(f"/api/v1/teams/{team_id}/engineers", headers=desk.h["l2"]).json()
    assert [(e["user_id"], e["open_orders"]) for e in listed] == [(user_id, 0)]
    assert team_id in [t["id"] for t in client.get("/api/v1/teams", headers=desk.h["l1"]).json()]
    with database.read() as s:
        actions = set(s.scalars(select(AuditEntry.action).where(AuditEntry.actor_username != "system")))
    assert {"team.create", "team.update", "engineer.set"} <= actions


def test_r_s8_only_operators_manage_teams(desk, client):
    for who in ("l1", "l2", "admin", "eng_a", "member"):
        r = client.post("/api/v1/teams", headers=desk.h[who], json={"name": "x", "kind": "vendor", "city": "杭州"})
        assert r.status_code == 403, who
    r = client.put(f"/api/v1/engineers/{desk.uid('eng_a')}", headers=desk.h["l2"], json={"team_id": desk.vendor_team})
    assert r.status_code == 403
    assert client.get("/api/v1/teams", headers=desk.h["admin"]).status_code == 403


def test_r_s8_only_field_engineer_logins_become_engineers(desk, client, database):
    r = client.put("/api/v1/engineers/1", headers=desk.h["op"], json={"team_id": desk.vendor_team})
    assert r.status_code == 422 and r.json()["error"]["code"] == "not_a_field_engineer"
    r = client.put("/api/v1/engineers/99999", headers=desk.h["op"], json={"team_id": desk.vendor_team})
    assert r.status_code == 404
    r = client.put(f"/api/v1/engineers/{desk.uid('eng_a')}", headers=desk.h["op"], json={"team_id": 99999})
    assert r.status_code == 404 and r.json()["error"]["code"] == "team_not_found"


def test_r_s8_engineer_sets_own_duty_only(desk, client):
    r = client.post(f"/api/v1/engineers/{desk.uid('eng_a')}/duty", headers=desk.h["eng_a"], json={"on_duty": False})
    assert r.status_code == 200 and r.json()["on_duty"] is False
    r = client.post(f"/api/v1/engineers/{desk.uid('eng_b')}/duty", headers=desk.h["eng_a"], json={"on_duty": False})
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_your_profile"


def test_r_s8_dispatch_rules_are_set_per_enterprise(desk, client):
    url = f"/api/v1/enterprises/{desk.eid}/dispatch-rules"
    r = client.put(url, headers=desk.h["l2"], json={"category_skills": {"terminal": "pos"}, "max_open_per_engineer": 3})
    assert r.status_code == 200 and r.json()["set"] is True and r.json()["category_skills"] == {"terminal": "pos"}
    assert client.get(url, headers=desk.h["admin"]).json()["max_open_per_engineer"] == 3
    assert client.put(url, headers=desk.h["admin"], json={}).status_code == 403
    assert client.put(url, headers=desk.h["l1"], json={}).status_code == 403
    other = f"/api/v1/enterprises/{desk.suburban_eid}/dispatch-rules"
    assert client.get(other, headers=desk.h["l2"]).json()["set"] is False
    r = client.put(url, headers=desk.h["l2"], json={"category_skills": {"terminal": "Bad Skill"}})
    assert r.status_code == 422
