"""The console in a real browser: Playwright driving Debian's Chromium against a live server.

Builds its own SQLite database (no conftest database fixtures, so it runs once, in the SQLite half),
starts uvicorn in a thread on a free loopback port, and walks: / → login → members → search a
Chinese name → add a member → see it → switch to English (test-artifacts/members.png); and a
member's cards: issue a card, open two sub-applications, report loss (confirmed), unfreeze
(test-artifacts/card.png); and the purse: an over-the-air top-up on a member's page, a purchase and
its undo in the POS simulator, the balance back on the member's page (test-artifacts/purse.png).
Each picture is checked not to be blank."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

import pytest
from support.live import served

from yikatong import migrate
from yikatong.auth import service as auth
from yikatong.cards import service as cards
from yikatong.cards.models import AppMode, AppType, CardKind
from yikatong.config import Settings
from yikatong.core.actor import SYSTEM, Role
from yikatong.db import Database
from yikatong.enterprises import flows as enterprise_flows
from yikatong.members import service as members
from yikatong.terminals import service as terminals

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ADMIN, PASSWORD = "xihu_admin", "Browser@2026"
TIMEOUT_MS = 10_000


def _seed(url: str) -> tuple[int, str]:
    """The enterprise, its admin and five members; the fifth (陈静) with a card holding the purse,
    and a POS terminal of the canteen. Returns (enterprise id, 陈静's card number)."""
    migrate.upgrade(url)
    db = Database(url)
    try:
        with db.write() as s:
            manager = auth.create_user(s, actor=SYSTEM, username="am_browser", password=PASSWORD,
                                       role=Role.account_manager, display_name="张经理")
            actor = auth.actor_for(manager, SYSTEM.channel)
            enterprise = enterprise_flows.register_enterprise(
                s, actor=actor, code="GC5710001", name="杭州西湖数智科技有限公司", city="杭州", zone="urban",
                address="杭州市西湖区文三路 478 号", admin_username=ADMIN, admin_password=PASSWORD)
            for i, (name, dept) in enumerate([("王晓东", "技术研发部"), ("李秀英", "财务部"), ("张伟", "行政部"),
                                              ("刘晓红", "市场营销部"), ("陈静", "人力资源部")]):
                member = members.add_member(s, actor=SYSTEM, enterprise_id=enterprise.id, name=name,
                                            phone=f"1381234{i:04d}", staff_no=f"XH{i + 1:04d}", department=dept)
            card = cards.issue_card(s, actor=SYSTEM, member_id=member.id, kind=CardKind.rfid_sim)
            cards.open_application(s, actor=SYSTEM, card_id=card.id, enterprise_id=enterprise.id, type=AppType.purse,
                                   mode=AppMode.ota)
            terminals.register_terminal(s, actor=SYSTEM, enterprise_id=enterprise.id, type="pos", name="一号窗口",
                                        merchant="第一食堂")
            return enterprise.id, card.card_no
    finally:
        db.dispose()


@pytest.fixture
def live_server(tmp_path):
    from yikatong.app import create_app

    db_url = f"sqlite:///{tmp_path / 'browser.db'}"
    enterprise_id, card_no = _seed(db_url)
    app = create_app(Settings(database_url=db_url, secret_key="browser-test-secret"))
    try:
        with served(app) as url:
            yield url, enterprise_id, card_no
    finally:
        app.state.db.dispose()


def _assert_not_blank(png: Path) -> None:
    from PIL import Image

    with Image.open(png) as image:
        rgb = image.convert("RGB")
        width, height = rgb.size
        assert width >= 800 and height >= 400
        colours = rgb.getcolors(maxcolors=1 << 20) or []
        assert len(colours) > 50, f"only {len(colours)} colours: the screenshot looks blank"
        most_common = max(count for count, _ in colours)
        assert most_common < 0.9 * width * height, "one colour covers nearly the whole screenshot"
        extrema = rgb.convert("L").getextrema()
        assert extrema[1] - extrema[0] > 100, "no contrast: no text on the page"


@contextlib.contextmanager
def _chromium_page(height: int):
    """A Chinese-locale page in Debian's Chromium with bounded waits; fails the test on page errors."""
    if not os.path.exists(CHROMIUM) and os.environ.get("CI") != "true":
        pytest.skip(f"{CHROMIUM} is not installed (make sysdeps)")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, timeout=30_000)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": height}, locale="zh-CN")
            page.set_default_timeout(TIMEOUT_MS)
            page.set_default_navigation_timeout(TIMEOUT_MS)
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            yield page
            assert errors == [], errors
        finally:
            browser.close()


