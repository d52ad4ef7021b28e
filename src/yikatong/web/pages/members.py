"""An enterprise's members (M1): search and paging (the results table is an htmx fragment), add and
change through forms, suspend and resume service (M6), and removal after a confirmation step."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from yikatong.core.errors import NotFound, YktError
from yikatong.core.ids import PathId
from yikatong.deps import DB
from yikatong.enterprises import service as enterprises
from yikatong.members import service as members
from yikatong.members.models import Member, MemberStatus
from yikatong.web.errors import ConsoleRoute
from yikatong.web.forms import Csrf, Fields
from yikatong.web.pages.common import FormFailure, Pager, form_failure, is_fragment, page_params
from yikatong.web.security import safe_next
from yikatong.web.session import Console, CurrentConsole
from yikatong.web.templating import redirect, render

router = APIRouter(prefix="/console/enterprises/{enterprise_id}/members", route_class=ConsoleRoute,
                   include_in_schema=False)

PER_PAGE = 20
FIELDS = ("name", "phone", "staff_no", "department")
RESULTS_ID = "member-results"


def _base(enterprise_id: int) -> str:
    return f"/console/enterprises/{enterprise_id}/members"


def member_of(db, console: Console, enterprise_id: int, member_id: int) -> Member:
    """The member, only under its own enterprise's address (another's is 404, X5)."""
    member = members.get_member(db, actor=console.actor, member_id=member_id)
    if member.enterprise_id != enterprise_id:
        raise NotFound("no such member", code="member_not_found")
    return member


def _back(enterprise_id: int, form: dict[str, str]) -> str:
    """Back to the list the action came from (its search and page), never elsewhere."""
    back = safe_next(form.get("back"), _base(enterprise_id))
    return back if back.split("?")[0] == _base(enterprise_id) else _base(enterprise_id)


@router.get("")
def member_list(request: Request, enterprise_id: PathId, console: CurrentConsole, db: DB) -> Response:
    enterprise = enterprises.get_enterprise(db, actor=console.actor, enterprise_id=enterprise_id)
    q = request.query_params.get("q", "").strip()[:100]
    status_text = request.query_params.get("status", "")
    status = MemberStatus(status_text) if status_text in ("active", "suspended") else None
    department = request.query_params.get("department", "").strip()[:100]
    page = members.search_members(db, actor=console.actor, enterprise_id=enterprise_id,
                                  page=page_params(request, PER_PAGE), q=q or None, status=status,
                                  department=department or None)
    filters = {"q": q, "status": status.value if status else "", "department": department}
    context = {
        "enterprise": enterprise, "base": _base(enterprise_id), "filters": filters,
        "pager": Pager(page, _base(enterprise_id), filters), "results_id": RESULTS_ID,
        "here": str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
        "nav": "members",
    }
    if is_fragment(request, RESULTS_ID):
        return render(request, "members/_results.html", context, flash=False)
    context["departments"] = members.departments(db, actor=console.actor, enterprise_id=enterprise_id)
    return render(request, "members/list.html", context)


def _form(request: Request, enterprise, values: dict[str, str], *, member: Member | None = None,
          failure: FormFailure | None = None) -> Response:
    return render(request, "members/form.html", {
        "enterprise": enterprise, "base": _base(enterprise.id), "values": values, "member": member,
        "editing": member is not None, "failure": failure, "nav": "members",
    }, status_code=failure.status_code if failure else 200)


@router.get("/new")
def new_form(request: Request, enterprise_id: PathId, console: CurrentConsole, db: DB) -> Response:
    enterprise = enterprises.get_enterprise(db, actor=console.actor, enterprise_id=enterprise_id)
    members.ensure_can_manage(db, actor=console.actor, enterprise_id=enterprise_id)
    return _form(request, enterprise, {k: "" for k in FIELDS})


@router.post("/new", dependencies=[Csrf])
def create(request: Request, enterprise_id: PathId, console: CurrentConsole, db: DB, form: Fields) -> Response:
    enterprise = enterprises.get_enterprise(db, actor=console.actor, enterprise_id=enterprise_id)
    values = {k: form.get(k, "") for k in FIELDS}
    try:
        member = members.add_member(db, actor=console.actor, enterprise_id=enterprise_id, name=values["name"],
                                    phone=values["phone"], staff_no=values["staff_no"] or None,
                                    department=values["department"] or None)
    except YktError as exc:
        return _form(request, enterprise, values, failure=form_failure(request, db, exc))
    return redirect(request, _base(enterprise_id), flash="member_added", arg=member.name)


@router.get("/{member_id}/edit")
def edit_form(request: Request, enterprise_id: PathId, member_id: PathId, console: CurrentConsole, db: DB) -> Response:
    enterprise = enterprises.get_enterprise(db, actor=console.actor, enterprise_id=enterprise_id)
    member = member_of(db, console, enterprise_id, member_id)
    values = {k: getattr(member, k) or "" for k in FIELDS}
    return _form(request, enterprise, values, member=member)


@router.post("/{member_id}/edit", dependencies=[Csrf])
def update(request: Request, enterprise_id: PathId, member_id: PathId, console: CurrentConsole, db: DB,
           form: Fields) -> Response:
    enterprise = enterprises.get_enterprise(db, actor=console.actor, enterprise_id=enterprise_id)
    member = member_of(db, console, enterprise_id, member_id)
    values = {k: form.get(k, "") for k in FIELDS}
    try:
        member = members.update_member(db, actor=console.actor, member_id=member_id, name=values["name"],
                                       phone=values["phone"], staff_no=values["staff_no"] or None,
                                       department=values["department"] or None)
    except YktError as exc:
        failure = form_failure(request, db, exc)
        return _form(request, enterprise, values, member=member_of(db, console, enterprise_id, member_id),
                     failure=failure)
    return redirect(request, _back(enterprise_id, form), flash="member_updated", arg=member.name)


@router.post("/{member_id}/suspend", dependencies=[Csrf])
def suspend(request: Request, enterprise_id: PathId, member_id: PathId, console: CurrentConsole, db: DB,
            form: Fields) -> Response:
    """M6 业务暂停: the card is refused at every terminal until resumed."""
    member_of(db, console, enterprise_id, member_id)
    member = members.suspend_member(db, actor=console.actor, member_id=member_id)
    return redirect(request, _back(enterprise_id, form), flash="member_suspended", arg=member.name)


@router.post("/{member_id}/resume", dependencies=[Csrf])
def resume(request: Request, enterprise_id: PathId, member_id: PathId, console: CurrentConsole, db: DB,
           form: Fields) -> Response:
    """M6 恢复."""
    member_of(db, console, enterprise_id, member_id)
    member = members.resume_member(db, actor=console.actor, member_id=member_id)
    return redirect(request, _back(enterprise_id, form), flash="member_resumed", arg=member.name)


@router.get("/{member_id}/remove")
def confirm_remove(request: Request, enterprise_id: PathId, member_id: PathId, console: CurrentConsole,
                   db: DB) -> Response:
    """The confirmation step of a destructive action: nothing changes until it is confirmed."""
    enterprise = enterprises.get_enterprise(db, actor=console.actor, enterprise_id=enterprise_id)
    member = member_of(db, console, enterprise_id, member_id)
    back = _back(enterprise_id, {"back": request.query_params.get("back", "")})
    return render(request, "members/remove.html", {
        "enterprise": enterprise, "member": member, "base": _base(enterprise_id), "back": back, "nav": "members",
    })


@router.post("/{member_id}/remove", dependencies=[Csrf])
def remove(request: Request, enterprise_id: PathId, member_id: PathId, console: CurrentConsole, db: DB,
           form: Fields) -> Response:
    member_of(db, console, enterprise_id, member_id)
    if form.get("confirm") != "yes":
        return redirect(request, f"{_base(enterprise_id)}/{member_id}/remove")
    member = members.remove_member(db, actor=console.actor, member_id=member_id)
    return redirect(request, _back(enterprise_id, form), flash="member_removed", arg=member.name)
