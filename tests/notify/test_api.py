"""The notification API: subscriptions, deliveries, replay (C11, audited: X4) and tenancy (X5)."""

from __future__ import annotations

import pytest

from factories import login, make_enterprise, make_user
from notify.helpers import emit, subscribe
from yikatong.core.actor import Role


def _admin(client, database):
    eid, admin = make_enterprise(database)
    return eid, login(client, admin)


def test_r_c11_subscribe_returns_the_secret_once_and_lists_without_it(client, database):
    eid, h = _admin(client, database)
    r = client.post(f"/api/v1/enterprises/{eid}/subscriptions", headers=h,
                    json={"url": "https://access.example.com/ykt", "kinds": ["card.lost", "card.unfrozen"]})
    assert r.status_code == 201, r.text
    created = r.json()
    assert len(created["secret"]) >= 32 and created["active"] and created["kinds"] == ["card.lost", "card.unfrozen"]
    given = client.post(f"/api/v1/enterprises/{eid}/subscriptions", headers=h,
                        json={"url": "http://10.0.0.5:8080/hook", "secret": "my-own-secret-1234567"}).json()
    assert given["secret"] == "my-own-secret-1234567" and given["kinds"] == []
    listed = client.get(f"/api/v1/enterprises/{eid}/subscriptions", headers=h).json()
    assert listed["total"] == 2 and all("secret" not in s for s in listed["items"])
    audit = client.get("/api/v1/audit", params={"action": "webhook.subscribe"}, headers=h).json()["items"]
    assert len(audit) == 2 and all("secret" not in str(a["after"]) for a in audit)


@pytest.mark.parametrize("body", [
    {"url": "ftp://files.example.com/x"},
    {"url": "javascript:alert(1)"},
    {"url": "https://"},
    {"url": "http://host:99999/x"},
    {"url": "https://ok.example.com", "kinds": ["card.teleported"]},
    {"url": "https://ok.example.com", "secret": "short"},
], ids=["ftp", "javascript", "no-host", "bad-port", "unknown-kind", "short-secret"])
def test_r_c11_subscription_input_is_checked(client, database, body):
    eid, h = _admin(client, database)
    r = client.post(f"/api/v1/enterprises/{eid}/subscriptions", headers=h, json=body)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_input"


