"""A3: the day statuses computed from clock records through the API — grace, the boundary minute,
early leave, absence, a single punch, rest days, holidays, 调休, overnight and flexible shifts,
first-in/last-out — and the precedence of a member's own shift over the department's."""

from __future__ import annotations

from .conftest import beijing, make_office


def test_r_a3_arrival_within_grace_is_on_time(client, database, clock):
    office = make_office(client, database)
    office.shift()
    clock.set(beijing("2026-03-03T10:00:00"))
    office.upload("2026-03-02T09:04:00", "2026-03-02T18:01:00")
    day = office.day("2026-03-02")
    assert day["status"] == "on_time" and not day["late"] and day["late_minutes"] == 0
    assert day["first_in"].startswith("2026-03-02T01:04:00") and day["overtime_minutes"] == 1


def test_r_a3_arrival_after_grace_is_late(client, database, clock):
    office = make_office(client, database)
    office.shift()
    clock.set(beijing("2026-03-03T10:00:00"))
    office.upload("2026-03-02T09:20:00", "2026-03-02T18:00:00")
    day = office.day("2026-03-02")
    assert day["status"] == "late" and day["late_minutes"] == 20
    assert office.member()["late"] == 1 and office.member()["late_minutes"] == 20


def test_r_a3_exact_grace_boundary_minute(client, database, clock):
    """With 5 grace minutes: any second of 09:05 is on time, 09:06:00 is late."""
    office = make_office(client, database, people=2)
    office.shift(member_ids=[office.people[0][0], office.people[1][0]])
    clock.set(beijing("2026-03-03T10:00:00"))
    office.upload("2026-03-02T09:05:59", "2026-03-02T18:00:00", card_no=office.people[0][1])
    office.upload("2026-03-02T09:06:00", "2026-03-02T18:00:00", card_no=office.people[1][1])
    assert office.day("2026-03-02", office.people[0][0])["status"] == "on_time"
    late = office.day("2026-03-02", office.people[1][0])
    assert late["status"] == "late" and late["late_minutes"] == 6


def test_r_a3_leaving_before_end_is_early_leave_unless_within_its_grace(client, database, clock):
    office = make_office(client, database, people=2)
    office.shift(member_ids=[office.people[0][0]])
    office.shift(name="宽松班", member_ids=[office.people[1][0]], early_leave_grace_minutes=10)
    clock.set(beijing("2026-03-03T10:00:00"))
    for _, card_no in office.people:
        office.upload("2026-03-02T08:58:00", "2026-03-02T17:50:30", card_no=card_no)
    strict = office.day("2026-03-02", office.people[0][0])
    assert strict["status"] == "early_leave" and strict["early_leave_minutes"] == 10
    assert office.day("2026-03-02", office.people[1][0])["status"] == "on_time"
    # Leaving at 17:59:59 from an 18:00 shift is early: seconds are dropped, 17:59 < 18:00.
    clock.set(beijing("2026-03-04T10:00:00"))
    office.upload("2026-03-03T08:58:00", "2026-03-03T17:59:59", card_no=office.people[0][1])
    assert office.day("2026-03-03", office.people[0][0])["early_leave_minutes"] == 1


def test_r_a3_late_and_early_leave_on_one_day_counts_both(client, database, clock):
    office = make_office(client, database)
    office.shift()
    clock.set(beijing("2026-03-03T10:00:00"))
    office.upload("2026-03-02T09:30:00", "2026-03-02T17:00:00")
    day = office.day("2026-03-02")
    assert day["status"] == "late" and day["late"] and day["early_leave"] and day["early_leave_minutes"] == 60
    member = office.member()
    assert member["late"] == 1 and member["early_leave"] == 1


def test_r_a3_no_punch_on_a_working_day_is_absent(client, database, clock):
    office = make_office(client, database)
    office.shift()
    clock.set(beijing("2026-03-03T10:00:00"))
    day = office.day("2026-03-02")
    assert day["status"] == "absent" and office.member()["absent"] == 1
    # Today (03-03) is not over yet, so it is not in the sheet.
    assert [d["date"] for d in office.member()["days"]] == ["2026-03-01", "2026-03-02"]


def test_r_a3_a_single_punch_is_missing_punch(client, database, clock):
    office = make_office(client, database)
    office.shift()
    clock.set(beijing("2026-03-03T10:00:00"))
    office.upload("2026-03-02T08:50:00")
    day = office.day("2026-03-02")
    assert day["status"] == "missing_punch" and day["first_in"] and day["last_out"] is None
    assert office.member()["missing_punch"] == 1


def test_r_a3_a_weekday_without_shift_is_rest(client, database, clock):
    office = make_office(client, database)
    office.shift()
    clock.set(beijing("2026-03-09T10:00:00"))
    office.upload("2026-03-07T10:00:00", "2026-03-07T15:00:00")  # Saturday: no shift, punches ignored
    assert office.day("2026-03-07")["status"] == "rest" and office.day("2026-03-01")["status"] == "rest"
    member = office.member()
    assert member["rest"] == 3 and member["workdays"] == 5  # Sun 1, Sat 7, Sun 8 rest; Mon 2 – Fri 6


def test_r_a3_a_holiday_is_rest(client, database, clock):
    office = make_office(client, database)
    office.shift()
    r = client.post(f"/api/v1/enterprises/{office.eid}/holidays", headers=office.admin,
                    json={"day": "2026-03-02", "kind": "holiday", "name": "公司庆典"})
    assert r.status_code == 201, r.text
    clock.set(beijing("2026-03-03T10:00:00"))
    day = office.day("2026-03-02")
    assert day["status"] == "rest" and day["holiday"] == "公司庆典" and office.member()["absent"] == 0


