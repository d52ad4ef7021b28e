"""Door access in the console (A1, A4): doors with sites, time zones entered as periods, access
groups by phone number and department, the event log with filters and paging, and a door's page
with its hourly chart — in Chinese, and another enterprise's admin gets 404 (X5)."""

from __future__ import annotations

import datetime as dt

from factories import login as api_login
from factories import make_card, make_enterprise, make_member, make_user
from web_helpers import csrf_from, logged_in

from yikatong.core.actor import Role
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


# --- editing and removing (A1) -------------------------------------------------------------------

def _api_setup(client, username, eid, mid):
    """A site with a door, a time zone and a group through the API; returns their ids."""
    admin = api_login(client, username)
    door = client.post(f"/api/v1/enterprises/{eid}/doors", headers=admin,
                       json={"name": "南门", "site": "一号楼", "direction": "in"}).json()["id"]
    tz = client.post(f"/api/v1/enterprises/{eid}/time-zones", headers=admin, json={
        "name": "白天", "periods": [{"weekdays": [1, 2, 3, 4, 5], "start": "08:00", "end": "18:00"}]}).json()["id"]
    group = client.post(f"/api/v1/enterprises/{eid}/access-groups", headers=admin, json={
        "name": "行政", "door_ids": [door], "time_zone_id": tz, "member_ids": [mid],
        "departments": ["行政部"]}).json()["id"]
    return admin, door, tz, group


def _edit(client, path, data):
    return client.post(path, data={"csrf_token": csrf_from(client.get(path).text)} | data, follow_redirects=False)


def test_r_a1_console_edits_a_door_and_a_site(client, database):
    eid, username, mid, _ = _setup(client, database)
    admin, door, _, _ = _api_setup(client, username, eid, mid)
    path = f"/console/enterprises/{eid}/access"
    site = client.get(f"/api/v1/enterprises/{eid}/sites", headers=admin).json()[0]["id"]
    setup = client.get(path).text
    assert f'href="{path}/doors/{door}/edit"' in setup and f'href="{path}/sites/{site}/remove"' in setup
    page = client.get(f"{path}/doors/{door}/edit")
    assert page.status_code == 200 and "编辑门" in page.text
    assert f'href="{path}/doors/{door}/remove">移除门</a>' in page.text
    assert 'value="南门"' in page.text and 'value="一号楼"' in page.text
    assert '<option value="in" selected>' in page.text
    # bad input: the form again in Chinese, nothing changed
    r = _edit(client, f"{path}/doors/{door}/edit", {"name": "", "site": "二号楼", "direction": "out"})
    assert r.status_code == 422 and 'id="e-name"' in r.text and "请修改标出的字段。" in r.text
    assert client.get(f"/api/v1/doors/{door}", headers=admin).json()["name"] == "南门"
    r = _edit(client, f"{path}/doors/{door}/edit", {"name": "北门", "site": "二号楼", "direction": "out"})
    assert r.status_code == 303 and r.headers["location"] == f"{path}#doors"
    setup = client.get(path).text
    assert "门 北门 已保存。" in setup and "北门" in setup and "二号楼" in setup and "出口" in setup
    assert client.get(f"/api/v1/doors/{door}", headers=admin).json()["site"] == "二号楼"
    # the site: rename and switch on anti-passback; another site's name is refused
    page = client.get(f"{path}/sites/{site}/edit")
    assert page.status_code == 200 and 'value="一号楼"' in page.text
    assert 'name="anti_passback" value="1">' in page.text
    r = _edit(client, f"{path}/sites/{site}/edit", {"name": "二号楼", "anti_passback": "1"})
    assert r.status_code == 409 and "已有同名的区域。" in r.text
    r = _edit(client, f"{path}/sites/{site}/edit", {"name": "一号楼东区", "anti_passback": "1"})
    assert r.status_code == 303
    sites = {s["name"]: s["anti_passback"] for s in client.get(f"/api/v1/enterprises/{eid}/sites",
                                                                 headers=admin).json()}
    assert sites == {"一号楼东区": True, "二号楼": False}
    assert "区域 一号楼东区 已保存。" in client.get(path).text
    # and off again
    assert _edit(client, f"{path}/sites/{site}/edit", {"name": "一号楼东区"}).status_code == 303
    assert client.get(f"/api/v1/enterprises/{eid}/sites", headers=admin).json()[0]["anti_passback"] is False


