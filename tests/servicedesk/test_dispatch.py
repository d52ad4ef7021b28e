"""S5, S8: assignment to a team by the responsibility matrix and territory, dispatch (manual,
automatic by rules, re-dispatch, grab), appointments, arrival, resolution, reply, rating, close."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from factories import make_engineer, make_team
from yikatong.audit.models import AuditEntry
from yikatong.notify.models import SmsMessage

SOON = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)).isoformat()
LATER = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=2)).isoformat()


def rules(desk, **body):
    r = desk.client.put(f"/api/v1/enterprises/{desk.eid}/dispatch-rules", headers=desk.h["l2"], json=body)
    assert r.status_code == 200, r.text
    return r.json()


def test_r_s8_full_on_site_flow_create_escalate_dispatch_appoint_resolve_reply_rate_close(desk):
    t = desk.create("l1")
    desk.act("l1", t["id"], "accept")
    desk.act("l1", t["id"], "escalate")
    desk.act("l2", t["id"], "accept")
    assigned = desk.act("l2", t["id"], "assign", {})
    assert assigned["status"] == "assigned" and assigned["team_id"] == desk.vendor_team
    assert assigned["sla"]["arrive_by"] and assigned["sla"]["resolve_by"]
    dispatched = desk.act("l2", t["id"], "dispatch", {"engineer_id": desk.uid("eng_a")})
    assert (dispatched["status"], dispatched["engineer_id"], dispatched["dispatch_mode"]) == (
        "dispatched", desk.uid("eng_a"), "manual")
    assert desk.act("eng_a", t["id"], "appoint", {"at": SOON})["status"] == "appointed"
    assert desk.act("eng_a", t["id"], "arrive")["status"] == "on_site"
    resolved = desk.act("eng_a", t["id"], "resolve", {"resolution": "更换读卡模块"})
    assert resolved["status"] == "resolved" and resolved["sla"]["arrive"] == "met"
    assert desk.act("l2", t["id"], "reply", {"note": "故障已排除"})["status"] == "replied"
    assert desk.act("admin", t["id"], "rate", {"rating": 4})["status"] == "rated"
    closed = desk.act("l2", t["id"], "close")
    assert closed["status"] == "closed" and closed["sla"]["outcome"] == "met"
    assert [e["action"] for e in closed["history"]] == [
        "create", "accept", "escalate", "accept", "assign", "dispatch", "appoint", "arrive", "resolve", "reply",
        "rate", "close"]
    with desk.database.read() as s:
        texts = list(s.scalars(select(SmsMessage.text).where(SmsMessage.phone == desk.phone)))
    assert any("预约上门" in x for x in texts) and any("故障已排除" in x for x in texts)


def test_r_s5_responsibility_matrix_terminal_to_vendor_engineering_to_integrator(desk):
    terminal = desk.onsite()
    assert desk.ticket(terminal)["team_id"] == desk.vendor_team
    eng = desk.create("l2", channel="hotline_400", category="engineering", title="验收遗留问题")
    desk.act("l2", eng["id"], "accept")
    assert desk.act("l2", eng["id"], "assign", {})["team_id"] == desk.integrator_team


def test_r_s8_assignment_follows_the_territory_zone_and_city(desk):
    # The integrator team covers only urban 杭州: a suburban enterprise has no integrator team.
    t = desk.create("l2", channel="hotline_400", category="engineering", enterprise_id=desk.suburban_eid, phone=None)
    desk.act("l2", t["id"], "accept")
    r = desk.post("l2", f"/tickets/{t['id']}/assign", {})
    assert r.status_code == 409 and r.json()["error"]["code"] == "no_team_for_territory"
    suburban = make_team(desk.database, kind="integrator", zones=("suburban",))
    make_team(desk.database, kind="integrator", city="宁波")
    assert desk.act("l2", t["id"], "assign", {})["team_id"] == suburban
    # An agent may name the team; re-assigning keeps the on-site clocks.
    before = desk.ticket(t["id"])["sla"]
    again = desk.act("l2", t["id"], "assign", {"team_id": desk.integrator_team})
    assert again["team_id"] == desk.integrator_team and again["sla"]["arrive_by"] == before["arrive_by"]


def test_r_s8_redispatch_is_recorded_and_clears_the_appointment(desk):
    t = desk.onsite()
    desk.act("l2", t, "dispatch", {"engineer_id": desk.uid("eng_a")})
    desk.act("eng_a", t, "appoint", {"at": SOON})
    body = desk.act("l2", t, "dispatch", {"engineer_id": desk.uid("eng_b"), "note": "原工程师请假"})
    assert (body["status"], body["engineer_id"], body["dispatch_mode"], body["appointment_at"]) == (
        "dispatched", desk.uid("eng_b"), "redispatch", None)
    last = body["history"][-1]
    assert last["action"] == "redispatch" and last["data"]["previous_engineer_id"] == desk.uid("eng_a")
    r = desk.post("l2", f"/tickets/{t}/dispatch", {"engineer_id": desk.uid("eng_b")})
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_dispatched_to_engineer"
    # The first engineer no longer sees it; acting on it is a 404.
    assert desk.post("eng_a", f"/tickets/{t}/arrive").status_code == 404


def test_r_s8_without_rules_the_order_waits_for_a_grab_and_the_first_grab_wins(desk):
    t = desk.onsite()
    body = desk.act("l2", t, "dispatch", {})
    assert body["status"] == "waiting_grab" and body["engineer_id"] is None
    assert body["history"][-1]["action"] == "offer"
    listed = desk.get("eng_b", "/tickets").json()["items"]
    assert [i["id"] for i in listed] == [t] and "grab" in listed[0]["allowed_actions"]
    assert desk.get("eng_int", "/tickets").json()["total"] == 0  # another team's engineer
    assert desk.post("eng_int", f"/tickets/{t}/grab").status_code == 404
    won = desk.act("eng_b", t, "grab")
    assert (won["status"], won["engineer_id"], won["dispatch_mode"]) == ("dispatched", desk.uid("eng_b"), "grab")
    r = desk.post("eng_a", f"/tickets/{t}/grab")
    assert r.status_code == 409 and r.json()["error"]["code"] == "ticket_dispatched"
    r = desk.post("l2", f"/tickets/{t}/grab")
    assert r.status_code == 403


def test_r_s8_dispatch_rules_pick_by_skill_duty_and_load_deterministically(desk):
    assert desk.get("l2", f"/enterprises/{desk.eid}/dispatch-rules").json()["set"] is False
    rules(desk, category_skills={"terminal": "pos"})
    # pos skill: eng_a and eng_off; eng_off is off duty → eng_a.
    first = desk.onsite()
    body = desk.act("l2", first, "dispatch", {})
    assert (body["engineer_id"], body["dispatch_mode"]) == (desk.uid("eng_a"), "auto")
    # Without a skill rule: eng_b has the lowest load now.
    rules(desk, category_skills={})
    second = desk.onsite()
    assert desk.act("l2", second, "dispatch", {})["engineer_id"] == desk.uid("eng_b")
    # Equal load (1 each): the longest idle — eng_a was dispatched first.
    third = desk.onsite()
    assert desk.act("l2", third, "dispatch", {})["engineer_id"] == desk.uid("eng_a")
    # A cap of open orders per engineer that nobody fits under → open for a grab.
    rules(desk, max_open_per_engineer=1)
    fourth = desk.onsite()
    assert desk.act("l2", fourth, "dispatch", {})["status"] == "waiting_grab"
    # Off duty counts when the rules ignore duty.
    rules(desk, require_on_duty=False, category_skills={"terminal": "pos"}, max_open_per_engineer=1)
    assert desk.act("l2", fourth, "dispatch", {})["engineer_id"] == desk.uid("eng_off")


def test_r_s8_disabled_rules_and_a_required_skill_nobody_has(desk):
    rules(desk, enabled=False)
    t = desk.onsite()
    assert desk.act("l2", t, "dispatch", {})["status"] == "waiting_grab"
    rules(desk)
    t2 = desk.create("l2", channel="hotline_400")
    desk.act("l2", t2["id"], "accept")
    desk.act("l2", t2["id"], "assign", {"required_skill": "attendance"})
    assert desk.act("l2", t2["id"], "dispatch", {})["status"] == "waiting_grab"


def test_r_s8_appointment_can_be_changed_and_every_booking_is_kept(desk):
    t = desk.onsite()
    desk.act("l2", t, "dispatch", {"engineer_id": desk.uid("eng_a")})
    desk.act("eng_a", t, "appoint", {"at": SOON})
    body = desk.act("eng_a", t, "appoint", {"at": LATER, "note": "客户改期"})
    appointments = [e for e in body["history"] if e["action"] == "appoint"]
    assert len(appointments) == 2 and appointments[1]["data"]["previous"] == appointments[0]["data"]["at"]
    assert body["appointment_at"].startswith(LATER[:16])
    r = desk.post("eng_a", f"/tickets/{t}/appoint", {"at": "2020-01-01T10:00:00+08:00"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "appointment_in_past"
    r = desk.post("eng_a", f"/tickets/{t}/appoint", {"at": "2030-01-01T10:00:00"})
    assert r.status_code == 422


def test_r_s8_only_the_dispatched_engineer_works_the_order(desk):
    t = desk.onsite()
    desk.act("l2", t, "dispatch", {})  # waiting for a grab: visible to the whole team
    r = desk.post("eng_a", f"/tickets/{t}/appoint", {"at": SOON})
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_your_order"
    desk.act("l2", t, "dispatch", {"engineer_id": desk.uid("eng_a")})
    assert desk.post("eng_b", f"/tickets/{t}/appoint", {"at": SOON}).status_code == 404
    r = desk.post("eng_a", f"/tickets/{t}/arrive")
    assert r.status_code == 409 and r.json()["error"]["code"] == "ticket_dispatched"  # appointment first
    r = desk.post("l2", f"/tickets/{t}/resolve", {"resolution": "x"})
    assert r.status_code == 403


def test_r_s8_dispatch_endpoints_are_audited(desk):
    t = desk.onsite()
    desk.act("l2", t, "dispatch", {"engineer_id": desk.uid("eng_a")})
    with desk.database.read() as s:
        actions = list(s.scalars(select(AuditEntry.action).where(AuditEntry.entity_type == "ticket",
                                                                  AuditEntry.entity_id == str(t))))
    assert actions[-2:] == ["ticket.assign", "ticket.dispatch"]


@pytest.mark.parametrize("status_action", ["dispatch", "grab"])
def test_r_s8_dispatch_before_assignment_is_illegal(desk, status_action):
    t = desk.create("l2", channel="hotline_400")
    desk.act("l2", t["id"], "accept")
    who = "eng_a" if status_action == "grab" else "l2"
    r = desk.post(who, f"/tickets/{t['id']}/{status_action}", {})
    assert r.status_code in (404, 409)
    if who == "l2":
        assert r.json()["error"]["code"] == "ticket_accepted"


def test_r_s8_an_engineer_added_later_gets_the_next_order(desk):
    rules(desk)
    new_uid, _ = make_engineer(desk.database, team_id=desk.vendor_team, skills=("door",))
    desk.act("l2", desk.onsite(), "dispatch", {"engineer_id": desk.uid("eng_a")})
    desk.act("l2", desk.onsite(), "dispatch", {"engineer_id": desk.uid("eng_b")})
    assert desk.act("l2", desk.onsite(), "dispatch", {})["engineer_id"] == new_uid
