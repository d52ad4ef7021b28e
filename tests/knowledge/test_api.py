"""S7 through /api/v1/kb: paged search, article reads by role, create/edit/publish/archive with
their refusals, suggestions for a work order."""

from __future__ import annotations

import pytest

from factories import login, make_enterprise, make_member, make_member_login, make_user
from yikatong.core.actor import Role
from yikatong.knowledge import service

API = "/api/v1/kb"
PHONE = "13800000701"


@pytest.fixture
def seeded(database):
    with database.write() as s:
        service.seed_faq(s)


def _staff(client, database, role: Role) -> dict[str, str]:
    return login(client, make_user(database, role=role))


def test_r_s7_api_search_is_paged_and_ranked(client, database, seeded):
    h = _staff(client, database, Role.agent_l1)
    r = client.get(f"{API}/articles", params={"q": "余额有效期", "limit": 2}, headers=h)
    assert r.status_code == 200
    body = r.json()
    assert body["total"] > 2 and len(body["items"]) == 2
    first = body["items"][0]
    assert first["title"] == "电子钱包的余额有有效期吗？" and first["score"] > body["items"][1]["score"]
    assert "余额" in first["matched"] and "企业管理员" in client.get(
        f"{API}/articles/{first['id']}", headers=h).json()["body"]
    page2 = client.get(f"{API}/articles", params={"q": "余额有效期", "limit": 2, "offset": 2}, headers=h).json()
    assert page2["total"] == body["total"] and page2["items"][0]["id"] not in {i["id"] for i in body["items"]}
    cat = client.get(f"{API}/articles", params={"category": "purse"}, headers=h).json()
    assert cat["total"] >= 4 and {i["category"] for i in cat["items"]} == {"purse"}


def test_r_s7_api_staff_create_edit_publish_archive(client, database):
    h = _staff(client, database, Role.agent_l2)
    r = client.post(f"{API}/articles", headers=h, json={"title": " 考勤机不出数据 ", "body": "检查考勤机网络。",
                                                        "category": "terminal", "audience": "internal"})
    assert r.status_code == 201, r.text
    a = r.json()
    assert (a["title"], a["status"], a["revision"]) == ("考勤机不出数据", "draft", 1)
    aid = a["id"]
    r = client.patch(f"{API}/articles/{aid}", headers=h, json={"body": "先检查考勤机的网络和同步版本。"})
    assert r.status_code == 200 and r.json()["revision"] == 2
    assert client.post(f"{API}/articles/{aid}/publish", headers=h).json()["status"] == "published"
    assert client.post(f"{API}/articles/{aid}/publish", headers=h).json()["error"]["code"] == "kb_article_published"
    assert client.post(f"{API}/articles/{aid}/unpublish", headers=h).json()["status"] == "draft"
    assert client.post(f"{API}/articles/{aid}/archive", headers=h).json()["status"] == "archived"
    r = client.patch(f"{API}/articles/{aid}", headers=h, json={"title": "改"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "kb_article_archived"


def test_r_s7_api_refuses_other_roles_and_bad_input(client, database, seeded):
    eid, admin = make_enterprise(database)
    make_member(database, enterprise_id=eid, phone=PHONE)
    member = login(client, make_member_login(database, phone=PHONE))
    l1 = _staff(client, database, Role.agent_l1)
    new = {"title": "t", "body": "b", "category": "cards", "audience": "public"}
    for h in (l1, member, login(client, admin), _staff(client, database, Role.field_engineer)):
        r = client.post(f"{API}/articles", headers=h, json=new)
        assert r.status_code == 403 and r.json()["error"]["code"] == "role_not_allowed"
    some = client.get(f"{API}/articles", headers=l1).json()["items"][0]["id"]
    assert client.post(f"{API}/articles/{some}/archive", headers=l1).status_code == 403
    assert client.get(f"{API}/articles/2147483647", headers=l1).status_code == 404
    assert client.get(f"{API}/articles/0", headers=l1).status_code == 422
    h = _staff(client, database, Role.operator)
    assert client.post(f"{API}/articles", headers=h, json=new | {"title": "  "}).status_code == 422
    assert client.post(f"{API}/articles", headers=h, json=new | {"category": "x"}).status_code == 422
    assert client.post(f"{API}/articles", headers=h, json=new | {"title": "a\x00b"}).status_code == 422
    assert client.get(f"{API}/articles", params={"q": "卡\x00坏了"}, headers=h).status_code == 200
    assert client.get(f"{API}/articles", params={"q": "x" * 201}, headers=h).status_code == 422
    assert client.get(f"{API}/articles").status_code == 401


def test_r_s7_api_member_sees_public_published_only(client, database, seeded):
    eid, _ = make_enterprise(database)
    make_member(database, enterprise_id=eid, phone=PHONE)
    member = login(client, make_member_login(database, phone=PHONE))
    staff = _staff(client, database, Role.tech_support)
    internal = client.get(f"{API}/articles", params={"audience": "internal"}, headers=staff).json()["items"]
    assert internal
    assert client.get(f"{API}/articles/{internal[0]['id']}", headers=member).status_code == 404
    listed = client.get(f"{API}/articles", params={"limit": 100}, headers=member).json()["items"]
    assert listed and {i["audience"] for i in listed} == {"public"}
    assert client.get(f"{API}/articles", params={"q": "二线处理流程"}, headers=member).json()["items"][0][
        "audience"] == "public"
    assert client.get(f"{API}/articles", params={"status": "draft"}, headers=member).json()["total"] == 0


def test_r_s7_api_suggest(client, database, seeded):
    h = _staff(client, database, Role.agent_l1)
    r = client.get(f"{API}/suggest", params={"text": "客户反映收银员多扣了钱，要求退回"}, headers=h)
    assert r.status_code == 200 and r.json()[0]["title"] == "付款时收银员操作失误，多扣了钱怎么办？"
    assert len(client.get(f"{API}/suggest", params={"text": "一卡通", "limit": 2}, headers=h).json()) <= 2
    assert client.get(f"{API}/suggest", headers=h).status_code == 422
    assert client.get(f"{API}/suggest", params={"text": "x" * 4001}, headers=h).status_code == 422
