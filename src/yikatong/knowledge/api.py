from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from yikatong.core.ids import PathId
from yikatong.core.pagination import PageOut, PageParams, page_params
from yikatong.deps import DB, CurrentActor, Work
from yikatong.knowledge import service
from yikatong.knowledge.models import ArticleStatus, Audience, Category
from yikatong.knowledge.schemas import ArticleHit, ArticleIn, ArticleOut, ArticlePatch

router = APIRouter(prefix="/kb", tags=["knowledge base"])


@router.get("/articles", response_model=PageOut[ArticleHit],
            summary="List or search (Chinese, ranked) the articles the caller may read (S7)")
def list_articles(actor: CurrentActor, db: DB, page: Annotated[PageParams, Depends(page_params)],
                  q: Annotated[str | None, Query(max_length=200,
                                                 description="search words; Chinese needs no spaces")] = None,
                  category: Category | None = None, status: ArticleStatus | None = None,
                  audience: Audience | None = None) -> PageOut[ArticleHit]:
    found = service.list_articles(db, actor=actor, page=page, q=q, category=category and category.value,
                                  status=status and status.value, audience=audience and audience.value)
    return PageOut(items=found.items, total=found.total)


@router.get("/suggest", response_model=list[ArticleHit],
            summary="Articles relevant to a work order's text, best first (S1, S7)")
def suggest(actor: CurrentActor, db: DB,
            text: Annotated[str, Query(max_length=4000, description="the order's title and description")],
            limit: Annotated[int, Query(ge=1, le=20)] = 5) -> list[ArticleHit]:
    return service.suggest(db, actor=actor, text=text, limit=limit)


@router.get("/articles/{article_id}", response_model=ArticleOut)
def get_article(article_id: PathId, actor: CurrentActor, db: DB) -> ArticleOut:
    return ArticleOut.model_validate(service.get_article(db, actor=actor, article_id=article_id))


@router.post("/articles", response_model=ArticleOut, status_code=201, summary="A new draft article (S7)")
def create_article(body: ArticleIn, work: Work) -> ArticleOut:
    with work.write() as (db, actor):
        article = service.create_article(db, actor=actor, title=body.title, body=body.body,
                                         category=body.category.value, audience=body.audience.value)
        return ArticleOut.model_validate(article)


@router.patch("/articles/{article_id}", response_model=ArticleOut, summary="Edit an article: a new revision (S7)")
def update_article(article_id: PathId, body: ArticlePatch, work: Work) -> ArticleOut:
    with work.write() as (db, actor):
        article = service.update_article(db, actor=actor, article_id=article_id, title=body.title, body=body.body,
                                         category=body.category and body.category.value,
                                         audience=body.audience and body.audience.value)
        return ArticleOut.model_validate(article)


def _transition(action: str):
    def endpoint(article_id: PathId, work: Work) -> ArticleOut:
        with work.write() as (db, actor):
            return ArticleOut.model_validate(getattr(service, action)(db, actor=actor, article_id=article_id))

    endpoint.__name__ = f"{action}_article"
    return endpoint


for _action, _summary in (("publish", "Publish a draft (S7)"), ("unpublish", "Back to draft (S7)"),
                          ("archive", "Archive a draft or published article (S7)")):
    router.add_api_route(f"/articles/{{article_id}}/{_action}", _transition(_action), methods=["POST"],
                         response_model=ArticleOut, summary=_summary)
