"""Cards on a member's page in the console: issue (C2, M2, M3), open sub-applications (C4), report
loss (C5), unfreeze (C6), replace (C7), delete a sub-application (C8), cancel (C9), change the
member's number (M5) — destructive ones behind a confirmation, refusals in Chinese, CSRF on every
form, and tenant isolation (X5)."""

from __future__ import annotations

import re

import pytest
from factories import make_card, make_enterprise, make_member
from web_helpers import blacklisted, card_rows, csrf, csrf_from, logged_in, sms_texts, spaced

PHONE = "13800000101"


@pytest.fixture
def admin(client, database):
    """(enterprise id, member id, member page path) of a signed-in enterprise admin's member."""
    eid, username = make_enterprise(database, name="西湖数智")
    mid = make_member(database, enterprise_id=eid, name="陈静", phone=PHONE, staff_no="XH0001")
    logged_in(client, username)
    return eid, mid, f"/console/enterprises/{eid}/members/{mid}"


def _error(html: str) -> str:
    match = re.search(r'class="notice notice-error" role="alert">([^<]*)<', html)
    return match.group(1) if match else ""


def test_member_list_links_to_the_member_page(client, database, admin):
    eid, mid, path = admin
    html = client.get(f"/console/enterprises/{eid}/members").text
    assert f'href="{path}"' in html


