"""S7: who may read and maintain articles, the draft → published → archived machine, revisions
(who/when), the audit trail (X4) and the idempotent starting content."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from yikatong.audit.models import AuditEntry
from yikatong.core.actor import SYSTEM, Actor, Channel, Role
from yikatong.core.errors import Forbidden, IllegalTransition, NotFound
from yikatong.core.pagination import PageParams
from yikatong.knowledge import service
from yikatong.knowledge.faq import ARTICLES
from yikatong.knowledge.models import Article, ArticleTerm


def actor(role: Role, name: str | None = None) -> Actor:
    return Actor(user_id=None, username=name or role.value, role=role, channel=Channel.website, enterprise_id=1)


L2, L1, MEMBER, ADMIN = actor(Role.agent_l2, "li"), actor(Role.agent_l1), actor(Role.member), actor(
    Role.enterprise_admin)


def _article(db, *, audience="public", title="门禁打不开怎么办", publish=True):
    a = service.create_article(db, actor=L2, title=title, body="检查门禁组的时段。", category="terminal",
                               audience=audience)
    if publish:
        service.publish(db, actor=L2, article_id=a.id)
    return a


def _ids(db, who, **kw):
    return [h.id for h in service.list_articles(db, actor=who, page=PageParams(limit=50), **kw).items]


def test_r_s7_new_article_is_a_draft_with_revision_one_and_audited(session, clock):
    a = _article(session, publish=False)
    assert (a.status, a.revision, a.author_name, a.created_at) == ("draft", 1, "li", clock.now())
    entry = session.scalar(select(AuditEntry).where(AuditEntry.entity_type == "kb_article",
                                                    AuditEntry.entity_id == str(a.id)))
    assert entry.action == "kb.create" and entry.actor_username == "li" and entry.after["status"] == "draft"


def test_r_s7_drafts_are_hidden_from_readers_and_search(session):
    draft = _article(session, publish=False)
    for who in (L1, MEMBER, ADMIN):
        with pytest.raises(NotFound):
            service.get_article(session, actor=who, article_id=draft.id)
        assert draft.id not in _ids(session, who) and draft.id not in _ids(session, who, q="门禁")
        assert _ids(session, who, status="draft") == []
    # maintainers see it in the list and can ask the search for drafts
    assert draft.id in _ids(session, L2) and draft.id not in _ids(session, L2, q="门禁")
    assert _ids(session, L2, q="门禁", status="draft") == [draft.id]
    assert service.suggest(session, actor=L1, text="门禁打不开") == []


def test_r_s7_members_and_admins_read_public_articles_only(session):
    public, internal = _article(session), _article(session, audience="internal", title="门禁内部排查")
    for who in (MEMBER, ADMIN):
        assert service.get_article(session, actor=who, article_id=public.id).id == public.id
        with pytest.raises(NotFound):
            service.get_article(session, actor=who, article_id=internal.id)
        assert _ids(session, who, q="门禁") == [public.id]
        assert [h.id for h in service.suggest(session, actor=who, text="门禁")] == [public.id]
    for who in (L1, actor(Role.field_engineer)):
        assert set(_ids(session, who, q="门禁")) == {public.id, internal.id}
        assert service.get_article(session, actor=who, article_id=internal.id).id == internal.id


@pytest.mark.parametrize("role", [Role.agent_l1, Role.field_engineer, Role.enterprise_admin, Role.member,
                                  Role.account_manager])
def test_r_s7_only_maintainers_write(session, role):
    a = _article(session)
    who = actor(role)
    with pytest.raises(Forbidden):
        service.create_article(session, actor=who, title="x", body="y", category="cards", audience="public")
    for call in (lambda: service.update_article(session, actor=who, article_id=a.id, title="改"),
                 lambda: service.publish(session, actor=who, article_id=a.id),
                 lambda: service.unpublish(session, actor=who, article_id=a.id),
                 lambda: service.archive(session, actor=who, article_id=a.id)):
        with pytest.raises(Forbidden):
            call()
    assert session.get(Article, a.id).status == "published"


@pytest.mark.parametrize("role", [Role.operator, Role.agent_l2, Role.tech_support])
def test_r_s7_maintainer_roles_create_and_publish(session, role):
    a = service.create_article(session, actor=actor(role), title="t", body="b", category="technical",
                               audience="internal")
    assert service.publish(session, actor=actor(role), article_id=a.id).status == "published"


def test_r_s7_terminals_may_not_read(session):
    a = _article(session)
    with pytest.raises(Forbidden):
        service.get_article(session, actor=actor(Role.terminal), article_id=a.id)


def test_r_s7_state_machine_transitions_and_refusals(session, clock):
    a = _article(session, publish=False)
    with pytest.raises(IllegalTransition) as e:
        service.unpublish(session, actor=L2, article_id=a.id)
    assert e.value.code == "kb_article_draft"
    clock.advance(minutes=5)
    assert service.publish(session, actor=L2, article_id=a.id).published_at == clock.now()
    with pytest.raises(IllegalTransition) as e:
        service.publish(session, actor=L2, article_id=a.id)
    assert e.value.code == "kb_article_published"
    assert service.unpublish(session, actor=L2, article_id=a.id).status == "draft"
    assert service.publish(session, actor=L2, article_id=a.id).status == "published"
    assert service.archive(session, actor=L2, article_id=a.id).status == "archived"
    for action in (service.publish, service.unpublish, service.archive):
        with pytest.raises(IllegalTransition) as e:
            action(session, actor=L2, article_id=a.id)
        assert e.value.code == "kb_article_archived"
    with pytest.raises(IllegalTransition):
        service.update_article(session, actor=L2, article_id=a.id, title="改")
    with pytest.raises(NotFound):
        service.get_article(session, actor=L1, article_id=a.id)
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.entity_id == str(a.id),
                                                              AuditEntry.entity_type == "kb_article")
                              .order_by(AuditEntry.id)).all()
    assert actions == ["kb.create", "kb.publish", "kb.unpublish", "kb.publish", "kb.archive"]


def test_r_s7_draft_can_be_archived(session):
    a = _article(session, publish=False)
    assert service.archive(session, actor=L2, article_id=a.id).status == "archived"


def test_r_s7_edit_makes_a_new_revision_keeping_who_and_when(session, clock):
    a = _article(session)
    clock.advance(hours=1)
    other = actor(Role.tech_support, "wang")
    edited = service.update_article(session, actor=other, article_id=a.id, body="先检查终端电源。")
    assert (edited.revision, edited.status, edited.updated_by_name, edited.updated_at) == (2, "published", "wang",
                                                                                           clock.now())
    assert edited.author_name == "li"
    # nothing changed: no new revision
    assert service.update_article(session, actor=other, article_id=a.id, body="先检查终端电源。").revision == 2
    revs = service.revisions(session, actor=L2, article_id=a.id)
    assert [(r.revision, r.editor_name, r.body) for r in revs] == [(2, "wang", "先检查终端电源。"),
                                                                   (1, "li", "检查门禁组的时段。")]
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "kb.edit")).one()
    assert entry.before["revision"] == 1 and entry.after["revision"] == 2 and entry.after["changed"] == ["body"]
    with pytest.raises(Forbidden):
        service.revisions(session, actor=L1, article_id=a.id)


def test_r_s7_seed_faq_is_idempotent_and_published(session):
    assert service.seed_faq(session) == len(ARTICLES) >= 16
    session.flush()
    assert service.seed_faq(session) == 0
    rows = session.scalars(select(Article)).all()
    assert len(rows) == len(ARTICLES) and {a.status for a in rows} == {"published"}
    public = [a for a in rows if a.audience == "public"]
    internal = [a for a in rows if a.audience == "internal"]
    assert len(public) >= 12 and 3 <= len(internal) <= 4
    assert session.scalar(select(ArticleTerm).limit(1)) is not None
    # an archived seed article is not brought back
    service.archive(session, actor=SYSTEM, article_id=rows[0].id)
    assert service.seed_faq(session) == 0


def test_r_s7_seed_content_says_what_yikatong_does():
    text = {a.key: a.title + a.body for a in ARTICLES}
    assert "只能有一张" in text["faq-one-card-per-number"]
    assert "不能" in text["faq-no-transfer"] and "不能转给其他人" in text["faq-balance-transfer"]
    assert "空中充值" in text["faq-topup"] and "批量" in text["faq-topup"] and "充值机" in text["faq-topup"]
    assert "最后一笔" in text["faq-cashier-mistake"] and "只能撤消一次" in text["faq-cashier-mistake"]
    assert "企业管理员" in text["faq-balance-validity"]
    assert "不能互相转换" in text["faq-topup"]
