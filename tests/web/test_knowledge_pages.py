"""S7 in the console and the portal: search with highlighted matches, category filter and paging,
the maintainers' create/edit/publish/archive (with a confirmation and CSRF), read-only agents,
members' 帮助 with public articles only, the suggestions fragment, Chinese by default."""

from __future__ import annotations

import re

import pytest
from factories import PASSWORD, make_enterprise, make_member, make_member_login, make_user
from sqlalchemy import select
from web_helpers import csrf_from, logged_in, notice

from yikatong.core.actor import Role
from yikatong.knowledge import service
from yikatong.knowledge.models import Article

PHONE = "13800000702"


@pytest.fixture
def seeded(database):
    with database.write() as s:
        service.seed_faq(s)


def _staff(client, database, role: Role) -> None:
    logged_in(client, make_user(database, role=role))


def _article_id(database, title: str) -> int:
    with database.read() as s:
        return s.scalar(select(Article.id).where(Article.title == title))


def test_r_s7_console_search_highlights_and_filters(client, database, seeded):
    _staff(client, database, Role.agent_l1)
    page = client.get("/console/kb", params={"q": "余额有效期"})
    assert page.status_code == 200 and "知识库" in page.text
    first = re.search(r'<li class="kb-hit" id="kb-(\d+)">(.*?)</li>', page.text, re.S)
    assert "电子钱包的<mark>余额有有效期</mark>吗" in first.group(2)
    assert 'href="/console/kb"' in page.text and 'class="active"' in page.text  # the nav link, current
    # the htmx fragment is only the results
    frag = client.get("/console/kb", params={"q": "余额有效期"},
                      headers={"HX-Request": "true", "HX-Target": "kb-results"}).text
    assert frag.lstrip().startswith('<div id="kb-results"') and "<html" not in frag
    purse = client.get("/console/kb", params={"category": "purse"}).text
    assert "电子钱包的余额有有效期吗？" in purse and "什么是“一卡通”业务？" not in purse
    paged = client.get("/console/kb", params={"page": "2"}).text
    assert "第 2 / 2 页 · 共 22 条" in paged and paged.count('class="kb-hit"') == 2
    assert "新建文章" not in page.text and "/console/kb/new" not in page.text  # agent_l1 reads only
    view = client.get(f"/console/kb/{first.group(1)}", params={"q": "余额有效期"}).text
    assert "<mark>余额有有效期</mark>" in view and "企业管理员" in view and "归档" not in view
    assert client.get("/console/kb/new").status_code == 403
    assert client.get("/console/kb/2147483647").status_code == 404


def test_r_s7_console_maintainer_writes_publishes_and_archives(client, database):
    _staff(client, database, Role.agent_l2)
    form = client.get("/console/kb/new").text
    token = csrf_from(form)
    bad = client.post("/console/kb/new", data={"csrf_token": token, "title": "", "body": "x",
                                               "category": "cards", "audience": "public"})
    assert bad.status_code == 422 and notice(bad.text)
    r = client.post("/console/kb/new", data={"csrf_token": token, "title": "门禁刷卡没反应",
                                             "body": "- 检查卡片状态\n- 检查门禁组", "category": "terminal",
                                             "audience": "internal"}, follow_redirects=False)
    assert r.status_code == 303
    aid = _article_id(database, "门禁刷卡没反应")
    assert r.headers["location"] == f"/console/kb/{aid}"
    view = client.get(f"/console/kb/{aid}").text
    assert "草稿" in view and "<li>检查卡片状态</li>" in view and "发布" in view
    assert client.post(f"/console/kb/{aid}/publish", data={}).status_code == 403  # no CSRF token
    assert client.post(f"/console/kb/{aid}/publish", data={"csrf_token": token},
                       follow_redirects=False).status_code == 303
    again = client.post(f"/console/kb/{aid}/publish", data={"csrf_token": token})
    assert again.status_code == 409 and notice(again.text) == "文章已经发布。"
    r = client.post(f"/console/kb/{aid}/edit", data={"csrf_token": token, "title": "门禁刷卡没反应",
                                                      "body": "先查卡片状态。", "category": "terminal",
                                                      "audience": "internal"}, follow_redirects=False)
    assert r.status_code == 303
    view = client.get(f"/console/kb/{aid}").text
    assert "已发布" in view and "先查卡片状态。" in view and re.search(r'<td class="num">2</td>', view)
    # archive only after the confirmation page's yes
    assert "确定归档“门禁刷卡没反应”吗？" in client.get(f"/console/kb/{aid}/archive").text
    r = client.post(f"/console/kb/{aid}/archive", data={"csrf_token": token}, follow_redirects=False)
    assert r.headers["location"] == f"/console/kb/{aid}/archive"
    r = client.post(f"/console/kb/{aid}/archive", data={"csrf_token": token, "confirm": "yes"},
                    follow_redirects=False)
    assert r.status_code == 303
    with database.read() as s:
        assert s.get(Article, aid).status == "archived"


def test_r_s7_console_suggestions_fragment(client, database, seeded):
    _staff(client, database, Role.agent_l1)
    r = client.get("/console/kb/suggest", params={"text": "收银员多扣了钱"})
    assert r.status_code == 200 and "<html" not in r.text
    assert "付款时收银员操作失误，多扣了钱怎么办？" in re.sub(r"</?mark>", "", r.text)
    assert "<li>" not in client.get("/console/kb/suggest", params={"text": ""}).text


def test_r_s7_console_english(client, database, seeded):
    _staff(client, database, Role.tech_support)
    page = client.get("/console/kb", params={"lang": "en"}).text
    assert "Knowledge base" in page and "New article" in page and "Top-up and payment" in page


def test_r_s7_portal_help_shows_public_articles_only(client, database, seeded):
    eid, _ = make_enterprise(database)
    make_member(database, enterprise_id=eid, phone=PHONE)
    make_member_login(database, phone=PHONE)
    page = client.get("/portal/login")
    r = client.post("/login", data={"username": PHONE, "password": PASSWORD, "channel": "portal", "next": "/portal",
                                    "csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert r.status_code == 303
    assert 'href="/portal/help"' in client.get("/portal").text
    hit = client.get("/portal/help", params={"q": "卡坏了"}).text
    assert "帮助" in hit and "卡片<mark>坏了</mark>或丢了怎么办" in hit
    everything = client.get("/portal/help", params={"q": "二线处理流程 终端故障排查"}).text
    assert "（内部）" not in everything
    internal = _article_id(database, "二线处理流程（内部）")
    assert client.get(f"/portal/help/{internal}").status_code == 404
    public = _article_id(database, "卡片坏了或丢了怎么办？能挂失、补卡吗？")
    view = client.get(f"/portal/help/{public}").text
    assert "个人服务门户" in view and "身份证" in view
    # the console's knowledge base is for staff: a member session gets no maintainer form
    assert client.get("/console/kb/new").status_code == 403
