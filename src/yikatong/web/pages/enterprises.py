"""Enterprises (集团客户) for the platform's staff: the list with search and paging, registering an
enterprise with its admin login (E1), and one enterprise's page (its admin sees only their own, X5)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from yikatong.auth.tenancy import require_role
from yikatong.core.errors import InvalidInput, YktError
from yikatong.core.money import parse_yuan
from yikatong.core.pagination import PageParams
from yikatong.core.ids import PathId
from yikatong.deps import DB
from yikatong.enterprises import flows as enterprise_flows
from yikatong.enterprises import service as enterprises
from yikatong.members import service as members
from yikatong.web.errors import ConsoleRoute
from yikatong.web.forms import Csrf, Fields
from yikatong.web.pages.common import FormFailure, Pager, form_failure, page_params
from yikatong.web.session import STAFF, CurrentConsole
from yikatong.web.templating import redirect, render

router = APIRouter(prefix="/console/enterprises", route_class=ConsoleRoute, include_in_schema=False)

PER_PAGE = 20
FIELDS = ("code", "name", "city", "zone", "address", "admin_username", "service_fee")


@router.get("")
def enterprise_list(request: Request, console: CurrentConsole, db: DB) -> Response:
    q = request.query_params.get("q", "").strip()[:100]
    page = enterprises.list_enterprises(db, actor=console.actor, page=page_params(request, PER_PAGE), q=q or None)
    return render(request, "enterprises/list.html", {
        "q": q, "pager": Pager(page, "/console/enterprises", {"q": q}), "nav": "enterprises",
    })


def _form(request: Request, values: dict[str, str], failure: FormFailure | None = None) -> Response:
    return render(request, "enterprises/new.html", {
        "values": values, "failure": failure, "nav": "enterprises",
    }, status_code=failure.status_code if failure else 200)


@router.get("/new")
def register_form(request: Request, console: CurrentConsole) -> Response:
    require_role(console.actor, STAFF)
    return _form(request, {"zone": "urban", "service_fee": "3.00"})


def _fee_fen(text: str) -> int | None:
    if not text:
        return None
    try:
        return parse_yuan(text)
    except ValueError:
        raise InvalidInput("service_fee: not an amount", details={
            "errors": [{"field": "service_fee", "message": "not an amount", "type": "decimal"}]}) from None


@router.post("", dependencies=[Csrf])
def register(request: Request, console: CurrentConsole, db: DB, form: Fields) -> Response:
    values = {k: form.get(k, "") for k in FIELDS}
    try:
        enterprise = enterprise_flows.register_enterprise(
            db, actor=console.actor, code=values["code"], name=values["name"], city=values["city"],
            zone=values["zone"], address=values["address"], admin_username=values["admin_username"],
            admin_password=form.get("admin_password", ""), service_fee_fen=_fee_fen(values["service_fee"]))
    except YktError as exc:
        return _form(request, values, form_failure(request, db, exc, aliases={"service_fee_fen": "service_fee"}))
    return redirect(request, f"/console/enterprises/{enterprise.id}", flash="enterprise_registered",
                    arg=enterprise.name)


@router.get("/{enterprise_id}")
def enterprise_detail(request: Request, enterprise_id: PathId, console: CurrentConsole, db: DB) -> Response:
    enterprise = enterprises.get_enterprise(db, actor=console.actor, enterprise_id=enterprise_id)
    member_count = None
    if console.manages_members:
        member_count = members.search_members(db, actor=console.actor, enterprise_id=enterprise_id,
                                              page=PageParams(limit=1)).total
    return render(request, "enterprises/detail.html", {
        "enterprise": enterprise, "member_count": member_count,
        "nav": "enterprise" if console.is_admin else "enterprises",
    })
