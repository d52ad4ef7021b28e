"""A1 set-up: time zones, sites, doors, access groups — lists, changes, 4xx cases, tenancy, and door
terminals bound to a door of their own enterprise (T2)."""

from __future__ import annotations

import pytest

from factories import login, make_enterprise, make_member

from .conftest import build_site


def test_r_a1_time_zone_crud(site):
    tz = site.api("GET", f"/time-zones/{site.tz}").json()
    assert tz["name"] == "工作日" and tz["periods"][1] == {"weekdays": [8], "start": "09:00", "end": "12:00"}
    r = site.api("PATCH", f"/time-zones/{site.tz}", json={"periods": [{"weekdays": [7, 6, 6], "start": "00:00",
                                                                       "end": "24:00"}]})
    assert r.status_code == 200 and r.json()["periods"] == [{"weekdays": [6, 7], "start": "00:00", "end": "24:00"}]
    r = site.api("DELETE", f"/time-zones/{site.tz}")
    assert r.status_code == 409 and r.json()["error"]["code"] == "time_zone_in_use"
    spare = site.api("POST", f"/enterprises/{site.eid}/time-zones",
                     json={"name": "备用", "periods": [{"weekdays": [1], "start": "00:00", "end": "01:00"}]}).json()
    assert site.api("DELETE", f"/time-zones/{spare['id']}").status_code == 204
    assert [t["id"] for t in site.api("GET", f"/enterprises/{site.eid}/time-zones").json()] == [site.tz]


@pytest.mark.parametrize("period", [
    {"weekdays": [0], "start": "08:00", "end": "18:00"},
    {"weekdays": [9], "start": "08:00", "end": "18:00"},
    {"weekdays": [], "start": "08:00", "end": "18:00"},
    {"weekdays": [1], "start": "18:00", "end": "08:00"},
    {"weekdays": [1], "start": "08:00", "end": "08:00"},
    {"weekdays": [1], "start": "8:00", "end": "18:00"},
    {"weekdays": [1], "start": "08:00", "end": "24:30"},
    {"weekdays": [1], "start": "24:00", "end": "24:00"},
])
def test_r_a1_bad_periods_are_422(site, period):
    r = site.api("POST", f"/enterprises/{site.eid}/time-zones", json={"name": "坏", "periods": [period]})
    assert r.status_code == 422, period
    assert len(site.api("GET", f"/enterprises/{site.eid}/time-zones").json()) == 1


