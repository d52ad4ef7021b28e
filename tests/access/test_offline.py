"""A2: a door terminal synced once decides offline (door.DoorTerminal, the same rule as online)
and uploads its event log idempotently; T3: permission deltas by version."""

from __future__ import annotations

from yikatong.access.door import DoorTerminal

from .conftest import bj


def synced(site, terminal=None) -> DoorTerminal:
    device = DoorTerminal()
    device.apply_sync(site.sync(device.sync_params(), terminal))
    return device


def test_r_a2_offline_decisions_after_one_sync(site):
    _, _, stranger = site.add_member_with_card(name="王五")
    no_app_mid, _, no_app = site.add_member_with_card(name="赵六", apps=("purse",))
    site.api("PATCH", f"/access-groups/{site.group}", json={"member_ids": [site.mid, no_app_mid]})
    device = synced(site)
    assert device.permissions_version > 0 and site.card_no in device.entries
    # from here on the platform is not asked
    assert device.decide(site.card_no, bj(2026, 3, 2, 10)) == (True, "ok")
    assert device.decide(site.card_no, bj(2026, 3, 2, 8, 0)) == (True, "ok")
    assert device.decide(site.card_no, bj(2026, 3, 2, 18, 0)) == (False, "outside_time_zone")
    assert device.decide(site.card_no, bj(2026, 3, 8, 10)) == (False, "outside_time_zone")  # Sunday
    assert device.decide(stranger, bj(2026, 3, 2, 10)) == (False, "not_in_group")
    assert device.decide(no_app, bj(2026, 3, 2, 10)) == (False, "no_application")
    assert [e["seq"] for e in device.log] == [1, 2, 3, 4, 5, 6]


def test_r_a2_lost_card_and_suspended_member_offline(site):
    mid2, card2, other = site.add_member_with_card(name="李四")
    site.api("PATCH", f"/access-groups/{site.group}", json={"member_ids": [site.mid, mid2]})
    device = synced(site)
    assert device.decide(other, bj(2026, 3, 2, 10)) == (True, "ok")
    assert site.api("POST", f"/cards/{site.card_id}/loss").status_code == 200
    assert site.api("POST", f"/members/{mid2}/suspend").status_code == 200
    device.apply_sync(site.sync(device.sync_params()))
    assert device.decide(site.card_no, bj(2026, 3, 2, 10)) == (False, "card_lost")
    assert device.decide(other, bj(2026, 3, 2, 10)) == (False, "member_suspended")
    assert site.card_no in device.blacklist


def test_r_a2_blacklisted_card_denied_offline_after_blacklist_sync(site):
    device = synced(site)
    assert device.decide(site.card_no, bj(2026, 3, 2, 10)) == (True, "ok")
    assert site.api("POST", f"/cards/{site.card_id}/loss").status_code == 200
    payload = site.sync(device.sync_params())
    assert payload["blacklist"]["added"] == [site.card_no]
    # even a terminal that got only the blacklist part refuses the card
    device.apply_sync({"blacklist": payload["blacklist"]})
    assert device.entries[site.card_no].status == "ok"
    assert device.decide(site.card_no, bj(2026, 3, 2, 10)) == (False, "card_lost")


def test_r_a2_holidays_are_synced_for_offline_use(site, clock):
    site.api("POST", f"/enterprises/{site.eid}/holidays", json={"day": "2026-03-09", "kind": "holiday", "name": "假"})
    device = synced(site)
    assert device.decide(site.card_no, bj(2026, 3, 9, 10)) == (True, "ok")
    assert device.decide(site.card_no, bj(2026, 3, 9, 14)) == (False, "outside_time_zone")
    assert device.decide(site.card_no, bj(2026, 3, 10, 14)) == (True, "ok")


