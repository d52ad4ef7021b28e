"""X5: for every endpoint that names an enterprise's object, another enterprise's admin gets 404
and nothing changes. The route table is read from the app, so a new endpoint without a case here
fails the coverage test below."""

from __future__ import annotations

import io

import pytest

from factories import login, make_enterprise, make_member

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
]
SCOPED_PARAMS = ("{enterprise_id}", "{member_id}")


def _template(path: str) -> str:
    return path.replace("{e}", "{enterprise_id}").replace("{m}", "{member_id}")


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
    url = path.format(e=victim_eid, m=mid)
    intruder = login(client, intruder_admin)
    kwargs = {}
    if body == "FILE":
        kwargs["files"] = {"file": ("m.csv", io.BytesIO("name,phone\n入侵者,13900000098\n".encode()), "text/csv")}
    elif body is not None:
        kwargs["json"] = body
    r = client.request(method, url, headers=intruder, **kwargs)
    assert r.status_code == 404, r.text
    assert r.json()["error"]["code"].endswith("not_found")
    # Nothing changed for the victim.
    owner = login(client, victim_admin)
    member = client.get(f"/api/v1/members/{mid}", headers=owner).json()
    assert member["name"] == "受害者" and member["status"] == "active"
    assert client.get(f"/api/v1/enterprises/{victim_eid}/members", headers=owner).json()["total"] == 1
    assert not client.get(f"/api/v1/enterprises/{victim_eid}", headers=owner).json()["name"].startswith("改名")
