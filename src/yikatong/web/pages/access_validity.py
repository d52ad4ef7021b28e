"""A member's access validity dates in the console (A1): found by phone or staff number, the
dates between which their cards open doors (a contractor's or a visitor's term), set through the
access service (audited there; the door terminals' permission lists follow)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from yikatong.access import service as access
from yikatong.core.errors import InvalidInput, NotFound, YktError
from yikatong.core.ids import PathId
from yikatong.deps import DB
from yikatong.enterprises import service as enterprises
from yikatong.members import service as members
from yikatong.web.errors import ConsoleRoute
from yikatong.web.forms import Csrf, Fields
from yikatong.web.pages.access import base, member_keys
from yikatong.web.pages.common import FormFailure, form_failure
from yikatong.web.session import Console, CurrentConsole
from yikatong.web.templating import redirect, render

router = APIRouter(prefix="/console/enterprises/{enterprise_id}/access", route_class=ConsoleRoute,
                   include_in_schema=False)


def _date(form: dict[str, str], field: str) -> dt.date | None:
    text = form.get(field, "")
    if not text:
        return None
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    raise InvalidInput(f"{field}: YYYY-MM-DD", code="invalid_day", details={
        "errors": [{"field": field, "type": "date_from_datetime_parsing", "params": {}}]})


def _validity_page(request: Request, db: Session, console: Console, enterprise_id: int, *, query: str = "",
                   member=None, values: dict | None = None, failure: FormFailure | None = None,
                   lookup_failure: FormFailure | None = None) -> Response:
    ctx = {
        "enterprise": enterprises.get_enterprise(db, actor=console.actor, enterprise_id=enterprise_id),
        "base": base(enterprise_id), "nav": "access" if console.is_admin else "enterprises", "query": query,
        "member": member, "values": values or {}, "failure": failure, "lookup_failure": lookup_failure}
    status = (failure or lookup_failure).status_code if (failure or lookup_failure) else 200
    return render(request, "access/validity.html", ctx, status_code=status)


def _member_of(db: Session, console: Console, enterprise_id: int, member_id: int):
    member = members.get_member(db, actor=console.actor, member_id=member_id)
    if member.enterprise_id != enterprise_id:
        raise NotFound("no such member", code="member_not_found")
    return member


@router.get("/validity")
def validity_page(request: Request, enterprise_id: PathId, console: CurrentConsole, db: DB) -> Response:
    """Find a member by phone or staff number and show their access validity dates."""
    query = request.query_params.get("member", "").replace(" ", "").strip()[:20]
    access.scope(db, console.actor, enterprise_id)
    if not query:
        return _validity_page(request, db, console, enterprise_id)
    member_id = member_keys(db, enterprise_id).get(query)
    if member_id is None:
        exc = InvalidInput(f"no such member in this enterprise: {query}", code="unknown_member", details={
            "errors": [{"field": "member", "type": "unknown_member", "params": {}}]})
        return _validity_page(request, db, console, enterprise_id, query=query,
                              lookup_failure=form_failure(request, db, exc))
    member = _member_of(db, console, enterprise_id, member_id)
    row = access.get_validity(db, actor=console.actor, member_id=member.id)
    values = {"valid_from": row.valid_from.isoformat() if row and row.valid_from else "",
              "valid_until": row.valid_until.isoformat() if row and row.valid_until else ""}
    return _validity_page(request, db, console, enterprise_id, query=query, member=member, values=values)


@router.post("/validity/{member_id}", dependencies=[Csrf])
def set_validity(request: Request, enterprise_id: PathId, member_id: PathId, console: CurrentConsole, db: DB,
                 form: Fields) -> Response:
    """A1: the member's cards open doors only from ``valid_from`` to ``valid_until`` (Beijing dates,
    inclusive; empty: open-ended)."""
    member = _member_of(db, console, enterprise_id, member_id)
    values = {"valid_from": form.get("valid_from", "")[:10], "valid_until": form.get("valid_until", "")[:10]}
    try:
        start, end = _date(values, "valid_from"), _date(values, "valid_until")
        if start and end and end < start:
            raise InvalidInput("valid_until is before valid_from", code="invalid_period", details={
                "errors": [{"field": "valid_until", "type": "invalid_period", "params": {}}]})
        access.set_validity(db, actor=console.actor, member_id=member.id, valid_from=start, valid_until=end)
    except YktError as exc:
        failure = form_failure(request, db, exc)
        return _validity_page(request, db, console, enterprise_id, query=member.phone,
                              member=_member_of(db, console, enterprise_id, member_id), values=values,
                              failure=failure)
    return redirect(request, f"{base(enterprise_id)}/validity?member={member.phone}", flash="access_validity_saved",
                    arg=member.name)