def test_r_c11_deactivate_stops_deliveries_and_closes_open_ones(client, database):
    eid, h = _admin(client, database)
    sid = subscribe(database, eid, "http://127.0.0.1:9/hook")
    emit(database, eid, (1, "card.lost"))
    assert client.delete(f"/api/v1/subscriptions/{sid}", headers=h).status_code == 204
    assert client.delete(f"/api/v1/subscriptions/{sid}", headers=h).status_code == 204  # idempotent
    [closed] = client.get(f"/api/v1/enterprises/{eid}/deliveries", headers=h).json()["items"]
    assert (closed["status"], closed["last_error"]) == ("dead", "subscription deactivated")
    r = client.post(f"/api/v1/deliveries/{closed['id']}/replay", headers=h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "subscription_inactive"
    emit(database, eid, (1, "card.unfrozen"))
    assert client.get(f"/api/v1/enterprises/{eid}/deliveries", headers=h).json()["total"] == 1
    assert client.get(f"/api/v1/enterprises/{eid}/subscriptions", headers=h).json()["items"][0]["active"] is False
    actions = [a["action"] for a in client.get("/api/v1/audit", headers=h).json()["items"]]
    assert actions.count("webhook.unsubscribe") == 1


def test_r_c11_deliveries_list_with_kind_payload_and_status_filter(client, database):
    eid, h = _admin(client, database)
    sid = subscribe(database, eid, "http://127.0.0.1:9/hook")
    lost, issued = emit(database, eid, (4, "card.lost"), (5, "card.issued"))
    page = client.get(f"/api/v1/enterprises/{eid}/deliveries", params={"limit": 1}, headers=h).json()
    assert page["total"] == 2 and len(page["items"]) == 1
    item = page["items"][0]  # newest first
    assert (item["event_id"], item["kind"], item["subscription_id"], item["status"]) == (issued, "card.issued", sid,
                                                                                        "pending")
    assert item["payload"]["card_no"] == "C5" and item["payload"]["sequence"] == 1
    assert client.get(f"/api/v1/enterprises/{eid}/deliveries", params={"status": "dead"}, headers=h).json()["total"] == 0
    r = client.get(f"/api/v1/enterprises/{eid}/deliveries", params={"status": "lost"}, headers=h)
    assert r.status_code == 422
    r = client.post(f"/api/v1/deliveries/{item['id']}/replay", headers=h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "delivery_pending"


def test_r_c11_operator_manages_any_enterprise_and_other_roles_may_not(client, database):
    eid, _ = make_enterprise(database)
    make_user(database, role=Role.operator, username="notify_op")
    op = login(client, "notify_op")
    r = client.post(f"/api/v1/enterprises/{eid}/subscriptions", headers=op, json={"url": "https://x.example.com"})
    assert r.status_code == 201
    assert client.get("/api/v1/enterprises/999999/subscriptions", headers=op).json()["error"]["code"] == \
        "enterprise_not_found"
    agent = login(client, make_user(database, role=Role.agent_l2))
    for method, url in (("GET", f"/api/v1/enterprises/{eid}/subscriptions"),
                        ("GET", f"/api/v1/enterprises/{eid}/deliveries"),
                        ("DELETE", f"/api/v1/subscriptions/{r.json()['id']}")):
        assert client.request(method, url, headers=agent).status_code == 403
    assert client.get("/api/v1/deliveries/1/replay", headers=op).status_code == 405
    assert client.post("/api/v1/deliveries/2147483648/replay", headers=op).status_code == 422


# Every notification endpoint that names an enterprise's object: another enterprise's admin gets 404.
TENANT_CASES = [
    ("GET", "/api/v1/enterprises/{e}/subscriptions", None),
    ("POST", "/api/v1/enterprises/{e}/subscriptions", {"url": "https://intruder.example.com/hook"}),
    ("DELETE", "/api/v1/subscriptions/{s}", None),
    ("GET", "/api/v1/enterprises/{e}/deliveries", None),
    ("POST", "/api/v1/deliveries/{d}/replay", None),
]


@pytest.mark.parametrize("method,path,body", TENANT_CASES, ids=[f"{m} {p}" for m, p, _ in TENANT_CASES])
def test_r_x5_another_enterprise_admin_gets_404(client, database, make_worker, method, path, body):
    victim, victim_admin = make_enterprise(database)
    _, intruder_admin = make_enterprise(database)
    sid = subscribe(database, victim, "http://127.0.0.1:9/hook")  # nobody listens: the delivery dies
    emit(database, victim, (1, "card.lost"))
    make_worker(max_attempts=1).run_once()
    owner = login(client, victim_admin)
    [delivery] = client.get(f"/api/v1/enterprises/{victim}/deliveries", headers=owner).json()["items"]
    assert delivery["status"] == "dead"
    r = client.request(method, path.format(e=victim, s=sid, d=delivery["id"]), headers=login(client, intruder_admin),
                       json=body)
    assert r.status_code == 404, r.text
    assert r.json()["error"]["code"].endswith("not_found")
    # Nothing changed for the victim.
    subscriptions = client.get(f"/api/v1/enterprises/{victim}/subscriptions", headers=owner).json()["items"]
    assert [(s["url"], s["active"]) for s in subscriptions] == [("http://127.0.0.1:9/hook", True)]
    [after] = client.get(f"/api/v1/enterprises/{victim}/deliveries", headers=owner).json()["items"]
    assert (after["status"], after["attempts"]) == ("dead", 1)
