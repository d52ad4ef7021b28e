"""帮助 in the personal portal (S7 self-service): card holders search the published public
articles of the knowledge base (the FAQ) and read them; internal notes and drafts never show."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from yikatong.core.ids import PathId
from yikatong.deps import DB
from yikatong.knowledge import search
from yikatong.knowledge import service as kb
from yikatong.web.errors import ConsoleRoute
from yikatong.web.i18n import translator_for
from yikatong.web.pages.common import Pager, page_params
from yikatong.web.pages.knowledge import CATEGORIES, Labels, article_for, blocks
from yikatong.web.session import CurrentMember
from yikatong.web.templating import render

router = APIRouter(prefix="/portal/help", route_class=ConsoleRoute, include_in_schema=False)

BASE = "/portal/help"
PER_PAGE = 10


@router.get("")
def help_page(request: Request, console: CurrentMember, db: DB) -> Response:
    q = request.query_params.get("q", "").strip()[:200]
    category = request.query_params.get("category", "")
    category = category if category in CATEGORIES else ""
    page = kb.list_articles(db, actor=console.actor, page=page_params(request, PER_PAGE), q=q or None,
                            category=category or None)
    terms = search.query_terms(q)
    return render(request, "knowledge/portal_help.html", {
        "base": BASE, "kbl": Labels(translator_for(request)), "categories": list(CATEGORIES),
        "filters": {"q": q, "category": category}, "pager": Pager(page, BASE, {"q": q, "category": category}),
        "hl": lambda text: search.segments(text, terms), "nav": "help",
    })


@router.get("/{article_id}")
def help_article(request: Request, article_id: PathId, console: CurrentMember, db: DB) -> Response:
    article = article_for(db, console, article_id)
    terms = search.query_terms(request.query_params.get("q", "")[:200])
    return render(request, "knowledge/portal_article.html", {
        "base": BASE, "kbl": Labels(translator_for(request)), "article": article,
        "title": search.segments(article.title, terms), "blocks": blocks(article.body, terms), "nav": "help",
    })
