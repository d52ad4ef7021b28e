"""Doors and attendance in a real browser (A1, A3, A4): Playwright driving Debian's Chromium against
a live server, like test_browser.py, on its own seeded SQLite database.

The seed, made through the services with the clock held at Sunday 2026-03-01 (the day the members
join) and then at 2026-04-01 (the clock records of March are in the past by then): a 白班 shift
Monday to Friday 09:00–18:00 with 5 minutes' grace for 技术研发部, an attendance terminal, and the
punches of March for 王晓东 (a late, an early, a missing-punch and an absent day among them) and
李秀英 (every working day on time). The enterprise admin then, in Chinese: adds a door, a time zone
with two periods and an access group through the forms (test-artifacts/access-time-zone.png); reads
the March sheet and 王晓东's days; switches the sheet to English and back
(test-artifacts/attendance-sheet.png). Each picture is checked not to be blank."""

from __future__ import annotations

import datetime as dt

import pytest
from support.live import served
from test_browser import ARTIFACTS, _assert_not_blank, _chromium_page

from yikatong import migrate
from yikatong.attendance import records as clock_records
from yikatong.attendance import shifts
from yikatong.attendance.schemas import ClockRecordIn
from yikatong.auth import service as auth
from yikatong.cards import service as cards
from yikatong.cards.models import AppMode, AppType, CardKind
from yikatong.config import Settings
from yikatong.core import clock
from yikatong.core.actor import SYSTEM, Role
from yikatong.core.clock import SHANGHAI, FixedClock
from yikatong.db import Database
from yikatong.enterprises import flows as enterprise_flows
from yikatong.members import service as members
from yikatong.terminals import service as terminals
from yikatong.terminals.models import TerminalType

pytestmark = pytest.mark.browser

ADMIN, PASSWORD = "xihu_kq_admin", "Browser@2026"
MONTH = "2026-03"
SHIFT_START, SHIFT_END, GRACE = "09:00", "18:00", 5
# March 2026: the 1st is a Sunday; Monday to Friday are the 22 working days of the shift.
WORKDAYS = [dt.date(2026, 3, d) for d in range(1, 32) if dt.date(2026, 3, d).isoweekday() <= 5]
USUAL = ("08:50:12", "18:00:40")
# 王晓东's March, by day (every other working day USUAL): a list of punches, Beijing time.
WANG_DAYS = {
    3: ("09:12:03", "18:05:10"),  # late by 12 minutes, 5 minutes' overtime
    5: ("09:05:59", "18:01:00"),  # within the grace (seconds do not count), a minute's overtime
    10: ("09:31:00", "12:02:00", "18:00:00"),  # late by 31; the lunch tap does not matter
    12: ("08:55:00",),  # one punch only: missing punch
    17: ("09:06:00", "18:10:00"),  # late by 6 (just past the grace), 10 minutes' overtime
    20: (),  # no punch: absent
    24: ("08:50:00", "17:30:00"),  # early leave by 30
}
LI_DAYS: dict[int, tuple[str, ...]] = {}  # 李秀英: every working day USUAL


def _beijing(day: dt.date, hhmmss: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.fromisoformat(hhmmss), tzinfo=SHANGHAI)


def _month_of_punches(plan: dict[int, tuple[str, ...]]) -> dict[dt.date, tuple[str, ...]]:
    return {day: plan.get(day.day, USUAL) for day in WORKDAYS}


def _minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def _expected(plan: dict[int, tuple[str, ...]]) -> dict[str, int]:
    """The month's counts the punches imply under the shift's rules (first in, last out, whole
    minutes, late past the grace, early before the end, overtime after it) — worked out here on
    their own, not by the attendance code."""
    start, end = (dt.time.fromisoformat(t) for t in (SHIFT_START, SHIFT_END))
    out = dict(workdays=0, on_time=0, late=0, early_leave=0, absent=0, missing_punch=0, overtime=0)
    for punches in _month_of_punches(plan).values():
        out["workdays"] += 1
        if not punches:
            out["absent"] += 1
            continue
        if len(punches) == 1:
            out["missing_punch"] += 1
            continue
        first, last = (dt.time.fromisoformat(p[:5]) for p in (punches[0], punches[-1]))
        late = _minutes(first) - _minutes(start) > GRACE
        early = _minutes(last) < _minutes(end)
        out["late"] += late
        out["early_leave"] += early
        out["on_time"] += not (late or early)
        out["overtime"] += max(0, _minutes(last) - _minutes(end))
    return out


