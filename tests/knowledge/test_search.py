"""S7: Chinese search without extensions — bigram tokens, ranking with title weight, the FAQ's
questions found by the words a caller would use, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from yikatong.core.actor import SYSTEM, Actor, Channel, Role
from yikatong.core.pagination import PageParams
from yikatong.knowledge import search, service

AGENT = Actor(user_id=None, username="l1", role=Role.agent_l1, channel=Channel.hotline)


def test_r_s7_tokeniser_cuts_chinese_into_bigrams_and_ascii_into_words():
    assert search.query_terms("余额有效期") == ["余额", "额有", "有效", "效期"]
    assert search.query_terms("RFID-SIM 充值") == ["rfid", "sim", "充值"]
    assert search.query_terms("POS机 无应用") == ["pos", "机", "无应", "应用"]
    assert search.query_terms("ＰＯＳ卡") == ["pos", "卡"]  # full width folded, one character alone
    assert search.query_terms("？！,.") == []
    indexed = search.index_terms("卡片坏了")
    assert {"卡片", "片坏", "坏了", "卡", "片", "坏", "了"} == indexed


def test_r_s7_highlight_and_snippet_keep_the_original_text():
    segs = search.segments("POS机提示“IC卡无应用”", search.query_terms("pos机 无应用"))
    assert [(s.text, s.hit) for s in segs] == [("POS机", True), ("提示“IC卡", False), ("无应用", True),
                                               ("”", False)]
    body = "甲" * 200 + "充值" + "乙" * 200
    snip = search.snippet(body, ["充值"])
    assert "充值" in snip and snip.startswith("…") and snip.endswith("…") and len(snip) <= search.SNIPPET_CHARS + 2


@pytest.fixture
def faq(session):
    service.seed_faq(session)
    session.flush()
    return session


def _top(db, q, actor=AGENT):
    return service.list_articles(db, actor=actor, page=PageParams(limit=5), q=q).items


@pytest.mark.parametrize("query, expected", [
    ("RFID-SIM 充值", "如何为 RFID-SIM 卡充值？"),
    ("卡坏了", "卡片坏了或丢了怎么办？能挂失、补卡吗？"),
    ("余额有效期", "电子钱包的余额有有效期吗？"),
    ("POS机 无应用", "为什么有的地方消费时 POS 机提示“IC卡无应用”？"),
    ("过户", "一卡通卡片或手机号码能过户给别人吗？"),
    ("换号码", "我换了手机号码，一卡通怎么办？"),
])
def test_r_s7_search_finds_the_faq_answer_first(faq, query, expected):
    hits = _top(faq, query)
    assert hits, query
    assert hits[0].title == expected
    assert hits[0].score > (hits[1].score if len(hits) > 1 else 0)
    assert hits[0].matched


def test_r_s7_title_matches_rank_above_body_matches(session):
    body_only = service.create_article(session, actor=SYSTEM, title="其他问题", body="这里讲到了门禁权限的设置。",
                                       category="business", audience="public")
    in_title = service.create_article(session, actor=SYSTEM, title="门禁权限", body="见下。",
                                      category="business", audience="public")
    for a in (body_only, in_title):
        service.publish(session, actor=SYSTEM, article_id=a.id)
    hits = _top(session, "门禁权限")
    assert [h.id for h in hits] == [in_title.id, body_only.id]
    assert hits[0].score == 3 * search.TITLE_WEIGHT and hits[1].score == 3 * search.BODY_WEIGHT
    assert "门禁权限" in hits[1].snippet


def test_r_s7_one_character_query_matches_single_characters(faq):
    hits = _top(faq, "坏")
    assert hits and hits[0].title.startswith("卡片坏了")


def test_r_s7_search_of_punctuation_or_unknown_words_finds_nothing(faq):
    assert _top(faq, "？？") == []
    assert _top(faq, "量子纠缠") == []


def test_r_s7_edit_reindexes_in_the_same_transaction(session):
    a = service.create_article(session, actor=SYSTEM, title="旧标题", body="旧内容", category="cards",
                               audience="public")
    service.publish(session, actor=SYSTEM, article_id=a.id)
    assert [h.id for h in _top(session, "旧标题")] == [a.id]
    service.update_article(session, actor=SYSTEM, article_id=a.id, title="门禁刷不开", body="检查门禁组。")
    assert _top(session, "旧标题") == []
    assert [h.id for h in _top(session, "刷不开")] == [a.id]


def test_r_s7_suggest_ranks_articles_for_a_work_order_text(faq):
    hits = service.suggest(faq, actor=AGENT, text="客户来电：食堂POS机刷卡提示IC卡无应用，无法消费")
    assert hits and hits[0].title.startswith("为什么有的地方消费时 POS 机")
    assert len(hits) <= 5
    assert service.suggest(faq, actor=AGENT, text="客户说卡坏了", limit=1)[0].title.startswith("卡片坏了")
    assert service.suggest(faq, actor=AGENT, text="   ") == []
    assert service.suggest(faq, actor=AGENT, text="量子纠缠") == []
