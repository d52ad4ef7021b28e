"""Attendance in the console (A3/A4): shifts and the holiday calendar set up through forms, the
monthly sheet with its department filter and .xlsx, a member's days with a correction (audited),
the attendance bills behind a confirmation, and tenant isolation of every page (X5)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from factories import login as api_login
from factories import make_card, make_enterprise, make_member, make_terminal
from openpyxl import load_workbook
from web_helpers import card_no_of, csrf, csrf_from, logged_in, notice

from yikatong.core.clock import SHANGHAI

PHONE = "13800000501"


def beijing(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture
def office(client, database, clock):
    """(enterprise id, admin username, member id, card number, terminal headers); the clock on
    Sunday 2026-03-01, the admin signed in."""
    clock.set(beijing("2026-03-01T09:00:00"))
    eid, username = make_enterprise(database, name="西湖科技")
    mid = make_member(database, enterprise_id=eid, name="冯雪", phone=PHONE, department="研发部", staff_no="A001")
    make_member(database, enterprise_id=eid, name="陈晨", department="财务部")
    card_no = card_no_of(database, make_card(database, member_id=mid, apps=("attendance",)))
    terminal = make_terminal(client, api_login(client, username), eid, type="attendance", name="前台考勤机")
    logged_in(client, username)
    return eid, username, mid, card_no, terminal


def _shift_form(client, eid: int, **fields) -> dict:
    token = csrf(client, f"/console/enterprises/{eid}/shifts")
    data = {"csrf_token": token, "name": "白班", "kind": "fixed", "start": "09:00", "end": "18:00",
            "grace_minutes": "5", "early_leave_grace_minutes": "0", "required_minutes": "",
            "weekdays": ["1", "2", "3", "4", "5"], "members": PHONE} | fields
    return data


def test_r_a3_shifts_are_created_edited_and_deleted_in_the_console(client, database, office):
    eid, _, mid, _, _ = office
    r = client.post(f"/console/enterprises/{eid}/shifts", data=_shift_form(client, eid), follow_redirects=False)
    assert r.status_code == 303, r.text
    page = client.get(f"/console/enterprises/{eid}/shifts").text
    assert "白班" in page and "冯雪" in page and "周一、周二、周三、周四、周五" in page
    # The same member on an overlapping weekday: refused in Chinese, nothing created.
    r = client.post(f"/console/enterprises/{eid}/shifts", data=_shift_form(client, eid, name="周末班",
                                                                           weekdays=["5", "6"]))
    assert r.status_code == 409 and "同一工作日会有两个班次" in notice(r.text)
    r = client.post(f"/console/enterprises/{eid}/shifts",
                    data=_shift_form(client, eid, name="坏", members="13999999999"))
    assert r.status_code == 422 and "本企业没有该成员" in notice(r.text)
    shifts = client.get(f"/api/v1/enterprises/{eid}/shifts", headers=api_login(client, office[1])).json()
    assert shifts["total"] == 1
    sid = shifts["items"][0]["id"]
    # Edit: the department instead of the member, an overnight time.
    r = client.post(f"/console/enterprises/{eid}/shifts/{sid}", data=_shift_form(
        client, eid, name="夜班", start="22:00", end="06:00", members="", departments=["研发部"]),
        follow_redirects=False)
    assert r.status_code == 303, r.text
    page = client.get(f"/console/enterprises/{eid}/shifts").text
    assert "夜班" in page and "次日" in page and "研发部" in page
    r = client.post(f"/console/enterprises/{eid}/shifts/{sid}/delete", data={"csrf_token": csrf(client)},
                    follow_redirects=False)
    assert r.status_code == 303
    assert "还没有定义班次" in client.get(f"/console/enterprises/{eid}/shifts").text


def test_r_a3_holiday_calendar_in_the_console(client, database, office):
    eid = office[0]
    url = f"/console/enterprises/{eid}/holidays"
    data = {"csrf_token": csrf(client, url), "day": "2026-10-01", "kind": "holiday", "name": "国庆节", "as_weekday": "1"}
    r = client.post(url, data=data, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith("year=2026")
    r = client.post(url, data=data | {"day": "2026-10-10", "kind": "workday", "name": "国庆调休", "as_weekday": "5"},
                    follow_redirects=False)
    assert r.status_code == 303
    page = client.get(url + "?year=2026").text
    assert "国庆节" in page and "按周五排班" in page
    again = client.post(url, data=data)
    assert again.status_code == 409 and "该日期已在日历中" in notice(again.text)
    r = client.post(f"{url}/2026-10-01/delete", data={"csrf_token": csrf(client, url)}, follow_redirects=False)
    assert r.status_code == 303
    assert "国庆节<" not in client.get(url + "?year=2026").text


def test_r_a3_monthly_sheet_member_days_and_correction_in_the_console(client, database, office, clock):
    eid, username, mid, card_no, terminal = office
    client.post(f"/console/enterprises/{eid}/shifts", data=_shift_form(client, eid), follow_redirects=False)
    clock.set(beijing("2026-03-04T10:00:00"))
    r = client.post("/api/v1/terminal/clock-records", headers=terminal, json={"records": [
        {"card_no": card_no, "at": "2026-03-02T09:12:00"}, {"card_no": card_no, "at": "2026-03-02T18:00:00"}]})
    assert r.json()["accepted"] == 2
    logged_in(client, username)
    page = client.get(f"/console/enterprises/{eid}/attendance?month=2026-03")
    assert page.status_code == 200 and "冯雪" in page.text and "陈晨" in page.text and "按部门统计" in page.text
    assert "陈晨" not in client.get(f"/console/enterprises/{eid}/attendance?month=2026-03&department=研发部").text
    bad = client.get(f"/console/enterprises/{eid}/attendance?month=2026-13")
    assert bad.status_code == 422
    xlsx = client.get(f"/console/enterprises/{eid}/attendance.xlsx?month=2026-03")
    rows = list(load_workbook(io.BytesIO(xlsx.content), read_only=True).worksheets[0].iter_rows(values_only=True))
    feng = next(r for r in rows if r[0] == "冯雪")
    assert feng[1] == "A001" and feng[5] == 1 and feng[14] == "迟到" and feng[15] == "缺勤"
    member_url = f"/console/enterprises/{eid}/attendance/members/{mid}?month=2026-03"
    detail = client.get(member_url).text
    assert "2026-03-02 周一" in detail and "迟到" in detail and "缺勤" in detail
    form = {"csrf_token": csrf_from(detail), "day": "2026-03-03", "action": "punch", "status": "on_time",
            "punch_time": "08:55", "reason": "考勤机故障"}
    r = client.post(f"/console/enterprises/{eid}/attendance/members/{mid}/corrections", data=form,
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    r = client.post(f"/console/enterprises/{eid}/attendance/members/{mid}/corrections",
                    data=form | {"action": "status", "reason": "考勤机故障"}, follow_redirects=False)
    assert r.status_code == 303
    detail = client.get(r.headers["location"]).text
    assert "更正已保存" in notice(detail, "ok") and "考勤机故障" in detail
    bad = client.post(f"/console/enterprises/{eid}/attendance/members/{mid}/corrections",
                      data=form | {"day": "2026-03-01", "reason": "周日"})
    assert bad.status_code == 422 and "该成员当天没有班次" in notice(bad.text)
    api = api_login(client, username)
    day = next(d for d in client.get(f"/api/v1/members/{mid}/attendance", headers=api,
                                     params={"month": "2026-03"}).json()["days"] if d["date"] == "2026-03-03")
    assert day["status"] == "on_time" and day["corrected"]
    audit = client.get("/api/v1/audit", headers=api, params={"action": "attendance.correct"}).json()
    assert audit["total"] == 2 and all(e["channel"] == "website" for e in audit["items"])


def test_r_a3_attendance_bills_are_sent_after_confirmation(client, database, office, clock):
    eid, username, _, _, _ = office
    client.post(f"/console/enterprises/{eid}/shifts", data=_shift_form(client, eid), follow_redirects=False)
    page = client.get(f"/console/enterprises/{eid}/attendance/bills?month=2026-03").text
    assert "2026-04-02" in page and 'name="confirm"' not in page
    clock.set(beijing("2026-04-03T10:00:00"))
    logged_in(client, username)
    page = client.get(f"/console/enterprises/{eid}/attendance/bills?month=2026-03").text
    assert 'id="recipients"' in page and "<strong>1</strong>" in page
    data = {"csrf_token": csrf_from(page), "month": "2026-03"}
    unconfirmed = client.post(f"/console/enterprises/{eid}/attendance/bills", data=data)
    assert unconfirmed.status_code == 422
    r = client.post(f"/console/enterprises/{eid}/attendance/bills", data=data | {"confirm": "yes"},
                    follow_redirects=False)
    assert r.status_code == 303
    assert "本次发送 1 条" in notice(client.get(r.headers["location"]).text, "ok")
    r = client.post(f"/console/enterprises/{eid}/attendance/bills", data=data | {"confirm": "yes"},
                    follow_redirects=False)
    assert "本次发送 0 条，之前已发送 1 条" in notice(client.get(r.headers["location"]).text, "ok")
    sms = client.get("/api/v1/sms", headers=api_login(client, username)).json()["items"]
    assert len([m for m in sms if m["purpose"] == "attendance_bill.202603"]) == 1


def test_r_x5_attendance_pages_of_another_enterprise_are_404(client, database, office):
    eid, _, mid, _, _ = office
    _, intruder = make_enterprise(database)
    client.cookies.clear()  # another browser
    logged_in(client, intruder)
    for path in (f"/console/enterprises/{eid}/attendance", f"/console/enterprises/{eid}/attendance.xlsx",
                 f"/console/enterprises/{eid}/attendance/bills", f"/console/enterprises/{eid}/shifts",
                 f"/console/enterprises/{eid}/holidays", f"/console/enterprises/{eid}/attendance/members/{mid}"):
        assert client.get(path).status_code == 404, path
    token = csrf(client)
    for path, data in ((f"/console/enterprises/{eid}/holidays", {"day": "2026-05-01", "kind": "holiday", "name": "x"}),
                       (f"/console/enterprises/{eid}/attendance/members/{mid}/corrections",
                        {"day": "2026-03-01", "action": "status", "status": "on_time", "reason": "x"})):
        assert client.post(path, data=data | {"csrf_token": token}).status_code == 404, path
