"""Terminals and merchants in the console (T2, P9), the POS simulator acting as a registered POS
(P3, P4), the merchants' daily settlement statement with its .xlsx (P9), and tenant isolation of
every purse page (X5)."""

from __future__ import annotations

import io
import re

import pytest
from factories import login as api_login
from factories import make_card, make_enterprise, make_member, make_terminal
from openpyxl import load_workbook
from web_helpers import card_no_of, csrf, csrf_from, logged_in, notice, purse_balance, spaced

PHONE = "13800000401"


@pytest.fixture
def shop(client, database):
    """(enterprise id, member id, card number, admin API headers): a member with 50 yuan in the purse,
    the enterprise admin signed in to the console."""
    eid, username = make_enterprise(database, name="滨江食堂")
    mid = make_member(database, enterprise_id=eid, name="冯雪", phone=PHONE)
    card_no = card_no_of(database, make_card(database, member_id=mid, apps=("purse",)))
    headers = api_login(client, username)
    assert client.post(f"/api/v1/members/{mid}/topups", headers=headers, json={"amount_fen": 5000}).status_code == 201
    logged_in(client, username)
    return eid, mid, card_no, headers


def _admin_of(client, headers) -> str:
    return client.get("/api/v1/auth/me", headers=headers).json()["username"]


def _pos_form(client, path: str) -> dict[str, str]:
    page = client.get(path).text
    return {"csrf_token": csrf_from(page),
            "idempotency_key": re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1),
            "terminal": re.search(r'<option value="(\d+)" selected', page).group(1)}


def _screen(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.search(r'id="pos-screen"[^>]*>(.*?)</div>', html,
                                                                  re.S).group(1))).strip()


def test_terminals_page_registers_a_pos_and_shows_its_token_once(client, database, shop):
    eid, _, card_no, _ = shop
    path = f"/console/enterprises/{eid}/terminals"
    page = client.get(path)
    assert page.status_code == 200 and "尚未登记任何终端" in page.text and "尚无商户" in page.text
    token = csrf_from(page.text)
    r = client.post(path, data={"csrf_token": token, "type": "pos", "name": "一号窗口", "merchant": "new",
                                "merchant_name": ""})
    assert r.status_code == 422 and '<p class="field-error" id="e-merchant_name">必填。</p>' in r.text
    r = client.post(path, data={"csrf_token": token, "type": "pos", "name": "一号窗口", "merchant": "new",
                                "merchant_name": "第一食堂"})
    assert r.status_code == 201 and "终端凭证只在此显示一次" in r.text and "第一食堂" in r.text
    secret = re.search(r'<code class="secret" id="terminal-token">([^<]+)</code>', r.text).group(1)
    # The credential is the device's: it charges a card through the API.
    sale = client.post("/api/v1/terminal/purchases", headers={"Authorization": f"Bearer {secret}"},
                       json={"card_no": card_no, "amount_fen": 100})
    assert sale.status_code == 201 and sale.json()["balance_fen"] == 4900
    listing = client.get(path).text
    assert secret not in listing
    row = re.search(r'<tr id="terminal-\d+">(.*?)</tr>', listing, re.S).group(1)
    assert "POS 消费终端" in row and "一号窗口" in row and "第一食堂" in row and "在用" in row
    merchant_id = re.search(r'<li id="merchant-(\d+)">', listing).group(1)
    r = client.post(path, data={"csrf_token": token, "type": "pos", "name": "二号窗口", "merchant": merchant_id})
    assert r.status_code == 201
    r = client.post(path, data={"csrf_token": token, "type": "door", "name": "东门"})
    assert r.status_code == 201 and "门禁终端" in r.text
    r = client.post(f"{path}/merchants", data={"csrf_token": token, "name": "小卖部"}, follow_redirects=False)
    assert r.status_code == 303
    listing = client.get(path).text
    assert notice(listing, "ok") == "商户 小卖部 已保存。" and listing.count('<tr id="terminal-') == 3
    assert "POS 模拟终端" in listing