def test_login_to_members_walk_in_chromium(live_server):
    from playwright.sync_api import expect

    base, enterprise_id, _ = live_server
    members_path = f"/console/enterprises/{enterprise_id}/members"
    shot = ARTIFACTS / "members.png"
    shot.unlink(missing_ok=True)
    started = time.monotonic()
    with _chromium_page(800) as page:
        # / sends a stranger to the login page, in Chinese.
        page.goto(base + "/")
        expect(page).to_have_url(f"{base}/login")
        expect(page.locator("h1")).to_have_text("登录企业端管理系统")
        expect(page.locator("#f-channel")).to_have_value("website")

        # Log in as the enterprise admin: straight to the members.
        page.fill("#f-username", ADMIN)
        page.fill("#f-password", PASSWORD)
        page.click("button[type=submit]")
        expect(page).to_have_url(base + members_path)
        expect(page.locator("h1")).to_have_text("成员")
        expect(page.locator("#member-results tbody tr")).to_have_count(5)
        expect(page.locator(".topbar")).to_contain_text("一卡通业务平台")

        # Search a Chinese name fragment: htmx swaps the results in place.
        page.fill("#member-q", "晓")
        expect(page.locator("#member-results tbody tr")).to_have_count(2)
        expect(page.locator("#member-results")).to_contain_text("王晓东")
        expect(page.locator("#member-results")).to_contain_text("刘晓红")
        expect(page.locator("#member-results")).not_to_contain_text("张伟")
        expect(page).to_have_url(f"{base}{members_path}?q=%E6%99%93&status=&department=")

        # Add a member through the form; the list shows it.
        page.click("text=添加成员")
        expect(page).to_have_url(f"{base}{members_path}/new")
        page.fill("#f-name", "赵晓燕")
        page.fill("#f-phone", "139 8765 4321")
        page.fill("#f-staff_no", "XH0099")
        page.fill("#f-department", "技术研发部")
        page.click("button[type=submit].btn-primary")
        expect(page).to_have_url(base + members_path)
        expect(page.locator(".notice-ok")).to_have_text("已添加成员 赵晓燕。")
        row = page.locator("#member-results tbody tr", has_text="赵晓燕")
        expect(row).to_contain_text("139 8765 4321")
        expect(row.locator(".badge")).to_have_text("正常")
        expect(page.locator("#member-results tbody tr")).to_have_count(6)

        # Switch to English.
        page.click("a.lang[href*='lang=en']")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.locator("h1")).to_have_text("Members")
        expect(page.locator(".mainnav")).to_contain_text("Audit log")
        expect(page.locator("#member-results thead")).to_contain_text("Phone number")
        expect(page.locator("text=Add member")).to_be_visible()
        expect(row.locator(".badge")).to_have_text("Active")

        # Back in Chinese for the picture a Chinese user sees.
        page.click("a.lang[href*='lang=zh_Hans']")
        expect(page.locator("h1")).to_have_text("成员")
        page.screenshot(path=str(shot), full_page=True)
    _assert_not_blank(shot)
    assert time.monotonic() - started < 60


