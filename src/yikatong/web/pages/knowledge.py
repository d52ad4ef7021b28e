"""The knowledge base in the console (S7): search with highlighted matches, category filter and
paging for every service role; the article with its revisions; create, edit, publish, unpublish
and archive (after a confirmation) for the maintainers; and the suggestions fragment the
work-order pages load while an agent types (``/console/kb/suggest?text=``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from yikatong.core.errors import Forbidden, NotFound, YktError
from yikatong.core.ids import PathId
from yikatong.core.validation import validated
from yikatong.deps import DB
from yikatong.knowledge import search
from yikatong.knowledge import service as kb
from yikatong.knowledge.models import Article, ArticleStatus, Audience, Category
from yikatong.knowledge.schemas import ArticleIn
from yikatong.web.errors import ConsoleRoute
from yikatong.web.forms import Csrf, Fields
from yikatong.web.i18n import N_, Translator, translator_for
from yikatong.web.pages.common import FormFailure, Pager, form_failure, is_fragment, page_params
from yikatong.web.session import Console, CurrentConsole
from yikatong.web.templating import redirect, render

router = APIRouter(prefix="/console/kb", route_class=ConsoleRoute, include_in_schema=False)

BASE = "/console/kb"
PER_PAGE = 20
RESULTS_ID = "kb-results"

CATEGORIES = {
    Category.business.value: N_("Business questions"),
    Category.cards.value: N_("Cards"),
    Category.purse.value: N_("Top-up and payment"),
    Category.terminal.value: N_("Terminals"),
    Category.engineering.value: N_("Engineering"),
    Category.technical.value: N_("Technical notes"),
}
STATUSES = {ArticleStatus.draft.value: N_("Draft"), ArticleStatus.published.value: N_("Published"),
            ArticleStatus.archived.value: N_("Archived")}
AUDIENCES = {Audience.public.value: N_("Public"), Audience.internal.value: N_("Internal")}
KB_ERRORS = {
    "kb_article_draft": N_("The article is a draft: publish it first."),
    "kb_article_published": N_("The article is already published."),
    "kb_article_archived": N_("The article is archived: it can no longer be changed."),
}


@dataclass(frozen=True)
class Labels:
    """The display names of categories, states and audiences, for one reader's language."""

    t: Translator

    def category(self, value: str) -> str:
        return self.t.gettext(CATEGORIES.get(value, value))

    def status(self, value: str) -> str:
        return self.t.gettext(STATUSES.get(value, value))

    def audience(self, value: str) -> str:
        return self.t.gettext(AUDIENCES.get(value, value))


@dataclass(frozen=True)
class Block:
    kind: str  # "p", "ul" or "ol"
    lines: list[list[search.Segment]]


_BULLET, _NUMBER = re.compile(r"^[-*•]\s+"), re.compile(r"^\d+[.、]\s*")


def blocks(body: str, terms: list[str]) -> list[Block]:
    """The body's simple markdown — paragraphs, "- " and "1. " lists — as blocks of highlighted
    lines (the template escapes every piece: no HTML is ever taken from an article)."""
    out: list[Block] = []
    for para in re.split(r"\n\s*\n", body.strip()):
        lines = [ln.strip() for ln in para.splitlines() if ln.strip()]
        for line in lines:
            kind = "ul" if _BULLET.match(line) else "ol" if _NUMBER.match(line) else "p"
            text = _BULLET.sub("", line) if kind == "ul" else _NUMBER.sub("", line) if kind == "ol" else line
            if out and out[-1].kind == kind and kind != "p":
                out[-1].lines.append(search.segments(text, terms))
            else:
                out.append(Block(kind, [search.segments(text, terms)]))
    return out


def describe(request: Request, db: Session, exc: YktError) -> FormFailure:
    failure = form_failure(request, db, exc)
    if exc.code in KB_ERRORS:
        failure.message = translator_for(request).gettext(KB_ERRORS[exc.code])
    return failure


def article_for(db: Session, console: Console, article_id: int) -> Article:
    """The article if this reader may see it; anything else is the plain "no such page"."""
    try:
        return kb.get_article(db, actor=console.actor, article_id=article_id)
    except NotFound:
        raise NotFound("no such page", code="not_found") from None


def _filters(request: Request, maintainer: bool) -> dict[str, str]:
    q = request.query_params
    category = q.get("category", "")
    status = q.get("status", "") if maintainer else ""
    return {"q": q.get("q", "").strip()[:200], "category": category if category in CATEGORIES else "",
            "status": status if status in STATUSES else ""}


def _common(request: Request, console: Console) -> dict:
    return {"base": BASE, "kbl": Labels(translator_for(request)), "categories": list(CATEGORIES),
            "statuses": list(STATUSES), "maintainer": kb.can_maintain(console.actor), "nav": "kb"}


@router.get("")
def article_list(request: Request, console: CurrentConsole, db: DB) -> Response:
    maintainer = kb.can_maintain(console.actor)
    filters = _filters(request, maintainer)
    page = kb.list_articles(db, actor=console.actor, page=page_params(request, PER_PAGE), q=filters["q"] or None,
                            category=filters["category"] or None, status=filters["status"] or None)
    terms = search.query_terms(filters["q"])
    context = _common(request, console) | {
        "filters": filters, "pager": Pager(page, BASE, filters), "results_id": RESULTS_ID, "terms": terms,
        "hl": lambda text: search.segments(text, terms),
    }
    if is_fragment(request, RESULTS_ID):
        return render(request, "knowledge/_results.html", context, flash=False)
    return render(request, "knowledge/list.html", context)


