"""A4: door events reported per door, person, department and period; denied attempts; hourly."""

from __future__ import annotations

from yikatong.access.door import DoorTerminal

from .conftest import bj


def _traffic(site):
    """张三 (技术部) three times at 东门 on Monday, 李四 (销售部) at 北门 on Monday and Tuesday."""
    mid2, _, card2 = site.add_member_with_card(name="李四", department="销售部")
    north = site.api("POST", f"/enterprises/{site.eid}/doors", json={"name": "北门"}).json()["id"]
    site.api("PATCH", f"/access-groups/{site.group}", json={"door_ids": [site.door, north],
                                                            "member_ids": [site.mid, mid2]})
    t_north, _ = site.door_terminal(north)
    site.decide(site.card_no, bj(2026, 3, 2, 8, 30))
    site.decide(site.card_no, bj(2026, 3, 2, 8, 45))
    site.decide(site.card_no, bj(2026, 3, 2, 19))  # denied: outside the time zone
    device = DoorTerminal()
    device.apply_sync(site.sync(device.sync_params(), t_north))
    device.decide(card2, bj(2026, 3, 2, 9, 10))
    device.decide(card2, bj(2026, 3, 3, 23, 59))  # denied
    r = site.client.post("/api/v1/terminal/access-events", headers=t_north, json={"events": device.pending_events()})
    assert r.json()["accepted"] == 2
    return mid2, north


def test_r_a4_events_by_door_person_department_period(site):
    mid2, north = _traffic(site)
    url = f"/enterprises/{site.eid}/access-events"
    assert site.api("GET", url).json()["total"] == 5
    by_door = site.api("GET", url, params={"door_id": north}).json()
    assert by_door["total"] == 2 and {e["door"] for e in by_door["items"]} == {"北门"}
    by_person = site.api("GET", url, params={"member_id": mid2}).json()
    assert by_person["total"] == 2 and {e["member"] for e in by_person["items"]} == {"李四"}
    assert site.api("GET", url, params={"department": "技术部"}).json()["total"] == 3
    monday = site.api("GET", url, params={"start": "2026-03-02", "end": "2026-03-02"}).json()
    assert monday["total"] == 4
    denied = site.api("GET", url, params={"allowed": "false"}).json()
    assert denied["total"] == 2 and {e["reason"] for e in denied["items"]} == {"outside_time_zone"}
    page = site.api("GET", url, params={"limit": 2, "offset": 4}).json()
    assert page["total"] == 5 and len(page["items"]) == 1
    assert site.api("GET", url, params={"start": "2026-03-03", "end": "2026-03-02"}).status_code == 422
    assert site.api("GET", url, params={"card_no": "1"}).status_code == 422


def test_r_a4_summaries(site):
    mid2, north = _traffic(site)
    url = f"/enterprises/{site.eid}/access-reports"
    period = {"start": "2026-03-01", "end": "2026-03-31"}
    rows = site.api("GET", url, params=period | {"by": "door"}).json()
    assert [(r["label"], r["allowed"], r["denied"]) for r in rows] == [("东门", 2, 1), ("北门", 1, 1)]
    rows = site.api("GET", url, params=period | {"by": "member"}).json()
    assert [(r["label"], r["allowed"], r["denied"]) for r in rows] == [("张三", 2, 1), ("李四", 1, 1)]
    rows = site.api("GET", url, params=period | {"by": "department"}).json()
    assert [(r["label"], r["allowed"] + r["denied"]) for r in rows] == [("技术部", 3), ("销售部", 2)]
    rows = site.api("GET", url, params=period | {"by": "day"}).json()
    assert [(r["key"], r["allowed"], r["denied"]) for r in rows] == [("2026-03-02", 3, 1), ("2026-03-03", 0, 1)]
    assert site.api("GET", url, params=period | {"by": "week"}).status_code == 422
    r = site.api("GET", url, params={"start": "2025-01-01", "end": "2026-03-31", "by": "day"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "span_too_long"


def test_r_a4_hourly_traffic_of_a_door(site):
    _traffic(site)
    rows = site.api("GET", f"/doors/{site.door}/traffic", params={"date": "2026-03-02"}).json()
    assert len(rows) == 24 and rows[8] == {"hour": 8, "allowed": 2, "denied": 0}
    assert rows[19] == {"hour": 19, "allowed": 0, "denied": 1}
    assert sum(r["allowed"] + r["denied"] for r in rows) == 3