def test_r_p4_undo_through_the_simulator_once_then_refused_in_chinese(client, database, shop):
    eid, mid, card_no, headers = shop
    make_terminal(client, headers, eid, name="一号窗口", merchant="第一食堂")
    path = f"/console/enterprises/{eid}/pos-simulator"
    page = client.get(path)
    assert page.status_code == 200 and "模拟终端" in page.text and "仅供测试和演示" in page.text
    form = _pos_form(client, path)
    r = client.post(f"{path}/purchase", data=form | {"card_no": spaced(card_no), "amount": "12.50"})
    assert r.status_code == 200 and "消费成功 扣款 ¥12.50 余额 ¥37.50" in _screen(r.text)
    assert purse_balance(database, mid) == 3750
    again = client.post(f"{path}/purchase", data=form | {"card_no": card_no, "amount": "12.50"})
    assert "此表单已提交过" in again.text and purse_balance(database, mid) == 3750
    form = _pos_form(client, path)
    r = client.post(f"{path}/undo", data=form)
    assert r.status_code == 200 and "撤消成功 ¥12.50 已退回卡内 余额 ¥50.00" in _screen(r.text)
    assert purse_balance(database, mid) == 5000
    r = client.post(f"{path}/undo", data=_pos_form(client, path))
    assert r.status_code == 409
    assert _screen(r.text) == "交易被拒绝 该终端的上一笔消费已撤消，不能重复撤消。"
    assert purse_balance(database, mid) == 5000
    member_page = client.get(f"/console/enterprises/{eid}/members/{mid}").text
    assert "¥50.00" in member_page and "撤消" in member_page and "一号窗口" in member_page
    # The sales carry the terminal's identity; who drove the simulator is audited as well (X4).
    driven = client.get("/api/v1/audit", headers=headers, params={"action": "terminal.simulated"}).json()
    assert driven["total"] >= 3 and {e["actor_username"] for e in driven["items"]} == {_admin_of(client, headers)}


def test_r_p3_simulator_refusals_in_chinese(client, database, shop):
    eid, mid, card_no, headers = shop
    make_terminal(client, headers, eid, name="一号窗口")
    path = f"/console/enterprises/{eid}/pos-simulator"
    r = client.post(f"{path}/undo", data=_pos_form(client, path))
    assert r.status_code == 409 and "该终端没有可撤消的消费" in _screen(r.text)
    r = client.post(f"{path}/purchase", data=_pos_form(client, path) | {"card_no": card_no, "amount": "60"})
    assert r.status_code == 409 and _screen(r.text) == "交易被拒绝 余额不足。 当前余额 ¥50.00。"
    r = client.post(f"{path}/purchase", data=_pos_form(client, path) | {"card_no": "1234", "amount": "1"})
    assert r.status_code == 422 and "卡号为 16 位数字。" in r.text
    other = make_member(database, enterprise_id=eid, name="陆遥")
    no_purse = card_no_of(database, make_card(database, member_id=other, apps=("access",)))
    r = client.post(f"{path}/purchase", data=_pos_form(client, path) | {"card_no": no_purse, "amount": "1"})
    assert r.status_code == 409 and "IC卡无应用" in _screen(r.text)
    # A terminal of another enterprise, or not a POS, cannot be chosen.
    topup = make_terminal(client, headers, eid, type="topup", name="充值机")
    assert topup and "充值机" not in client.get(path).text
    r = client.post(f"{path}/purchase", data=_pos_form(client, path) | {"terminal": "999", "card_no": card_no,
                                                                         "amount": "1"})
    assert r.status_code == 404 and "本企业没有这台 POS 消费终端" in _screen(r.text)
    assert purse_balance(database, mid) == 5000


def test_r_p9_settlement_page_numbers_and_xlsx(client, database, clock, shop):
    eid, mid, card_no, headers = shop
    canteen = make_terminal(client, headers, eid, name="一号窗口", merchant="第一食堂")
    kiosk = make_terminal(client, headers, eid, name="小卖部收银", merchant="小卖部")
    for pos, fen in ((canteen, 1200), (canteen, 800), (kiosk, 350)):
        assert client.post("/api/v1/terminal/purchases", headers=pos,
                           json={"card_no": card_no, "amount_fen": fen}).status_code == 201
    assert client.post("/api/v1/terminal/purchases/undo-last", headers=canteen, json={}).status_code == 201
    path = f"/console/enterprises/{eid}/settlements"
    html = client.get(path, params={"day": "2026-03-02"}).text
    assert "2026-03-02 日结单" in html
    rows = {m.group(2): re.findall(r'<td class="num[^"]*">([^<]*)</td>', m.group(3))
            for m in re.finditer(r'<tr id="merchant-(\d+)">\s*<td class="strong">([^<]+)</td>(.*?)</tr>', html, re.S)}
    assert rows == {"第一食堂": ["2", "20.00", "1", "8.00", "12.00"], "小卖部": ["1", "3.50", "0", "0.00", "3.50"]}
    totals = re.findall(r'<td class="num[^"]*">([^<]*)</td>', re.search(r'<tr class="totals".*?</tr>', html, re.S)[0])
    assert totals == ["3", "23.50", "1", "8.00", "15.50"]
    svg = re.search(r"<svg.*?</svg>", html, re.S)[0]
    assert svg.count('<g class="bar">') == 2 and "¥12.00" in svg and "<script" not in svg and "style=" not in svg
    assert client.get(path).text.count("2026-03-02") >= 1  # today (Beijing) by default
    empty = client.get(path, params={"day": "2026-03-01"}).text
    assert "当天没有消费或撤消" in empty and "<svg" not in empty
    bad = client.get(path, params={"day": "03/02/2026"})
    assert bad.status_code == 422 and "请选择日期，例如 2026-03-02。" in bad.text
    xlsx = client.get(f"{path}.xlsx", params={"day": "2026-03-02"})
    assert xlsx.status_code == 200 and "attachment" in xlsx.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == ["商户编号", "商户", "消费笔数", "消费金额(元)", "撤消笔数", "撤消金额(元)", "应结金额(元)"]
    assert [r[1:] for r in values[1:3]] == [["第一食堂", 2, 20, 1, 8, 12], ["小卖部", 1, 3.5, 0, 0, 3.5]]
    assert values[3][0] == "合计" and values[3][6] == 15.5


