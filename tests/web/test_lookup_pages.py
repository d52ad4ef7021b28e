"""Card lookup for hall and hotline agents: find a caller's card by card number or phone, and report
it lost for them only with their service password (C5, X3)."""

from __future__ import annotations

import pytest
from factories import make_card, make_enterprise, make_member, make_user, set_service_password
from web_helpers import card_rows, csrf_from, logged_in, spaced

from yikatong.core.actor import Role

PHONE = "13800000301"


@pytest.fixture
def agent(client, database):
    """(card id, card number) of a caller's card, with a first-line agent signed in at the hall."""
    eid, _ = make_enterprise(database, name="西湖数智")
    mid = make_member(database, enterprise_id=eid, name="赵敏", phone=PHONE)
    card_id = make_card(database, member_id=mid, apps=("access",))
    logged_in(client, make_user(database, role=Role.agent_l1), channel="hall")
    return card_id, card_rows(database, PHONE)[0].card_no


def test_agent_lands_on_the_lookup_and_finds_a_card_by_number_or_phone(client, database, agent):
    card_id, card_no = agent
    r = client.get("/", follow_redirects=False)
    assert r.headers["location"] == "/console/cards/lookup"
    page = client.get("/console/cards/lookup")
    assert page.status_code == 200 and "卡片查询" in page.text and 'class="active" aria-current="page">卡片查询' in page.text
    for q in (spaced(card_no), "138 0000 0301", "+86 13800000301"):
        html = client.get("/console/cards/lookup", params={"q": q}).text
        assert spaced(card_no) in html and "赵敏" in html and "138 0000 0301" in html, q
        assert "西湖数智" in html and "门禁" in html
    assert "没有找到卡" in client.get("/console/cards/lookup", params={"q": "13900000000"}).text
    bad = client.get("/console/cards/lookup", params={"q": "1234"}).text
    assert "请输入 16 位卡号或 11 位手机号码" in bad


def test_r_c5_agent_reports_loss_for_the_caller_only_with_the_service_password(client, database, agent):
    card_id, card_no = agent
    confirm = client.get(f"/console/cards/{card_id}/loss", params={"q": card_no})
    assert confirm.status_code == 200 and "来电客户的服务密码" in confirm.text
    token = csrf_from(confirm.text)
    data = {"csrf_token": token, "confirm": "yes", "q": card_no}
    r = client.post(f"/console/cards/{card_id}/loss", data=data | {"service_password": "802413"})
    assert r.status_code == 403 and "该成员尚未设置服务密码" in r.text
    set_service_password(database, phone=PHONE, password="802413")
    r = client.post(f"/console/cards/{card_id}/loss", data=data)
    assert r.status_code == 403 and "请输入该成员的服务密码" in r.text
    r = client.post(f"/console/cards/{card_id}/loss", data=data | {"service_password": "111111"})
    assert r.status_code == 403 and "服务密码错误。 再错 2 次将被锁定。" in r.text
    assert card_rows(database, PHONE)[0].status == "active"
    r = client.post(f"/console/cards/{card_id}/loss", data=data | {"service_password": "802413"},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/console/cards/lookup?q={card_no}"
    assert card_rows(database, PHONE)[0].status == "lost"
    html = client.get(r.headers["location"]).text
    assert "已挂失并列入黑名单" in html and '<span class="badge badge-card-lost">已挂失</span>' in html


def test_agent_loss_needs_the_csrf_token(client, database, agent):
    card_id, _ = agent
    set_service_password(database, phone=PHONE, password="802413")
    r = client.post(f"/console/cards/{card_id}/loss", data={"confirm": "yes", "service_password": "802413"})
    assert r.status_code == 403 and card_rows(database, PHONE)[0].status == "active"


def test_agents_may_not_open_member_pages_or_other_consoles(client, database, agent):
    r = client.get("/console/sms")
    assert r.status_code == 403


def test_an_admin_finds_only_their_own_members_cards(client, database):
    eid, admin = make_enterprise(database)
    other_id, _ = make_enterprise(database)
    mid = make_member(database, enterprise_id=other_id, phone=PHONE)
    make_card(database, member_id=mid)
    logged_in(client, admin)
    assert "没有找到卡" in client.get("/console/cards/lookup", params={"q": PHONE}).text