def _seed(url: str) -> dict[str, int]:
    """The enterprise, its admin, three members (two of them in 技术研发部 with attendance cards),
    the shift, the attendance terminal and March's clock records."""
    migrate.upgrade(url)
    db = Database(url)
    fixed = FixedClock(_beijing(dt.date(2026, 3, 1), "09:00:00"))
    previous = clock.set_clock(fixed)
    try:
        with db.write() as s:
            manager = auth.create_user(s, actor=SYSTEM, username="am_kq_browser", password=PASSWORD,
                                       role=Role.account_manager, display_name="张经理")
            actor = auth.actor_for(manager, SYSTEM.channel)
            enterprise = enterprise_flows.register_enterprise(
                s, actor=actor, code="GC5710002", name="杭州西湖数智科技有限公司", city="杭州",
                zone="urban", address="杭州市西湖区文三路 478 号", admin_username=ADMIN,
                admin_password=PASSWORD)
            eid = enterprise.id
            people, card_nos = {}, {}
            staff = [("王晓东", "技术研发部"), ("李秀英", "技术研发部"), ("张伟", "行政部")]
            for i, (name, dept) in enumerate(staff):
                member = members.add_member(s, actor=SYSTEM, enterprise_id=eid, name=name,
                                            phone=f"1381234{i:04d}", staff_no=f"XH{i + 1:04d}", department=dept)
                people[name] = member.id
                card = cards.issue_card(s, actor=SYSTEM, member_id=member.id, kind=CardKind.rfid_sim)
                cards.open_application(s, actor=SYSTEM, card_id=card.id, enterprise_id=eid,
                                       type=AppType.attendance, mode=AppMode.ota)
                card_nos[name] = card.card_no
            shifts.create_shift(s, actor=SYSTEM, enterprise_id=eid, name="白班", weekdays=[1, 2, 3, 4, 5],
                                start=SHIFT_START, end=SHIFT_END, grace_minutes=GRACE, departments=["技术研发部"])
            terminal, _ = terminals.register_terminal(s, actor=SYSTEM, enterprise_id=eid, type="attendance",
                                                      name="前台考勤机")
        fixed.set(_beijing(dt.date(2026, 4, 1), "10:00:00"))
        with db.write() as s:
            _, device = terminals.act_as_terminal(s, actor=SYSTEM, enterprise_id=eid, terminal_id=terminal.id,
                                                  type=TerminalType.attendance)
            batch = [ClockRecordIn(card_no=card_nos[name], at=_beijing(day, p))
                     for name, plan in (("王晓东", WANG_DAYS), ("李秀英", LI_DAYS))
                     for day, punches in _month_of_punches(plan).items() for p in punches]
            result = clock_records.upload(s, actor=device, records=batch)
            assert (result.accepted, result.rejected) == (len(batch), []), result
        return {"enterprise_id": eid, **people}
    finally:
        clock.set_clock(previous)
        db.dispose()


@pytest.fixture
def live_server(tmp_path):
    from yikatong.app import create_app

    db_url = f"sqlite:///{tmp_path / 'access-browser.db'}"
    ids = _seed(db_url)
    app = create_app(Settings(database_url=db_url, secret_key="browser-test-secret"))
    try:
        with served(app) as url:
            yield url, ids
    finally:
        app.state.db.dispose()


def _row_cells(page, selector: str) -> list[str]:
    return [text.strip() for text in page.locator(f"{selector} td").all_inner_texts()]


