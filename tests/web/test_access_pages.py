"""Door access in the console (A1, A4): doors with sites, time zones entered as periods, access
groups by phone number and department, the event log with filters and paging, and a door's page
with its hourly chart — in Chinese, and another enterprise's admin gets 404 (X5)."""

from __future__ import annotations

import datetime as dt

from factories import login as api_login
from factories import make_card, make_enterprise, make_member
from web_helpers import csrf_from, logged_in

from yikatong.core.clock import SHANGHAI

PHONE = "13800000551"


def _setup(client, database):
    eid, username = make_enterprise(database, name="西湖园区")
    mid = make_member(database, enterprise_id=eid, name="韩梅梅", phone=PHONE, department="行政部")
    card_id = make_card(database, member_id=mid, apps=("access",))
    logged_in(client, username)
    return eid, username, mid, card_id


def test_r_a1_console_defines_doors_time_zones_and_groups(client, database):
    eid, username, mid, _ = _setup(client, database)
    path = f"/console/enterprises/{eid}/access"
    page = client.get(path)
    assert page.status_code == 200 and "尚未定义任何门。" in page.text and "门禁" in page.text
    token = csrf_from(page.text)
    r = client.post(f"{path}/doors", data={"csrf_token": token, "name": "", "site": "", "direction": "both"})
    assert r.status_code == 422 and 'id="e-name"' in r.text
    r = client.post(f"{path}/doors", data={"csrf_token": token, "name": "南门", "site": "一号楼", "direction": "in"},
                    follow_redirects=False)
    assert r.status_code == 303
    r = client.post(f"{path}/sites", data={"csrf_token": token, "name": "宿舍区", "anti_passback": "1"},
                    follow_redirects=False)
    assert r.status_code == 303
    # a period that ends before it starts is refused, and nothing is saved
    bad = {"csrf_token": token, "name": "白天", "p1_d1": "1", "p1_start": "18:00", "p1_end": "08:00"}
    assert client.post(f"{path}/time-zones", data=bad).status_code == 422
    good = {"csrf_token": token, "name": "白天", "p1_d1": "1", "p1_d2": "1", "p1_d3": "1", "p1_d4": "1", "p1_d5": "1",
            "p1_start": "08:00", "p1_end": "18:00", "p2_d8": "1", "p2_start": "09:00", "p2_end": "12:00"}
    r = client.post(f"{path}/time-zones", data=good, follow_redirects=False)
    assert r.status_code == 303
    page = client.get(f"{path}?saved=time_zone").text
    assert "时间段已保存。" in page and "周一、周二、周三、周四、周五 08:00–18:00" in page and "节假日 09:00–12:00" in page
    assert "一号楼" in page and "入口" in page and "防反潜回" in page
    admin = api_login(client, username)
    door = client.get(f"/api/v1/enterprises/{eid}/doors", headers=admin).json()[0]["id"]
    tz = client.get(f"/api/v1/enterprises/{eid}/time-zones", headers=admin).json()[0]["id"]
    r = client.post(f"{path}/groups", data={"csrf_token": token, "name": "行政", "time_zone_id": str(tz),
                                            "door_ids": str(door), "members": "13800009999", "departments": ""})
    assert r.status_code == 422 and 'class="field-error"' in r.text
    r = client.post(f"{path}/groups", data={"csrf_token": token, "name": "行政", "time_zone_id": str(tz),
                                            "door_ids": str(door), "members": PHONE, "departments": "行政部，后勤部"},
                    follow_redirects=False)
    assert r.status_code == 303
    groups = client.get(f"/api/v1/enterprises/{eid}/access-groups", headers=admin).json()
    assert [(g["name"], g["door_ids"], g["member_ids"], g["departments"]) for g in groups] == [
        ("行政", [door], [mid], ["后勤部", "行政部"])]


def test_r_a4_console_event_log_and_door_chart(client, database):
    eid, username, mid, card_id = _setup(client, database)
    admin = api_login(client, username)
    tz = client.post(f"/api/v1/enterprises/{eid}/time-zones", headers=admin, json={
        "name": "全天", "periods": [{"weekdays": [1, 2, 3, 4, 5], "start": "08:00", "end": "18:00"}]}).json()["id"]
    door = client.post(f"/api/v1/enterprises/{eid}/doors", headers=admin, json={"name": "南门"}).json()["id"]
    client.post(f"/api/v1/enterprises/{eid}/access-groups", headers=admin,
                json={"name": "全员", "door_ids": [door], "time_zone_id": tz, "member_ids": [mid]})
    token = client.post(f"/api/v1/enterprises/{eid}/terminals", headers=admin,
                        json={"type": "door", "name": "南门终端", "door_id": door}).json()["token"]
    card_no = client.get(f"/api/v1/cards/{card_id}", headers=admin).json()["card_no"]
    day = dt.date(2026, 3, 2)
    for hh, mm in ((8, 5), (8, 40), (12, 0), (20, 0)):
        r = client.post("/api/v1/terminal/access-decisions", headers={"Authorization": f"Bearer {token}"},
                        json={"card_no": card_no, "at": dt.datetime(2026, 3, 2, hh, mm, tzinfo=SHANGHAI).isoformat()})
        assert r.status_code == 200
    events = client.get(f"/console/enterprises/{eid}/access/events",
                        params={"start": "2026-03-02", "end": "2026-03-02"})
    assert events.status_code == 200 and events.text.count('<tr id="event-') == 4
    assert "韩梅梅" in events.text and "行政部" in events.text and "不在允许时间段" in events.text
    denied = client.get(f"/console/enterprises/{eid}/access/events",
                        params={"start": "2026-03-02", "end": "2026-03-02", "outcome": "denied"}).text
    assert denied.count('<tr id="event-') == 1 and "被拒刷卡" in denied
    page = client.get(f"/console/enterprises/{eid}/access/doors/{door}", params={"day": day.isoformat()})
    assert page.status_code == 200 and "<svg" in page.text and "08:00–09:00" in page.text and "2 次" in page.text
    assert "开门 3 次，拒绝 1 次" in page.text and "不在允许时间段" in page.text
    assert client.get(f"/console/enterprises/{eid}/access/events", params={"start": "03/02"}).status_code == 422
    # another enterprise's admin: 404 on every access page
    _, intruder = make_enterprise(database)
    client.cookies.clear()
    logged_in(client, intruder)
    for path in (f"/console/enterprises/{eid}/access", f"/console/enterprises/{eid}/access/events",
                 f"/console/enterprises/{eid}/access/doors/{door}"):
        assert client.get(path).status_code == 404, path
