"""The one pagination helper: ``?limit=&offset=`` in, ``{"items", "total"}`` out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")

MAX_LIMIT = 500


@dataclass(frozen=True)
class PageParams:
    limit: int = 50
    offset: int = 0


def page_params(
    limit: int = Query(50, ge=1, le=MAX_LIMIT, description="items per page"),
    offset: int = Query(0, ge=0, le=10_000_000, description="items to skip"),
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


@dataclass
class Page(Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int

    @property
    def page_number(self) -> int:
        return self.offset // self.limit + 1

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.limit))


class PageOut(BaseModel, Generic[T]):
    items: list[T]
    total: int


def paginate(db: Session, stmt: Select[Any], page: PageParams) -> Page[Any]:
    """Run ``stmt`` (already filtered and ordered) for one page and count the whole."""
    total = db.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    items = list(db.scalars(stmt.limit(page.limit).offset(page.offset)))
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)
