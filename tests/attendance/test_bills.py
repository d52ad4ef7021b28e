"""A3: the attendance bill (考勤账单) by SMS — on demand and by the month-end job, once per member and
month however often either runs; in Chinese with Chinese punctuation."""

from __future__ import annotations

from yikatong.attendance import bills
from yikatong.config import Settings
from yikatong.jobs import JOBS, Scheduler

from .conftest import API, beijing, make_office


def _sms(client, office, purpose_prefix="attendance_bill."):
    items = client.get(f"{API}/sms", headers=office.admin, params={"limit": 500}).json()["items"]
    return [m for m in items if m["purpose"].startswith(purpose_prefix)]


def test_r_a3_sms_bill_sent_once_per_month(client, database, clock):
    office = make_office(client, database, people=2)
    office.shift(member_ids=[office.mid])  # the second member has no shift: no bill
    clock.set(beijing("2026-03-04T10:00:00"))
    office.upload("2026-03-02T09:20:00", "2026-03-02T19:00:00", "2026-03-03T08:59:00")
    url = f"{API}/enterprises/{office.eid}/attendance/bills"
    r = client.post(url, headers=office.admin, json={"month": "2026-03"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "month_not_over"
    assert r.json()["error"]["details"]["from"] == "2026-04-02"
    clock.set(beijing("2026-04-02T08:00:00"))
    scheduler = Scheduler(database, Settings(database_url=database.url, secret_key="x"),
                          jobs=tuple(j for j in JOBS if j.name == "attendance.bills"))
    scheduler.run_due({}, now=0.0)
    scheduler.run_due({}, now=1.0)  # a rerun (or a second process) sends nothing more
    sent = _sms(client, office)
    assert len(sent) == 1 and sent[0]["purpose"] == "attendance_bill.202603"
    text = sent[0]["text"]
    assert text.startswith("【一卡通】张三，您2026年3月在") and "应出勤22天" in text
    assert "正常0天，迟到1次，早退0次，缺勤20天，缺卡1次，加班1小时0分钟。" in text
    assert text.endswith("如有疑问，请联系企业管理员。") and "," not in text
    again = client.post(url, headers=office.admin, json={"month": "2026-03"})
    assert again.status_code == 200
    assert again.json() == {"month": "2026-03", "sent": 0, "already_sent": 1, "skipped": 1}
    assert len(_sms(client, office)) == 1
    audit = client.get(f"{API}/audit", headers=office.admin, params={"action": "attendance.bills_send"}).json()
    assert audit["total"] == 1 and audit["items"][0]["after"]["sent"] == 1


def test_r_a3_sms_bill_on_demand_before_the_job(client, database, clock):
    office = make_office(client, database)
    office.shift()
    clock.set(beijing("2026-04-05T10:00:00"))
    url = f"{API}/enterprises/{office.eid}/attendance/bills"
    r = client.post(url, headers=office.admin, json={"month": "2026-03"})
    assert r.json() == {"month": "2026-03", "sent": 1, "already_sent": 0, "skipped": 0}
    with database.write() as s:
        assert bills.send_month_end_bills(s) == 0
    assert len(_sms(client, office)) == 1
    assert client.post(url, headers=office.admin, json={"month": "2026-3"}).status_code == 422


def test_r_a3_month_end_job_waits_for_the_second_of_the_month(client, database, clock):
    office = make_office(client, database)
    office.shift()
    clock.set(beijing("2026-04-01T23:00:00"))
    with database.write() as s:
        assert bills.send_month_end_bills(s) == 0
    clock.set(beijing("2026-04-02T00:00:00"))
    with database.write() as s:
        assert bills.send_month_end_bills(s) == 1
    assert len(_sms(client, office)) == 1
