"""S1–S3, S6: the tiers at the desk — answer directly, triage to a department or to second line,
escalate to tech support, answers flow back; every refusal."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from yikatong.audit.models import AuditEntry
from yikatong.notify.models import SmsMessage


def sms_to(desk, phone: str) -> list[str]:
    with desk.database.read() as s:
        return list(s.scalars(select(SmsMessage.text).where(SmsMessage.phone == phone).order_by(SmsMessage.id)))


def test_r_s1_first_line_records_and_answers_directly_then_customer_rates_and_closes(desk):
    t = desk.create("l1", type="consultation", category="business", title="如何办理一卡通?")
    assert (t["status"], t["tier"]) == ("new", 1)
    assert t["due_at"].startswith("20")
    desk.act("l1", t["id"], "accept")
    body = desk.act("l1", t["id"], "answer", {"answer": "请联系客户经理办理。"})
    assert body["status"] == "answered" and body["answer"] == "请联系客户经理办理。"
    assert f"【一卡通】您的工单{t['id']}已答复：请联系客户经理办理。请在个人服务门户“我的工单”中为本次服务评分。" \
        in sms_to(desk, desk.phone)
    desk.act("member", t["id"], "rate", {"rating": 5, "comment": "很快"})
    closed = desk.act("l1", t["id"], "close")
    assert closed["status"] == "closed" and closed["rating"] == 5 and closed["max_tier"] == 1
    actions = [e["action"] for e in closed["history"]]
    assert actions == ["create", "accept", "answer", "rate", "close"]
    assert [(e["from_status"], e["to_status"]) for e in closed["history"]][1:] == [
        ("new", "accepted"), ("accepted", "answered"), ("answered", "rated"), ("rated", "closed")]


def test_r_s1_channels_set_the_tier_and_roles_use_their_channels(desk):
    assert desk.create("l1", channel="hall")["tier"] == 1
    assert desk.create("l2", channel="hotline_400")["tier"] == 2
    assert desk.create("member", channel="portal", enterprise_id=None, phone=None)["tier"] == 2
    assert desk.create("am", channel="account_manager")["tier"] == 1
    r = desk.post("l1", "/tickets", {"type": "fault", "category": "terminal", "title": "x", "channel": "hotline_400"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "channel_not_for_role"
    for who in ("tech", "eng_a"):
        r = desk.post(who, "/tickets", {"type": "fault", "category": "terminal", "title": "x", "channel": "website"})
        assert r.status_code == 403 and r.json()["error"]["code"] == "role_not_allowed"


@pytest.mark.parametrize("category,department", [("network", "网络运维部"), ("billing", "计费账务部")])
def test_r_s2_operator_causes_go_to_the_responsible_department(desk, category, department):
    t = desk.create("l1", category=category, type="complaint", title="信号差/扣费有误")
    desk.act("l1", t["id"], "accept")
    body = desk.act("l1", t["id"], "transfer", {})
    assert body["status"] == "transferred" and body["department"] == department
    assert body["history"][-1]["data"] == {"department": department}
    assert desk.act("l1", t["id"], "close")["status"] == "closed"


def test_r_s2_a_yikatong_problem_is_not_transferred_but_escalated_to_second_line(desk):
    t = desk.create("l1", category="terminal")
    desk.act("l1", t["id"], "accept")
    r = desk.post("l1", f"/tickets/{t['id']}/transfer", {})
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_an_internal_cause"
    body = desk.act("l1", t["id"], "escalate", {"note": "业务问题,转二线"})
    assert (body["status"], body["tier"], body["max_tier"]) == ("escalated", 2, 2)
    queue = desk.get("l2", "/tickets").json()
    assert t["id"] in [i["id"] for i in queue["items"]]
    assert t["id"] not in [i["id"] for i in desk.get("tech", "/tickets").json()["items"]]


def test_r_s3_second_line_escalates_to_tech_support_whose_answer_flows_back(desk):
    t = desk.create("l1")
    desk.act("l1", t["id"], "accept")
    desk.act("l1", t["id"], "escalate")
    desk.act("l2", t["id"], "accept")
    assert desk.act("l2", t["id"], "escalate")["tier"] == 3
    desk.act("tech", t["id"], "accept")
    body = desk.act("tech", t["id"], "answer", {"answer": "更换读头固件后恢复"})
    assert (body["status"], body["tier"], body["max_tier"]) == ("answered", 2, 3)
    assert any("更换读头固件后恢复" in text for text in sms_to(desk, desk.phone))
    # Back with second line and visible to the first line that recorded it.
    assert t["id"] in [i["id"] for i in desk.get("l2", "/tickets").json()["items"]]
    assert t["id"] in [i["id"] for i in desk.get("l1", "/tickets").json()["items"]]
    assert desk.ticket(t["id"], "l1")["answer"] == "更换读头固件后恢复"
    r = desk.post("tech", f"/tickets/{t['id']}/escalate")
    assert r.status_code == 403 and r.json()["error"]["code"] == "role_not_allowed"


def test_r_s3_tech_support_is_the_last_tier(desk):
    t = desk.create("l2", channel="hotline_400")
    desk.act("l2", t["id"], "accept")
    desk.act("l2", t["id"], "escalate")
    desk.act("tech", t["id"], "accept")
    r = desk.post("op", f"/tickets/{t['id']}/escalate")
    assert r.status_code == 409 and r.json()["error"]["code"] == "ticket_top_tier"


def test_r_s3_a_direct_answer_asks_the_customers_opinion_and_may_be_reopened(desk):
    t = desk.create("l2", channel="hotline_400")
    desk.act("l2", t["id"], "accept")
    answered = desk.act("l2", t["id"], "answer", {"answer": "请重启终端"})
    assert "rate" in desk.ticket(t["id"], "member")["allowed_actions"]
    assert answered["status"] == "answered"
    assert desk.act("member", t["id"], "reopen", {"note": "还是不行"})["status"] == "accepted"
    assert desk.act("l2", t["id"], "answer", {"answer": "已远程修复"})["status"] == "answered"


def test_r_s3_tier_staff_act_only_on_their_own_tier(desk):
    t = desk.create("l1")
    r = desk.post("l2", f"/tickets/{t['id']}/accept")
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_your_tier"
    r = desk.post("tech", f"/tickets/{t['id']}/accept")
    assert r.status_code == 403
    for who, action in (("member", "accept"), ("admin", "answer"), ("eng_a", "accept"), ("am", "escalate")):
        r = desk.post(who, f"/tickets/{t['id']}/{action}", {"answer": "x"})
        assert r.status_code in (403, 404), (who, action, r.text)
        assert r.status_code == 403 or who in ("eng_a", "am")  # engineers and AMs do not even see it
    assert desk.ticket(t["id"])["status"] == "new"


@pytest.mark.parametrize("action,body", [
    ("answer", {"answer": "x"}), ("transfer", {}), ("escalate", None), ("assign", {}), ("dispatch", {}),
    ("reply", {"note": "x"}), ("close", None), ("hold", None), ("resume", None), ("rate", {"rating": 3}),
])
def test_r_s8_illegal_actions_on_a_new_ticket_are_409_with_the_machines_code(desk, action, body):
    t = desk.create("l1")
    who = "member" if action == "rate" else "l1"
    r = desk.post(who, f"/tickets/{t['id']}/{action}", body)
    assert r.status_code == 409, r.text
    assert r.json()["error"]["code"] == "ticket_new"
    assert desk.ticket(t["id"])["status"] == "new"


def test_r_s8_a_closed_ticket_takes_no_further_action(desk):
    t = desk.create("l1", category="billing")
    desk.act("l1", t["id"], "accept")
    desk.act("l1", t["id"], "transfer", {"department": "省计费中心"})
    desk.act("l1", t["id"], "close")
    for action in ("accept", "cancel", "reopen", "close", "comment"):
        r = desk.post("l1", f"/tickets/{t['id']}/{action}", {"note": "x"})
        assert r.status_code == 409 and r.json()["error"]["code"] == "ticket_closed", action


def test_r_s8_cancel_by_the_customer_before_resolution(desk):
    t = desk.create("member", channel="portal", enterprise_id=None, phone=None)
    body = desk.act("member", t["id"], "cancel", {"note": "已自行解决"})
    assert body["status"] == "cancelled" and body["closed_at"]


def test_r_x4_every_ticket_step_is_audited(desk):
    t = desk.create("l1")
    desk.act("l1", t["id"], "accept")
    desk.act("l1", t["id"], "escalate")
    with desk.database.read() as s:
        rows = s.execute(select(AuditEntry.action, AuditEntry.channel, AuditEntry.after)
                         .where(AuditEntry.entity_type == "ticket", AuditEntry.entity_id == str(t["id"]))
                         .order_by(AuditEntry.id)).all()
    assert [r.action for r in rows] == ["ticket.create", "ticket.accept", "ticket.escalate"]
    assert rows[-1].after["tier"] == 2 and rows[-1].after["status"] == "escalated"
