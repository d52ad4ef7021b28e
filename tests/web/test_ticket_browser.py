"""The service desk in a real browser (S1–S3, S8): Playwright driving Debian's Chromium against a
live server, one browser context (cookie jar) per person.

A card holder reports a fault in the portal (a portal order goes to second line, S3); a first-line
agent records a hotline order, sees the knowledge-base panel while typing, accepts and escalates it
(S2); second line accepts the member's order, assigns it to the vendor team and dispatches it to an
engineer; the engineer books the visit, arrives and resolves; the agent replies; the member rates
5 stars; the agent closes it (test-artifacts/ticket.png, checked not to be blank). SQLite only,
like tests/web/test_browser.py, whose launch helpers it reuses."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from support.live import served
from test_browser import ARTIFACTS, _assert_not_blank, _chromium_page

from yikatong import migrate
from yikatong.auth import service as auth
from yikatong.config import Settings
from yikatong.core.actor import SYSTEM, Role
from yikatong.core.clock import SHANGHAI
from yikatong.db import Database
from yikatong.enterprises import flows as enterprise_flows
from yikatong.members import service as members
from yikatong.servicedesk import service as desk

pytestmark = pytest.mark.browser

PASSWORD = "Browser@2026"
MEMBER_PHONE = "13812340004"
L1, L2, ENGINEER = "kf_yixian", "kf_erxian", "gcs_zhou"


def _seed(url: str) -> None:
    migrate.upgrade(url)
    db = Database(url)
    try:
        with db.write() as s:
            enterprise = enterprise_flows.register_enterprise(
                s, actor=SYSTEM, code="GC5710009", name="杭州西湖数智科技有限公司", city="杭州", zone="urban",
                address="杭州市西湖区文三路 478 号", admin_username="xihu_admin", admin_password=PASSWORD)
            members.add_member(s, actor=SYSTEM, enterprise_id=enterprise.id, name="陈静", phone=MEMBER_PHONE,
                               staff_no="XH0005", department="人力资源部")
            auth.create_user(s, actor=SYSTEM, username=MEMBER_PHONE, password=PASSWORD, role=Role.member)
            for username, role, name in ((L1, Role.agent_l1, "王一线"), (L2, Role.agent_l2, "李二线")):
                auth.create_user(s, actor=SYSTEM, username=username, password=PASSWORD, role=role, display_name=name)
            engineer = auth.create_user(s, actor=SYSTEM, username=ENGINEER, password=PASSWORD,
                                        role=Role.field_engineer, display_name="周工")
            team = desk.create_team(s, actor=SYSTEM, name="杭州厂家驻地组", kind="vendor", city="杭州",
                                    zones=["urban", "suburban"])
            desk.set_engineer(s, actor=SYSTEM, user_id=engineer.id, team_id=team.id, skills=["pos"],
                              on_duty=True, phone=None)
    finally:
        db.dispose()


@pytest.fixture
def desk_server(tmp_path):
    from yikatong.app import create_app

    db_url = f"sqlite:///{tmp_path / 'desk.db'}"
    _seed(db_url)
    app = create_app(Settings(database_url=db_url, secret_key="browser-test-secret"))
    try:
        with served(app) as url:
            yield url
    finally:
        app.state.db.dispose()


def _tomorrow_at_ten() -> str:
    """A visit time in the future, as a Beijing ``datetime-local`` value."""
    day = dt.datetime.now(SHANGHAI).date() + dt.timedelta(days=1)
    return f"{day.isoformat()}T10:00"


def test_r_s8_work_order_walk_in_chromium(desk_server):
    from playwright.sync_api import expect

    base = desk_server
    shot = ARTIFACTS / "ticket.png"
    shot.unlink(missing_ok=True)
    started = time.monotonic()
    with _chromium_page(900) as member:
        browser = member.context.browser
        errors: list[str] = []

        def person(username: str, channel: str = "website"):
            """A signed-in page in its own context (its own cookies), in Chinese."""
            page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
            page.set_default_timeout(10_000)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(base + "/login")
            page.fill("#f-username", username)
            page.fill("#f-password", PASSWORD)
            page.select_option("#f-channel", channel)
            page.click("button[type=submit]")
            page.wait_for_load_state()
            return page

        # The card holder reports a fault in the portal.
        member.goto(base + "/portal/login")
        member.fill("#f-username", MEMBER_PHONE)
        member.fill("#f-password", PASSWORD)
        member.click("button[type=submit]")
        expect(member).to_have_url(base + "/portal")
        member.click(".portal-nav a:text-is('我的工单')")
        expect(member.locator("h1")).to_have_text("我的工单")
        member.click("#portal-new-ticket")
        expect(member.locator("input[name=type][value=fault]")).to_be_checked()
        member.select_option("#f-category", "terminal")
        member.fill("#f-title", "食堂消费机刷不了卡")
        member.fill("#f-description", "一号窗口的消费机刷卡没有反应")
        member.click("#portal-ticket-form button[type=submit]")
        expect(member.locator(".notice-ok")).to_contain_text("创建工单已完成")
        ticket_id = int(re.search(r"/portal/tickets/(\d+)", member.url).group(1))
        ticket_path = f"/console/tickets/{ticket_id}"

        # First line records a hotline call: the knowledge-base panel answers while typing; then
        # accepts it and escalates it to second line.
        l1 = person(L1, "hotline")
        l1.goto(base + "/console/tickets/new")
        expect(l1.locator("h1")).to_have_text("新建工单")
        l1.select_option("#f-channel", "hotline_10086")
        l1.fill("#f-phone", MEMBER_PHONE)
        l1.fill("#f-title", "门禁刷卡无反应")
        expect(l1.locator("#ticket-suggestions")).to_contain_text("知识库中暂无相关文章")
        l1.click("#ticket-new button[type=submit]")
        expect(l1.locator(".notice-ok")).to_contain_text("创建工单已完成")
        l1.click("#act-accept button[type=submit]")
        expect(l1.locator(".notice-ok")).to_contain_text("受理已完成，工单状态：已受理。")
        l1.fill("#escalate-note", "一卡通平台问题，转二线")
        l1.click("#act-escalate button[type=submit]")
        expect(l1.locator(".notice-ok")).to_contain_text("工单状态：已升级")

        # Second line: both orders in the queue; accept the member's, assign to the team, dispatch.
        l2 = person(L2, "hotline")
        l2.goto(base + "/console/tickets")
        expect(l2.locator("#ticket-results tbody tr")).to_have_count(2)
        l2.click(f"#ticket-{ticket_id} a >> nth=1")
        expect(l2.locator("h1")).to_contain_text("食堂消费机刷不了卡")
        l2.click("#act-accept button[type=submit]")
        expect(l2.locator(".notice-ok")).to_contain_text("已受理")
        l2.select_option("#assign-team", label="杭州厂家驻地组 · 杭州")
        l2.click("#act-assign button[type=submit]")
        expect(l2.locator(".notice-ok")).to_contain_text("工单状态：已分配网点")
        expect(l2.locator("#sla-arrive")).to_contain_text("未超时")
        l2.select_option("#dispatch-engineer", index=1)
        l2.click("#act-dispatch button[type=submit]")
        expect(l2.locator(".notice-ok")).to_contain_text("工单状态：已派工")

        # The engineer books the visit, arrives and resolves.
        eng = person(ENGINEER)
        eng.goto(base + "/console/engineer")
        order = eng.locator(f"#order-{ticket_id}")
        expect(order).to_contain_text("食堂消费机刷不了卡")
        order.locator("input[type=datetime-local]").fill(_tomorrow_at_ten())
        order.locator("button:text-is('预约上门')").click()
        expect(eng.locator(".notice-ok")).to_contain_text("预约上门已完成")
        expect(order.locator(".appointment")).to_contain_text("10:00")
        order.locator("button:text-is('到场')").click()
        expect(eng.locator(".notice-ok")).to_contain_text("到场已完成")
        order.locator("textarea[name=resolution]").fill("更换读卡模块，测试刷卡正常")
        order.locator("button:text-is('解决')").click()
        expect(eng.locator(".notice-ok")).to_contain_text("解决已完成")
        expect(eng.locator(f"#order-{ticket_id}")).to_have_count(0)

        # Second line tells the customer.
        l2.goto(base + ticket_path)
        l2.fill("#reply-note", "读卡模块已更换，请试用")
        l2.click("#act-reply button[type=submit]")
        expect(l2.locator(".notice-ok")).to_contain_text("工单状态：已回复")

        # The member sees the progress and gives five stars.
        member.goto(f"{base}/portal/tickets/{ticket_id}")
        expect(member.locator(".ticket-timeline")).to_contain_text("解决")
        member.check("#portal-rate input[name=rating][value='5']")
        member.fill("#rate-comment", "上门很及时")
        member.click("#portal-rate button[type=submit]")
        expect(member.locator("#ticket-rating")).to_contain_text("★★★★★")

        # Second line closes it; the page shows the whole history.
        l2.goto(base + ticket_path)
        expect(l2.locator("#ticket-rating")).to_contain_text("5/5")
        l2.click("#act-close button[type=submit]")
        expect(l2.locator(".notice-ok")).to_contain_text("工单状态：已关闭")
        steps = ("创建工单", "受理", "分配网点", "派工", "预约上门", "到场", "解决", "回复客户", "评价", "关闭")
        for step in steps:
            expect(l2.locator(".ticket-timeline")).to_contain_text(step)
        l2.screenshot(path=str(shot), full_page=True)
        assert errors == [], errors
    _assert_not_blank(shot)
    assert time.monotonic() - started < 60