def test_r_a2_event_upload_is_idempotent_with_a_cursor(site):
    device = synced(site)
    for hour in (7, 9, 10):
        device.decide(site.card_no, bj(2026, 3, 2, hour))
    pending = device.pending_events()
    url = "/api/v1/terminal/access-events"
    r = site.client.post(url, headers=site.terminal, json={"events": pending})
    assert r.status_code == 200 and r.json() == {"accepted": 3, "duplicates": 0, "cursor": 3}
    r = site.client.post(url, headers=site.terminal, json={"events": pending})
    assert r.json() == {"accepted": 0, "duplicates": 3, "cursor": 3}
    events = site.api("GET", f"/enterprises/{site.eid}/access-events").json()
    assert events["total"] == 3 and {e["source"] for e in events["items"]} == {"offline"}
    assert [e["reason"] for e in events["items"]] == ["ok", "ok", "outside_time_zone"]  # newest first
    assert all(e["member_id"] == site.mid and e["department"] == "技术部" for e in events["items"])
    device.acknowledge(r.json())
    assert device.pending_events() == []
    device.decide(site.card_no, bj(2026, 3, 2, 11))
    assert [e["seq"] for e in device.pending_events()] == [4]
    r = site.client.post(url, headers=site.terminal, json={"events": pending + device.pending_events()})
    assert r.json() == {"accepted": 1, "duplicates": 3, "cursor": 4}
    assert site.api("GET", f"/enterprises/{site.eid}/access-events").json()["total"] == 4


def test_r_a2_event_upload_errors(site):
    url = "/api/v1/terminal/access-events"
    good = {"seq": 1, "card_no": site.card_no, "at": "2026-03-02T10:00:00+08:00", "allowed": True, "reason": "ok"}
    for bad in ({**good, "seq": 0}, {**good, "card_no": "x"}, {**good, "at": "2026-03-02T10:00:00"},
                {**good, "direction": "up"}, {**good, "allowed": "yes"}):
        r = site.client.post(url, headers=site.terminal, json={"events": [good | {"seq": 2}, bad]})
        assert r.status_code == 422, bad
    r = site.client.post(url, headers=site.terminal, json={"events": [good | {"at": "2030-01-01T00:00:00+08:00"}]})
    assert r.status_code == 422 and r.json()["error"]["code"] == "future_event"
    r = site.client.post(url, headers=site.admin, json={"events": [good]})
    assert r.status_code == 403
    assert site.api("GET", f"/enterprises/{site.eid}/access-events").json()["total"] == 0


def test_r_t3_permission_deltas_by_version(site):
    device = synced(site)
    v1 = device.permissions_version
    # nothing changed: an empty delta, same version
    again = site.sync(device.sync_params())["permissions"]
    assert again == {"version": v1, "full": False, "changed": [], "removed": []}
    mid2, _, other = site.add_member_with_card(name="李四")
    site.api("PATCH", f"/access-groups/{site.group}", json={"member_ids": [site.mid, mid2]})
    delta = site.sync(device.sync_params())["permissions"]
    assert delta["version"] > v1 and not delta["full"]
    assert [c["card_no"] for c in delta["changed"]] == [other] and delta["removed"] == []
    device.apply_sync(site.sync(device.sync_params()))
    assert set(device.entries) == {site.card_no, other}
    site.api("PATCH", f"/access-groups/{site.group}", json={"member_ids": [site.mid]})
    delta = site.sync(device.sync_params())["permissions"]
    assert delta["changed"] == [] and delta["removed"] == [other]
    device.apply_sync(site.sync(device.sync_params()))
    assert set(device.entries) == {site.card_no}
    assert device.decide(other, bj(2026, 3, 2, 10)) == (False, "not_in_group")
    # a change in another domain (suspension) is picked up at sync, without hooks
    site.api("POST", f"/members/{site.mid}/suspend")
    delta = site.sync(device.sync_params())["permissions"]
    assert [(c["card_no"], c["status"]) for c in delta["changed"]] == [(site.card_no, "member_suspended")]
    # the full list from 0 leaves removed cards out
    full = site.sync({"permissions_version": 0})["permissions"]
    assert full["full"] and [c["card_no"] for c in full["changed"]] == [site.card_no]


