"""X5: for every endpoint that names an enterprise's object, another enterprise's admin gets 404
and nothing changes. The route table is read from the app, so a new endpoint without a case here
fails the coverage test below."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from factories import login, make_card, make_enterprise, make_member
from yikatong.cards.models import CardApplication

# (method, path template, body) for each tenant-scoped endpoint. {e} = enterprise id, {m} = member id.
CASES = [
    ("GET", "/api/v1/enterprises/{e}", None),
    ("PATCH", "/api/v1/enterprises/{e}", {"name": "改名"}),
    ("GET", "/api/v1/enterprises/{e}/members", None),
    ("POST", "/api/v1/enterprises/{e}/members", {"name": "入侵者", "phone": "13900000099"}),
    ("POST", "/api/v1/enterprises/{e}/members/import", "FILE"),
    ("GET", "/api/v1/members/{m}", None),
    ("PATCH", "/api/v1/members/{m}", {"name": "入侵者"}),
    ("DELETE", "/api/v1/members/{m}", None),
    ("POST", "/api/v1/members/{m}/suspend", None),
    ("POST", "/api/v1/members/{m}/resume", None),
    ("POST", "/api/v1/members/{m}/phone-change", {"new_phone": "13900000097"}),
    ("GET", "/api/v1/enterprises/{e}/blacklist", None),
    ("GET", "/api/v1/members/{m}/cards", None),
    ("GET", "/api/v1/cards/{c}", None),
    ("POST", "/api/v1/cards/{c}/applications", {"enterprise_id": "{e}", "type": "identity", "mode": "ota"}),
    ("DELETE", "/api/v1/cards/{c}/applications/{a}", None),
    ("POST", "/api/v1/cards/{c}/loss", None),
    ("POST", "/api/v1/cards/{c}/unfreeze", None),
    ("POST", "/api/v1/cards/{c}/replace", {"kind": "rfid_sim", "old_card_readable": True}),
    ("POST", "/api/v1/cards/{c}/cancel", {"refund": "cash"}),
    ("POST", "/api/v1/cards/{c}/transfer", None),
    ("GET", "/api/v1/enterprises/{e}/subscriptions", None),
    ("POST", "/api/v1/enterprises/{e}/subscriptions", {"url": "https://intruder.example.com/hook"}),
    ("GET", "/api/v1/enterprises/{e}/deliveries", None),
    ("GET", "/api/v1/enterprises/{e}/settlements", None),
    ("POST", "/api/v1/enterprises/{e}/purse/expire", None),
    ("GET", "/api/v1/enterprises/{e}/purse-settings", None),
    ("PUT", "/api/v1/enterprises/{e}/purse-settings", {"validity_days": 1}),
    ("POST", "/api/v1/enterprises/{e}/terminals", {"type": "pos", "name": "入侵者的POS"}),
    ("GET", "/api/v1/enterprises/{e}/terminals", None),
    ("GET", "/api/v1/enterprises/{e}/terminals/sync-states", None),
    ("POST", "/api/v1/enterprises/{e}/merchants", {"name": "入侵者商户"}),
    ("GET", "/api/v1/enterprises/{e}/merchants", None),
    ("GET", "/api/v1/members/{m}/purse", None),
    ("POST", "/api/v1/enterprises/{e}/topups/import", "FILE"),
    ("POST", "/api/v1/members/{m}/topups", {"amount_fen": 100}),
    ("GET", "/api/v1/enterprises/{e}/dispatch-rules", None),
    ("PUT", "/api/v1/enterprises/{e}/dispatch-rules", {"enabled": False}),
    ("POST", "/api/v1/enterprises/{e}/keys", {"algorithm": "3des"}),
    ("GET", "/api/v1/enterprises/{e}/keys", None),
    ("POST", "/api/v1/enterprises/{e}/keys/rotate", {}),
    ("POST", "/api/v1/enterprises/{e}/keys/mother-card", {"passphrase": "入侵者的口令 passphrase"}),
    ("GET", "/api/v1/enterprises/{e}/offline-records", None),
    # Attendance (A3): {s} a shift id, {d} a day of the calendar.
    ("POST", "/api/v1/enterprises/{e}/holidays", {"day": "2026-05-01", "kind": "holiday", "name": "入侵"}),
    ("GET", "/api/v1/enterprises/{e}/holidays", None),
    ("DELETE", "/api/v1/enterprises/{e}/holidays/{d}", None),
    ("POST", "/api/v1/enterprises/{e}/shifts", {"name": "入侵", "weekdays": [1], "start": "09:00", "end": "18:00",
                                                "grace_minutes": 0, "member_ids": []}),
    ("GET", "/api/v1/enterprises/{e}/shifts", None),
    ("GET", "/api/v1/enterprises/{e}/shifts/{s}", None),
    ("PATCH", "/api/v1/enterprises/{e}/shifts/{s}", {"name": "入侵"}),
    ("DELETE", "/api/v1/enterprises/{e}/shifts/{s}", None),
    ("GET", "/api/v1/enterprises/{e}/attendance", None),
    ("GET", "/api/v1/enterprises/{e}/attendance.xlsx", None),
    ("GET", "/api/v1/enterprises/{e}/attendance/summary", None),
    ("POST", "/api/v1/enterprises/{e}/attendance/bills", {"month": "2026-01"}),
    ("GET", "/api/v1/members/{m}/attendance", None),
    ("GET", "/api/v1/members/{m}/attendance/corrections", None),
    ("POST", "/api/v1/members/{m}/attendance/corrections", {"day": "2026-01-05", "status": "on_time",
                                                            "reason": "入侵"}),
    # Door access (A1, A4).
    ("POST", "/api/v1/enterprises/{e}/time-zones", {"name": "入侵", "periods": [{"weekdays": [1], "start": "08:00",
                                                                               "end": "18:00"}]}),
    ("GET", "/api/v1/enterprises/{e}/time-zones", None),
    ("POST", "/api/v1/enterprises/{e}/sites", {"name": "入侵"}),
    ("GET", "/api/v1/enterprises/{e}/sites", None),
    ("POST", "/api/v1/enterprises/{e}/doors", {"name": "入侵"}),
    ("GET", "/api/v1/enterprises/{e}/doors", None),
    ("POST", "/api/v1/enterprises/{e}/access-groups", {"name": "入侵", "door_ids": [], "time_zone_id": 1,
                                                       "member_ids": []}),
    ("GET", "/api/v1/enterprises/{e}/access-groups", None),
    ("GET", "/api/v1/enterprises/{e}/access-events", None),
    ("GET", "/api/v1/enterprises/{e}/access-reports", None),
    ("GET", "/api/v1/members/{m}/access-validity", None),
    ("PUT", "/api/v1/members/{m}/access-validity", {"valid_until": "2026-01-01"}),
]
SCOPED_PARAMS = ("{enterprise_id}", "{member_id}", "{card_id}")


def _template(path: str) -> str:
    return (path.replace("{e}", "{enterprise_id}").replace("{m}", "{member_id}").replace("{c}", "{card_id}")
            .replace("{a}", "{application_id}").replace("{s}", "{shift_id}").replace("{d}", "{day}"))


def test_r_x5_every_tenant_scoped_route_has_a_case(app):
    routes = {(method.upper(), path) for path, operations in app.openapi()["paths"].items()
              if path.startswith("/api/v1") and any(p in path for p in SCOPED_PARAMS) for method in operations}
    covered = {(method, _template(path)) for method, path, _ in CASES}
    assert routes - covered == set(), "add these endpoints to CASES"


@pytest.mark.parametrize("method,path,body", CASES, ids=[f"{m} {p}" for m, p, _ in CASES])
def test_r_x5_other_enterprise_admin_gets_404(client, database, method, path, body):
    victim_eid, victim_admin = make_enterprise(database)
    _, intruder_admin = make_enterprise(database)
    mid = make_member(database, enterprise_id=victim_eid, name="受害者", phone="13800000077")
    card_id = make_card(database, member_id=mid, apps=("access",))
    with database.read() as s:
        app_id = s.scalar(select(CardApplication.id).where(CardApplication.card_id == card_id))
    url = path.format(e=victim_eid, m=mid, c=card_id, a=app_id, s=1, d="2026-05-01")
    intruder = login(client, intruder_admin)
    kwargs = {}
    if body == "FILE":
        kwargs["files"] = {"file": ("m.csv", io.BytesIO("name,phone\n入侵者,13900000098\n".encode()), "text/csv")}
    elif body is not None:
        kwargs["json"] = {k: victim_eid if v == "{e}" else v for k, v in body.items()}
    r = client.request(method, url, headers=intruder, **kwargs)
    assert r.status_code == 404, r.text
    assert r.json()["error"]["code"].endswith("not_found")
    # Nothing changed for the victim.
    owner = login(client, victim_admin)
    member = client.get(f"/api/v1/members/{mid}", headers=owner).json()
    assert member["name"] == "受害者" and member["status"] == "active"
    assert client.get(f"/api/v1/enterprises/{victim_eid}/members", headers=owner).json()["total"] == 1
    assert not client.get(f"/api/v1/enterprises/{victim_eid}", headers=owner).json()["name"].startswith("改名")
    card = client.get(f"/api/v1/cards/{card_id}", headers=owner).json()
    assert card["status"] == "active" and [a["status"] for a in card["applications"]] == ["active"]
