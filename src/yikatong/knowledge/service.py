"""The knowledge base (S7): articles written and published by service staff, read by agents and
engineers, and — the public ones — by members and enterprise admins in self-service.

Roles: operator, agent_l2 and tech_support maintain articles (create, edit, publish, unpublish,
archive) and see every state; agent_l1, account managers and field engineers read published
articles; enterprise admins and members read published *public* articles only. Anything a role
may not read is a 404, so drafts and internal notes are not revealed."""

from __future__ import annotations

from sqlalchemy import Select, func, literal, select
from sqlalchemy.orm import Session

from yikatong.audit import service as audit
from yikatong.auth.tenancy import require_role
from yikatong.core import clock
from yikatong.core.actor import SYSTEM, Actor, Role
from yikatong.core.errors import Forbidden, NotFound
from yikatong.core.pagination import Page, PageParams
from yikatong.core.statemachine import StateMachine
from yikatong.knowledge import search
from yikatong.knowledge.models import Article, ArticleRevision, ArticleStatus, Audience
from yikatong.knowledge.schemas import ArticleHit

MAINTAINERS = (Role.operator, Role.agent_l2, Role.tech_support)
INTERNAL_READERS = (*MAINTAINERS, Role.agent_l1, Role.account_manager, Role.field_engineer)
PUBLIC_READERS = (Role.enterprise_admin, Role.member)
# A suggestion must at least match the title once or the body three times: below that a long
# work-order description matches almost anything by a common bigram.
MIN_SUGGEST_SCORE = search.TITLE_WEIGHT

ARTICLE = StateMachine("kb_article", {
    (ArticleStatus.draft, "edit"): ArticleStatus.draft,
    (ArticleStatus.published, "edit"): ArticleStatus.published,
    (ArticleStatus.draft, "publish"): ArticleStatus.published,
    (ArticleStatus.published, "unpublish"): ArticleStatus.draft,
    (ArticleStatus.draft, "archive"): ArticleStatus.archived,
    (ArticleStatus.published, "archive"): ArticleStatus.archived,
})

_AUDITED = ["title", "category", "audience", "status", "revision"]


def can_maintain(actor: Actor) -> bool:
    return actor.role is None or actor.role in MAINTAINERS


def _readable(actor: Actor) -> tuple[bool, tuple[str, ...]]:
    """(every status?, the audiences) this actor reads; other roles (terminals) are refused."""
    if can_maintain(actor):
        return True, (Audience.public.value, Audience.internal.value)
    if actor.role in INTERNAL_READERS:
        return False, (Audience.public.value, Audience.internal.value)
    if actor.role in PUBLIC_READERS:
        return False, (Audience.public.value,)
    raise Forbidden(f"the role '{actor.role}' may not read the knowledge base", code="role_not_allowed")


def _visible(stmt: Select, actor: Actor, status: str | None) -> Select:
    every_status, audiences = _readable(actor)
    if not every_status:
        stmt = stmt.where(Article.status == ArticleStatus.published.value)
    if status:
        stmt = stmt.where(Article.status == status)
    return stmt.where(Article.audience.in_(audiences))


def get_article(db: Session, *, actor: Actor, article_id: int, lock: bool = False) -> Article:
    """S7: one article, if this actor may read it (else 404: drafts and internal notes stay hidden)."""
    stmt = _visible(select(Article).where(Article.id == article_id), actor, None)
    found = db.scalar(stmt.with_for_update() if lock else stmt)
    if found is None:
        raise NotFound("no such article", code="kb_article_not_found")
    return found


def _hit(article: Article, terms: list[str], score: int = 0) -> ArticleHit:
    matched = [t for t in terms if t in search.fold(article.title) or t in search.fold(article.body)]
    return ArticleHit(id=article.id, title=article.title, category=article.category, audience=article.audience,
                      status=article.status, revision=article.revision, updated_at=article.updated_at,
                      snippet=search.snippet(article.body, terms), score=score, matched=matched)


def list_articles(db: Session, *, actor: Actor, page: PageParams, q: str | None = None, category: str | None = None,
                  status: str | None = None, audience: str | None = None) -> Page[ArticleHit]:
    """S7: articles this actor may read, filtered; with ``q`` a Chinese search ranked by matched
    terms (title matches weigh more). A search covers published articles unless a maintainer
    asks for another ``status``; without ``q`` maintainers see every state, newest edit first."""
    terms = search.query_terms(q or "")
    if q and not terms:  # only punctuation: nothing can match
        return Page(items=[], total=0, limit=page.limit, offset=page.offset)
    if terms:
        scored = search.scores(terms).subquery()
        stmt = (select(Article, scored.c.score).join(scored, scored.c.article_id == Article.id)
                .order_by(scored.c.score.desc(), scored.c.matched.desc(), Article.id.desc()))
        status = status or ArticleStatus.published.value
    else:
        stmt = select(Article, literal(0)).order_by(Article.updated_at.desc(), Article.id.desc())
    stmt = _visible(stmt, actor, status)
    if category:
        stmt = stmt.where(Article.category == category)
    if audience:
        stmt = stmt.where(Article.audience == audience)
    total = db.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = db.execute(stmt.limit(page.limit).offset(page.offset)).all()
    return Page(items=[_hit(a, terms, int(score or 0)) for a, score in rows], total=total, limit=page.limit,
                offset=page.offset)


