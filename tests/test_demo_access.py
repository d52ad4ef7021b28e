"""`ykt demo` gives each demo enterprise doors, time zones, groups, shifts, a holiday calendar and two
months of swipes and clock records, seen here through the API as an enterprise admin sees them.

The clock stands at 2026-05-12 (Beijing) so the months are known: April has 清明节 (a Monday off)
and the company day, May has 劳动节 and a 调休 Saturday (2026-05-09)."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from yikatong.app import create_app
from yikatong.cli import app
from yikatong.config import Settings, get_settings
from yikatong.core import clock
from yikatong.demo import ENTERPRISES

NOW = dt.datetime(2026, 5, 12, 10, 30, tzinfo=clock.SHANGHAI)


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    previous = clock.set_clock(clock.FixedClock(NOW.astimezone(dt.UTC)))
    patch = pytest.MonkeyPatch()
    patch.setenv("YKT_DATABASE_URL", url)
    patch.setenv("YKT_ADMIN_PASSWORD", "admin-pass-1")
    get_settings.cache_clear()
    try:
        for args in (["init"], ["demo"]):
            out = CliRunner().invoke(app, args)
            assert out.exit_code == 0, out.output
        assert "door terminal token" in out.output
        yield url
    finally:
        get_settings.cache_clear()
        patch.undo()
        clock.set_clock(previous)


@pytest.fixture(scope="module")
def api(demo_url):
    """(client, headers, enterprise id) of each demo enterprise's admin, with the clock still at NOW."""
    previous = clock.set_clock(clock.FixedClock(NOW.astimezone(dt.UTC)))
    try:
        with TestClient(create_app(Settings(database_url=demo_url))) as c:
            admins = []
            for spec in ENTERPRISES:
                token = c.post("/api/v1/auth/token", json={"username": spec.admin[0], "password": spec.admin[1]}).json()
                admins.append(({"Authorization": f"Bearer {token['access_token']}"}, token["enterprise_id"]))
            yield c, admins
    finally:
        clock.set_clock(previous)


def _sheet(c, h, eid, month):
    answer = c.get(f"/api/v1/enterprises/{eid}/attendance", headers=h, params={"month": month})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_demo_sets_up_doors_time_zones_groups_and_shifts(api):
    c, admins = api
    for h, eid in admins:
        doors = c.get(f"/api/v1/enterprises/{eid}/doors", headers=h).json()
        assert 4 <= len(doors) <= 6
        assert {d["direction"] for d in doors} == {"in", "out", "both"}
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in d["name"]) for d in doors)
        sites = c.get(f"/api/v1/enterprises/{eid}/sites", headers=h).json()
        assert len(sites) == 2 and [s["anti_passback"] for s in sites].count(True) == 1
        zones = {z["name"]: z for z in c.get(f"/api/v1/enterprises/{eid}/time-zones", headers=h).json()}
        assert {"工作日", "全天"} <= set(zones)
        assert zones["工作日"]["periods"] == [{"weekdays": [1, 2, 3, 4, 5], "start": "08:00", "end": "20:00"}]
        assert any(8 in p["weekdays"] for z in zones.values() for p in z["periods"])  # holiday periods
        groups = c.get(f"/api/v1/enterprises/{eid}/access-groups", headers=h).json()
        assert any(g["departments"] for g in groups) and any(g["member_ids"] and not g["departments"] for g in groups)
        shifts = {s["name"]: s for s in c.get(f"/api/v1/enterprises/{eid}/shifts", headers=h).json()["items"]}
        assert (shifts["标准班"]["start"], shifts["标准班"]["end"], shifts["标准班"]["grace_minutes"]) == ("09:00", "18:00", 5)
        assert shifts["夜班"]["overnight"] and shifts["弹性班"]["kind"] == "flexible"
        kinds = Counter(t["type"] for t in c.get(f"/api/v1/enterprises/{eid}/terminals", headers=h).json())
        assert kinds["door"] == len(doors) and kinds["attendance"] == 1


def test_demo_calendar_has_the_years_public_holidays_and_a_make_up_workday(api):
    c, admins = api
    h, eid = admins[0]
    days = {d["day"]: d for d in c.get(f"/api/v1/enterprises/{eid}/holidays", headers=h,
                                       params={"year": 2026, "limit": 500}).json()["items"]}
    assert days["2026-04-06"]["kind"] == "holiday" and days["2026-04-06"]["name"] == "清明节"
    assert days["2026-05-09"]["kind"] == "workday"
    assert days["2026-10-01"]["name"] == "国庆节"