def test_r_x5_another_enterprise_admin_gets_404_on_every_purse_page(client, database, shop):
    eid, mid, card_no, headers = shop
    make_terminal(client, headers, eid, name="一号窗口")
    _, intruder = make_enterprise(database, name="别家")
    client.cookies.clear()
    logged_in(client, intruder)
    token = csrf(client, "/console/audit")
    base = f"/console/enterprises/{eid}"
    for url in (f"{base}/purse", f"{base}/purse/expire", f"{base}/purse/topups/template.csv",
                f"{base}/purse/topups/template.xlsx", f"{base}/terminals", f"{base}/settlements",
                f"{base}/settlements.xlsx", f"{base}/pos-simulator", f"{base}/members/{mid}"):
        r = client.get(url)
        assert r.status_code == 404, url
    for url, data in ((f"{base}/members/{mid}/purse/topup", {"amount": "10"}),
                      (f"{base}/purse/settings", {"validity_days": "1", "bill_mode": "none"}),
                      (f"{base}/purse/expire", {"confirm": "yes"}),
                      (f"{base}/terminals", {"type": "pos", "name": "x"}),
                      (f"{base}/terminals/merchants", {"name": "x"}),
                      (f"{base}/pos-simulator/undo", {"terminal": "1"}),
                      (f"{base}/pos-simulator/purchase", {"terminal": "1", "card_no": card_no, "amount": "1"})):
        assert client.post(url, data={"csrf_token": token} | data).status_code == 404, url
    assert purse_balance(database, mid) == 5000


def test_r_t3_terminals_page_shows_who_lags(client, database, shop):
    eid, mid, card_no, headers = shop
    pos = make_terminal(client, headers, eid, name="一号窗口")
    make_terminal(client, headers, eid, type="topup", name="充值机")
    params = client.get("/api/v1/terminal/sync", headers=pos).json()["parameters"]["version"]
    card_id = client.get(f"/api/v1/members/{mid}/cards", headers=headers).json()[0]["id"]
    assert client.post(f"/api/v1/cards/{card_id}/loss", headers=headers).status_code == 200
    page = client.get(f"/console/enterprises/{eid}/terminals").text
    rows = dict(re.findall(r'<tr id="terminal-\d+">.*?<td class="strong">(.*?)</td>.*?<td class="nowrap sync-state">(.*?)</td>',
                           page, re.S))
    assert "黑名单落后 1 个版本" in rows["一号窗口"] and "从未同步" in rows["充值机"]
    client.get("/api/v1/terminal/sync", headers=pos, params={"blacklist_version": 1, "parameters_version": params})
    page = client.get(f"/console/enterprises/{eid}/terminals").text
    assert "已是最新" in page


def test_r_a2_a_door_terminal_is_registered_for_its_door_and_decides(client, database, shop):
    from yikatong.access import service as access
    from yikatong.core.actor import SYSTEM

    eid, _, _, _ = shop
    with database.write() as s:
        door = access.create_door(s, actor=SYSTEM, enterprise_id=eid, name="研发楼东门").id
    other, _ = make_enterprise(database)
    with database.write() as s:
        foreign = access.create_door(s, actor=SYSTEM, enterprise_id=other, name="别人家的门").id
    path = f"/console/enterprises/{eid}/terminals"
    page = client.get(path)
    assert f'<option value="{door}">研发楼东门</option>' in page.text and "别人家的门" not in page.text
    token = csrf_from(page.text)
    refused = client.post(path, data={"csrf_token": token, "type": "door", "name": "东门读头", "door": str(foreign)})
    assert refused.status_code == 422
    r = client.post(path, data={"csrf_token": token, "type": "door", "name": "东门读头", "door": str(door)})
    assert r.status_code == 201
    secret = re.search(r'<code class="secret" id="terminal-token">([^<]+)</code>', r.text).group(1)
    row = re.search(r'<tr id="terminal-\d+">(.*?)</tr>', client.get(path).text, re.S).group(1)
    assert "东门读头" in row and "门：研发楼东门" in row
    # Its credential asks for decisions at its door (an unknown card is refused, not "door not set").
    decided = client.post("/api/v1/terminal/access-decisions", headers={"Authorization": f"Bearer {secret}"},
                          json={"card_no": "8860000000000018"})
    assert decided.status_code == 200 and decided.json()["allowed"] is False
