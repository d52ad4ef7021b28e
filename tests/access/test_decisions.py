"""A1 online: POST /terminal/access-decisions from a door terminal."""

from __future__ import annotations

from .conftest import bj


def test_r_a1_card_in_and_outside_time_zone(site):
    assert site.decide(site.card_no, bj(2026, 3, 2, 10)) == (True, "ok")  # a Monday
    assert site.decide(site.card_no, bj(2026, 3, 2, 20)) == (False, "outside_time_zone")
    assert site.decide(site.card_no, bj(2026, 3, 7, 10)) == (False, "outside_time_zone")  # Saturday


def test_r_a1_boundary_minute_start_allowed_end_denied_online(site):
    assert site.decide(site.card_no, bj(2026, 3, 2, 8, 0)) == (True, "ok")
    assert site.decide(site.card_no, bj(2026, 3, 2, 7, 59, 59)) == (False, "outside_time_zone")
    assert site.decide(site.card_no, bj(2026, 3, 2, 18, 0)) == (False, "outside_time_zone")
    # the same instant given in UTC is the same Beijing minute
    r = site.client.post("/api/v1/terminal/access-decisions", headers=site.terminal,
                         json={"card_no": site.card_no, "at": "2026-03-02T00:00:00Z"})
    assert r.json() == {"allowed": True, "reason": "ok"}


def test_r_a1_holidays_and_tiaoxiu_from_the_calendar(site):
    r = site.api("POST", f"/enterprises/{site.eid}/holidays", json={"day": "2026-03-02", "kind": "holiday",
                                                                    "name": "测试假日"})
    assert r.status_code == 201, r.text
    assert site.decide(site.card_no, bj(2026, 3, 2, 9)) == (True, "ok")  # weekday-8 period 09:00-12:00
    assert site.decide(site.card_no, bj(2026, 3, 2, 14)) == (False, "outside_time_zone")
    r = site.api("POST", f"/enterprises/{site.eid}/holidays", json={"day": "2026-03-07", "kind": "workday",
                                                                    "name": "调休上班"})
    assert r.status_code == 201, r.text
    assert site.decide(site.card_no, bj(2026, 3, 7, 10)) == (True, "ok")


def test_r_a1_not_in_group_and_no_application(site):
    _, _, stranger = site.add_member_with_card(name="王五")
    assert site.decide(stranger, bj(2026, 3, 2, 10)) == (False, "not_in_group")
    mid, _, no_app = site.add_member_with_card(name="赵六", apps=("purse",))
    r = site.api("PATCH", f"/access-groups/{site.group}", json={"member_ids": [site.mid, mid]})
    assert r.status_code == 200 and r.json()["member_ids"] == sorted([site.mid, mid])
    assert site.decide(no_app, bj(2026, 3, 2, 10)) == (False, "no_application")
    assert site.decide("6200000000000000", bj(2026, 3, 2, 10)) == (False, "not_in_group")


def test_r_a1_whole_department_group(site):
    _, _, sales = site.add_member_with_card(name="钱七", department="销售部")
    assert site.decide(sales, bj(2026, 3, 2, 10)) == (False, "not_in_group")
    r = site.api("POST", f"/enterprises/{site.eid}/access-groups",
                 json={"name": "销售部", "door_ids": [site.door], "time_zone_id": site.tz, "member_ids": [],
                       "departments": ["销售部"]})
    assert r.status_code == 201, r.text
    assert site.decide(sales, bj(2026, 3, 2, 10)) == (True, "ok")
    # a member moved out of the department loses it at the next decision, with no hook in members
    members = site.api("GET", f"/enterprises/{site.eid}/members", params={"q": "钱七"}).json()["items"]
    r = site.api("PATCH", f"/members/{members[0]['id']}", json={"department": "财务部"})
    assert r.status_code == 200, r.text
    assert site.decide(sales, bj(2026, 3, 2, 10)) == (False, "not_in_group")


def test_r_a1_lost_card_and_suspended_member_online(site):
    assert site.api("POST", f"/members/{site.mid}/suspend").status_code == 200
    assert site.decide(site.card_no, bj(2026, 3, 2, 10)) == (False, "member_suspended")
    assert site.api("POST", f"/members/{site.mid}/resume").status_code == 200
    assert site.decide(site.card_no, bj(2026, 3, 2, 10)) == (True, "ok")
    assert site.api("POST", f"/cards/{site.card_id}/loss").status_code == 200
    assert site.decide(site.card_no, bj(2026, 3, 2, 10)) == (False, "card_lost")