def test_card_walk_in_chromium(live_server):
    """Issue a card, open two sub-applications, report loss (confirm), unfreeze (C4–C6)."""
    from playwright.sync_api import expect

    base, enterprise_id, _ = live_server
    members_path = f"/console/enterprises/{enterprise_id}/members"
    shot = ARTIFACTS / "card.png"
    shot.unlink(missing_ok=True)
    started = time.monotonic()
    with _chromium_page(900) as page:
        page.goto(base + "/login")
        page.fill("#f-username", ADMIN)
        page.fill("#f-password", PASSWORD)
        page.click("button[type=submit]")
        expect(page).to_have_url(base + members_path)

        # Open a member's page from the list.
        page.click("#member-results a:text-is('王晓东')")
        expect(page.locator("h1")).to_contain_text("王晓东")
        expect(page.locator("main")).to_contain_text("该号码尚未办理一卡通卡")

        # Issue an RFID-SIM card (the default type).
        page.fill("#f-imsi", "460001234567890")
        page.click("#issue button[type=submit]")
        expect(page.locator(".notice-ok")).to_contain_text("已发卡")
        panel = page.locator(".card-panel").first
        expect(panel.locator(".badge").first).to_have_text("正常")

        # Open two sub-applications.
        for app_type, mode, name in (("access", "ota", "门禁"), ("attendance", "local", "考勤")):
            panel.locator("select[name=type]").select_option(app_type)
            panel.locator("select[name=mode]").select_option(mode)
            panel.locator("button:text-is('开通子应用')").click()
            expect(page.locator(".notice-ok")).to_contain_text(f"已开通企业子应用：{name}")
        expect(page.locator(".apps-table tbody tr")).to_have_count(2)

        # Report loss: a confirmation page first.
        page.locator(".card-panel").first.locator("a:text-is('挂失')").click()
        expect(page.locator("h1")).to_have_text("挂失")
        page.click("button:text-is('确定挂失')")
        expect(page.locator(".notice-ok")).to_contain_text("已挂失并列入黑名单")
        expect(page.locator(".card-panel").first.locator(".card-head .badge")).to_have_text("已挂失")

        # Unfreeze.
        page.locator(".card-panel").first.locator("button:text-is('解挂')").click()
        expect(page.locator(".notice-ok")).to_contain_text("已解挂，可正常使用")
        expect(page.locator(".card-panel").first.locator(".card-head .badge")).to_have_text("正常")
        page.screenshot(path=str(shot), full_page=True)
    _assert_not_blank(shot)
    assert time.monotonic() - started < 60


def test_purse_walk_in_chromium(live_server):
    """P1, P3, P4: top up a member's purse on their page, a purchase and its undo in the POS
    simulator, and the balance back on the member's page."""
    from playwright.sync_api import expect

    base, enterprise_id, card_no = live_server
    members_path = f"/console/enterprises/{enterprise_id}/members"
    shot = ARTIFACTS / "purse.png"
    shot.unlink(missing_ok=True)
    started = time.monotonic()
    with _chromium_page(900) as page:
        page.goto(base + "/login")
        page.fill("#f-username", ADMIN)
        page.fill("#f-password", PASSWORD)
        page.click("button[type=submit]")
        expect(page).to_have_url(base + members_path)
        expect(page.locator(".mainnav")).to_contain_text("电子钱包")

        # The member's page: the purse, empty; top it up over the air.
        page.click("#member-results a:text-is('陈静')")
        expect(page.locator("#purse-balance")).to_have_text("¥0.00")
        member_url = page.url
        page.fill("#f-amount", "100")
        page.click(".topup-form button[type=submit]")
        expect(page.locator(".notice-ok")).to_have_text("已充值 ¥100.00，电子钱包余额现为 ¥100.00。")
        expect(page.locator("#purse-balance")).to_have_text("¥100.00")

        # The POS simulator, acting as the canteen's POS: a purchase, then its undo.
        page.goto(f"{base}/console/enterprises/{enterprise_id}/pos-simulator")
        expect(page.locator("h1")).to_contain_text("模拟终端")
        expect(page.locator("#f-terminal")).to_contain_text("一号窗口")
        page.fill("#f-card_no", card_no)
        page.fill("#f-amount", "12.50")
        page.click("#pos-purchase")
        expect(page.locator("#pos-screen")).to_contain_text("消费成功")
        expect(page.locator("#pos-screen")).to_contain_text("余额 ¥87.50")
        page.click("#pos-undo")
        expect(page.locator("#pos-screen")).to_contain_text("撤消成功")
        expect(page.locator("#pos-screen")).to_contain_text("余额 ¥100.00")

        # Back on the member's page: the balance is whole again, the three transactions listed.
        page.goto(member_url)
        expect(page.locator("#purse-balance")).to_have_text("¥100.00")
        expect(page.locator(".purse-table tbody tr")).to_have_count(3)
        expect(page.locator(".purse-table tbody tr").first).to_contain_text("撤消")
        page.screenshot(path=str(shot), full_page=True)
    _assert_not_blank(shot)
    assert time.monotonic() - started < 60