def test_r_a3_a_workday_tiaoxiu_is_worked_with_mondays_shift(client, database, clock):
    office = make_office(client, database)
    office.shift(weekdays=[1], start="08:00", end="17:00")
    office.shift(name="周五短班", weekdays=[5], start="09:00", end="15:00")
    r = client.post(f"/api/v1/enterprises/{office.eid}/holidays", headers=office.admin,
                    json={"day": "2026-03-07", "kind": "workday", "name": "调休上班"})
    assert r.status_code == 201 and r.json()["as_weekday"] == 1
    client.post(f"/api/v1/enterprises/{office.eid}/holidays", headers=office.admin,
                json={"day": "2026-03-08", "kind": "workday", "name": "调休上班", "as_weekday": 5})
    clock.set(beijing("2026-03-09T10:00:00"))
    office.upload("2026-03-07T08:10:00", "2026-03-07T17:00:00", "2026-03-08T08:55:00", "2026-03-08T15:00:00")
    saturday = office.day("2026-03-07")
    assert saturday["status"] == "late" and saturday["late_minutes"] == 10 and saturday["holiday"] == "调休上班"
    sunday = office.day("2026-03-08")
    assert sunday["status"] == "on_time" and sunday["shift_name"] == "周五短班"


def test_r_a3_overnight_shift_punches_after_midnight_belong_to_the_shifts_day(client, database, clock):
    office = make_office(client, database)
    shift = office.shift(name="夜班", weekdays=[1, 2], start="22:00", end="06:00", grace_minutes=0)
    assert shift["overnight"] is True
    clock.set(beijing("2026-03-04T13:00:00"))
    office.upload("2026-03-02T21:55:00", "2026-03-03T06:02:00", "2026-03-03T22:10:00", "2026-03-04T05:30:00")
    monday = office.day("2026-03-02")
    assert monday["status"] == "on_time" and monday["last_out"].startswith("2026-03-02T22:02:00")
    assert monday["overtime_minutes"] == 2
    tuesday = office.day("2026-03-03")
    assert tuesday["status"] == "late" and tuesday["late"] and tuesday["early_leave"]
    assert tuesday["late_minutes"] == 10 and tuesday["early_leave_minutes"] == 30


def test_r_a3_overnight_shift_day_is_not_shown_before_its_window_closes(client, database, clock):
    office = make_office(client, database)
    office.shift(name="夜班", weekdays=[1], start="22:00", end="06:00")
    clock.set(beijing("2026-03-03T07:00:00"))  # the shift ended, its window (till 12:00) is open
    assert "2026-03-02" not in [d["date"] for d in office.member()["days"]]
    clock.set(beijing("2026-03-03T12:00:00"))
    assert office.day("2026-03-02")["status"] == "absent"


def test_r_a3_flexible_shift_needs_its_required_hours(client, database, clock):
    office = make_office(client, database, people=2)
    body = {"name": "弹性班", "kind": "flexible", "start": "07:00", "end": "21:00", "required_minutes": 480,
            "early_leave_grace_minutes": 5}
    office.shift(**body, member_ids=[m for m, _ in office.people])
    clock.set(beijing("2026-03-03T10:00:00"))
    office.upload("2026-03-02T10:30:00", "2026-03-02T18:26:00", card_no=office.people[0][1])  # 476 min: in grace
    office.upload("2026-03-02T06:00:00", "2026-03-02T14:00:00", card_no=office.people[1][1])  # counts from 07:00
    ok = office.day("2026-03-02", office.people[0][0])
    assert ok["status"] == "on_time" and ok["worked_minutes"] == 476 and not ok["late"]
    short = office.day("2026-03-02", office.people[1][0])
    assert short["status"] == "early_leave" and short["worked_minutes"] == 420 and short["early_leave_minutes"] == 60


def test_r_a3_first_in_last_out_ignores_punches_in_between(client, database, clock):
    office = make_office(client, database)
    office.shift()
    clock.set(beijing("2026-03-03T10:00:00"))
    office.upload("2026-03-02T12:01:00", "2026-03-02T08:50:00", "2026-03-02T13:00:00", "2026-03-02T18:45:00",
                  "2026-03-02T08:51:00")
    day = office.day("2026-03-02")
    assert day["status"] == "on_time" and day["overtime_minutes"] == 45
    assert day["first_in"].startswith("2026-03-02T00:50:00") and day["last_out"].startswith("2026-03-02T10:45:00")
    # A punch long before the window (04:00, window opens 05:00) does not count as the arrival.
    clock.set(beijing("2026-03-04T10:00:00"))
    office.upload("2026-03-03T04:00:00", "2026-03-03T09:00:00", "2026-03-03T18:00:00")
    assert office.day("2026-03-03")["first_in"].startswith("2026-03-03T01:00:00")


def test_r_a3_a_members_own_shift_overrides_the_departments(client, database, clock):
    office = make_office(client, database, people=2, departments=("技术部",))
    office.shift(name="技术部白班", member_ids=[], departments=["技术部"])
    office.shift(name="张三专属", weekdays=[6], start="10:00", end="16:00", member_ids=[office.people[0][0]])
    clock.set(beijing("2026-03-09T10:00:00"))
    own = office.member(office.people[0][0])
    assert own["workdays"] == 1 and office.day("2026-03-07", office.people[0][0])["shift_name"] == "张三专属"
    assert office.day("2026-03-02", office.people[0][0])["status"] == "rest"
    assert office.member(office.people[1][0])["workdays"] == 5
    assert office.day("2026-03-02", office.people[1][0])["shift_name"] == "技术部白班"
