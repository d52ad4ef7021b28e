"""A3/A4: clock-record uploads (re-uploads, unknown cards, other enterprises' cards), corrections
(audited, shown in the sheet), the monthly sheet with its department counts and its .xlsx export."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from factories import login, make_card, make_enterprise, make_member, make_terminal

from .conftest import API, beijing, make_office

URL = f"{API}/terminal/clock-records"


def test_r_a3_clock_record_reupload_adds_nothing(client, database, clock):
    office = make_office(client, database)
    office.shift()
    clock.set(beijing("2026-03-03T10:00:00"))
    times = ("2026-03-02T08:55:00", "2026-03-02T18:10:00")
    assert office.upload(*times) == {"accepted": 2, "duplicates": 0, "rejected": []}
    assert office.upload(*times) == {"accepted": 0, "duplicates": 2, "rejected": []}
    # The same instant written with an offset is the same record; a repeat within a batch too.
    again = office.upload("2026-03-02T00:55:00+00:00", "2026-03-02T12:00:00", "2026-03-02T12:00:00")
    assert again == {"accepted": 1, "duplicates": 2, "rejected": []}
    assert office.day("2026-03-02")["status"] == "on_time"
    # An Idempotency-Key repeat replays the first answer.
    body = {"records": [{"card_no": office.card_no, "at": "2026-03-03T08:00:00"}]}
    first = client.post(URL, headers=office.terminal | {"Idempotency-Key": "k-1"}, json=body)
    second = client.post(URL, headers=office.terminal | {"Idempotency-Key": "k-1"}, json=body)
    assert first.json()["accepted"] == 1 and second.json() == first.json()


def test_r_a3_unknown_cards_and_cards_without_attendance_are_reported_per_record(client, database, clock):
    office = make_office(client, database)
    purse_only = make_member(database, enterprise_id=office.eid, name="钱七")
    card_id = make_card(database, member_id=purse_only, apps=("purse",))
    purse_card = client.get(f"{API}/cards/{card_id}", headers=office.admin).json()["card_no"]
    records = [{"card_no": "0000000000000000", "at": "2026-03-01T08:00:00"},
               {"card_no": purse_card, "at": "2026-03-01T08:00:00"},
               {"card_no": office.card_no, "at": "2026-03-01T08:00:00"},
               {"card_no": office.card_no, "at": "2026-03-01T09:30:00"}]  # clock is at 09:00: future
    r = client.post(URL, headers=office.terminal, json={"records": records})
    assert r.status_code == 200
    assert r.json() == {"accepted": 1, "duplicates": 0, "rejected": [
        {"index": 0, "code": "unknown_card"}, {"index": 1, "code": "no_application"},
        {"index": 3, "code": "future_time"}]}


def test_r_a3_clock_records_bad_input_is_422_and_stores_nothing(client, database, clock):
    office = make_office(client, database)
    bad = [{"records": [{"card_no": "123", "at": "2026-03-01T08:00:00"}]},
           {"records": [{"card_no": office.card_no, "at": "yesterday"}]},
           {"records": [{"card_no": office.card_no, "at": "2026-03-01T08:00:00"}] * 501},
           {"rows": []}]
    for body in bad:
        r = client.post(URL, headers=office.terminal, json=body)
        assert r.status_code == 422, body
        assert r.json()["error"]["code"]
    assert office.upload("2026-03-01T08:00:00")["accepted"] == 1  # nothing was stored before


def test_r_a3_only_an_attendance_terminal_uploads_clock_records(client, database, clock):
    office = make_office(client, database)
    pos = make_terminal(client, office.admin, office.eid, type="pos")
    r = client.post(URL, headers=pos, json={"records": []})
    assert r.status_code == 403 and r.json()["error"]["code"] == "wrong_terminal_type"
    r = client.post(URL, headers=office.admin, json={"records": []})
    assert r.status_code == 403 and r.json()["error"]["code"] == "terminal_only"
    assert client.post(URL, json={"records": []}).status_code == 401


def test_r_x5_a_terminal_cannot_record_another_enterprises_card(client, database, clock):
    office = make_office(client, database)
    other = make_office(client, database)
    r = client.post(URL, headers=other.terminal, json={"records": [{"card_no": office.card_no,
                                                                   "at": "2026-03-01T08:00:00"}]})
    assert r.json() == {"accepted": 0, "duplicates": 0, "rejected": [{"index": 0, "code": "no_application"}]}
    assert office.sheet()["items"][0]["member_id"] == office.mid
    assert [i["member_id"] for i in other.sheet()["items"]] == [other.mid]


def test_r_a3_status_correction_is_audited_and_shown_in_the_sheet(client, database, clock):
    office = make_office(client, database)
    office.shift()
    clock.set(beijing("2026-03-04T10:00:00"))
    office.upload("2026-03-03T08:55:00")
    url = f"{API}/members/{office.mid}/attendance/corrections"
    r = client.post(url, headers=office.admin, json={"day": "2026-03-02", "status": "on_time", "reason": "出差"})
    assert r.status_code == 201, r.text
    assert r.json()["kind"] == "status" and r.json()["created_by"] == office.admin_name
    # 补卡: the forgotten evening punch of 03-03.
    r = client.post(url, headers=office.admin, json={"day": "2026-03-03", "punch_at": "2026-03-03T18:00:00",
                                                     "reason": "忘记打卡，主管确认"})
    assert r.status_code == 201, r.text
    monday, tuesday = office.day("2026-03-02"), office.day("2026-03-03")
    assert monday["status"] == "on_time" and monday["corrected"] and monday["corrections"] == ["出差"]
    assert tuesday["status"] == "on_time" and tuesday["last_out"].startswith("2026-03-03T10:00:00")
    assert office.member()["absent"] == 0
    audit = client.get(f"{API}/audit", headers=office.admin, params={"action": "attendance.correct"}).json()
    assert audit["total"] == 2
    entry = audit["items"][-1]
    assert entry["before"]["computed"]["status"] == "absent" and entry["after"]["computed"]["status"] == "on_time"
    assert entry["after"]["reason"] == "出差" and entry["actor_username"] == office.admin_name
    listed = client.get(url, headers=office.admin, params={"month": "2026-03"}).json()
    assert [c["reason"] for c in listed["items"]] == ["出差", "忘记打卡，主管确认"]


def test_r_a3_corrections_bad_input_is_422_with_a_reason(client, database, clock):
    office = make_office(client, database)
    office.shift()
    clock.set(beijing("2026-03-04T10:00:00"))
    url = f"{API}/members/{office.mid}/attendance/corrections"
    cases = [({"day": "2026-03-02", "reason": "无"}, "invalid_input"),
             ({"day": "2026-03-02", "status": "on_time", "punch_at": "2026-03-02T09:00:00", "reason": "x"},
              "invalid_input"),
             ({"day": "2026-03-02", "status": "on_holiday", "reason": "x"}, "invalid_input"),
             ({"day": "2026-03-02", "status": "on_time", "reason": ""}, "invalid_input"),
             ({"day": "2026-03-05", "status": "on_time", "reason": "提前"}, "day_in_future"),
             ({"day": "2026-03-01", "punch_at": "2026-03-01T09:00:00", "reason": "周日"}, "no_shift_that_day"),
             ({"day": "2026-03-02", "punch_at": "2026-03-02T02:00:00", "reason": "太早"}, "punch_outside_window")]
    for body, code in cases:
        r = client.post(url, headers=office.admin, json=body)
        assert r.status_code == 422 and r.json()["error"]["code"] == code, (body, r.text)
    assert client.get(url, headers=office.admin).json()["total"] == 0


def test_r_a3_monthly_sheet_counts_per_member_and_department(client, database, clock):
    office = make_office(client, database, people=3, departments=("技术部", "技术部", "财务部"))
    office.shift(member_ids=[], departments=["技术部", "财务部"])
    clock.set(beijing("2026-03-07T10:00:00"))
    (a, card_a), (b, card_b), (c, card_c) = office.people
    for day in ("02", "03", "04", "05", "06"):
        office.upload(f"2026-03-{day}T08:50:00", f"2026-03-{day}T18:00:00", card_no=card_a)
    office.upload("2026-03-02T09:30:00", "2026-03-02T18:00:00", "2026-03-03T08:30:00", card_no=card_b)
    office.upload("2026-03-02T08:30:00", "2026-03-02T17:00:00", card_no=card_c)
    sheet = office.sheet()
    assert sheet["month"] == "2026-03"
    rows = {i["member_id"]: i for i in sheet["items"]}
    assert {k: rows[a][k] for k in ("workdays", "on_time", "late", "early_leave", "absent", "missing_punch")} == {
        "workdays": 5, "on_time": 5, "late": 0, "early_leave": 0, "absent": 0, "missing_punch": 0}
    assert (rows[b]["late"], rows[b]["missing_punch"], rows[b]["absent"]) == (1, 1, 3)
    assert (rows[c]["early_leave"], rows[c]["absent"]) == (1, 4)
    assert rows[a]["name"] == "张三" and rows[c]["department"] == "财务部"
    depts = {d["department"]: d for d in sheet["departments"]}
    assert depts["技术部"]["members"] == 2 and depts["技术部"]["late"] == 1 and depts["技术部"]["absent"] == 3
    assert depts["财务部"]["early_leave"] == 1
    only = office.sheet(department="财务部")
    assert [i["member_id"] for i in only["items"]] == [c]
    one = client.get(f"{API}/members/{b}/attendance", headers=office.admin, params={"month": "2026-03"})
    assert one.status_code == 200 and one.json()["late"] == 1
    # A month before anyone joined has no days; a bad month is 422.
    assert all(i["days"] == [] for i in office.sheet("2026-02")["items"])
    for bad in ("2026-13", "2026-3", "march"):
        r = client.get(f"{API}/enterprises/{office.eid}/attendance", headers=office.admin, params={"month": bad})
        assert r.status_code == 422


def test_r_a3_xlsx_export_is_readable(client, database, clock):
    office = make_office(client, database, people=2, departments=("技术部", "财务部"))
    office.shift(member_ids=[], departments=["技术部", "财务部"])
    clock.set(beijing("2026-03-04T10:00:00"))
    office.upload("2026-03-02T09:30:00", "2026-03-02T18:00:00")
    r = client.get(f"{API}/enterprises/{office.eid}/attendance.xlsx", headers=office.admin,
                   params={"month": "2026-03"})
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    book = load_workbook(io.BytesIO(r.content), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert book.worksheets[0].title == "考勤 2026-03"
    assert rows[0][:6] == ("姓名", "工号", "部门", "出勤天数", "正常", "迟到") and rows[0][13] == "1日"
    zhang = next(r for r in rows[1:] if r[0] == "张三")
    assert zhang[2] == "技术部" and zhang[3] == 2 and zhang[5] == 1 and zhang[13] == "休" and zhang[14] == "迟到"
    assert any(r and r[0] and str(r[0]).startswith("部门合计") for r in rows)


def test_r_a3_shift_api_errors_are_4xx_with_a_reason(client, database, clock):
    office = make_office(client, database)
    url = f"{API}/enterprises/{office.eid}/shifts"
    base = {"name": "白班", "weekdays": [1, 2, 3, 4, 5], "start": "09:00", "end": "18:00", "grace_minutes": 5,
            "member_ids": [office.mid]}
    for change in ({"start": "9:00"}, {"end": "24:00"}, {"weekdays": [0]}, {"weekdays": [8]}, {"weekdays": []},
                   {"grace_minutes": -1}, {"end": "09:00"}, {"kind": "flexible"}, {"required_minutes": 60},
                   {"name": ""}, {"kind": "rotating"}):
        r = client.post(url, headers=office.admin, json=base | change)
        assert r.status_code == 422, change
    r = client.post(url, headers=office.admin, json=base | {"member_ids": [999999]})
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_member"
    first = client.post(url, headers=office.admin, json=base)
    assert first.status_code == 201
    r = client.post(url, headers=office.admin, json=base | {"name": "重叠", "weekdays": [5, 6]})
    assert r.status_code == 409 and r.json()["error"]["code"] == "shift_conflict"
    sid = first.json()["id"]
    assert client.get(f"{url}/{sid + 100}", headers=office.admin).status_code == 404
    r = client.patch(f"{url}/{sid}", headers=office.admin, json={"start": "08:30", "weekdays": [1, 2, 3]})
    assert r.status_code == 200 and r.json()["start"] == "08:30" and r.json()["weekdays"] == [1, 2, 3]
    assert r.json()["end"] == "18:00" and r.json()["member_ids"] == [office.mid]
    assert client.patch(f"{url}/{sid}", headers=office.admin, json={"end": "99:00"}).status_code == 422
    listed = client.get(url, headers=office.admin).json()
    assert listed["total"] == 1 and listed["items"][0]["grace_minutes"] == 5
    assert client.delete(f"{url}/{sid}", headers=office.admin).status_code == 204
    assert client.get(url, headers=office.admin).json()["total"] == 0
    actions = {e["action"] for e in client.get(f"{API}/audit", headers=office.admin).json()["items"]}
    assert {"attendance.shift_create", "attendance.shift_update", "attendance.shift_delete"} <= actions


def test_r_a3_holiday_api(client, database, clock):
    office = make_office(client, database)
    url = f"{API}/enterprises/{office.eid}/holidays"
    assert client.post(url, headers=office.admin, json={"day": "2026-05-01", "kind": "holiday",
                                                        "name": "劳动节"}).status_code == 201
    r = client.post(url, headers=office.admin, json={"day": "2026-05-01", "kind": "holiday", "name": "重复"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "duplicate_day"
    for bad in ({"day": "2026-05-02", "kind": "vacation", "name": "x"}, {"day": "2026-02-30", "kind": "holiday",
                                                                      "name": "x"},
                {"day": "2026-05-02", "kind": "holiday", "name": "x", "as_weekday": 1},
                {"day": "2026-05-09", "kind": "workday", "name": "x", "as_weekday": 8}):
        assert client.post(url, headers=office.admin, json=bad).status_code == 422, bad
    assert client.get(url, headers=office.admin, params={"year": 2026}).json()["items"] == [
        {"day": "2026-05-01", "kind": "holiday", "name": "劳动节", "as_weekday": None}]
    assert client.delete(f"{url}/2026-05-02", headers=office.admin).status_code == 404
    assert client.delete(f"{url}/2026-05-01", headers=office.admin).status_code == 204
    assert client.get(url, headers=office.admin).json()["total"] == 0


def test_r_a3_holidays_between_for_door_time_zones(client, database, clock):
    import datetime as dt

    from yikatong.attendance.calendar import holidays_between

    office = make_office(client, database)
    url = f"{API}/enterprises/{office.eid}/holidays"
    client.post(url, headers=office.admin, json={"day": "2026-10-01", "kind": "holiday", "name": "国庆节"})
    client.post(url, headers=office.admin, json={"day": "2026-10-10", "kind": "workday", "name": "调休"})
    with database.read() as s:
        got = holidays_between(s, enterprise_id=office.eid, start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 9))
        assert got == {dt.date(2026, 10, 1): "holiday"}
        assert len(holidays_between(s, enterprise_id=office.eid, start=dt.date(2026, 1, 1),
                                    end=dt.date(2026, 12, 31))) == 2


def test_r_x5_other_enterprises_admin_sees_no_attendance(client, database, clock):
    office = make_office(client, database)
    sid = office.shift()["id"]
    _, intruder_name = make_enterprise(database)
    intruder = login(client, intruder_name)
    for method, path in (("GET", f"/enterprises/{office.eid}/shifts/{sid}"),
                         ("PATCH", f"/enterprises/{office.eid}/shifts/{sid}"),
                         ("DELETE", f"/enterprises/{office.eid}/shifts/{sid}"),
                         ("DELETE", f"/enterprises/{office.eid}/holidays/2026-05-01"),
                         ("GET", f"/enterprises/{office.eid}/attendance.xlsx")):
        r = client.request(method, API + path, headers=intruder, json={"name": "入侵"} if method == "PATCH" else None)
        assert r.status_code == 404, (method, path)
    assert client.get(f"{API}/enterprises/{office.eid}/shifts/{sid}", headers=office.admin).json()["name"] == "白班"


def test_r_a4_attendance_counts_per_member_and_department_over_a_period(client, database, clock):
    office = make_office(client, database, people=2, departments=("技术部", "财务部"))
    office.shift(member_ids=[], departments=["技术部", "财务部"])
    clock.set(beijing("2026-04-08T10:00:00"))
    (a, card_a), (b, _) = office.people
    office.upload("2026-03-31T09:30:00", "2026-03-31T18:00:00", "2026-04-01T09:10:00", "2026-04-01T18:00:00",
                  card_no=card_a)
    url = f"{API}/enterprises/{office.eid}/attendance/summary"
    r = client.get(url, headers=office.admin, params={"from": "2026-03-30", "to": "2026-04-03"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["from"], body["to"]) == ("2026-03-30", "2026-04-03") and "days" not in body["members"][0]
    rows = {m["member_id"]: m for m in body["members"]}
    assert (rows[a]["workdays"], rows[a]["late"], rows[a]["absent"]) == (5, 2, 3)
    assert rows[b]["absent"] == 5
    assert {d["department"]: d["absent"] for d in body["departments"]} == {"技术部": 3, "财务部": 5}
    only = client.get(url, headers=office.admin, params={"from": "2026-03-30", "to": "2026-04-03",
                                                         "department": "财务部"}).json()
    assert [m["member_id"] for m in only["members"]] == [b]
    # Default: this month so far (1st – 7th of April; today is not over).
    assert client.get(url, headers=office.admin).json()["members"][0]["workdays"] == 5
    for params in ({"from": "2026-04-03", "to": "2026-03-30"}, {"from": "2025-01-01", "to": "2026-04-01"},
                   {"from": "2026-02-30"}):
        r = client.get(url, headers=office.admin, params=params)
        assert r.status_code == 422, params
