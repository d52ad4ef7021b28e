"""Members in the console: list, search, paging, add, change (M1), suspend and resume (M6), removal
with a confirmation step, CSRF on every form, and tenant isolation (X5)."""

from __future__ import annotations

import pytest
from factories import make_enterprise, make_member
from web_helpers import csrf, csrf_from, logged_in, member_rows

from yikatong.core.actor import SYSTEM
from yikatong.members import service as members


@pytest.fixture
def admin(client, database):
    """(enterprise id, members page path) of a signed-in enterprise admin."""
    eid, username = make_enterprise(database, name="西湖数智")
    logged_in(client, username)
    return eid, f"/console/enterprises/{eid}/members"


def test_r_m1_members_page_lists_members_with_phones_for_chinese_readers(client, database, admin):
    eid, path = admin
    make_member(database, enterprise_id=eid, name="王小明", phone="13812345678", staff_no="XH0001")
    make_member(database, enterprise_id=eid, name="李晓红", department="财务部")
    r = client.get(path)
    assert r.status_code == 200
    assert '<html lang="zh-CN">' in r.text
    assert "王小明" in r.text and "李晓红" in r.text
    assert "138 1234 5678" in r.text
    assert "共 2 条" in r.text
    assert '<span class="badge badge-active">正常</span>' in r.text
    assert "一卡通业务平台" in r.text  # the top bar


def test_r_m1_search_finds_a_chinese_name_fragment(client, database, admin):
    eid, path = admin
    make_member(database, enterprise_id=eid, name="欧阳晓东")
    make_member(database, enterprise_id=eid, name="张伟")
    r = client.get(path, params={"q": "晓东"})
    assert "欧阳晓东" in r.text and "张伟" not in r.text
    assert "共 1 条" in r.text
    r = client.get(path, params={"q": "不存在的人"})
    assert "没有符合条件的成员" in r.text


def test_r_m1_search_by_phone_with_spaces(client, database, admin):
    eid, path = admin
    make_member(database, enterprise_id=eid, name="赵敏", phone="13900001111")
    assert "赵敏" in client.get(path, params={"q": "139 0000 1111"}).text


def test_search_answers_htmx_with_the_results_fragment_only(client, database, admin):
    eid, path = admin
    make_member(database, enterprise_id=eid, name="周杰")
    r = client.get(path, params={"q": "周"}, headers={"HX-Request": "true", "HX-Target": "member-results"})
    assert r.status_code == 200
    assert r.text.lstrip().startswith('<div id="member-results"')
    assert "<html" not in r.text and "周杰" in r.text


def test_members_are_paged(client, database, admin):
    eid, path = admin
    for i in range(23):
        make_member(database, enterprise_id=eid, name=f"成员{i:02d}")
    first = client.get(path).text
    assert "第 1 / 2 页 · 共 23 条" in first
    assert "成员00" in first and "成员20" not in first
    second = client.get(path, params={"page": 2}).text
    assert "第 2 / 2 页" in second and "成员20" in second and "成员00" not in second
    assert f'href="{path}?page=2"' in first