def test_r_a1_a3_time_zone_group_and_attendance_sheet_in_chromium(live_server):
    from playwright.sync_api import expect

    base, ids = live_server
    eid, wang, li, zhang = ids["enterprise_id"], ids["王晓东"], ids["李秀英"], ids["张伟"]
    access_path = f"/console/enterprises/{eid}/access"
    sheet_path = f"/console/enterprises/{eid}/attendance"
    zone_shot, sheet_shot = ARTIFACTS / "access-time-zone.png", ARTIFACTS / "attendance-sheet.png"
    zone_shot.unlink(missing_ok=True)
    sheet_shot.unlink(missing_ok=True)
    with _chromium_page(900) as page:
        page.goto(base + "/login")
        page.fill("#f-username", ADMIN)
        page.fill("#f-password", PASSWORD)
        page.click("button[type=submit]")
        expect(page).to_have_url(f"{base}/console/enterprises/{eid}/members")

        # 门禁: nothing defined yet.
        page.click(".mainnav a:text-is('门禁')")
        expect(page).to_have_url(base + access_path)
        expect(page.locator("h1")).to_have_text("门禁")
        expect(page.locator("#time-zones .empty")).to_be_visible()

        # A door, through its form.
        page.fill("#add-door #f-name", "东门")
        page.fill("#add-door #f-site", "1号楼")
        page.select_option("#f-direction", label="入口")
        page.click("#add-door button[type=submit]")
        expect(page.locator(".notice-ok")).to_have_text("门已保存。")
        expect(page.locator("#doors tbody tr")).to_have_count(1)
        assert _row_cells(page, "#doors tbody tr")[:3] == ["东门", "1号楼", "入口"]

        # A time zone of two periods: 工作日, Monday to Friday 08:00–12:00 and 13:00–18:00.
        form = page.locator("#add-time-zone")
        form.locator("#f-name").fill("工作日")
        for n, (start, end) in enumerate((("08:00", "12:00"), ("13:00", "18:00")), start=1):
            period = form.locator("fieldset", has=page.locator(f"legend:text-is('时段 {n}')"))
            for weekday in ("周一", "周二", "周三", "周四", "周五"):
                period.get_by_label(weekday, exact=True).check()
            period.locator(f"#f-p{n}_start").fill(start)
            period.locator(f"#f-p{n}_end").fill(end)
        form.locator("button[type=submit]").click()
        expect(page).to_have_url(f"{base}{access_path}?saved=time_zone#time-zones")
        expect(page.locator(".notice-ok")).to_have_text("时间段已保存。")
        expect(page.locator("#time-zones tbody tr")).to_have_count(1)
        weekdays = "周一、周二、周三、周四、周五"
        assert _row_cells(page, "#time-zones tbody tr") == [
            "工作日", f"{weekdays} 08:00–12:00；{weekdays} 13:00–18:00"]

        # An access group: the new time zone at 东门, for 技术研发部 and 张伟 (by phone number).
        group_form = page.locator("#add-group")
        group_form.locator("#f-name").fill("研发楼通行")
        page.select_option("#f-time_zone_id", label="工作日")
        page.select_option("#f-door_ids", label="东门")
        group_form.locator("#f-members").fill("13812340002")
        group_form.locator("#f-departments").fill("技术研发部")
        group_form.locator("button[type=submit]").click()
        expect(page.locator(".notice-ok")).to_have_text("门禁权限组已保存。")
        expect(page.locator("#groups tbody tr")).to_have_count(1)
        assert _row_cells(page, "#groups tbody tr") == ["研发楼通行", "工作日", "东门", "1",
                                                        "技术研发部"]
        page.screenshot(path=str(zone_shot), full_page=True)

        # 考勤: this month's sheet first, then March through the month filter.
        page.click(".mainnav a:text-is('考勤')")
        expect(page).to_have_url(base + sheet_path)
        page.fill("#f-month", MONTH)
        page.click("form.filters button[type=submit]")
        expect(page).to_have_url(f"{base}{sheet_path}?month={MONTH}&department=")
        expect(page.locator("h1")).to_have_text(f"考勤月报 {MONTH}")
        expect(page.locator(".attendance-table tbody tr")).to_have_count(3)
        for member_id, name, staff_no, plan in ((wang, "王晓东", "XH0001", WANG_DAYS),
                                                (li, "李秀英", "XH0002", LI_DAYS)):
            want = _expected(plan)
            assert _row_cells(page, f"#member-{member_id}") == [
                name, staff_no, "技术研发部", *(str(want[k]) for k in (
                    "workdays", "on_time", "late", "early_leave", "absent", "missing_punch", "overtime"))]
        # What the plan above comes to, spelt out so that a mistake in _expected shows too.
        assert _expected(WANG_DAYS) == dict(workdays=22, on_time=16, late=3, early_leave=1, absent=1,
                                            missing_punch=1, overtime=16)
        assert _expected(LI_DAYS) == dict(workdays=22, on_time=22, late=0, early_leave=0, absent=0,
                                          missing_punch=0, overtime=0)
        # 张伟 (行政部) has no shift: every day of March a rest day, nothing to count.
        assert _row_cells(page, f"#member-{zhang}") == ["张伟", "XH0003", "行政部"] + ["0"] * 7
        assert _row_cells(page, "#totals") == ["3", "44", "3", "1", "1", "1", "16"]

        # 王晓东's days.
        page.click(f"#member-{wang} a:text-is('王晓东')")
        expect(page).to_have_url(f"{base}{sheet_path}/members/{wang}?month={MONTH}")
        expect(page.locator("h1")).to_have_text(f"王晓东 · {MONTH}")
        expect(page.locator("#counts strong")).to_have_text(["22", "16", "3", "1", "1", "1", "16"])
        expect(page.locator(".attendance-days tbody tr")).to_have_count(31)
        day = "#day-2026-03-{:02d}"
        assert _row_cells(page, day.format(1))[:5] == ["2026-03-01 周日", "—", "—", "—", "休息"]
        assert _row_cells(page, day.format(3))[:8] == [
            "2026-03-03 周二", "白班", "2026-03-03 09:12", "2026-03-03 18:05", "迟到", "12", "", "5"]
        # On time (the badge of a good day; its Chinese word is left to the catalogue), no late minutes.
        assert _row_cells(page, day.format(5))[2:4] + _row_cells(page, day.format(5))[5:8] == [
            "2026-03-05 09:05", "2026-03-05 18:01", "", "", "1"]
        expect(page.locator(f"{day.format(5)} .badge")).to_have_class("badge badge-active")
        assert _row_cells(page, day.format(10))[2:6] == ["2026-03-10 09:31", "2026-03-10 18:00", "迟到", "31"]
        assert _row_cells(page, day.format(12))[2:5] == ["2026-03-12 08:55", "—", "缺卡"]
        assert _row_cells(page, day.format(20))[2:5] == ["—", "—", "缺勤"]
        assert _row_cells(page, day.format(24))[3:7] == ["2026-03-24 17:30", "早退", "", "30"]

        # Back to the sheet, in English.
        page.click(".crumbs a:text-is('考勤月报')")
        expect(page).to_have_url(f"{base}{sheet_path}?month={MONTH}")
        page.click("a.lang[href*='lang=en']")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.locator("h1")).to_have_text(f"Monthly attendance sheet {MONTH}")
        assert [h.strip() for h in page.locator(".attendance-table thead th").all_inner_texts()] == [
            "Name", "Staff number", "Department", "Working days", "On time", "Late", "Early leave", "Absent",
            "Missing punch", "Overtime (minutes)"]
        expect(page.locator("#departments h2")).to_have_text("Per department")
        expect(page.locator(f"#member-{wang} td").nth(5)).to_have_text("3")

        # Back in Chinese for the picture a Chinese user sees.
        page.click("a.lang[href*='lang=zh_Hans']")
        expect(page.locator("h1")).to_have_text(f"考勤月报 {MONTH}")
        page.screenshot(path=str(sheet_shot), full_page=True)
    _assert_not_blank(zone_shot)
    _assert_not_blank(sheet_shot)