def test_r_a1_console_removes_a_site_only_without_doors(client, database):
    eid, username, mid, _ = _setup(client, database)
    admin, door, _, _ = _api_setup(client, username, eid, mid)
    path = f"/console/enterprises/{eid}/access"
    site = client.get(f"/api/v1/enterprises/{eid}/sites", headers=admin).json()[0]["id"]
    page = client.get(f"{path}/sites/{site}/remove")
    assert page.status_code == 200 and "确认移除区域 一号楼？" in page.text and "南门" in page.text
    token = csrf_from(page.text)
    # posting without the confirmation only asks again
    r = client.post(f"{path}/sites/{site}/remove", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"{path}/sites/{site}/remove"
    r = client.post(f"{path}/sites/{site}/remove", data={"csrf_token": token, "confirm": "yes"})
    assert r.status_code == 409 and "该区域下还有门，请先移走或删除。" in r.text
    assert len(client.get(f"/api/v1/enterprises/{eid}/sites", headers=admin).json()) == 1
    r = _edit(client, f"{path}/doors/{door}/edit", {"name": "南门", "site": "", "direction": "in"})
    assert r.status_code == 303
    assert client.get(f"/api/v1/doors/{door}", headers=admin).json()["site"] is None
    r = client.post(f"{path}/sites/{site}/remove", data={"csrf_token": token, "confirm": "yes"}, follow_redirects=False)
    assert r.status_code == 303
    assert client.get(f"/api/v1/enterprises/{eid}/sites", headers=admin).json() == []
    assert "区域 一号楼 已移除。" in client.get(path).text


def test_r_a1_console_removes_a_door_after_confirmation_and_its_events_stay(client, database):
    eid, username, mid, card_id = _setup(client, database)
    admin, door, _, group = _api_setup(client, username, eid, mid)
    path = f"/console/enterprises/{eid}/access"
    token = client.post(f"/api/v1/enterprises/{eid}/terminals", headers=admin,
                        json={"type": "door", "name": "南门终端", "door_id": door}).json()["token"]
    terminal = {"Authorization": f"Bearer {token}"}
    card_no = client.get(f"/api/v1/cards/{card_id}", headers=admin).json()["card_no"]
    at = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI).isoformat()
    r = client.post("/api/v1/terminal/access-decisions", headers=terminal, json={"card_no": card_no, "at": at})
    assert r.status_code == 200 and r.json()["allowed"] is True
    page = client.get(f"{path}/doors/{door}/remove")
    assert page.status_code == 200 and "确认移除门 南门？" in page.text and "停止判定" in page.text
    assert "通行记录仍保留" in page.text and "南门终端" in page.text
    r = client.post(f"{path}/doors/{door}/remove", data={"csrf_token": csrf_from(page.text), "confirm": "yes"},
                    follow_redirects=False)
    assert r.status_code == 303
    setup = client.get(path).text
    assert "门 南门 已移除，其通行记录仍保留在记录中。" in setup and 'id="door-' not in setup
    assert client.get(f"/api/v1/doors/{door}", headers=admin).status_code == 404
    assert client.get(f"/api/v1/access-groups/{group}", headers=admin).json()["door_ids"] == []
    # the door terminal stops deciding; the event stays in the log
    r = client.post("/api/v1/terminal/access-decisions", headers=terminal, json={"card_no": card_no, "at": at})
    assert r.status_code == 409 and r.json()["error"]["code"] == "door_not_set"
    events = client.get(f"{path}/events", params={"start": "2026-03-02", "end": "2026-03-02"}).text
    assert events.count('<tr id="event-') == 1 and "南门" in events
    assert client.get(f"{path}/doors/{door}/remove").status_code == 404