def suggest(db: Session, *, actor: Actor, text: str, limit: int = 5) -> list[ArticleHit]:
    """S1/S7: the published articles most relevant to what an agent is typing into a work order
    (its title and description), best first; nothing for text that matches nothing well."""
    terms = search.query_terms(text)
    if not terms:
        return []
    scored = search.scores(terms).subquery()
    stmt = (select(Article, scored.c.score).join(scored, scored.c.article_id == Article.id)
            .where(scored.c.score >= MIN_SUGGEST_SCORE)
            .order_by(scored.c.score.desc(), scored.c.matched.desc(), Article.id.desc()))
    stmt = _visible(stmt, actor, ArticleStatus.published.value).limit(max(1, min(limit, 20)))
    return [_hit(a, terms, int(score)) for a, score in db.execute(stmt).all()]


def _save_revision(db: Session, *, actor: Actor, article: Article) -> None:
    db.add(ArticleRevision(article_id=article.id, revision=article.revision, title=article.title, body=article.body,
                           category=article.category, audience=article.audience, editor_id=actor.user_id,
                           editor_name=actor.username, created_at=clock.now()))


def create_article(db: Session, *, actor: Actor, title: str, body: str, category: str, audience: str,
                   seed_key: str | None = None) -> Article:
    """S7: a new article starts as a draft, revision 1 (kept), indexed for search, audited (X4)."""
    require_role(actor, MAINTAINERS)
    now = clock.now()
    article = Article(title=title, body=body, category=category, audience=audience, seed_key=seed_key,
                      status=ArticleStatus.draft.value, revision=1, author_id=actor.user_id,
                      author_name=actor.username, updated_by_name=actor.username, created_at=now, updated_at=now)
    db.add(article)
    db.flush()
    _save_revision(db, actor=actor, article=article)
    search.reindex(db, article_id=article.id, title=title, body=body)
    audit.record(db, actor=actor, action="kb.create", entity_type="kb_article", entity_id=article.id,
                 enterprise_id=None, after=audit.snapshot(article, _AUDITED))
    return article


def update_article(db: Session, *, actor: Actor, article_id: int, title: str | None = None, body: str | None = None,
                   category: str | None = None, audience: str | None = None) -> Article:
    """S7: edit a draft or published article (an archived one is a 409). A change makes a new
    revision number, keeping who and when; the search terms are rewritten in the same transaction."""
    require_role(actor, MAINTAINERS)
    article = get_article(db, actor=actor, article_id=article_id, lock=True)
    ARTICLE.next_state(article.status, "edit")
    changes = {k: v for k, v in {"title": title, "body": body, "category": category, "audience": audience}.items()
               if v is not None and v != getattr(article, k)}
    if not changes:
        return article
    before = audit.snapshot(article, _AUDITED)
    for key, value in changes.items():
        setattr(article, key, value)
    article.revision += 1
    article.updated_at, article.updated_by_name = clock.now(), actor.username
    _save_revision(db, actor=actor, article=article)
    if "title" in changes or "body" in changes:
        search.reindex(db, article_id=article.id, title=article.title, body=article.body)
    audit.record(db, actor=actor, action="kb.edit", entity_type="kb_article", entity_id=article.id,
                 enterprise_id=None, before=before,
                 after=audit.snapshot(article, _AUDITED) | {"changed": sorted(changes)})
    return article


def _transition(db: Session, *, actor: Actor, article_id: int, action: str) -> Article:
    require_role(actor, MAINTAINERS)
    article = get_article(db, actor=actor, article_id=article_id, lock=True)
    target = ARTICLE.next_state(article.status, action)
    before = audit.snapshot(article, _AUDITED)
    article.status = target.value
    article.updated_at, article.updated_by_name = clock.now(), actor.username
    if target == ArticleStatus.published:
        article.published_at = article.updated_at
    audit.record(db, actor=actor, action=f"kb.{action}", entity_type="kb_article", entity_id=article.id,
                 enterprise_id=None, before=before, after=audit.snapshot(article, _AUDITED))
    return article


def publish(db: Session, *, actor: Actor, article_id: int) -> Article:
    """S7: draft → published; readers (and the search) see it from now on."""
    return _transition(db, actor=actor, article_id=article_id, action="publish")


def unpublish(db: Session, *, actor: Actor, article_id: int) -> Article:
    """S7: published → draft; hidden from readers until published again."""
    return _transition(db, actor=actor, article_id=article_id, action="unpublish")


def archive(db: Session, *, actor: Actor, article_id: int) -> Article:
    """S7: draft or published → archived, for good: kept with its revisions, never shown to readers."""
    return _transition(db, actor=actor, article_id=article_id, action="archive")


def revisions(db: Session, *, actor: Actor, article_id: int) -> list[ArticleRevision]:
    """S7: an article's saved versions, newest first (maintainers only)."""
    require_role(actor, MAINTAINERS)
    get_article(db, actor=actor, article_id=article_id)
    return list(db.scalars(select(ArticleRevision).where(ArticleRevision.article_id == article_id)
                           .order_by(ArticleRevision.revision.desc())))


def seed_faq(db: Session) -> int:
    """S7: load the built-in FAQ and technical notes (``faq.py``) as published articles; those
    already loaded (by their seed key, even if staff edited or archived them since) are left
    alone, so this can run on every ``ykt init``. Returns how many were added."""
    from yikatong.knowledge.faq import ARTICLES

    existing = set(db.scalars(select(Article.seed_key).where(Article.seed_key.is_not(None))))
    added = 0
    for entry in ARTICLES:
        if entry.key in existing:
            continue
        article = create_article(db, actor=SYSTEM, title=entry.title, body=entry.body, category=entry.category.value,
                                 audience=entry.audience.value, seed_key=entry.key)
        publish(db, actor=SYSTEM, article_id=article.id)
        added += 1
    return added