@router.get("/suggest")
def suggestions(request: Request, console: CurrentConsole, db: DB) -> Response:
    """A fragment for the work-order form: the articles that fit what is typed so far (S1)."""
    text = request.query_params.get("text", "")[:4000]
    hits = kb.suggest(db, actor=console.actor, text=text)
    terms = search.query_terms(text)
    return render(request, "knowledge/_suggestions.html", _common(request, console) | {
        "hits": hits, "hl": lambda s: search.segments(s, terms)}, flash=False)


def _form(request: Request, console: Console, values: dict[str, str], *, article: Article | None = None,
          failure: FormFailure | None = None) -> Response:
    return render(request, "knowledge/form.html", _common(request, console) | {
        "values": values, "article": article, "failure": failure, "audiences": list(AUDIENCES),
    }, status_code=failure.status_code if failure else 200)


def _values(form: dict[str, str]) -> dict[str, str]:
    return {"title": form.get("title", "")[:300], "body": form.get("body", "")[:25_000],
            "category": form.get("category", ""), "audience": form.get("audience", "")}


def _require_maintainer(console: Console) -> None:
    if not kb.can_maintain(console.actor):
        raise Forbidden("only knowledge-base maintainers", code="role_not_allowed")


@router.get("/new")
def new_form(request: Request, console: CurrentConsole) -> Response:
    _require_maintainer(console)
    return _form(request, console, {"category": Category.business.value, "audience": Audience.public.value})


@router.post("/new", dependencies=[Csrf])
def create(request: Request, console: CurrentConsole, db: DB, form: Fields) -> Response:
    """S7: a new draft; the writer publishes it from its page."""
    values = _values(form)
    try:
        data = validated(ArticleIn, **values)
        article = kb.create_article(db, actor=console.actor, title=data.title, body=data.body,
                                    category=data.category.value, audience=data.audience.value)
    except YktError as exc:
        return _form(request, console, values, failure=describe(request, db, exc))
    return redirect(request, f"{BASE}/{article.id}")


def _view(request: Request, db: Session, console: Console, article: Article, *,
          failure: FormFailure | None = None) -> Response:
    terms = search.query_terms(request.query_params.get("q", "")[:200])
    maintainer = kb.can_maintain(console.actor)
    return render(request, "knowledge/article.html", _common(request, console) | {
        "article": article, "title": search.segments(article.title, terms), "blocks": blocks(article.body, terms),
        "revisions": kb.revisions(db, actor=console.actor, article_id=article.id) if maintainer else [],
        "actions": kb.ARTICLE.allowed_actions(article.status) if maintainer else [], "failure": failure,
    }, status_code=failure.status_code if failure else 200)


@router.get("/{article_id}")
def article_page(request: Request, article_id: PathId, console: CurrentConsole, db: DB) -> Response:
    return _view(request, db, console, article_for(db, console, article_id))


@router.get("/{article_id}/edit")
def edit_form(request: Request, article_id: PathId, console: CurrentConsole, db: DB) -> Response:
    _require_maintainer(console)
    article = article_for(db, console, article_id)
    return _form(request, console, {k: getattr(article, k) for k in ("title", "body", "category", "audience")},
                 article=article)


@router.post("/{article_id}/edit", dependencies=[Csrf])
def save(request: Request, article_id: PathId, console: CurrentConsole, db: DB, form: Fields) -> Response:
    """S7: a saved change is a new revision; a published article stays published."""
    _require_maintainer(console)
    article = article_for(db, console, article_id)
    values = _values(form)
    try:
        data = validated(ArticleIn, **values)
        kb.update_article(db, actor=console.actor, article_id=article_id, title=data.title, body=data.body,
                          category=data.category.value, audience=data.audience.value)
    except YktError as exc:
        failure = describe(request, db, exc)
        return _form(request, console, values, article=article_for(db, console, article_id), failure=failure)
    return redirect(request, f"{BASE}/{article.id}")


def _act(request: Request, db: Session, console: Console, article_id: int, action: str) -> Response:
    _require_maintainer(console)
    article_for(db, console, article_id)
    try:
        getattr(kb, action)(db, actor=console.actor, article_id=article_id)
    except YktError as exc:
        failure = describe(request, db, exc)
        return _view(request, db, console, article_for(db, console, article_id), failure=failure)
    return redirect(request, f"{BASE}/{article_id}")


@router.post("/{article_id}/publish", dependencies=[Csrf])
def publish(request: Request, article_id: PathId, console: CurrentConsole, db: DB) -> Response:
    return _act(request, db, console, article_id, "publish")


@router.post("/{article_id}/unpublish", dependencies=[Csrf])
def unpublish(request: Request, article_id: PathId, console: CurrentConsole, db: DB) -> Response:
    return _act(request, db, console, article_id, "unpublish")


@router.get("/{article_id}/archive")
def confirm_archive(request: Request, article_id: PathId, console: CurrentConsole, db: DB) -> Response:
    _require_maintainer(console)
    return render(request, "knowledge/archive.html", _common(request, console) | {
        "article": article_for(db, console, article_id)})


@router.post("/{article_id}/archive", dependencies=[Csrf])
def archive(request: Request, article_id: PathId, console: CurrentConsole, db: DB, form: Fields) -> Response:
    """S7: archiving is for good, so it needs the confirmation page's "yes"."""
    if form.get("confirm") != "yes":
        return redirect(request, f"{BASE}/{article_id}/archive")
    return _act(request, db, console, article_id, "archive")
