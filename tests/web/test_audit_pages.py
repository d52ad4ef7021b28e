"""The audit log page (X4): who, through which channel, when, what before and after; operators see
everything, an enterprise admin only their own enterprise (X5)."""

from __future__ import annotations

from factories import make_enterprise, make_member, make_user
from web_helpers import csrf, logged_in

from yikatong.core.actor import Role


def test_r_x4_audit_page_shows_the_entries_of_console_changes(client, database, clock):
    eid, admin = make_enterprise(database)
    mid = make_member(database, enterprise_id=eid, name="审计甲", phone="13800001111")
    logged_in(client, admin, channel="hotline")
    path = f"/console/enterprises/{eid}/members"
    token = csrf(client, path)
    client.post(f"{path}/{mid}/suspend", data={"csrf_token": token})
    client.post(f"{path}/{mid}/edit", data={"csrf_token": token, "name": "审计乙", "phone": "13800001111"})
    r = client.get("/console/audit")
    assert r.status_code == 200
    html = r.text
    assert "审计日志" in html
    assert "2026-03-02 10:00" in html  # Beijing time
    assert admin in html and "企业管理员" in html and "热线" in html
    assert "业务暂停" in html and "修改成员" in html and "添加成员" in html
    assert '<span class="old">正常</span> → <span class="new">已暂停</span>' in html
    assert '<span class="old">审计甲</span> → <span class="new">审计乙</span>' in html
    assert f"成员 #{mid}" in html


def test_audit_filters_by_action(client, database):
    eid, admin = make_enterprise(database)
    mid = make_member(database, enterprise_id=eid, name="筛选")
    logged_in(client, admin)
    client.post(f"/console/enterprises/{eid}/members/{mid}/suspend", data={"csrf_token": csrf(client)})
    html = client.get("/console/audit", params={"action": "member.suspend"}).text
    assert "共 1 条" in html and "业务暂停" in html


def test_r_x5_enterprise_admin_reads_only_their_enterprises_trail(client, database):
    _, admin = make_enterprise(database)
    other, _ = make_enterprise(database)
    make_member(database, enterprise_id=other, name="别家成员")
    logged_in(client, admin)
    html = client.get("/console/audit", params={"enterprise_id": str(other)}).text
    assert "别家成员" not in html


def test_operator_reads_the_whole_trail(client, database):
    eid, _ = make_enterprise(database)
    make_member(database, enterprise_id=eid, name="全局可见")
    logged_in(client, make_user(database, role=Role.operator))
    html = client.get("/console/audit").text
    assert "全局可见" in html and "登记集团客户" in html
    filtered = client.get("/console/audit", params={"enterprise_id": str(eid + 100)}).text
    assert "全局可见" not in filtered and "没有找到日志记录" in filtered


def test_account_manager_is_refused_the_audit_log(client, database):
    logged_in(client, make_user(database, role=Role.account_manager))
    r = client.get("/console/audit")
    assert r.status_code == 403
    assert "您的角色无权进行此操作" in r.text


def test_r_x4_audit_page_names_the_newer_actions_in_chinese(client, database):
    from factories import login, make_ticket

    eid, _ = make_enterprise(database)  # registering creates the key set: keys.create
    operator = make_user(database, role=Role.operator)
    agent = login(client, make_user(database, role=Role.agent_l1))
    ticket = make_ticket(client, agent, enterprise_id=eid)
    assert client.post(f"/api/v1/tickets/{ticket['id']}/accept", headers=agent).status_code == 200
    client.headers.pop("Authorization", None)
    logged_in(client, operator)
    page = client.get("/console/audit").text
    assert "创建工单" in page and "受理工单" in page and "生成密钥" in page
    assert "<td>ticket.create</td>" not in page and "<td>keys.create</td>" not in page