def test_r_a1_console_edits_and_removes_a_time_zone(client, database):
    eid, username, mid, _ = _setup(client, database)
    admin, _, tz, group = _api_setup(client, username, eid, mid)
    path = f"/console/enterprises/{eid}/access"
    assert f'href="{path}/time-zones/{tz}/edit"' in client.get(path).text
    page = client.get(f"{path}/time-zones/{tz}/edit")
    assert page.status_code == 200 and "编辑时间段" in page.text and 'value="白天"' in page.text
    assert f'href="{path}/time-zones/{tz}/remove">移除时间段</a>' in page.text
    assert 'name="p1_d1" value="1" checked' in page.text and 'name="p1_d6" value="1">' in page.text
    assert 'name="p1_start" type="time" value="08:00"' in page.text and 'id="period-3"' in page.text
    # a period ending before it starts: its row is marked, nothing changed
    bad = {"name": "早班", "p2_d1": "1", "p2_start": "18:00", "p2_end": "08:00"}
    r = _edit(client, f"{path}/time-zones/{tz}/edit", bad)
    assert r.status_code == 422 and '<fieldset id="period-2" class="has-error">' in r.text
    assert 'value="早班"' in r.text
    assert r.text.count('class="has-error"') == 1
    r = _edit(client, f"{path}/time-zones/{tz}/edit", {"name": "早班", "p1_d1": ""})
    assert r.status_code == 422 and "请修改标出的字段。" in r.text
    assert client.get(f"/api/v1/time-zones/{tz}", headers=admin).json()["name"] == "白天"
    good = {"name": "早班", "p1_d6": "1", "p1_d7": "1", "p1_start": "07:00", "p1_end": "12:00",
            "p4_d8": "1", "p4_start": "09:00", "p4_end": "10:00"}
    r = _edit(client, f"{path}/time-zones/{tz}/edit", good)
    assert r.status_code == 303
    assert client.get(f"/api/v1/time-zones/{tz}", headers=admin).json() == {
        "id": tz, "enterprise_id": eid, "name": "早班",
        "periods": [{"weekdays": [6, 7], "start": "07:00", "end": "12:00"},
                    {"weekdays": [8], "start": "09:00", "end": "10:00"}]}
    setup = client.get(path).text
    assert "时间段 早班 已保存。" in setup and "周六、周日 07:00–12:00" in setup
    # removal is refused while a group uses it
    page = client.get(f"{path}/time-zones/{tz}/remove")
    assert page.status_code == 200 and "确认移除时间段 早班？" in page.text and "行政" in page.text
    r = client.post(f"{path}/time-zones/{tz}/remove", data={"csrf_token": csrf_from(page.text), "confirm": "yes"})
    assert r.status_code == 409 and "有门禁权限组在使用该时间段，请先修改权限组。" in r.text
    assert client.get(f"/api/v1/time-zones/{tz}", headers=admin).status_code == 200
    assert client.delete(f"/api/v1/access-groups/{group}", headers=admin).status_code == 204
    r = client.post(f"{path}/time-zones/{tz}/remove", data={"csrf_token": csrf_from(page.text), "confirm": "yes"},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"{path}#time-zones"
    assert client.get(f"/api/v1/time-zones/{tz}", headers=admin).status_code == 404
    assert "时间段 早班 已移除。" in client.get(path).text


def test_r_a1_console_edits_and_removes_an_access_group(client, database):
    eid, username, mid, _ = _setup(client, database)
    admin, door, tz, group = _api_setup(client, username, eid, mid)
    other = make_member(database, enterprise_id=eid, name="李雷", phone="13800000552", staff_no="A-07")
    door2 = client.post(f"/api/v1/enterprises/{eid}/doors", headers=admin, json={"name": "机房"}).json()["id"]
    tz2 = client.post(f"/api/v1/enterprises/{eid}/time-zones", headers=admin, json={
        "name": "全天", "periods": [{"weekdays": [1, 2, 3, 4, 5, 6, 7], "start": "00:00", "end": "24:00"}]}
    ).json()["id"]
    path = f"/console/enterprises/{eid}/access"
    assert f'href="{path}/groups/{group}/edit"' in client.get(path).text
    page = client.get(f"{path}/groups/{group}/edit")
    assert f'href="{path}/groups/{group}/remove">移除门禁权限组</a>' in page.text
    assert page.status_code == 200 and "编辑门禁权限组" in page.text and 'value="行政"' in page.text
    assert f'<option value="{tz}" selected>' in page.text and f'<option value="{door}" selected>' in page.text
    assert f">{PHONE}</textarea>" in page.text and 'value="行政部"' in page.text
    # an unknown member: the form again, nothing changed
    data = {"name": "机房值班", "time_zone_id": str(tz2), "door_ids": [str(door), str(door2)],
            "members": f"{PHONE}\n13800009999", "departments": "保卫部"}
    r = _edit(client, f"{path}/groups/{group}/edit", data)
    assert r.status_code == 422 and "本企业没有该成员：13800009999" in r.text
    assert 'value="机房值班"' in r.text
    assert client.get(f"/api/v1/access-groups/{group}", headers=admin).json()["name"] == "行政"
    r = _edit(client, f"{path}/groups/{group}/edit", data | {"members": f"{PHONE}\nA-07"})
    assert r.status_code == 303
    assert client.get(f"/api/v1/access-groups/{group}", headers=admin).json() == {
        "id": group, "enterprise_id": eid, "name": "机房值班", "time_zone_id": tz2,
        "door_ids": sorted([door, door2]), "member_ids": sorted([mid, other]), "departments": ["保卫部"]}
    setup = client.get(path).text
    assert "门禁权限组 机房值班 已保存。" in setup and "南门、机房" in setup
    page = client.get(f"{path}/groups/{group}/remove")
    assert page.status_code == 200 and "确认移除门禁权限组 机房值班？" in page.text
    assert "指定成员 2 人，门 2 个" in page.text
    assert client.get(f"/api/v1/access-groups/{group}", headers=admin).status_code == 200
    r = client.post(f"{path}/groups/{group}/remove", data={"csrf_token": csrf_from(page.text), "confirm": "yes"},
                    follow_redirects=False)
    assert r.status_code == 303
    assert client.get(f"/api/v1/enterprises/{eid}/access-groups", headers=admin).json() == []
    assert "门禁权限组 机房值班 已移除。" in client.get(path).text


def test_r_a1_console_sets_a_members_access_validity(client, database):
    eid, username, mid, _ = _setup(client, database)
    make_member(database, enterprise_id=eid, name="王工", phone="13800000553", staff_no="W-01")
    admin = api_login(client, username)
    path = f"/console/enterprises/{eid}/access/validity"
    assert "门禁有效期" in client.get(f"/console/enterprises/{eid}/access").text
    r = client.get(path, params={"member": "13800009999"})
    assert r.status_code == 422 and "本企业没有该成员：13800009999" in r.text
    page = client.get(path, params={"member": PHONE})
    assert page.status_code == 200 and "韩梅梅" in page.text
    assert 'name="valid_from" type="date" value=""' in page.text
    token = csrf_from(page.text)
    r = client.post(f"{path}/{mid}",
                    data={"csrf_token": token, "valid_from": "2026-03-31", "valid_until": "2026-03-01"})
    assert r.status_code == 422 and "结束时间早于开始时间。" in r.text and 'value="2026-03-31"' in r.text
    r = client.post(f"{path}/{mid}", data={"csrf_token": token, "valid_from": "2026/03/01", "valid_until": ""})
    assert r.status_code == 422 and "请选择日期，例如 2026-03-02。" in r.text
    validity = client.get(f"/api/v1/members/{mid}/access-validity", headers=admin).json()
    assert validity == {"member_id": mid, "valid_from": None, "valid_until": None}
    r = client.post(f"{path}/{mid}",
                    data={"csrf_token": token, "valid_from": "2026-03-01", "valid_until": "2026-03-31"},
                    follow_redirects=False)
    assert r.status_code == 303
    page = client.get(r.headers["location"])
    assert "韩梅梅 的门禁有效期已保存。" in page.text and 'value="2026-03-31"' in page.text
    validity = client.get(f"/api/v1/members/{mid}/access-validity", headers=admin).json()
    assert validity == {"member_id": mid, "valid_from": "2026-03-01", "valid_until": "2026-03-31"}
    # found by staff number too; clearing a date makes it open-ended
    page = client.get(path, params={"member": "W-01"})
    assert page.status_code == 200 and "王工" in page.text
    assert client.post(f"{path}/{mid}", data={"csrf_token": token, "valid_from": "2026-03-01", "valid_until": ""},
                       follow_redirects=False).status_code == 303
    assert client.get(f"/api/v1/members/{mid}/access-validity", headers=admin).json()["valid_until"] is None


def test_access_edit_pages_in_english_and_hidden_from_another_enterprise(client, database):
    eid, username, mid, _ = _setup(client, database)
    _, door, tz, group = _api_setup(client, username, eid, mid)
    path = f"/console/enterprises/{eid}/access"
    page = client.get(f"{path}/doors/{door}/edit", params={"lang": "en"})
    assert page.status_code == 200 and "Edit door" in page.text and "编辑门" not in page.text
    page = client.get(f"{path}/doors/{door}/remove")
    assert "Remove the door 南门?" in page.text and "Its access events stay" in page.text
    token = csrf_from(page.text)
    pages = [f"{path}/doors/{door}/edit", f"{path}/doors/{door}/remove", f"{path}/time-zones/{tz}/edit",
             f"{path}/time-zones/{tz}/remove", f"{path}/groups/{group}/edit", f"{path}/groups/{group}/remove",
             f"{path}/validity?member={PHONE}"]
    # another enterprise's admin: 404 on every page and every post, nothing changed
    other_eid, intruder = make_enterprise(database)
    client.cookies.clear()
    logged_in(client, intruder)
    token = csrf_from(client.get(f"/console/enterprises/{other_eid}/access").text)
    for p in pages:
        assert client.get(p).status_code == 404, p
    for p in pages[:6]:
        r = client.post(p, data={"csrf_token": token, "confirm": "yes", "name": "x"})
        assert r.status_code == 404, p
    assert client.post(f"{path}/validity/{mid}", data={"csrf_token": token, "valid_from": "2026-01-01"}
                       ).status_code == 404
    # nor through their own enterprise's address
    assert client.get(f"/console/enterprises/{other_eid}/access/doors/{door}/edit").status_code == 404
    assert client.get(f"/console/enterprises/{other_eid}/access/validity", params={"member": PHONE}).status_code == 422
    admin = api_login(client, username)
    assert client.get(f"/api/v1/doors/{door}", headers=admin).json()["name"] == "南门"
    assert client.get(f"/api/v1/access-groups/{group}", headers=admin).status_code == 200


def test_operator_edits_only_through_the_enterprise_that_owns_the_door(client, database):
    """An operator sees every enterprise, so the page checks the object is the address's enterprise."""
    eid, username, mid, _ = _setup(client, database)
    admin, door, _, group = _api_setup(client, username, eid, mid)
    other_eid, _ = make_enterprise(database)
    client.cookies.clear()
    logged_in(client, make_user(database, role=Role.operator))
    mine, theirs = f"/console/enterprises/{eid}/access", f"/console/enterprises/{other_eid}/access"
    page = client.get(f"{mine}/doors/{door}/edit")
    assert page.status_code == 200 and 'value="南门"' in page.text
    token = csrf_from(page.text)
    assert client.get(f"{theirs}/doors/{door}/edit").status_code == 404
    assert client.post(f"{theirs}/doors/{door}/remove", data={"csrf_token": token, "confirm": "yes"}).status_code == 404
    assert client.post(f"{theirs}/groups/{group}/edit", data={"csrf_token": token, "name": "x"}).status_code == 404
    assert client.post(f"{theirs}/validity/{mid}", data={"csrf_token": token, "valid_from": "2026-01-01"}
                       ).status_code == 404
    assert client.get(f"/api/v1/doors/{door}", headers=admin).json()["name"] == "南门"
    assert client.get(f"/api/v1/access-groups/{group}", headers=admin).json()["name"] == "行政"
    r = _edit(client, f"{mine}/doors/{door}/edit", {"name": "正门", "site": "一号楼", "direction": "both"})
    assert r.status_code == 303
    assert client.get(f"/api/v1/doors/{door}", headers=admin).json()["name"] == "正门"
