from __future__ import annotations

import datetime as dt
import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

from yikatong.knowledge.models import ArticleStatus, Audience, Category

MAX_BODY = 20_000


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _stripped(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _no_control(value: str | None) -> str | None:
    # PostgreSQL text cannot hold NUL, and no article needs control characters (tabs and newlines pass).
    if value is not None and _CONTROL.search(value):
        raise ValueError("control characters are not allowed")
    return value


class ArticleIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=MAX_BODY, description="plain text or simple markdown")
    category: Category
    audience: Audience = Field(default=Audience.internal,
                               description="public: members and enterprise admins may read it once published")

    _strip = field_validator("title", "body", mode="before")(_stripped)
    _clean = field_validator("title", "body")(_no_control)


class ArticlePatch(BaseModel):
    """Only the fields sent change; every saved edit is a new revision."""

    title: str | None = Field(default=None, min_length=1, max_length=200)
    body: str | None = Field(default=None, min_length=1, max_length=MAX_BODY)
    category: Category | None = None
    audience: Audience | None = None

    _strip = field_validator("title", "body", mode="before")(_stripped)
    _clean = field_validator("title", "body")(_no_control)


class ArticleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    body: str
    category: Category
    audience: Audience
    status: ArticleStatus
    revision: int
    author_name: str
    updated_by_name: str
    created_at: dt.datetime
    updated_at: dt.datetime
    published_at: dt.datetime | None


class ArticleHit(BaseModel):
    """One article in a list or a search: ``snippet`` is a short extract around the first match,
    ``score`` the search rank (0 without a query), ``matched`` the query terms it holds."""

    id: int
    title: str
    category: Category
    audience: Audience
    status: ArticleStatus
    revision: int
    updated_at: dt.datetime
    snippet: str
    score: int = 0
    matched: list[str] = []
