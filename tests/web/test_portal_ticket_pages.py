"""The portal's "my work orders" (S8, S6): a member creates an order, follows its progress, rates
it, files a supervision complaint; a member sees only their own orders."""

from __future__ import annotations

from factories import make_member, unique_phone
from ticket_helpers import TICKETS, d, ok  # noqa: F401 - d is a fixture
from web_helpers import csrf_from, notice


# --- the portal ---------------------------------------------------------------------------

def test_r_s8_member_creates_follows_and_rates_an_order_in_the_portal(d):
    m = d.browser("member")
    home = m.get("/portal").text
    assert 'href="/portal/tickets"' in home and "我的工单" in home
    form = m.get("/portal/tickets/new").text
    assert "报障" in form and "咨询" in form and "投诉" in form and "服务监督" not in form
    r = m.post("/portal/tickets/new", data={"csrf_token": csrf_from(form), "type": "fault", "category": "terminal",
                                            "title": "食堂消费机刷不了卡", "description": "一号窗口"},
               follow_redirects=False)
    ok(r, "/portal/tickets/")
    tid = int(r.headers["location"].split("/")[-1].split("?")[0])
    t = d.ticket(tid)
    assert (t.channel, t.tier, t.phone, t.enterprise_id) == ("portal", 2, d.phone, d.eid)
    assert "食堂消费机刷不了卡" in m.get("/portal/tickets").text
    ok(d.act("agent_l2", tid, "accept"))
    ok(d.act("agent_l2", tid, "answer", answer="请重启消费机"))
    page = m.get(f"/portal/tickets/{tid}").text
    assert "请重启消费机" in page and "您对本次服务满意吗" in page and "处理进度" in page
    ok(d.act("member", tid, "rate", base="/portal/tickets", rating="5", comment="很快"), f"/portal/tickets/{tid}")
    t = d.ticket(tid)
    assert (t.status, t.rating, t.rating_comment) == ("rated", 5, "很快")
    assert "★★★★★" in m.get(f"/portal/tickets/{tid}").text
    again = d.act("member", tid, "rate", base="/portal/tickets", rating="4")
    assert again.status_code == 409 and "工单状态为“已评价”，不能执行此操作" in notice(again.text)
    assert d.act("member", tid, "rate", base="/portal/tickets", rating="9").status_code == 422
    assert d.ticket(tid).rating == 5
    assert d.act("member", tid, "close", base="/portal/tickets").status_code == 404  # not a customer's step


def test_r_s6_member_files_a_supervision_complaint_about_their_order(d):
    tid = d.create(channel="hotline_400", who="agent_l2", title="二线处理慢")
    m = d.browser("member")
    page = m.get(f"/portal/tickets/{tid}").text
    assert "服务监督" in page
    r = m.post(f"/portal/tickets/{tid}/supervise", data={"csrf_token": csrf_from(page), "description": "三天没人联系"},
               follow_redirects=False)
    ok(r)
    sid = int(r.headers["location"].split("/")[-1].split("?")[0])
    s = d.ticket(sid)
    assert (s.type, s.linked_ticket_id, s.tier) == ("supervision", tid, 1)
    supervisor = d.browser("operator").get(f"{TICKETS}/{sid}")
    assert supervisor.status_code == 200 and f'href="{TICKETS}/{tid}"' in supervisor.text  # supervisors see it
    assert "三天没人联系" in supervisor.text and "服务监督" in supervisor.text
    assert f'id="ticket-{sid}"' in d.browser("operator").get(TICKETS, params={"type": "supervision"}).text
    assert d.browser("agent_l2").get(f"{TICKETS}/{sid}").status_code == 404  # second line does not
    blank = m.post(f"/portal/tickets/{tid}/supervise", data={"csrf_token": csrf_from(page), "description": ""})
    assert blank.status_code == 422


def test_portal_orders_are_the_member_s_own(d):
    other_phone = unique_phone()
    make_member(d.database, enterprise_id=d.eid, phone=other_phone)
    theirs = d.create(phone=other_phone, title="别人的工单")
    m = d.browser("member")
    assert m.get(f"/portal/tickets/{theirs}").status_code == 404
    assert "别人的工单" not in m.get("/portal/tickets").text
    assert d.browser("agent_l1").get("/portal/tickets").status_code == 403
