"""The personal portal of card holders: set-up with a code sent by SMS (read back from the SMS
table), login with the phone number (channel portal), the holder's cards (C10), report loss (C5),
the service password (X3) and the STK menu page (C8, C10)."""

from __future__ import annotations

import re

import pytest
from factories import (
    PASSWORD, make_card, make_enterprise, make_member, make_member_login, make_user, set_service_password,
)
from web_helpers import card_rows, csrf_from, logged_in, sms_texts, spaced

from yikatong.core.actor import Role

PHONE = "13800000201"


def _portal_login(client, phone: str = PHONE, password: str = PASSWORD):
    page = client.get("/portal/login")
    return client.post("/login", data={"username": phone, "password": password, "channel": "portal",
                                       "next": "/portal", "csrf_token": csrf_from(page.text)},
                       follow_redirects=False)


@pytest.fixture
def holder(client, database):
    """(enterprise id, card id) of a signed-in card holder with two sub-applications."""
    eid, _ = make_enterprise(database, name="西湖数智")
    mid = make_member(database, enterprise_id=eid, name="林晓", phone=PHONE)
    card_id = make_card(database, member_id=mid, apps=("access", "attendance"))
    make_member_login(database, phone=PHONE)
    assert _portal_login(client).status_code == 303
    return eid, card_id