def test_r_t3_sync_payload_and_versions(site):
    payload = site.sync()
    door = payload["door"]
    assert door["door_id"] == site.door and door["direction"] == "both" and door["anti_passback"] is False
    assert door["time_zones"][str(site.tz)][0] == {"weekdays": [1, 2, 3, 4, 5], "start": "08:00", "end": "18:00"}
    assert payload["permissions"]["changed"][0] == {"card_no": site.card_no, "status": "ok",
                                                    "time_zones": [site.tz], "valid_from": None,
                                                    "valid_until": None}
    r = site.client.get("/api/v1/terminal/sync", headers=site.terminal,
                        params={"permissions_version": payload["permissions"]["version"] + 5})
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_version"
    states = site.api("GET", f"/enterprises/{site.eid}/terminals/sync-states").json()
    mine = next(s for s in states if s["terminal_id"] == site.terminal_id)
    assert mine["permissions_version"] == 0 and mine["permissions_behind"] == payload["permissions"]["version"]
    # a POS gets no permissions
    pos = site.api("POST", f"/enterprises/{site.eid}/terminals", json={"type": "pos", "name": "一号窗口"}).json()
    other = site.sync(terminal={"Authorization": f"Bearer {pos['token']}"})
    assert other["permissions"] is None and other["door"] is None


def test_r_a2_anti_passback_offline_uses_synced_directions(site, clock):
    site.api("POST", f"/enterprises/{site.eid}/sites", json={"name": "宿舍区", "anti_passback": True})
    door_in = site.api("POST", f"/enterprises/{site.eid}/doors",
                       json={"name": "宿舍入口", "site": "宿舍区", "direction": "in"}).json()["id"]
    door_out = site.api("POST", f"/enterprises/{site.eid}/doors",
                        json={"name": "宿舍出口", "site": "宿舍区", "direction": "out"}).json()["id"]
    site.api("PATCH", f"/access-groups/{site.group}", json={"door_ids": [door_in, door_out]})
    t_in, _ = site.door_terminal(door_in, "入口终端")
    t_out, _ = site.door_terminal(door_out, "出口终端")
    device_in = synced(site, t_in)
    assert device_in.decide(site.card_no, bj(2026, 3, 2, 10)) == (True, "ok")
    assert device_in.decide(site.card_no, bj(2026, 3, 2, 10, 1)) == (False, "passback")
    # the entry reaches the platform; the exit terminal learns the direction at its sync
    r = site.client.post("/api/v1/terminal/access-events", headers=t_in, json={"events": device_in.pending_events()})
    assert r.json()["accepted"] == 2
    device_out = synced(site, t_out)
    assert device_out.directions == {site.card_no: "in"}
    assert device_out.decide(site.card_no, bj(2026, 3, 2, 11)) == (True, "ok")
    assert device_out.decide(site.card_no, bj(2026, 3, 2, 11, 1)) == (False, "passback")


def test_r_t3_online_decision_and_sync_stay_consistent(site):
    """A change seen first by an online decision (one card) and then undone still reaches the
    terminals: the one-card refresh does not let the next whole refresh be skipped."""
    device = synced(site)
    site.api("POST", f"/members/{site.mid}/suspend")
    assert site.decide(site.card_no, bj(2026, 3, 2, 10)) == (False, "member_suspended")
    site.api("POST", f"/members/{site.mid}/resume")
    device.apply_sync(site.sync(device.sync_params()))
    assert device.entries[site.card_no].status == "ok"
    assert device.decide(site.card_no, bj(2026, 3, 2, 10)) == (True, "ok")
    assert site.decide(site.card_no, bj(2026, 3, 2, 10)) == (True, "ok")
