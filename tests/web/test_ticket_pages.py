"""The service desk's console pages (S1–S8): the agents' workbench with filters, paging and SLA
badges in Beijing time, the new-order form with knowledge-base suggestions, the order page with a
form for each allowed step, the engineer's list (grab race, appointment, arrive, resolve), refusals
as 4xx pages with the reason in Chinese, and X5 (another enterprise's order is a 404)."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook

from ticket_helpers import TICKETS, Desk, d, ok, on_duty  # noqa: F401 - d is a fixture
from web_helpers import csrf_from, notice


# --- the workbench ---------------------------------------------------------------------------

def test_r_s1_workbench_shows_my_tier_s_queue_in_chinese_with_sla_in_beijing_time(d, clock):
    mine = d.create(title="门禁刷卡无反应")  # 10086 → tier 1, first response due in 10 minutes
    d.create(title="四百热线来电", channel="hotline_400", who="agent_l2")  # tier 2
    c = d.browser("agent_l1")
    page = c.get(TICKETS)
    assert page.status_code == 200
    assert "<h1>工单</h1>" in page.text and "第 1 级的工单队列" in page.text
    row = re.search(rf'<tr id="ticket-{mine}">(.*?)</tr>', page.text, re.S).group(1)
    assert "门禁刷卡无反应" in row and "10086 热线" in row and "待受理" in row
    assert "2026-03-02 10:10" in row and "即将超时" in row  # due 10:10 Beijing, within the 2 h warning lead
    assert "四百热线来电" not in page.text
    assert 'href="/console/tickets" class="active"' in page.text  # the nav link 工单
    clock.advance(minutes=20)
    late = c.get(TICKETS).text
    assert "已超时" in re.search(rf'<tr id="ticket-{mine}">(.*?)</tr>', late, re.S).group(1)
    assert "四百热线来电" in c.get(TICKETS, params={"all": "1"}).text  # every order first line may see


def test_r_s9_workbench_list_exports_to_excel_with_its_filters(d):
    d.create(title="门禁刷卡无反应")
    d.create(title="计费疑问", type="consultation", category="billing", channel="hall")
    c = d.browser("agent_l1")
    assert 'href="/console/tickets.xlsx?category=billing"' in c.get(TICKETS, params={"category": "billing"}).text
    r = c.get(f"{TICKETS}.xlsx", params={"category": "billing"})
    assert r.status_code == 200 and r.headers["content-disposition"].endswith('.xlsx"')
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("编号", "标题", "工单类型") and len(rows) == 2
    assert rows[1][1:5] == ("计费疑问", "咨询", "计费类", "营业厅") and rows[1][6] == d.phone
    assert d.browser("member").get(f"{TICKETS}.xlsx").status_code == 403


def test_r_s1_workbench_filters_search_fragment_and_paging(d):
    for i in range(21):
        d.create(title=f"门禁故障{i:02d}")
    d.create(title="计费疑问", type="consultation", category="billing", channel="hall")
    c = d.browser("agent_l1")
    assert "第 1 / 2 页 · 共 22 条" in c.get(TICKETS).text
    assert "门禁故障00" in c.get(TICKETS, params={"page": "2"}).text
    billing = c.get(TICKETS, params={"category": "billing"}).text
    assert "计费疑问" in billing and "门禁故障" not in billing
    assert "计费疑问" in c.get(TICKETS, params={"channel": "hall", "type": "consultation"}).text
    assert "计费疑问" not in c.get(TICKETS, params={"status": "accepted"}).text
    frag = c.get(TICKETS, params={"q": "故障05"}, headers={"HX-Request": "true", "HX-Target": "ticket-results"}).text
    assert frag.lstrip().startswith('<div id="ticket-results"') and "<html" not in frag
    assert "门禁故障05" in frag and "门禁故障06" not in frag
    assert "没有符合条件的工单" in c.get(TICKETS, params={"q": "没有这种"}).text
    assert "Service tickets" in c.get(TICKETS, params={"lang": "en"}).text


def test_r_s1_new_order_form_offers_only_my_channels_and_records_the_order(d):
    c = d.browser("agent_l1")
    form = c.get(f"{TICKETS}/new").text
    assert "新建工单" in form and 'value="hotline_10086"' in form and 'value="hall"' in form
    assert 'value="hotline_400"' not in form and 'value="portal"' not in form
    assert 'hx-get="/console/tickets/suggest"' in form
    data = {"csrf_token": csrf_from(form), "type": "fault", "category": "terminal", "channel": "hall",
            "enterprise_id": str(d.eid), "phone": d.phone, "title": "考勤机不识别卡", "description": "二楼考勤机"}
    r = c.post(f"{TICKETS}/new", data=data, follow_redirects=False)
    ok(r, f"{TICKETS}/")
    page = c.get(r.headers["location"]).text
    assert "创建工单已完成，工单状态：待受理。" in notice(page, "ok")
    assert "考勤机不识别卡" in page and "西湖数智" in page and "林晓" in page and "营业厅" in page
    # a channel that is not first line's, and a blank title: 422 with the reasons, nothing saved
    bad = c.post(f"{TICKETS}/new", data=data | {"channel": "hotline_400"})
    assert bad.status_code == 422 and "您的角色不能通过此渠道受理工单" in notice(bad.text)
    blank = c.post(f"{TICKETS}/new", data=data | {"title": "  "})
    assert blank.status_code == 422 and "必填" in blank.text
    # tech support records no orders; members use the portal
    assert d.browser("tech_support").get(f"{TICKETS}/new").status_code == 403
    assert d.browser("member").get(TICKETS).status_code == 403


def test_r_s7_suggestions_appear_for_what_the_agent_types(d, database):
    from yikatong.knowledge import service as knowledge

    with database.write() as s:
        knowledge.seed_faq(s)
    c = d.browser("agent_l1")
    hits = c.get(f"{TICKETS}/suggest", params={"title": "电子钱包余额有效期", "description": ""}).text
    assert "<html" not in hits and "/console/kb/" in hits and "有效期" in hits
    assert "/console/kb/" not in c.get(f"{TICKETS}/suggest", params={"title": ""}).text


# --- the order page: tiers ------------------------------------------------------------------

def test_r_s2_first_line_accepts_and_escalates_then_second_line_answers(d):
    tid = d.create()
    page = d.browser("agent_l1").get(f"{TICKETS}/{tid}").text
    assert 'id="act-accept"' in page and 'id="act-cancel"' in page and 'id="act-answer"' not in page
    assert "首次响应" in page and "2026-03-02 10:10" in page and "处理记录" in page
    ok(d.act("agent_l1", tid, "accept", note="已联系客户"))
    after = d.browser("agent_l1").get(f"{TICKETS}/{tid}?done=accept").text
    assert "受理已完成，工单状态：已受理。" in notice(after, "ok") and "已联系客户" in after
    assert "已达标" in after  # the first response was in time
    ok(d.act("agent_l1", tid, "escalate", note="一卡通平台问题"))
    assert d.ticket(tid).status == "escalated" and d.ticket(tid).tier == 2
    # second line sees it in their queue and takes it
    assert f'id="ticket-{tid}"' in d.browser("agent_l2").get(TICKETS).text
    ok(d.act("agent_l2", tid, "accept"))
    ok(d.act("agent_l2", tid, "answer", answer="请重新插拔读卡器电源"))
    page = d.browser("agent_l2").get(f"{TICKETS}/{tid}").text
    assert "已答复" in page and "请重新插拔读卡器电源" in page
    history = page[page.index("处理记录"):]
    for step in ("创建工单", "受理", "升级", "直接答复"):
        assert step in history
    assert "一线客服" in history and "二线客服" in history


def test_r_s2_network_cause_is_transferred_to_its_department(d):
    tid = d.create(type="complaint", category="network", title="信号差")
    ok(d.act("agent_l1", tid, "accept"))
    page = d.browser("agent_l1").get(f"{TICKETS}/{tid}").text
    assert 'value="网络运维部"' in page  # the responsible department is the default
    ok(d.act("agent_l1", tid, "transfer", department="网络运维部", note="基站问题"))
    t = d.ticket(tid)
    assert (t.status, t.department) == ("transferred", "网络运维部")
    # a terminal fault is the desk's own: 409 with the reason
    other = d.create()
    ok(d.act("agent_l1", other, "accept"))
    r = d.act("agent_l1", other, "transfer")
    assert r.status_code == 409 and "只有网络和计费原因的问题才转交内部部门" in notice(r.text)


def test_r_s3_refusals_are_4xx_pages_with_the_reason(d):
    tier2 = d.create(channel="hotline_400", who="agent_l2")
    r = d.act("agent_l1", tier2, "accept")
    assert r.status_code == 403 and "只有该层级的坐席可以执行此操作" in notice(r.text)
    tid = d.create()
    r = d.act("agent_l1", tid, "close")
    assert r.status_code == 409 and "工单状态为“待受理”，不能执行此操作" in notice(r.text)
    assert d.act("agent_l1", tid, "explode").status_code == 404
    no_csrf = d.browser("agent_l1").post(f"{TICKETS}/{tid}/accept", data={}, follow_redirects=False)
    assert no_csrf.status_code == 403 and d.ticket(tid).status == "new"
    ok(d.act("agent_l1", tid, "accept"))
    empty = d.act("agent_l1", tid, "answer", answer="")
    assert empty.status_code == 422 and d.ticket(tid).status == "accepted"
    assert d.browser("agent_l1").get(f"{TICKETS}/999999").status_code == 404


def test_r_s4_waiting_on_the_customer_pauses_the_clocks(d, clock):
    tid = d.create()
    ok(d.act("agent_l1", tid, "accept"))
    ok(d.act("agent_l1", tid, "hold", note="客户出差"))
    clock.advance(hours=2)
    page = d.browser("agent_l1").get(f"{TICKETS}/{tid}").text
    assert "等待客户" in page and "服务时限已暂停计时" in page and 'id="act-resume"' in page
    ok(d.act("agent_l1", tid, "resume"))
    page = d.browser("agent_l1").get(f"{TICKETS}/{tid}").text
    assert "累计暂停 120 分钟" in page and d.ticket(tid).status == "accepted"


def test_cancel_asks_for_confirmation_first(d):
    tid = d.create()
    r = d.act("agent_l1", tid, "cancel")
    ok(r, f"{TICKETS}/{tid}/cancel")
    assert d.ticket(tid).status == "new"
    confirm = d.browser("agent_l1").get(f"{TICKETS}/{tid}/cancel").text
    assert "确定取消工单" in confirm and 'name="confirm" value="yes"' in confirm
    ok(d.act("agent_l1", tid, "cancel", confirm="yes", note="重复登记"))
    assert d.ticket(tid).status == "cancelled"


def test_comments_on_an_open_order_from_the_console_and_the_portal(d):
    tid = d.create()
    assert 'id="act-comment"' in d.browser("agent_l1").get(f"{TICKETS}/{tid}").text
    ok(d.act("agent_l1", tid, "comment", note="客户下午再来电"))
    ok(d.act("member", tid, "comment", base="/portal/tickets", note="三号门也坏了"), f"/portal/tickets/{tid}")
    page = d.browser("agent_l1").get(f"{TICKETS}/{tid}").text
    assert "客户下午再来电" in page and "三号门也坏了" in page and d.ticket(tid).status == "new"
    assert d.act("agent_l1", tid, "comment", note="").status_code == 422


# --- on site: assign, dispatch, the engineer's list ---------------------------------------

def _onsite(d: Desk) -> int:
    tid = d.create(channel="hotline_400", who="agent_l2")
    ok(d.act("agent_l2", tid, "accept"))
    return tid


def test_r_s8_second_line_assigns_and_dispatches_and_the_engineer_works_the_order(d, clock):
    tid = _onsite(d)
    page = d.browser("agent_l2").get(f"{TICKETS}/{tid}").text
    assert f'<option value="{d.team}">杭州厂家驻地组' in page
    ok(d.act("agent_l2", tid, "assign", team_id=str(d.team)))
    page = d.browser("agent_l2").get(f"{TICKETS}/{tid}").text
    assert "到场时限" in page and "2026-03-03 10:00" in page  # urban: arrive within 24 h
    assert f'<option value="{d.eng_a}">eng_zhou' in page
    ok(d.act("agent_l2", tid, "dispatch", engineer_id=str(d.eng_a)))
    eng = d.browser("eng_a")
    mine = eng.get("/console/engineer").text
    assert "派给我的工单" in mine and f'id="order-{tid}"' in mine and "预约上门" in mine
    assert 'href="/console/engineer" class="active"' in mine  # the nav link 我的工单
    assert eng.get(TICKETS, follow_redirects=False).headers["location"] == "/console/engineer"
    token = csrf_from(mine)
    post = lambda action, **data: eng.post(f"/console/engineer/{tid}/{action}",  # noqa: E731
                                           data={"csrf_token": token, **data}, follow_redirects=False)
    past = post("appoint", at="2026-03-01T09:00")
    assert past.status_code == 422 and "预约时间已过" in notice(past.text)
    ok(post("appoint", at="2026-03-02T15:30"), "/console/engineer")
    assert "2026-03-02 15:30" in eng.get("/console/engineer").text
    ok(post("appoint", at="2026-03-02T16:00"))  # changed
    assert d.ticket(tid).status == "appointed"
    assert "2026-03-02 16:00" in eng.get("/console/engineer").text and "改约" in eng.get("/console/engineer").text
    ok(post("arrive"))
    ok(post("resolve", resolution="更换读卡模块"))
    t = d.ticket(tid)
    assert (t.status, t.resolution) == ("resolved", "更换读卡模块")
    ok(d.act("agent_l2", tid, "reply", note="读卡模块已更换"))
    assert d.ticket(tid).status == "replied"
    # the duty switch
    duty = eng.get("/console/engineer").text
    assert "杭州厂家驻地组" in duty and "在岗" in duty
    ok(eng.post("/console/engineer/duty", data={"csrf_token": token, "on_duty": "0"}, follow_redirects=False))
    assert "不在岗" in eng.get("/console/engineer").text and not on_duty(d, d.eng_a)
    # another engineer's order is not theirs to touch
    r = d.browser("eng_b").post(f"/console/engineer/{tid}/arrive", data={"csrf_token": csrf_from(
        d.browser("eng_b").get("/console/engineer").text)})
    assert r.status_code == 404 and "没有这个工单" in notice(r.text)


def test_r_s5_assignment_by_territory_goes_to_the_responsible_team(d):
    tid = _onsite(d)  # a terminal fault: the vendor team covering 杭州
    ok(d.act("agent_l2", tid, "assign", team_id=""))
    assert d.ticket(tid).team_id == d.team
    page = d.browser("agent_l2").get(f"{TICKETS}/{tid}").text
    assert "杭州厂家驻地组" in page and "分配网点已完成" in d.browser("agent_l2").get(
        f"{TICKETS}/{tid}?done=assign").text
    # an engineering issue needs an integrator team: none covers 杭州 here
    eng = d.create(channel="hotline_400", who="agent_l2", category="engineering", title="新建门禁布线")
    ok(d.act("agent_l2", eng, "accept"))
    r = d.act("agent_l2", eng, "assign", team_id="")
    assert r.status_code == 409 and "没有负责该客户所在区域和此类问题的驻地团队" in notice(r.text)
    assert d.ticket(eng).status == "accepted"


def test_r_s8_grab_race_on_the_engineers_list_has_one_winner(d):
    tid = _onsite(d)
    ok(d.act("agent_l2", tid, "assign", team_id=str(d.team)))
    ok(d.act("agent_l2", tid, "dispatch", engineer_id=""))  # no rules: open for grab
    assert d.ticket(tid).status == "waiting_grab"
    a, b = d.browser("eng_a"), d.browser("eng_b")
    page_a, page_b = a.get("/console/engineer").text, b.get("/console/engineer").text
    assert f'id="open-{tid}"' in page_a and f'id="open-{tid}"' in page_b and "抢单" in page_a
    ok(a.post(f"/console/engineer/{tid}/grab", data={"csrf_token": csrf_from(page_a)}, follow_redirects=False))
    lost = b.post(f"/console/engineer/{tid}/grab", data={"csrf_token": csrf_from(page_b)})
    assert lost.status_code == 409 and "已被其他工程师抢单" in notice(lost.text)
    assert d.ticket(tid).engineer_id == d.eng_a
    assert f'id="order-{tid}"' in a.get("/console/engineer").text
    # the same race lost from the order page also says so (the order is no longer visible to them)
    tid2 = _onsite(d)
    ok(d.act("agent_l2", tid2, "assign", team_id=str(d.team)))
    ok(d.act("agent_l2", tid2, "dispatch"))
    page_b = b.get(f"{TICKETS}/{tid2}").text
    assert 'id="act-grab"' in page_b
    ok(a.post(f"/console/engineer/{tid2}/grab", data={"csrf_token": csrf_from(page_a)}, follow_redirects=False))
    lost = b.post(f"{TICKETS}/{tid2}/grab", data={"csrf_token": csrf_from(page_b)})
    assert lost.status_code == 409 and "已被其他工程师抢单" in notice(lost.text)


# --- enterprise admins, account managers, X5 ---------------------------------------------

def test_r_s8_enterprise_admin_sees_and_creates_their_enterprise_s_orders(d):
    own = d.create(title="本企业工单")
    other = d.create(title="别家工单", enterprise_id=d.other_eid, phone=None)
    c = d.browser("admin")
    page = c.get(TICKETS).text
    assert "本企业工单" in page and "别家工单" not in page and "您可以查看的工单" in page
    form = c.get(f"{TICKETS}/new").text
    assert 'value="portal"' in form and 'value="website"' in form and 'value="hotline_10086"' not in form
    assert f'name="enterprise_id" value="{d.eid}"' in form
    r = c.post(f"{TICKETS}/new", data={"csrf_token": csrf_from(form), "type": "consultation", "category": "business",
                                       "channel": "website", "enterprise_id": str(d.eid), "title": "如何开通考勤"},
               follow_redirects=False)
    ok(r)
    assert "如何开通考勤" in c.get(TICKETS).text
    assert c.get(f"{TICKETS}/{own}").status_code == 200
    assert c.get(f"{TICKETS}/{other}").status_code == 404


def test_r_x5_another_enterprise_s_admin_gets_404_for_the_order(d):
    tid = d.create()
    c = d.browser("other_admin")
    assert c.get(f"{TICKETS}/{tid}").status_code == 404
    assert c.get(f"{TICKETS}/{tid}/cancel").status_code == 404
    r = d.act("other_admin", tid, "cancel", confirm="yes")
    assert r.status_code == 404 and d.ticket(tid).status == "new"
    assert "门禁刷卡无反应" not in c.get(TICKETS).text


def test_account_manager_sees_the_orders_they_recorded(d):
    d.create(title="客户经理登记", channel="account_manager", who="account_manager")
    d.create(title="热线登记")
    page = d.browser("account_manager").get(TICKETS).text
    assert "客户经理登记" in page and "热线登记" not in page