def test_r_c4_member_page_issues_a_card_and_opens_sub_applications(client, database, admin):
    eid, mid, path = admin
    page = client.get(path)
    assert page.status_code == 200
    assert "陈静" in page.text and "138 0000 0101" in page.text and "该号码尚未办理一卡通卡" in page.text
    token = csrf_from(page.text)
    r = client.post(f"{path}/cards", data={"csrf_token": token, "kind": "rfid_sim", "iccid": "",
                                           "imsi": "460 001 234 567 890"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == path
    [card] = card_rows(database, PHONE)
    assert (card.kind, card.status) == ("rfid_sim", "active")
    html = client.get(path).text
    assert f"已发卡，卡号 {spaced(card.card_no)}" in html
    assert '<span class="badge badge-card-active">正常</span>' in html and "RFID-SIM卡" in html
    for app_type, mode in (("access", "ota"), ("attendance", "local")):
        r = client.post(f"{path}/cards/{card.id}/applications", data={"csrf_token": token, "type": app_type,
                                                                        "mode": mode}, follow_redirects=False)
        assert r.status_code == 303
    html = client.get(path).text
    assert "已开通企业子应用：考勤（本地方式）" in html
    assert "门禁" in html and "空中方式" in html and '<span class="badge badge-app-active">已开通</span>' in html
    assert [(a.type, a.mode, a.status) for a in card_rows(database, PHONE)[0].apps] == [
        ("access", "ota", "active"), ("attendance", "local", "active")]
    again = client.post(f"{path}/cards/{card.id}/applications", data={"csrf_token": token, "type": "access",
                                                                        "mode": "ota"})
    assert again.status_code == 409 and _error(again.text) == "卡上已开通本企业的此类子应用。"


def test_r_m3_ic_card_needs_its_uid_and_opens_only_locally(client, database, admin):
    eid, mid, path = admin
    token = csrf(client, path)
    r = client.post(f"{path}/cards", data={"csrf_token": token, "kind": "ic", "uid": ""})
    assert r.status_code == 422 and '<p class="field-error" id="e-uid">必填。</p>' in r.text
    r = client.post(f"{path}/cards", data={"csrf_token": token, "kind": "ic", "uid": "04a1b2c"})
    assert r.status_code == 422
    assert '<p class="field-error" id="e-uid">8、14 或 20 位十六进制字符（4、7 或 10 字节的 UID）。</p>' in r.text
    assert 'value="04a1b2c"' in r.text
    assert card_rows(database, PHONE) == []
    r = client.post(f"{path}/cards", data={"csrf_token": token, "kind": "ic", "uid": "04a1b2c3d4e5f6"},
                    follow_redirects=False)
    assert r.status_code == 303
    [card] = card_rows(database, PHONE)
    assert (card.kind, card.uid) == ("ic", "04A1B2C3D4E5F6")
    r = client.post(f"{path}/cards/{card.id}/applications", data={"csrf_token": token, "type": "access",
                                                                    "mode": "ota"})
    assert r.status_code == 409 and _error(r.text) == "IC卡不能以空中方式开通，请在发卡终端以本地方式开通。"


def test_r_m2_second_card_for_the_number_is_refused_in_chinese(client, database, admin):
    eid, mid, path = admin
    make_card(database, member_id=mid)
    page = client.get(path).text
    assert "一个手机号码只能办理一张卡" in page and f'action="{path}/cards"' not in page  # no issue form
    r = client.post(f"{path}/cards", data={"csrf_token": csrf_from(page), "kind": "rfid_sim"})
    assert r.status_code == 409
    assert _error(r.text) == "号码 13800000101 已有一卡通卡：一个手机号码只能办理一张。"
    assert len(card_rows(database, PHONE)) == 1


def test_r_c5_loss_through_the_console_confirms_then_blacklists_the_card(client, database, admin):
    eid, mid, path = admin
    card_id = make_card(database, member_id=mid, apps=("access",))
    [card] = card_rows(database, PHONE)
    confirm = client.get(f"{path}/cards/{card_id}/loss")
    assert confirm.status_code == 200
    assert "确定挂失这张卡吗" in confirm.text and spaced(card.card_no) in confirm.text
    token = csrf_from(confirm.text)
    # Without the confirmation nothing happens: back to the question.
    r = client.post(f"{path}/cards/{card_id}/loss", data={"csrf_token": token}, follow_redirects=False)
    assert r.headers["location"] == f"{path}/cards/{card_id}/loss"
    assert card_rows(database, PHONE)[0].status == "active" and blacklisted(database, eid) == []
    r = client.post(f"{path}/cards/{card_id}/loss", data={"csrf_token": token, "confirm": "yes"},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == path
    assert card_rows(database, PHONE)[0].status == "lost"
    assert blacklisted(database, eid) == [card.card_no]
    assert any("挂失成功" in text for text in sms_texts(database, PHONE))
    html = client.get(path).text
    assert f"卡 {spaced(card.card_no)} 已挂失并列入黑名单" in html
    assert '<span class="badge badge-card-lost">已挂失</span>' in html
    listing = client.get(f"/console/enterprises/{eid}/blacklist").text
    assert spaced(card.card_no) in listing and "版本 1" in listing
    again = client.post(f"{path}/cards/{card_id}/loss", data={"csrf_token": token, "confirm": "yes"})
    assert again.status_code == 409 and _error(again.text) == "该卡已挂失，请先解挂。"


def test_r_c6_unfreeze_takes_the_card_off_the_blacklist(client, database, admin):
    eid, mid, path = admin
    card_id = make_card(database, member_id=mid, apps=("access",))
    token = csrf(client, path)
    before = client.post(f"{path}/cards/{card_id}/unfreeze", data={"csrf_token": token})
    assert before.status_code == 409 and "该卡处于正常状态" in _error(before.text)
    client.post(f"{path}/cards/{card_id}/loss", data={"csrf_token": token, "confirm": "yes"})
    assert f'action="{path}/cards/{card_id}/unfreeze"' in client.get(path).text
    r = client.post(f"{path}/cards/{card_id}/unfreeze", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    [card] = card_rows(database, PHONE)
    assert card.status == "active" and blacklisted(database, eid) == []
    assert "已解挂，可正常使用" in client.get(path).text
    delta = client.get(f"/console/enterprises/{eid}/blacklist", params={"since": 1}).text
    assert spaced(card.card_no) in delta and "已移出" in delta
    assert "黑名单为空" in client.get(f"/console/enterprises/{eid}/blacklist").text
    unknown = client.get(f"/console/enterprises/{eid}/blacklist", params={"since": 99}).text
    assert "黑名单尚无此版本，当前版本为 2" in unknown


def test_r_c7_replace_issues_a_new_card_with_the_sub_applications(client, database, admin):
    eid, mid, path = admin
    card_id = make_card(database, member_id=mid, apps=("access", "attendance"))
    old_no = card_rows(database, PHONE)[0].card_no
    confirm = client.get(f"{path}/cards/{card_id}/replace")
    assert "原卡在场且可读" in confirm.text and 'name="old_card_readable" value="yes">' in confirm.text
    token = csrf_from(confirm.text)
    bad = client.post(f"{path}/cards/{card_id}/replace", data={"csrf_token": token, "confirm": "yes",
                                                              "kind": "rfid_sim", "iccid": "12345"})
    assert bad.status_code == 422 and "以 89 开头的 19 或 20 位数字" in bad.text and 'value="12345"' in bad.text
    assert card_rows(database, PHONE)[0].status == "active"
    r = client.post(f"{path}/cards/{card_id}/replace", data={"csrf_token": token, "confirm": "yes",
                                                            "kind": "rfid_sim", "old_card_readable": "yes"},
                    follow_redirects=False)
    assert r.status_code == 303
    new, old = card_rows(database, PHONE)
    assert (old.card_no, old.status, new.status) == (old_no, "replaced", "active")
    assert new.restored_from == "card_backup"
    assert sorted(a.type for a in new.apps if a.status == "active") == ["access", "attendance"]
    assert blacklisted(database, eid) == [old_no]
    html = client.get(path).text
    assert f"补换卡成功，新卡号 {spaced(new.card_no)}" in html
    assert '<span class="badge badge-card-replaced">已补换</span>' in html and "数据来自原卡备份" in html
    again = client.post(f"{path}/cards/{card_id}/replace", data={"csrf_token": token, "confirm": "yes",
                                                                "kind": "rfid_sim"})
    assert again.status_code == 409 and _error(again.text) == "该卡已补换为新卡，不能再使用。"


def test_r_c8_admin_deletes_one_sub_application_after_confirming(client, database, admin):
    eid, mid, path = admin
    card_id = make_card(database, member_id=mid, apps=("access", "purse"))
    access = next(a for a in card_rows(database, PHONE)[0].apps if a.type == "access")
    confirm = client.get(f"{path}/cards/{card_id}/applications/{access.id}/delete")
    assert confirm.status_code == 200 and "确定从卡上删除这个企业子应用吗" in confirm.text and "门禁" in confirm.text
    r = client.post(f"{path}/cards/{card_id}/applications/{access.id}/delete",
                    data={"csrf_token": csrf_from(confirm.text), "confirm": "yes"}, follow_redirects=False)
    assert r.status_code == 303
    apps = {a.type: a.status for a in card_rows(database, PHONE)[0].apps}
    assert apps == {"access": "deleted", "purse": "active"}
    assert "已删除企业子应用：门禁（空中方式）" in client.get(path).text


def test_r_c9_cancel_settles_then_blacklists_and_closes_everything(client, database, admin):
    eid, mid, path = admin
    card_id = make_card(database, member_id=mid, apps=("access",))
    confirm = client.get(f"{path}/cards/{card_id}/cancel")
    assert "确定注销这张卡吗" in confirm.text and "卡上没有本企业的电子钱包" in confirm.text
    token = csrf_from(confirm.text)
    r = client.post(f"{path}/cards/{card_id}/cancel", data={"csrf_token": token, "confirm": "yes", "refund": "gold"})
    assert r.status_code == 422 and _error(r.text) == "请选择余额结算方式：现金退款或转账。"
    assert card_rows(database, PHONE)[0].status == "active"
    r = client.post(f"{path}/cards/{card_id}/cancel", data={"csrf_token": token, "confirm": "yes",
                                                           "refund": "transfer"}, follow_redirects=False)
    assert r.status_code == 303
    [card] = card_rows(database, PHONE)
    assert card.status == "cancelled" and [a.status for a in card.apps] == ["revoked"]
    assert blacklisted(database, eid) == [card.card_no]
    html = client.get(path).text
    assert f"卡 {spaced(card.card_no)} 已注销" in html and '<span class="badge badge-card-cancelled">已注销</span>' in html
    assert f'action="{path}/cards"' in html  # the number may get a new card
    assert any("注销成功" in text for text in sms_texts(database, PHONE))


def test_r_m5_number_change_moves_the_sub_applications_to_a_new_card(client, database, admin):
    eid, mid, path = admin
    make_card(database, member_id=mid, apps=("access", "attendance"))
    old = card_rows(database, PHONE)[0]
    confirm = client.get(f"{path}/phone")
    assert confirm.status_code == 200 and "138 0000 0101" in confirm.text
    token = csrf_from(confirm.text)
    same = client.post(f"{path}/phone", data={"csrf_token": token, "confirm": "yes", "new_phone": PHONE,
                                              "kind": "rfid_sim"})
    assert same.status_code == 409 and _error(same.text) == "新号码与该成员当前的号码相同。"
    bad = client.post(f"{path}/phone", data={"csrf_token": token, "confirm": "yes", "new_phone": "12345",
                                             "kind": "rfid_sim"})
    assert bad.status_code == 422 and "不是有效的中国大陆手机号码" in bad.text
    r = client.post(f"{path}/phone", data={"csrf_token": token, "confirm": "yes", "new_phone": "139 0000 0202",
                                           "kind": "rfid_sim"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == path
    [new] = card_rows(database, "13900000202")
    assert sorted(a.type for a in new.apps if a.status == "active") == ["access", "attendance"]
    assert {a.status for a in card_rows(database, PHONE)[0].apps} == {"revoked"}
    assert blacklisted(database, eid) == [old.card_no]
    html = client.get(path).text
    assert "号码已更换为 139 0000 0202" in html and spaced(new.card_no) in html


@pytest.mark.parametrize("action", ["issue", "open", "loss", "unfreeze", "replace", "delete", "cancel", "phone"])
def test_card_action_without_csrf_token_is_refused_and_changes_nothing(client, database, admin, action):
    eid, mid, path = admin
    card_id = make_card(database, member_id=mid, apps=("access",))
    app_id = card_rows(database, PHONE)[0].apps[0].id
    url = {"issue": f"{path}/cards", "open": f"{path}/cards/{card_id}/applications",
           "phone": f"{path}/phone", "delete": f"{path}/cards/{card_id}/applications/{app_id}/delete"}.get(
        action, f"{path}/cards/{card_id}/{action}")
    data = {"confirm": "yes", "kind": "rfid_sim", "type": "attendance", "mode": "ota", "refund": "cash",
            "new_phone": "13900000303"}
    for token in (None, "0" * 64):
        r = client.post(url, data=data | ({"csrf_token": token} if token else {}))
        assert r.status_code == 403 and "表单已过期或并非来自本站" in r.text
    [card] = card_rows(database, PHONE)
    assert card.status == "active" and [(a.type, a.status) for a in card.apps] == [("access", "active")]
    assert card_rows(database, "13900000303") == []


def test_r_x5_another_enterprises_admin_gets_404_for_member_cards_blacklist_and_webhooks(client, database, admin):
    eid, mid, path = admin
    card_id = make_card(database, member_id=mid, apps=("access",))
    app_id = card_rows(database, PHONE)[0].apps[0].id
    other_id, other_admin = make_enterprise(database, name="别家企业")
    client.cookies.clear()
    logged_in(client, other_admin)
    token = csrf(client, f"/console/enterprises/{other_id}/members")
    own_member = make_member(database, enterprise_id=other_id, name="自家人")
    for url in (path, f"{path}/cards/{card_id}/loss", f"{path}/cards/{card_id}/replace",
                f"{path}/cards/{card_id}/cancel", f"{path}/cards/{card_id}/applications/{app_id}/delete",
                f"{path}/phone", f"/console/enterprises/{eid}/blacklist", f"/console/enterprises/{eid}/webhooks",
                # another enterprise's card through one's own member's address
                f"/console/enterprises/{other_id}/members/{own_member}/cards/{card_id}/loss"):
        r = client.get(url)
        assert r.status_code == 404, url
        assert "页面不存在" in r.text and "陈静" not in r.text and "西湖数智" not in r.text
    for url in (f"{path}/cards/{card_id}/loss", f"{path}/cards/{card_id}/cancel", f"{path}/cards/{card_id}/unfreeze",
                f"/console/enterprises/{other_id}/members/{own_member}/cards/{card_id}/loss",
                f"/console/enterprises/{other_id}/members/{own_member}/cards/{card_id}/applications"):
        r = client.post(url, data={"csrf_token": token, "confirm": "yes", "refund": "cash", "type": "access",
                                   "mode": "ota"})
        assert r.status_code == 404, url
    [card] = card_rows(database, PHONE)
    assert card.status == "active" and len(card.apps) == 1


def test_operator_sees_every_enterprises_sub_applications_on_the_member_page(client, database):
    from factories import make_user
    from yikatong.core.actor import Role

    home_id, _ = make_enterprise(database, name="幸福小区")
    work_id, _ = make_enterprise(database, name="西湖数智")
    work_member = make_member(database, enterprise_id=work_id, name="陈静", phone=PHONE)
    home_member = make_member(database, enterprise_id=home_id, name="陈静", phone=PHONE)
    make_card(database, member_id=work_member, apps=("access",))
    card_id = card_rows(database, PHONE)[0].id
    from yikatong.cards import service as cards
    from yikatong.cards.models import AppMode, AppType
    from yikatong.core.actor import SYSTEM

    with database.write() as s:
        cards.open_application(s, actor=SYSTEM, card_id=card_id, enterprise_id=home_id, type=AppType.access,
                               mode=AppMode.ota)
    logged_in(client, make_user(database, role=Role.operator))
    html = client.get(f"/console/enterprises/{home_id}/members/{home_member}").text
    assert "幸福小区" in html and "西湖数智" in html
