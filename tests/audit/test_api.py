"""X4: every state change records who, through which channel, when, and before/after."""

from __future__ import annotations

import datetime as dt

from factories import login, make_enterprise, make_member, make_user
from yikatong.core.actor import Role


def test_r_x4_member_change_records_actor_channel_time_before_after(client, database, clock):
    eid, admin = make_enterprise(database)
    mid = make_member(database, enterprise_id=eid, name="吴敏", department="行政部")
    h = login(client, admin, channel="website")
    client.patch(f"/api/v1/members/{mid}", headers=h, json={"department": "市场营销部"})
    client.post(f"/api/v1/members/{mid}/suspend", headers=h)
    trail = client.get("/api/v1/audit", params={"entity_type": "member", "entity_id": str(mid)}, headers=h).json()
    actions = [e["action"] for e in trail["items"]]
    assert actions == ["member.suspend", "member.update", "member.add"]  # newest first
    update = trail["items"][1]
    assert update["actor_username"] == admin and update["actor_role"] == "enterprise_admin"
    assert update["channel"] == "website" and update["enterprise_id"] == eid
    assert update["before"]["department"] == "行政部" and update["after"]["department"] == "市场营销部"
    assert dt.datetime.fromisoformat(update["at"]) == clock.now()
    assert trail["items"][0]["before"]["status"] == "active" and trail["items"][0]["after"]["status"] == "suspended"


def test_r_x4_failed_change_leaves_no_audit_entry(client, database):
    eid, admin = make_enterprise(database)
    make_member(database, enterprise_id=eid, phone="13800000001")
    mid = make_member(database, enterprise_id=eid, phone="13800000002")
    h = login(client, admin)
    assert client.patch(f"/api/v1/members/{mid}", headers=h, json={"phone": "13800000001"}).status_code == 409
    trail = client.get("/api/v1/audit", params={"action": "member.update"}, headers=h).json()
    assert trail["total"] == 0


def test_r_x4_r_x5_admin_reads_only_own_enterprise_trail(client, database):
    eid, admin = make_enterprise(database)
    other_eid, other_admin = make_enterprise(database)
    make_member(database, enterprise_id=eid)
    make_member(database, enterprise_id=other_eid)
    h = login(client, admin)
    items = client.get("/api/v1/audit", params={"limit": 500}, headers=h).json()["items"]
    assert items and all(e["enterprise_id"] == eid for e in items)
    assert client.get("/api/v1/audit", params={"enterprise_id": other_eid}, headers=h).json()["total"] == 0
    make_user(database, role=Role.operator, username="op1")
    everything = client.get("/api/v1/audit", params={"limit": 500}, headers=login(client, "op1")).json()["items"]
    assert {eid, other_eid} <= {e["enterprise_id"] for e in everything}


def test_r_x4_other_roles_cannot_read_the_trail(client, database):
    make_user(database, role=Role.agent_l1, username="agent1")
    r = client.get("/api/v1/audit", headers=login(client, "agent1"))
    assert r.status_code == 403 and r.json()["error"]["code"] == "role_not_allowed"
