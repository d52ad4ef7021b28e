"""E1: registering enterprises and their admin logins; who may see them."""

from __future__ import annotations

from factories import login, make_enterprise, make_user
from yikatong.core.actor import Role

BODY = {"code": "GC0571888", "name": "杭州某某科技有限公司", "city": "杭州", "zone": "urban",
        "admin_username": "hz_admin", "admin_password": "S3cret-pass"}


def test_r_e1_account_manager_registers_enterprise_with_admin_login(client, database):
    make_user(database, role=Role.account_manager, username="am1")
    r = client.post("/api/v1/enterprises", json=BODY, headers=login(client, "am1"))
    assert r.status_code == 201, r.text
    body = r.json()
    assert {k: body[k] for k in ("code", "name", "city", "zone", "status")} == {
        "code": "GC0571888", "name": "杭州某某科技有限公司", "city": "杭州", "zone": "urban", "status": "active"}
    assert body["service_fee_fen"] == 300
    admin = client.post("/api/v1/auth/token", json={"username": "hz_admin", "password": "S3cret-pass"}).json()
    assert admin["role"] == "enterprise_admin" and admin["enterprise_id"] == body["id"]
    got = client.get(f"/api/v1/enterprises/{body['id']}", headers={"Authorization": f"Bearer {admin['access_token']}"})
    assert got.status_code == 200 and got.json()["code"] == "GC0571888"


def test_r_e1_duplicate_code_is_409_and_changes_nothing(client, database):
    make_user(database, role=Role.operator, username="op1")
    op = login(client, "op1")
    assert client.post("/api/v1/enterprises", json=BODY, headers=op).status_code == 201
    r = client.post("/api/v1/enterprises", json=BODY | {"admin_username": "other_admin"}, headers=op)
    assert r.status_code == 409 and r.json()["error"]["code"] == "duplicate_code"
    assert client.get("/api/v1/enterprises", headers=op).json()["total"] == 1


def test_r_e1_taken_admin_username_rolls_back_the_enterprise(client, database):
    make_user(database, role=Role.operator, username="op2")
    op = login(client, "op2")
    r = client.post("/api/v1/enterprises", json=BODY | {"admin_username": "op2"}, headers=op)
    assert r.status_code == 409 and r.json()["error"]["code"] == "duplicate_username"
    assert client.get("/api/v1/enterprises", headers=op).json()["total"] == 0


def test_r_e1_bad_input_is_422_with_reason(client, database):
    make_user(database, role=Role.operator, username="op3")
    op = login(client, "op3")
    for bad in ({"zone": "rural"}, {"service_fee_fen": 600}, {"code": ""}, {"admin_password": "short"},
                {"code": "含中文"}):
        r = client.post("/api/v1/enterprises", json=BODY | bad, headers=op)
        assert r.status_code == 422, (bad, r.text)
        err = r.json()["error"]
        assert err["code"] == "invalid_input" and err["message"] and err["details"]["errors"]
    assert client.get("/api/v1/enterprises", headers=op).json()["total"] == 0


def test_r_e1_only_operators_and_account_managers_register(client, database):
    eid, admin = make_enterprise(database)
    make_user(database, role=Role.agent_l1, username="agent1")
    for user in (admin, "agent1"):
        r = client.post("/api/v1/enterprises", json=BODY, headers=login(client, user))
        assert r.status_code == 403 and r.json()["error"]["code"] == "role_not_allowed"


def test_enterprise_list_search_and_paging(client, database):
    for i in range(3):
        make_enterprise(database, name="西湖科技")
    make_enterprise(database, name="青山湖制造")
    make_user(database, role=Role.account_manager, username="am2")
    am = login(client, "am2")
    assert client.get("/api/v1/enterprises", headers=am).json()["total"] == 4
    found = client.get("/api/v1/enterprises", params={"q": "西湖"}, headers=am).json()
    assert found["total"] == 3 and all("西湖" in e["name"] for e in found["items"])
    page = client.get("/api/v1/enterprises", params={"limit": 2, "offset": 2}, headers=am).json()
    assert page["total"] == 4 and len(page["items"]) == 2


def test_admin_sees_only_own_enterprise_in_list(client, database):
    eid, admin = make_enterprise(database)
    make_enterprise(database)
    listing = client.get("/api/v1/enterprises", headers=login(client, admin)).json()
    assert listing["total"] == 1 and listing["items"][0]["id"] == eid


def test_account_manager_updates_enterprise_and_it_is_audited(client, database):
    eid, _ = make_enterprise(database)
    make_user(database, role=Role.account_manager, username="am3")
    am = login(client, "am3")
    r = client.patch(f"/api/v1/enterprises/{eid}", json={"zone": "suburban", "service_fee_fen": 500}, headers=am)
    assert r.status_code == 200 and r.json()["zone"] == "suburban" and r.json()["service_fee_fen"] == 500
    make_user(database, role=Role.operator, username="op4")
    trail = client.get("/api/v1/audit", params={"action": "enterprise.update"}, headers=login(client, "op4")).json()
    assert trail["items"][0]["before"]["zone"] == "urban" and trail["items"][0]["after"]["zone"] == "suburban"
    assert trail["items"][0]["actor_username"] == "am3"


def test_unknown_enterprise_is_404(client, database):
    make_user(database, role=Role.operator, username="op5")
    r = client.get("/api/v1/enterprises/9999", headers=login(client, "op5"))
    assert r.status_code == 404 and r.json()["error"]["code"] == "enterprise_not_found"
