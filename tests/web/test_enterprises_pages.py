"""Enterprises in the console: the staff's list and the registration form (E1), one enterprise's
page, and isolation between enterprises (X5)."""

from __future__ import annotations

import re

import pytest
from factories import make_enterprise, make_user
from web_helpers import csrf, logged_in, login

from yikatong.core.actor import SYSTEM, Role
from yikatong.core.pagination import PageParams
from yikatong.enterprises import service as enterprises

FORM = {"code": "GC0571001", "name": "杭州西湖数智科技有限公司", "city": "杭州", "zone": "suburban",
        "address": "文三路 478 号", "admin_username": "xihu_admin", "admin_password": "Secret@2026",
        "service_fee": "4.50"}


@pytest.fixture
def manager(client, database):
    logged_in(client, make_user(database, role=Role.account_manager))


def _enterprises(database) -> list[tuple[str, str, str, int]]:
    with database.read() as s:
        page = enterprises.list_enterprises(s, actor=SYSTEM, page=PageParams())
        return [(e.code, e.name, e.zone, e.service_fee_fen) for e in page.items]


def test_r_e1_account_manager_registers_an_enterprise_through_the_form(client, database, manager):
    form = client.get("/console/enterprises/new")
    assert form.status_code == 200 and "登记集团客户" in form.text and "集团编码" in form.text
    r = client.post("/console/enterprises", data={**FORM, "csrf_token": csrf(client, "/console/enterprises/new")},
                    follow_redirects=False)
    assert r.status_code == 303
    assert re.fullmatch(r"/console/enterprises/\d+", r.headers["location"])
    page = client.get(r.headers["location"]).text
    assert "已登记集团客户“杭州西湖数智科技有限公司”" in page
    assert "远郊" in page and "每人每月 ¥4.50" in page
    assert _enterprises(database) == [("GC0571001", "杭州西湖数智科技有限公司", "suburban", 450)]
    # The granted admin login works.
    client.cookies.clear()
    assert login(client, "xihu_admin", password="Secret@2026").status_code == 303


def test_r_e1_service_fee_outside_3_to_5_yuan_is_refused(client, database, manager):
    token = csrf(client, "/console/enterprises/new")
    r = client.post("/console/enterprises", data={**FORM, "service_fee": "6", "csrf_token": token})
    assert r.status_code == 422
    assert "月服务费为每人 3 至 5 元" in r.text
    assert 'value="杭州西湖数智科技有限公司"' in r.text  # the input is kept
    assert "Secret@2026" not in r.text  # but never the password
    assert _enterprises(database) == []


def test_r_e1_duplicate_admin_username_leaves_no_half_registered_enterprise(client, database, manager):
    make_user(database, role=Role.operator, username="xihu_admin")
    token = csrf(client, "/console/enterprises/new")
    r = client.post("/console/enterprises", data={**FORM, "csrf_token": token})
    assert r.status_code == 409
    assert "该用户名已被使用" in r.text
    assert _enterprises(database) == []


def test_r_e1_duplicate_code_is_a_form_error(client, database, manager):
    make_enterprise(database, code="GC0571001")
    token = csrf(client, "/console/enterprises/new")
    r = client.post("/console/enterprises", data={**FORM, "csrf_token": token})
    assert r.status_code == 409
    assert "该集团编码已登记" in r.text


def test_register_without_csrf_token_is_refused(client, database, manager):
    r = client.post("/console/enterprises", data=FORM)
    assert r.status_code == 403
    assert _enterprises(database) == []


def test_enterprise_list_searches_and_shows_chinese_labels(client, database, manager):
    make_enterprise(database, name="滨江物业", zone="urban")
    make_enterprise(database, name="萧山工厂", zone="suburban")
    page = client.get("/console/enterprises").text
    assert "滨江物业" in page and "萧山工厂" in page and "市区" in page and "共 2 条" in page
    found = client.get("/console/enterprises", params={"q": "萧山"}).text
    assert "萧山工厂" in found and "滨江物业" not in found


def test_enterprise_admin_cannot_register_enterprises(client, database):
    _, admin = make_enterprise(database)
    logged_in(client, admin)
    assert client.get("/console/enterprises/new").status_code == 403
    token = csrf(client, "/console/audit")
    assert client.post("/console/enterprises", data={**FORM, "csrf_token": token}).status_code == 403


def test_r_x5_enterprise_admin_sees_only_their_own_enterprise(client, database):
    eid, admin = make_enterprise(database, name="自家企业")
    make_enterprise(database, name="别家企业")
    logged_in(client, admin)
    own = client.get(f"/console/enterprises/{eid}")
    assert own.status_code == 200 and "自家企业" in own.text
    listing = client.get("/console/enterprises").text
    assert "自家企业" in listing and "别家企业" not in listing
    assert client.get(f"/console/enterprises/{eid + 1}").status_code == 404
    assert client.get("/console/enterprises/999999").status_code == 404


def test_r_a1_r_a3_operator_reaches_door_access_and_attendance_from_the_enterprise_page(client, database):
    eid, _ = make_enterprise(database)
    logged_in(client, make_user(database, role=Role.operator))
    page = client.get(f"/console/enterprises/{eid}").text
    for area, title in (("access", "门禁"), ("attendance", "考勤")):
        assert f'href="/console/enterprises/{eid}/{area}"' in page
        r = client.get(f"/console/enterprises/{eid}/{area}")
        assert r.status_code == 200 and title in r.text
