"""The purse in the console: over-the-air top-up on the member's page (P1) with a confirmation for
large amounts and refusals in Chinese, bulk top-up from a file with a per-row report (nothing
moved), the enterprise's purse settings, the expiry and giving an expired balance back (P5), the
holder's balance in the portal and the STK menu (C10), CSRF on the money forms."""

from __future__ import annotations

import io
import re

import pytest
from factories import make_card, make_enterprise, make_member, make_member_login
from openpyxl import load_workbook
from web_helpers import csrf, csrf_from, logged_in, notice, purse_balance

PHONE = "13800000301"


@pytest.fixture
def admin(client, database):
    """(enterprise id, member id, member page path, admin username): a member whose card holds the
    enterprise's purse, and the enterprise admin signed in."""
    eid, username = make_enterprise(database, name="西湖数智")
    mid = make_member(database, enterprise_id=eid, name="周敏", phone=PHONE)
    make_card(database, member_id=mid, apps=("purse",))
    logged_in(client, username)
    return eid, mid, f"/console/enterprises/{eid}/members/{mid}", username


def _key(html: str) -> str:
    return re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)


def _topup(client, path: str, amount: str, **extra):
    page = client.get(path).text
    data = {"csrf_token": csrf_from(page), "idempotency_key": _key(page), "amount": amount} | extra
    return client.post(f"{path}/purse/topup", data=data, follow_redirects=False), data


def test_r_p1_over_the_air_top_up_on_the_member_page(client, database, admin):
    eid, mid, path, _ = admin
    page = client.get(path).text
    assert 'id="purse"' in page and "电子钱包" in page and "¥0.00" in page and "暂无交易记录" in page
    r, data = _topup(client, path, "100")
    assert r.status_code == 303 and r.headers["location"] == f"{path}#purse"
    html = client.get(path).text
    assert notice(html, "ok") == "已充值 ¥100.00，电子钱包余额现为 ¥100.00。"
    assert '<dd class="purse-balance" id="purse-balance">¥100.00</dd>' in html
    row = re.search(r'<tr id="tx-\d+">(.*?)</tr>', html, re.S).group(1)
    assert "充值" in row and "+100.00" in row and "空中充值" in row
    assert purse_balance(database, mid) == 10_000
    # The same form sent again (a double click, a reload) moves nothing.
    again = client.post(f"{path}/purse/topup", data=data, follow_redirects=False)
    assert again.status_code == 303 and purse_balance(database, mid) == 10_000
    # In yuan with decimals; in English the same page says it in English.
    r, _ = _topup(client, path, "12.5")
    assert r.status_code == 303 and purse_balance(database, mid) == 11_250
    assert "Topped up ¥12.50: the purse balance is now ¥112.50." in client.get(path, params={"lang": "en"}).text


def test_r_p1_large_top_up_is_confirmed_first(client, database, admin):
    eid, mid, path, _ = admin
    client.get(path, params={"lang": "zh_Hans"})
    r, data = _topup(client, path, "1,000")
    assert r.status_code == 200 and "确认充值" in r.text and "¥1,000.00" in r.text
    assert "确定充值 ¥1,000.00" in r.text and purse_balance(database, mid) == 0
    assert _key(r.text) == data["idempotency_key"]
    r = client.post(f"{path}/purse/topup", data=data | {"confirm": "yes"}, follow_redirects=False)
    assert r.status_code == 303 and purse_balance(database, mid) == 100_000
    r, _ = _topup(client, path, "999.99")
    assert r.status_code == 303 and purse_balance(database, mid) == 199_999


@pytest.mark.parametrize("amount", ["", "abc", "0", "-5", "1.234", "100000.01"])
def test_r_p1_bad_amounts_are_refused_on_the_field(client, database, admin, amount):
    eid, mid, path, _ = admin
    r, _ = _topup(client, path, amount)
    assert r.status_code == 422
    assert "请输入大于 0、不超过 100,000 元的金额，最多两位小数。" in r.text
    assert 'aria-invalid="true"' in r.text and purse_balance(database, mid) == 0