def test_demo_last_month_sheet_has_on_time_late_absent_and_missing_punch_days(api):
    c, admins = api
    for h, eid in admins:
        sheet = _sheet(c, h, eid, "2026-04")
        totals = Counter()
        for item in sheet["items"]:
            totals.update({k: item[k] for k in ("on_time", "late", "absent", "missing_punch", "early_leave",
                                                "workdays")})
        assert totals["on_time"] > 10 * totals["late"] > 0  # mostly on time
        assert totals["absent"] > 0 and totals["missing_punch"] > 0 and totals["early_leave"] > 0
        # 清明节 (Monday 6 April) is a rest day for everyone, named in the sheet.
        days = [d for item in sheet["items"] for d in item["days"] if d["date"] == "2026-04-06"]
        assert days and all(d["status"] == "rest" and d["holiday"] == "清明节" for d in days)
        # The night shift's punches after midnight count for the day it started.
        night = [item for item in sheet["items"] if item["department"] == "生产部"]
        assert sum(item["on_time"] for item in night) > 0


def test_demo_this_month_counts_the_make_up_saturday(api):
    c, admins = api
    h, eid = admins[0]
    sheet = _sheet(c, h, eid, "2026-05")
    saturday = [d for item in sheet["items"] for d in item["days"] if d["date"] == "2026-05-09"]
    assert saturday and Counter(d["status"] for d in saturday)["on_time"] > len(saturday) / 2
    assert all(d["date"] < "2026-05-12" for item in sheet["items"] for d in item["days"])  # nothing ahead of now


def test_demo_person_in_both_enterprises_works_saturdays_at_the_second_under_their_own_shift(api):
    c, admins = api
    h, eid = admins[1]
    shifts = {s["name"]: s for s in c.get(f"/api/v1/enterprises/{eid}/shifts", headers=h).json()["items"]}
    assert "周六班" not in {s["name"] for s in c.get(f"/api/v1/enterprises/{admins[0][1]}/shifts",
                                                   headers=admins[0][0]).json()["items"]}
    (member_id,) = shifts["周六班"]["member_ids"]
    month = c.get(f"/api/v1/members/{member_id}/attendance", headers=h, params={"month": "2026-04"}).json()
    # April's Saturdays: the 4th is 清明节, the 11th a 调休 workday (worked as a Friday: not their shift).
    assert {d["date"] for d in month["days"] if d["status"] != "rest"} == {"2026-04-18", "2026-04-25"}
    assert month["on_time"] + month["late"] == 2 and month["absent"] == 0


def test_demo_access_events_include_denied_attempts_online_and_offline(api):
    c, admins = api
    for h, eid in admins:
        events = c.get(f"/api/v1/enterprises/{eid}/access-events", headers=h, params={"limit": 500})
        assert events.status_code == 200 and events.json()["total"] > 1000
        denied = c.get(f"/api/v1/enterprises/{eid}/access-events", headers=h,
                       params={"allowed": "false", "limit": 500}).json()
        reasons = Counter(e["reason"] for e in denied["items"])
        assert {"not_in_group", "card_lost", "passback"} <= set(reasons)
        assert all(not e["allowed"] for e in denied["items"])
        assert {e["source"] for e in events.json()["items"]} == {"online", "offline"}
        assert max(dt.datetime.fromisoformat(e["at"]) for e in events.json()["items"]) <= NOW


def test_demo_console_pages_show_doors_events_and_the_sheet(api):
    c, admins = api
    login = c.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', login.text).group(1)
    spec = ENTERPRISES[0]
    signed_in = c.post("/login", data={"username": spec.admin[0], "password": spec.admin[1], "channel": "website",
                                       "csrf_token": csrf}, follow_redirects=False)
    assert signed_in.status_code == 303
    eid = admins[0][1]
    pages = {f"/console/enterprises/{eid}/access": "A 栋大门（进）",
             f"/console/enterprises/{eid}/access/events?allowed=false": "研发实验室",
             f"/console/enterprises/{eid}/attendance?month=2026-04": "技术研发部",
             f"/console/enterprises/{eid}/shifts": "夜班",
             f"/console/enterprises/{eid}/holidays?year=2026": "清明节"}
    for path, text in pages.items():
        page = c.get(path)
        assert page.status_code == 200 and text in page.text, path