def test_r_a1_doors_and_sites(site):
    doors = site.api("GET", f"/enterprises/{site.eid}/doors").json()
    assert [(d["name"], d["site"], d["direction"]) for d in doors] == [("东门", "总部大楼", "both")]
    sites = site.api("GET", f"/enterprises/{site.eid}/sites").json()
    assert [(s["name"], s["anti_passback"]) for s in sites] == [("总部大楼", False)]
    r = site.api("POST", f"/enterprises/{site.eid}/sites", json={"name": "总部大楼"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "duplicate_site"
    r = site.api("PATCH", f"/sites/{sites[0]['id']}", json={"anti_passback": True})
    assert r.status_code == 200 and r.json()["anti_passback"] is True
    r = site.api("DELETE", f"/sites/{sites[0]['id']}")
    assert r.status_code == 409 and r.json()["error"]["code"] == "site_in_use"
    r = site.api("PATCH", f"/doors/{site.door}", json={"name": "东门(主)", "site": "", "direction": "in"})
    assert r.status_code == 200 and r.json()["site"] is None and r.json()["direction"] == "in"
    assert site.api("DELETE", f"/sites/{sites[0]['id']}").status_code == 204
    r = site.api("POST", f"/enterprises/{site.eid}/doors", json={"name": "侧门", "direction": "sideways"})
    assert r.status_code == 422
    r = site.api("POST", f"/enterprises/{site.eid}/doors", json={"name": ""})
    assert r.status_code == 422


def test_r_a1_removed_door_drops_out_of_groups_and_lists(site):
    assert site.api("DELETE", f"/doors/{site.door}").status_code == 204
    assert site.api("GET", f"/doors/{site.door}").status_code == 404
    assert site.api("GET", f"/access-groups/{site.group}").json()["door_ids"] == []
    assert site.api("GET", f"/enterprises/{site.eid}/doors").json() == []
    r = site.client.post("/api/v1/terminal/access-decisions", headers=site.terminal, json={"card_no": site.card_no})
    assert r.status_code == 409 and r.json()["error"]["code"] == "door_not_set"


def test_r_a1_group_errors(site):
    url = f"/enterprises/{site.eid}/access-groups"
    base = {"name": "组", "door_ids": [site.door], "time_zone_id": site.tz, "member_ids": [site.mid]}
    other = build_site(site.client, site.database)
    for change, code in (({"door_ids": [other.door]}, "unknown_door"),
                         ({"time_zone_id": other.tz}, "unknown_time_zone"),
                         ({"member_ids": [other.mid]}, "unknown_member"),
                         ({"door_ids": [2**31 - 1]}, "unknown_door")):
        r = site.api("POST", url, json=base | change)
        assert r.status_code == 422 and r.json()["error"]["code"] == code, change
    for change in ({"time_zone_id": 0}, {"name": ""}, {"departments": [""]}, {"door_ids": ["x"]}):
        assert site.api("POST", url, json=base | change).status_code == 422, change
    assert len(site.api("GET", url).json()) == 1
    r = site.api("PATCH", f"/access-groups/{site.group}", json={"member_ids": [other.mid]})
    assert r.status_code == 422 and site.api("GET", f"/access-groups/{site.group}").json()["member_ids"] == [site.mid]
    assert site.api("DELETE", f"/access-groups/{site.group}").status_code == 204
    assert site.api("GET", f"/access-groups/{site.group}").status_code == 404


def test_r_a1_only_admins_set_up_access(site, client, database):
    from factories import make_member_login
    mid = make_member(database, enterprise_id=site.eid, name="普通员工", phone="13700001111")
    make_member_login(database, phone="13700001111")
    member = login(client, "13700001111")
    r = client.post(f"/api/v1/enterprises/{site.eid}/doors", headers=member, json={"name": "后门"})
    assert r.status_code in (403, 404)
    assert mid and len(site.api("GET", f"/enterprises/{site.eid}/doors").json()) == 1


def test_r_t2_door_terminal_names_a_door_of_its_enterprise(site):
    other = build_site(site.client, site.database)
    url = f"/enterprises/{site.eid}/terminals"
    r = site.api("POST", url, json={"type": "door", "name": "借门", "door_id": other.door})
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_door"
    r = site.api("POST", url, json={"type": "pos", "name": "窗口", "door_id": site.door})
    assert r.status_code == 422 and r.json()["error"]["code"] == "door_for_door_terminal_only"
    assert site.api("POST", url, json={"type": "door", "name": "东门二号", "door_id": site.door}).status_code == 201


def test_r_x5_another_enterprises_access_objects_are_404(site, client, database):
    _, intruder_name = make_enterprise(database)
    intruder = login(client, intruder_name)
    site_id = site.api("GET", f"/enterprises/{site.eid}/sites").json()[0]["id"]
    for method, path, body in (
            ("GET", f"/doors/{site.door}", None), ("PATCH", f"/doors/{site.door}", {"name": "入侵"}),
            ("DELETE", f"/doors/{site.door}", None), ("GET", f"/doors/{site.door}/traffic?date=2026-03-02", None),
            ("GET", f"/time-zones/{site.tz}", None), ("PATCH", f"/time-zones/{site.tz}", {"name": "入侵"}),
            ("DELETE", f"/time-zones/{site.tz}", None),
            ("GET", f"/access-groups/{site.group}", None), ("PATCH", f"/access-groups/{site.group}", {"name": "入侵"}),
            ("DELETE", f"/access-groups/{site.group}", None),
            ("PATCH", f"/sites/{site_id}", {"name": "入侵"}), ("DELETE", f"/sites/{site_id}", None)):
        r = client.request(method, f"/api/v1{path}", headers=intruder, json=body)
        assert r.status_code == 404, (method, path, r.text)
    assert site.api("GET", f"/doors/{site.door}").json()["name"] == "东门"
    assert site.api("GET", f"/access-groups/{site.group}").json()["name"] == "技术部门禁"
    # another enterprise's door terminal learns nothing of this enterprise's cards
    other = build_site(client, database)
    r = client.post("/api/v1/terminal/access-decisions", headers=other.terminal, json={"card_no": site.card_no})
    assert r.json() == {"allowed": False, "reason": "not_in_group"}
    assert site.card_no not in [c["card_no"] for c in other.sync()["permissions"]["changed"]]