def test_r_m1_add_a_member_through_the_form(client, database, admin):
    eid, path = admin
    form = client.get(f"{path}/new")
    assert form.status_code == 200 and "添加成员" in form.text
    r = client.post(f"{path}/new", data={"csrf_token": csrf_from(form.text), "name": "陈静", "phone": "138-0013-8000",
                                         "staff_no": "A01", "department": "行政部"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == path
    page = client.get(path).text
    assert "已添加成员 陈静" in page and "138 0013 8000" in page
    [m] = member_rows(database, eid)
    assert (m.name, m.phone, m.staff_no, m.department) == ("陈静", "13800138000", "A01", "行政部")


def test_r_m1_invalid_member_is_refused_with_the_input_kept(client, database, admin):
    eid, path = admin
    token = csrf(client, f"{path}/new")
    r = client.post(f"{path}/new", data={"csrf_token": token, "name": "刘洋", "phone": "12345", "staff_no": "",
                                         "department": "技术部"})
    assert r.status_code == 422
    assert "不是有效的中国大陆手机号码" in r.text
    assert 'value="刘洋"' in r.text and 'value="12345"' in r.text and 'value="技术部"' in r.text
    assert "Traceback" not in r.text
    assert member_rows(database, eid) == []


def test_r_m2_duplicate_phone_is_a_friendly_form_error(client, database, admin):
    eid, path = admin
    make_member(database, enterprise_id=eid, name="孙丽", phone="13811112222")
    token = csrf(client, f"{path}/new")
    r = client.post(f"{path}/new", data={"csrf_token": token, "name": "孙丽丽", "phone": "13811112222"})
    assert r.status_code == 409
    assert "手机号码 13811112222 已属于本企业的成员" in r.text
    assert len(member_rows(database, eid)) == 1


def test_r_m1_edit_a_member_through_the_form(client, database, admin):
    eid, path = admin
    mid = make_member(database, enterprise_id=eid, name="黄磊", phone="13700001234")
    form = client.get(f"{path}/{mid}/edit")
    assert 'value="黄磊"' in form.text and 'value="13700001234"' in form.text
    r = client.post(f"{path}/{mid}/edit", data={"csrf_token": csrf_from(form.text), "name": "黄磊",
                                                "phone": "13700004321", "staff_no": "", "department": "市场部"},
                    follow_redirects=False)
    assert r.status_code == 303
    [m] = member_rows(database, eid)
    assert (m.phone, m.department) == ("13700004321", "市场部")
    assert "已保存成员 黄磊 的信息" in client.get(path).text


def test_r_m6_suspend_and_resume_a_member(client, database, admin):
    eid, path = admin
    mid = make_member(database, enterprise_id=eid, name="吴涛")
    token = csrf(client, path)
    r = client.post(f"{path}/{mid}/suspend", data={"csrf_token": token, "back": f"{path}?q=吴"},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"{path}?q=%E5%90%B4"
    page = client.get(path).text
    assert "已暂停 吴涛 的业务" in page
    assert '<span class="badge badge-suspended">已暂停</span>' in page
    assert f'action="{path}/{mid}/resume"' in page
    assert member_rows(database, eid)[0].status == "suspended"
    # Suspending twice is explained, not crashed.
    again = client.post(f"{path}/{mid}/suspend", data={"csrf_token": token})
    assert again.status_code == 409 and "该成员的业务已处于暂停状态" in again.text
    r = client.post(f"{path}/{mid}/resume", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    assert member_rows(database, eid)[0].status == "active"
    assert "已恢复 吴涛 的业务" in client.get(path).text


def test_r_m1_remove_a_member_after_a_confirmation_step(client, database, admin):
    eid, path = admin
    mid = make_member(database, enterprise_id=eid, name="郑爽", phone="13512345678")
    confirm = client.get(f"{path}/{mid}/remove")
    assert confirm.status_code == 200
    assert "确定将 郑爽（135 1234 5678）从本企业移除吗" in confirm.text
    token = csrf_from(confirm.text)
    # Without the confirmation nothing happens: back to the question.
    r = client.post(f"{path}/{mid}/remove", data={"csrf_token": token}, follow_redirects=False)
    assert r.headers["location"] == f"{path}/{mid}/remove"
    assert len(member_rows(database, eid)) == 1
    r = client.post(f"{path}/{mid}/remove", data={"csrf_token": token, "confirm": "yes"}, follow_redirects=False)
    assert r.status_code == 303
    assert member_rows(database, eid) == []
    assert "已移除成员 郑爽" in client.get(path).text
    assert client.get(f"{path}/{mid}/edit").status_code == 404


@pytest.mark.parametrize("action", ["suspend", "resume", "remove", "edit"])
def test_post_without_csrf_token_is_refused_and_changes_nothing(client, database, admin, action):
    eid, path = admin
    mid = make_member(database, enterprise_id=eid, name="冯强")
    data = {"confirm": "yes", "name": "改名", "phone": "13899998888"}
    r = client.post(f"{path}/{mid}/{action}", data=data)
    assert r.status_code == 403
    assert "表单已过期或并非来自本站" in r.text
    r = client.post(f"{path}/{mid}/{action}", data={**data, "csrf_token": "0" * 64})
    assert r.status_code == 403
    [m] = member_rows(database, eid)
    assert (m.name, m.status) == ("冯强", "active")


def test_post_without_csrf_token_creates_nothing(client, database, admin):
    eid, path = admin
    r = client.post(f"{path}/new", data={"name": "韩梅", "phone": "13811113333"})
    assert r.status_code == 403
    assert member_rows(database, eid) == []


def test_htmx_requests_may_send_the_token_as_a_header(client, database, admin):
    eid, path = admin
    mid = make_member(database, enterprise_id=eid, name="曹操")
    page = client.get(path).text
    assert "hx-headers='{\"X-CSRF-Token\": \"" in page
    r = client.post(f"{path}/{mid}/suspend", headers={"X-CSRF-Token": csrf_from(page)}, follow_redirects=False)
    assert r.status_code == 303
    assert member_rows(database, eid)[0].status == "suspended"


def test_r_x5_admin_gets_404_for_another_enterprises_members(client, database, admin):
    eid, path = admin
    other_id, _ = make_enterprise(database, name="别家企业")
    other_member = make_member(database, enterprise_id=other_id, name="外人")
    token = csrf(client, path)
    for url in (f"/console/enterprises/{other_id}/members", f"/console/enterprises/{other_id}",
                f"/console/enterprises/{other_id}/members/new", f"/console/enterprises/{other_id}/members/import",
                f"/console/enterprises/{other_id}/members/{other_member}/edit",
                f"/console/enterprises/{other_id}/members/import/template.csv"):
        r = client.get(url)
        assert r.status_code == 404, url
        assert "页面不存在" in r.text and "外人" not in r.text and "别家企业" not in r.text
    # Another enterprise's member through one's own enterprise's address: 404 too, and unchanged.
    for action in ("suspend", "remove"):
        r = client.post(f"{path}/{other_member}/{action}", data={"csrf_token": token, "confirm": "yes"})
        assert r.status_code == 404
        r = client.post(f"/console/enterprises/{other_id}/members/{other_member}/{action}",
                        data={"csrf_token": token, "confirm": "yes"})
        assert r.status_code == 404
    assert member_rows(database, other_id)[0].status == "active"


def test_unknown_console_page_is_a_page_not_json(client, database, admin):
    r = client.get("/console/nothing-here")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert "页面不存在" in r.text


def test_operator_manages_any_enterprises_members(client, database):
    from factories import make_user
    from yikatong.core.actor import Role

    eid, _ = make_enterprise(database)
    make_member(database, enterprise_id=eid, name="钱多多")
    logged_in(client, make_user(database, role=Role.operator))
    assert "钱多多" in client.get(f"/console/enterprises/{eid}/members").text


def test_account_manager_may_not_manage_members(client, database):
    from factories import make_user
    from yikatong.core.actor import Role

    eid, _ = make_enterprise(database)
    logged_in(client, make_user(database, role=Role.account_manager))
    r = client.get(f"/console/enterprises/{eid}/members")
    assert r.status_code == 403 and "您的角色无权进行此操作" in r.text


def test_removed_members_free_their_phone_for_a_new_member(client, database, admin):
    eid, path = admin
    mid = make_member(database, enterprise_id=eid, name="旧人", phone="13600001111")
    with database.write() as s:
        members.remove_member(s, actor=SYSTEM, member_id=mid)
    token = csrf(client, path)
    r = client.post(f"{path}/new", data={"csrf_token": token, "name": "新人", "phone": "13600001111"},
                    follow_redirects=False)
    assert r.status_code == 303


def test_member_data_is_escaped_everywhere(client, database, admin):
    eid, path = admin
    mid = make_member(database, enterprise_id=eid, name="<script>alert(1)</script>", department="<b>部</b>")
    token = csrf(client, path)
    client.post(f"{path}/{mid}/suspend", data={"csrf_token": token})  # the flash repeats the name
    for url in (path, f"{path}/{mid}/edit", f"{path}/{mid}/remove", "/console/audit"):
        html = client.get(url).text
        assert "<script>alert(1)</script>" not in html and "<b>部</b>" not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url


def test_console_pages_send_security_headers(client, database, admin):
    _, path = admin
    r = client.get(path)
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["cache-control"] == "no-store"
    html = r.text
    assert '<script src="/static/htmx.min.js"' in html and "://" not in html.split("<body")[0]
    assert client.get("/static/htmx.min.js").status_code == 200
    assert client.get("/static/console.css").status_code == 200


def test_absurd_ids_in_console_addresses_are_refused_not_crashed(client, database):
    eid, admin = make_enterprise(database)
    logged_in(client, admin)
    for url in (f"/console/enterprises/{10**20}/members", f"/console/enterprises/{eid}/members/{10**20}/edit"):
        r = client.get(url)
        assert 400 <= r.status_code < 500, (url, r.status_code)
