"""Small helpers the page modules share: paging from ``?page=``, form failures, htmx detection."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from yikatong.core.errors import InvalidInput, YktError
from yikatong.core.pagination import Page, PageParams
from yikatong.core.spreadsheets import XLSX_MEDIA_TYPE
from yikatong.web import messages
from yikatong.web.i18n import translator_for
from yikatong.web.security import SECURITY_HEADERS

MAX_PAGE = 100_000
XLSX = XLSX_MEDIA_TYPE


def page_params(request: Request, per_page: int) -> PageParams:
    try:
        number = int(request.query_params.get("page", "1"))
    except ValueError:
        number = 1
    number = min(max(number, 1), MAX_PAGE)
    return PageParams(limit=per_page, offset=(number - 1) * per_page)


@dataclass(frozen=True)
class Pager:
    """What the pager macro needs: the page, and the URL of any other page with the same filters."""

    page: Page
    base: str
    filters: dict[str, str]

    def url(self, number: int) -> str:
        query = {k: v for k, v in self.filters.items() if v} | ({"page": str(number)} if number > 1 else {})
        return f"{self.base}?{urlencode(query)}" if query else self.base

    @property
    def numbers(self) -> list[int]:
        """A short window of page numbers around the current one."""
        current, last = self.page.page_number, self.page.page_count
        return list(range(max(1, current - 2), min(last, current + 2) + 1))


@dataclass
class FormFailure:
    message: str
    fields: dict[str, str]
    status_code: int


def form_failure(request: Request, db: Session, exc: YktError, *,
                 aliases: dict[str, str] | None = None) -> FormFailure:
    """Undo the unit of work (nothing half-done is committed) and say what went wrong, per field;
    ``aliases`` maps a service's field name to the form's (service_fee_fen → service_fee)."""
    db.rollback()
    t = translator_for(request)
    fields = {(aliases or {}).get(k, k): v for k, v in messages.field_errors(t, exc).items()}
    return FormFailure(message=messages.describe(t, exc), fields=fields, status_code=exc.status_code)


def is_fragment(request: Request, target: str) -> bool:
    """An htmx request that wants only the element ``target`` (not a history restore)."""
    return (request.headers.get("HX-Request") == "true" and request.headers.get("HX-Target") == target
            and not request.headers.get("HX-History-Restore-Request"))


def download(content: bytes, media_type: str, filename: str) -> Response:
    """A file the browser saves (a template, an export), with the console's security headers."""
    headers = dict(SECURITY_HEADERS)
    headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return Response(content, media_type=media_type, headers=headers)


def parse_date(text: str, *, default: dt.date, field: str = "day") -> dt.date:
    """A ``YYYY-MM-DD`` query value (a Beijing date); empty is ``default``."""
    if not text:
        return default
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    raise InvalidInput(f"{field}: YYYY-MM-DD", code="invalid_day")