def test_r_a1_validity_dates(site):
    r = site.api("PUT", f"/members/{site.mid}/access-validity",
                 json={"valid_from": "2026-03-03", "valid_until": "2026-03-31"})
    assert r.status_code == 200, r.text
    assert site.decide(site.card_no, bj(2026, 3, 2, 10)) == (False, "not_yet_valid")
    assert site.decide(site.card_no, bj(2026, 3, 3, 10)) == (True, "ok")
    assert site.decide(site.card_no, bj(2026, 3, 31, 17, 59)) == (True, "ok")
    assert site.decide(site.card_no, bj(2026, 4, 1, 10)) == (False, "expired")
    r = site.api("PUT", f"/members/{site.mid}/access-validity", json={"valid_from": "2026-04-01",
                                                                      "valid_until": "2026-03-01"})
    assert r.status_code == 422
    assert site.api("GET", f"/members/{site.mid}/access-validity").json()["valid_until"] == "2026-03-31"


def test_r_a1_anti_passback_online(site):
    r = site.api("POST", f"/enterprises/{site.eid}/sites", json={"name": "宿舍区", "anti_passback": True})
    assert r.status_code == 201, r.text
    door_in = site.api("POST", f"/enterprises/{site.eid}/doors",
                       json={"name": "宿舍入口", "site": "宿舍区", "direction": "in"}).json()["id"]
    door_out = site.api("POST", f"/enterprises/{site.eid}/doors",
                        json={"name": "宿舍出口", "site": "宿舍区", "direction": "out"}).json()["id"]
    r = site.api("PATCH", f"/access-groups/{site.group}", json={"door_ids": [site.door, door_in, door_out]})
    assert r.status_code == 200
    t_in, _ = site.door_terminal(door_in, "入口终端")
    t_out, _ = site.door_terminal(door_out, "出口终端")
    assert site.decide(site.card_no, bj(2026, 3, 2, 9), t_in) == (True, "ok")
    assert site.decide(site.card_no, bj(2026, 3, 2, 9, 1), t_in) == (False, "passback")
    assert site.decide(site.card_no, bj(2026, 3, 2, 12), t_out) == (True, "ok")
    assert site.decide(site.card_no, bj(2026, 3, 2, 12, 1), t_out) == (False, "passback")
    assert site.decide(site.card_no, bj(2026, 3, 2, 13), t_in) == (True, "ok")
    # a new day starts afresh: yesterday's "in" does not block today's entry
    assert site.decide(site.card_no, bj(2026, 3, 3, 9), t_in) == (True, "ok")
    # the headquarters door (a site without anti-passback) never counts
    assert site.decide(site.card_no, bj(2026, 3, 2, 14)) == (True, "ok")


def test_r_a1_api_errors(site, client):
    r = client.post("/api/v1/terminal/access-decisions", headers=site.admin, json={"card_no": site.card_no})
    assert r.status_code == 403 and r.json()["error"]["code"] == "terminal_only"
    pos = site.api("POST", f"/enterprises/{site.eid}/terminals", json={"type": "pos", "name": "一号窗口"}).json()
    r = client.post("/api/v1/terminal/access-decisions", headers={"Authorization": f"Bearer {pos['token']}"},
                    json={"card_no": site.card_no})
    assert r.status_code == 403 and r.json()["error"]["code"] == "wrong_terminal_type"
    for body in ({"card_no": "12"}, {}, {"card_no": site.card_no, "at": "2026-03-02T10:00:00"}):
        r = client.post("/api/v1/terminal/access-decisions", headers=site.terminal, json=body)
        assert r.status_code == 422, body
    unbound = site.api("POST", f"/enterprises/{site.eid}/terminals", json={"type": "door", "name": "未绑定"}).json()
    r = client.post("/api/v1/terminal/access-decisions", headers={"Authorization": f"Bearer {unbound['token']}"},
                    json={"card_no": site.card_no})
    assert r.status_code == 409 and r.json()["error"]["code"] == "door_not_set"