def test_portal_setup_reads_the_code_from_the_sms_table_and_logs_in(client, database, clock):
    eid, _ = make_enterprise(database)
    make_member(database, enterprise_id=eid, name="李雷", phone=PHONE)
    page = client.get("/portal/setup")
    assert page.status_code == 200 and "获取短信验证码" in page.text
    r = client.post("/portal/setup/code", data={"csrf_token": csrf_from(page.text), "phone": "138 0000 0201"},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/portal/setup?phone={PHONE}"
    step2 = client.get(r.headers["location"])
    assert "6 位验证码已通过短信发送" in step2.text and "138 0000 0201" in step2.text
    [text] = sms_texts(database, PHONE)
    code = re.search(r"\b(\d{6})\b", text).group(1)
    token = csrf_from(step2.text)
    other = "000000" if code != "000000" else "111111"
    wrong = client.post("/portal/setup", data={"csrf_token": token, "phone": PHONE, "code": other,
                                               "password": "Portal-pass-1", "password2": "Portal-pass-1"})
    assert wrong.status_code == 403 and "验证码错误" in wrong.text
    differ = client.post("/portal/setup", data={"csrf_token": token, "phone": PHONE, "code": code,
                                                "password": "Portal-pass-1", "password2": "Portal-pass-2"})
    assert differ.status_code == 422 and "两次输入的密码不一致" in differ.text
    r = client.post("/portal/setup", data={"csrf_token": token, "phone": PHONE, "code": code,
                                           "password": "Portal-pass-1", "password2": "Portal-pass-1"},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/portal/login?phone={PHONE}"
    page = client.get(r.headers["location"])
    assert "门户密码已设置，请用手机号码登录" in page.text and f'value="{PHONE}"' in page.text
    r = _portal_login(client, password="Portal-pass-1")
    assert r.status_code == 303 and r.headers["location"] == "/portal"
    home = client.get("/portal")
    assert home.status_code == 200 and "李雷，您好" in home.text and "您还没有一卡通卡" in home.text


def test_portal_code_requests_are_refused_without_the_form_token_and_rate_limited(client, database, clock):
    eid, _ = make_enterprise(database)
    make_member(database, enterprise_id=eid, phone=PHONE)
    r = client.post("/portal/setup/code", data={"phone": PHONE})
    assert r.status_code == 403 and sms_texts(database, PHONE) == []
    token = csrf_from(client.get("/portal/setup").text)
    client.post("/portal/setup/code", data={"csrf_token": token, "phone": PHONE})
    again = client.post("/portal/setup/code", data={"csrf_token": token, "phone": PHONE})
    assert again.status_code == 429 and "验证码发送不到一分钟" in again.text
    assert len(sms_texts(database, PHONE)) == 1
    bad = client.post("/portal/setup/code", data={"csrf_token": token, "phone": "12345"})
    assert bad.status_code == 422 and "不是有效的中国大陆手机号码" in bad.text


def test_portal_is_its_own_login_and_layout(client, database):
    r = client.get("/portal", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/portal/login"
    r = client.get("/portal/stk/info", follow_redirects=False)
    assert r.headers["location"] == "/portal/login?next=%2Fportal%2Fstk%2Finfo"
    page = client.get("/portal/login")
    assert "登录个人服务门户" in page.text and 'name="channel" value="portal"' in page.text
    assert 'name="viewport"' in page.text and "/static/portal.css" in page.text
    assert "首次使用或忘记密码" in page.text


def test_staff_may_not_use_the_portal(client, database):
    _, admin = make_enterprise(database)
    r = _portal_login(client, phone=admin)
    assert r.status_code == 403 and "个人服务门户供持卡人使用" in r.text
    logged_in(client, admin)
    r = client.get("/portal")
    assert r.status_code == 403 and "个人服务门户供持卡人使用" in r.text


def test_a_member_signing_in_on_the_console_form_works_through_the_portal(client, database):
    eid, _ = make_enterprise(database)
    make_member(database, enterprise_id=eid, phone=PHONE)
    make_member_login(database, phone=PHONE)
    logged_in(client, PHONE)
    r = client.get("/", follow_redirects=False)
    assert r.headers["location"] == "/portal"
    assert client.get("/portal").status_code == 200
    assert client.get("/console/audit").status_code == 403


def test_r_c10_portal_shows_the_holders_cards_and_applications(client, database, holder):
    eid, card_id = holder
    [card] = card_rows(database, PHONE)
    html = client.get("/portal").text
    assert spaced(card.card_no) in html and '<span class="badge badge-card-active">正常</span>' in html
    assert "门禁" in html and "考勤" in html and "西湖数智" in html
    assert f'href="/portal/cards/{card_id}/loss"' in html


def test_r_c5_holder_reports_loss_in_the_portal_after_confirming(client, database, holder):
    eid, card_id = holder
    confirm = client.get(f"/portal/cards/{card_id}/loss")
    assert confirm.status_code == 200 and "确定挂失您的卡吗" in confirm.text
    r = client.post(f"/portal/cards/{card_id}/loss", data={"csrf_token": csrf_from(confirm.text)},
                    follow_redirects=False)
    assert r.headers["location"] == f"/portal/cards/{card_id}/loss" and card_rows(database, PHONE)[0].status == "active"
    r = client.post(f"/portal/cards/{card_id}/loss", data={"csrf_token": csrf_from(confirm.text), "confirm": "yes"},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/portal"
    assert card_rows(database, PHONE)[0].status == "lost"
    assert "已挂失并列入黑名单" in client.get("/portal").text


def test_holder_cannot_reach_someone_elses_card(client, database, holder):
    eid, _ = holder
    other = make_member(database, enterprise_id=eid, name="别人", phone="13800000299")
    other_card = make_card(database, member_id=other)
    assert client.get(f"/portal/cards/{other_card}/loss").status_code == 404
    token = csrf_from(client.get("/portal").text)
    r = client.post(f"/portal/cards/{other_card}/loss", data={"csrf_token": token, "confirm": "yes"})
    assert r.status_code == 404
    assert card_rows(database, "13800000299")[0].status == "active"


def test_r_x3_holder_sets_and_changes_the_service_password(client, database, holder):
    page = client.get("/portal/service-password")
    token = csrf_from(page.text)
    weak = client.post("/portal/service-password", data={"csrf_token": token, "new_password": "123456",
                                                         "new_password2": "123456"})
    assert weak.status_code == 422 and "123456 这样的连续数字" in weak.text
    r = client.post("/portal/service-password", data={"csrf_token": token, "new_password": "802413",
                                                      "new_password2": "802413"}, follow_redirects=False)
    assert r.status_code == 303 and "服务密码已设置" in client.get("/portal").text
    r = client.post("/portal/service-password", data={"csrf_token": token, "new_password": "913524",
                                                      "new_password2": "913524"})
    assert r.status_code == 403 and "请输入该成员的服务密码" in r.text
    r = client.post("/portal/service-password", data={"csrf_token": token, "old_password": "802413",
                                                      "new_password": "913524", "new_password2": "913524"},
                    follow_redirects=False)
    assert r.status_code == 303


def test_r_c10_stk_menu_lists_the_five_items_and_shows_the_card(client, database, holder):
    [card] = card_rows(database, PHONE)
    menu = client.get("/portal/stk")
    assert menu.status_code == 200
    items = re.findall(r'<span class="stk-key">(\d)</span>([^<]+)</a>', menu.text)
    assert items == [("1", "卡片信息"), ("2", "余额查询"), ("3", "挂失"), ("4", "应用删除"), ("5", "服务密码")]
    info = client.get("/portal/stk/info").text
    assert spaced(card.card_no) in info and "正常" in info and re.search(r"西湖数智\d+ 门禁", info)
    balance = client.get("/portal/stk/balance").text
    assert "暂未开通" in balance and "¥" not in balance and "0.00" not in balance
    assert client.get("/portal/stk/nothing").status_code == 404


def test_r_c8_member_deletes_an_application_in_the_stk_page_with_the_service_password(client, database, holder):
    set_service_password(database, phone=PHONE, password="802413")
    [card] = card_rows(database, PHONE)
    access = next(a for a in card.apps if a.type == "access")
    screen = client.get("/portal/stk/delete")
    assert "请选择应用" in screen.text and f'value="{access.id}"' in screen.text
    token = csrf_from(screen.text)
    wrong = client.post("/portal/stk/delete", data={"csrf_token": token, "application": str(access.id),
                                                    "service_password": "111111"})
    assert wrong.status_code == 403 and "服务密码错误。 再错 2 次将被锁定。" in wrong.text
    missing = client.post("/portal/stk/delete", data={"csrf_token": token, "application": str(access.id)})
    assert missing.status_code == 403 and "请输入该成员的服务密码" in missing.text
    assert {a.type: a.status for a in card_rows(database, PHONE)[0].apps} == {"access": "active",
                                                                             "attendance": "active"}
    r = client.post("/portal/stk/delete", data={"csrf_token": token, "application": str(access.id),
                                                "service_password": "802413"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/portal/stk"
    assert {a.type: a.status for a in card_rows(database, PHONE)[0].apps} == {"access": "deleted",
                                                                             "attendance": "active"}
    assert "已删除企业子应用：门禁（空中方式）" in client.get("/portal/stk").text


def test_r_x3_wrong_service_passwords_lock_the_stk_deletion(client, database, holder):
    set_service_password(database, phone=PHONE, password="802413")
    app_id = card_rows(database, PHONE)[0].apps[0].id
    token = csrf_from(client.get("/portal/stk/delete").text)
    for _ in range(3):
        client.post("/portal/stk/delete", data={"csrf_token": token, "application": str(app_id),
                                                "service_password": "111111"})
    r = client.post("/portal/stk/delete", data={"csrf_token": token, "application": str(app_id),
                                                "service_password": "802413"})
    assert r.status_code == 403 and "服务密码错误次数过多，已被临时锁定" in r.text
    assert card_rows(database, PHONE)[0].apps[0].status == "active"


def test_r_c5_stk_report_loss(client, database, holder):
    screen = client.get("/portal/stk/loss").text
    assert "确定挂失尾号" in screen
    r = client.post("/portal/stk/loss", data={"csrf_token": csrf_from(screen)}, follow_redirects=False)
    assert r.status_code == 303 and card_rows(database, PHONE)[0].status == "lost"
    assert "该卡已挂失" in client.get("/portal/stk/loss").text


def test_agents_and_admins_get_no_portal_pages(client, database):
    logged_in(client, make_user(database, role=Role.agent_l1))
    assert client.get("/portal/stk").status_code == 403