def test_r_p1_refusals_are_said_in_chinese(client, database, admin):
    eid, mid, path, _ = admin
    token = csrf(client, path)
    # No card at all, and a card without the purse: the member's page says why.
    bare = make_member(database, enterprise_id=eid, name="吴昊")
    r = client.post(f"/console/enterprises/{eid}/members/{bare}/purse/topup", data={"csrf_token": token, "amount": "10"})
    assert r.status_code == 409 and notice(r.text) == "该成员没有在用的卡，请先发卡。"
    access_only = make_member(database, enterprise_id=eid, name="郑洁")
    make_card(database, member_id=access_only, apps=("access",))
    r = client.post(f"/console/enterprises/{eid}/members/{access_only}/purse/topup",
                    data={"csrf_token": token, "amount": "10"})
    assert r.status_code == 409 and notice(r.text) == "IC卡无应用：卡上没有本企业的电子钱包。"
    assert "开通“内部消费”子应用后即可充值" in client.get(f"/console/enterprises/{eid}/members/{access_only}").text
    # A suspended member, then a lost card.
    client.post(f"/console/enterprises/{eid}/members/{mid}/suspend", data={"csrf_token": token})
    r, _ = _topup(client, path, "10")
    assert r.status_code == 409 and notice(r.text) == "该成员的业务已暂停，恢复前该卡在各终端均被拒绝。"
    client.post(f"/console/enterprises/{eid}/members/{mid}/resume", data={"csrf_token": token})
    card_id = re.search(r'id="card-(\d+)"', client.get(path).text).group(1)
    client.post(f"{path}/cards/{card_id}/loss", data={"csrf_token": token, "confirm": "yes"})
    r, _ = _topup(client, path, "10")
    assert r.status_code == 409 and notice(r.text) == "该卡已挂失，请先解挂。"
    assert purse_balance(database, mid) == 0


def test_csrf_refusal_on_a_top_up_changes_nothing(client, database, admin):
    eid, mid, path, _ = admin
    page = client.get(path).text
    for token in ("", "forged"):
        r = client.post(f"{path}/purse/topup", data={"csrf_token": token, "idempotency_key": _key(page),
                                                     "amount": "50"})
        assert r.status_code == 403 and "表单已过期" in r.text
    assert purse_balance(database, mid) == 0


def _upload(client, path: str, name: str, content: bytes, page: str | None = None):
    page = page or client.get(path).text
    data = {"csrf_token": csrf_from(page), "idempotency_key": _key(page)}
    return client.post(f"{path}/topups", data=data, files={"file": (name, content, "application/octet-stream")})


def test_r_p1_bulk_top_up_with_an_error_row_moves_nothing(client, database, admin):
    eid, mid, _, _ = admin
    other = make_member(database, enterprise_id=eid, name="钱坤", phone="13800000302")
    make_card(database, member_id=other, apps=("purse",))
    path = f"/console/enterprises/{eid}/purse"
    bad = ("手机号码,金额\n"
           f"{PHONE},50\n"
           "13800000302,abc\n"
           "13900009999,20\n"
           f"{PHONE},10\n").encode("utf-8-sig")
    r = _upload(client, path, "充值.csv", bad)
    assert r.status_code == 422 and "文件中有 3 处错误，未充值任何金额。" in r.text
    assert '<td class="num">3</td><td>金额（元）</td><td>以元为单位、大于 0 的金额' in r.text
    assert '<td class="num">4</td><td>手机号码</td><td>本企业没有使用该手机号码的成员。</td>' in r.text
    assert f"{PHONE} 与第 2 行重复" in r.text
    assert purse_balance(database, mid) == purse_balance(database, other) == 0
    header = _upload(client, path, "x.csv", "姓名,手机号码\n张三,13800000301\n".encode())
    assert header.status_code == 422 and "第一行须为列名：手机号码、金额" in header.text
    good = f"手机号码,金额\n{PHONE},50\n138 0000 0302,12.50\n".encode("gb18030")
    page = client.get(path).text
    r = _upload(client, path, "充值.csv", good, page=page)
    assert r.status_code == 200 and "已按 充值.csv 为 2 名成员充值，共 ¥62.50。" in r.text
    assert (purse_balance(database, mid), purse_balance(database, other)) == (5_000, 1_250)
    again = _upload(client, path, "充值.csv", good, page=page)  # the same form and file sent again
    assert again.status_code == 200 and (purse_balance(database, mid), purse_balance(database, other)) == (5_000, 1_250)


def test_r_p1_bulk_top_up_templates(client, database, admin):
    eid, _, _, _ = admin
    base = f"/console/enterprises/{eid}/purse/topups"
    r = client.get(f"{base}/template.csv")
    assert r.status_code == 200 and r.content.decode("utf-8-sig").strip() == "手机号码,金额"
    assert "attachment" in r.headers["content-disposition"]
    r = client.get(f"{base}/template.xlsx")
    sheet = load_workbook(io.BytesIO(r.content)).active
    assert [c.value for c in sheet[1]] == ["手机号码", "金额"]


def test_r_p5_settings_expiry_and_give_back(client, database, admin, clock):
    eid, mid, path, username = admin
    purse_path = f"/console/enterprises/{eid}/purse"
    token = csrf(client, purse_path)
    r = client.post(f"{purse_path}/settings", data={"csrf_token": token, "validity_days": "abc", "bill_mode": "none"})
    assert r.status_code == 422 and "1 至 3650 的整数天数" in r.text
    r = client.post(f"{purse_path}/settings", data={"csrf_token": token, "validity_days": "30", "bill_mode": "none"},
                    follow_redirects=False)
    assert r.status_code == 303
    page = client.get(purse_path).text
    assert "电子钱包设置已保存。" in page and 'value="30"' in page
    assert re.search(r'value="none" checked', page) and "没有过期的余额。" in page
    assert _topup(client, path, "80")[0].status_code == 303
    assert "有效期至" in client.get(path).text and "2026-04-01 10:00" in client.get(path).text
    clock.advance(days=31)
    client.cookies.clear()
    logged_in(client, username)  # the web session has long expired
    confirm = client.get(f"{purse_path}/expire")
    assert confirm.status_code == 200 and "确定执行到期处理" in confirm.text and "自最近一次充值起 30 天" in confirm.text
    token = csrf_from(confirm.text)
    r = client.post(f"{purse_path}/expire", data={"csrf_token": token}, follow_redirects=False)
    assert r.headers["location"] == f"{purse_path}/expire" and purse_balance(database, mid) == 8_000
    r = client.post(f"{purse_path}/expire", data={"csrf_token": token, "confirm": "yes"}, follow_redirects=False)
    assert r.status_code == 303
    page = client.get(purse_path).text
    assert notice(page, "ok") == "已执行余额到期处理：1 个电子钱包共 ¥80.00 转入过期余额账户。"
    assert purse_balance(database, mid) == 0
    row = re.search(r'<tr id="expiry-(\d+)">(.*?)</tr>', page, re.S)
    assert "周敏" in row.group(2) and "138 0000 0301" in row.group(2) and "80.00" in row.group(2)
    assert "余额过期" in client.get(path).text
    again = client.post(f"{purse_path}/expire", data={"csrf_token": token, "confirm": "yes"})
    assert notice(again.text, "ok") == "已执行余额到期处理：没有过期的余额。"
    give_back = f"{purse_path}/expiries/{row.group(1)}/reverse"
    r = client.post(give_back, data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and purse_balance(database, mid) == 8_000
    page = client.get(purse_path).text
    assert notice(page, "ok") == "已向电子钱包退还 ¥80.00，并延长了有效期。" and "已退还" in page
    r = client.post(give_back, data={"csrf_token": token})
    assert r.status_code == 409 and notice(r.text) == "该交易已撤消或已退还，不能重复操作。"
    assert purse_balance(database, mid) == 8_000
    assert "过期余额退还" in client.get(path).text


def test_r_c10_portal_and_stk_show_the_real_balance(client, database, admin):
    eid, mid, path, _ = admin
    assert _topup(client, path, "66.60")[0].status_code == 303
    card_id = re.search(r'id="card-(\d+)"', client.get(path).text).group(1)
    cancel = client.get(f"{path}/cards/{card_id}/cancel")
    assert "¥66.60" in cancel.text and "暂未开通" not in cancel.text
    client.cookies.clear()
    make_member_login(database, phone=PHONE)
    page = client.get("/portal/login")
    client.post("/login", data={"username": PHONE, "password": "Passw0rd!", "channel": "portal", "next": "/portal",
                                "csrf_token": csrf_from(page.text)})
    home = client.get("/portal").text
    assert "¥66.60" in home and "充值" in home and "+66.60" in home and "长期有效" in home
    stk = client.get("/portal/stk/balance").text
    assert "¥66.60" in stk and "+66.60" in stk and "暂未开通" not in stk
