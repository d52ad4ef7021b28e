"""The monthly attendance sheet (考勤月报, A3/A4) of an enterprise: each member's counts with a
department filter, the counts per department, the .xlsx export, the attendance bills by SMS (on a
confirmation page first), and a member's month day by day with the admin's corrections (补卡, or a
status set with a reason; audited)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from yikatong.attendance import bills, corrections
from yikatong.attendance import sheet as sheets
from yikatong.attendance.compute import merge
from yikatong.attendance.schemas import DepartmentSheet
from yikatong.core.errors import InvalidInput, YktError
from yikatong.core.ids import PathId
from yikatong.deps import DB
from yikatong.enterprises import service as enterprises
from yikatong.members import service as members
from yikatong.web.errors import ConsoleRoute
from yikatong.web.forms import Csrf, Fields
from yikatong.web.pages.attendance_common import (
    STATUS_BADGES, STATUS_LABELS, WEEKDAYS, member_in, month_of, nav, shift_month,
)
from yikatong.web.pages.common import XLSX, FormFailure, download, form_failure
from yikatong.web.session import Console, CurrentConsole
from yikatong.web.templating import redirect, render

router = APIRouter(prefix="/console/enterprises/{enterprise_id}/attendance", route_class=ConsoleRoute,
                   include_in_schema=False)

LABELS = {"status_labels": STATUS_LABELS, "status_badges": STATUS_BADGES, "weekdays": WEEKDAYS}


def base(enterprise_id: int) -> str:
    return f"/console/enterprises/{enterprise_id}/attendance"


def _total(groups: list[DepartmentSheet]) -> DepartmentSheet:
    total = DepartmentSheet(department=None)
    for g in groups:
        merge(total, g)
        total.members += g.members
    return total


def _department(request: Request) -> str:
    return request.query_params.get("department", "").strip()[:100]


@router.get("")
def sheet_page(request: Request, enterprise_id: PathId, console: CurrentConsole, db: DB) -> Response:
    enterprise = enterprises.get_enterprise(db, actor=console.actor, enterprise_id=enterprise_id)  # X5: 404
    month, error = month_of(request)
    problem = form_failure(request, db, error) if error else None
    department = _department(request)
    sheet = sheets.monthly_sheet(db, actor=console.actor, enterprise_id=enterprise_id, month=month,
                                 department=department or None)
    opens = bills.first_sending_day(month)
    return render(request, "attendance/sheet.html", LABELS | {
        "enterprise": enterprise, "base": base(enterprise_id), "month": month, "sheet": sheet,
        "department": department, "failure": problem,
        "departments": members.departments(db, actor=console.actor, enterprise_id=enterprise_id),
        "total": _total(sheet.departments), "previous": shift_month(month, -1), "next": shift_month(month, 1),
        "bills_open": sheets.today() >= opens, "bills_from": opens, "nav": nav(console),
    }, status_code=problem.status_code if problem else 200)


@router.get(".xlsx")
def sheet_xlsx(request: Request, enterprise_id: PathId, console: CurrentConsole, db: DB) -> Response:
    """The month as Excel (the API's export), for the department chosen."""
    month, _ = month_of(request)
    department = _department(request)
    sheet = sheets.monthly_sheet(db, actor=console.actor, enterprise_id=enterprise_id, month=month,
                                 department=department or None)
    return download(sheets.to_xlsx(sheet), XLSX, f"attendance-{enterprise_id}-{month}.xlsx")


def _bills_page(request: Request, db: Session, console: Console, enterprise_id: int, month: str,
                problem: FormFailure | None = None) -> Response:
    enterprise = enterprises.get_enterprise(db, actor=console.actor, enterprise_id=enterprise_id)
    sheet = sheets.monthly_sheet(db, actor=console.actor, enterprise_id=enterprise_id, month=month)
    opens = bills.first_sending_day(month)
    return render(request, "attendance/bills_confirm.html", {
        "enterprise": enterprise, "base": base(enterprise_id), "month": month, "failure": problem,
        "recipients": sum(1 for i in sheet.items if i.workdays), "bills_open": sheets.today() >= opens,
        "bills_from": opens, "nav": nav(console),
    }, status_code=problem.status_code if problem else 200)


@router.get("/bills")
def bills_confirm(request: Request, enterprise_id: PathId, console: CurrentConsole, db: DB) -> Response:
    """The confirmation before the bills go out: the month and how many members worked in it."""
    month, error = month_of(request)
    return _bills_page(request, db, console, enterprise_id, month, form_failure(request, db, error) if error else None)


@router.post("/bills", dependencies=[Csrf])
def bills_send(request: Request, enterprise_id: PathId, console: CurrentConsole, db: DB, form: Fields) -> Response:
    """A3: send the month's bills (each member once per month, however often this is pressed)."""
    text = form.get("month", "")[:7]
    try:
        sheets.parse_month(text)
        month = text
    except InvalidInput:
        month = sheets.month_of(sheets.today())
    try:
        if form.get("confirm") != "yes":
            raise InvalidInput("confirm: tick the box to send the bills", code="invalid_input",
                               details={"errors": [{"field": "confirm", "type": "missing", "params": {}}]})
        out = bills.send_bills(db, actor=console.actor, enterprise_id=enterprise_id, month=text)
    except YktError as exc:
        return _bills_page(request, db, console, enterprise_id, month, form_failure(request, db, exc))
    return redirect(request, f"{base(enterprise_id)}?month={out.month}", flash="attendance_bills_sent",
                    arg=out.month, arg2=str(out.sent), arg3=str(out.already_sent))


def _member_page(request: Request, db: Session, console: Console, enterprise_id: int, member_id: int, month: str, *,
                 values: dict | None = None, problem: FormFailure | None = None) -> Response:
    enterprise = enterprises.get_enterprise(db, actor=console.actor, enterprise_id=enterprise_id)
    member = member_in(db, console, enterprise_id, member_id)
    month_sheet = sheets.member_month(db, actor=console.actor, member_id=member_id, month=month)
    fixes = corrections.list_corrections(db, actor=console.actor, member_id=member_id, month=month)
    return render(request, "attendance/member.html", LABELS | {
        "enterprise": enterprise, "base": base(enterprise_id), "member": member, "month": month,
        "sheet": month_sheet, "corrections": fixes,
        "values": values or {"day": "", "action": "status", "status": "on_time", "punch_time": "", "reason": ""},
        "failure": problem, "previous": shift_month(month, -1), "next": shift_month(month, 1), "nav": nav(console),
    }, status_code=problem.status_code if problem else 200)


@router.get("/members/{member_id}")
def member_page(request: Request, enterprise_id: PathId, member_id: PathId, console: CurrentConsole,
                db: DB) -> Response:
    month, error = month_of(request)
    return _member_page(request, db, console, enterprise_id, member_id, month,
                        problem=form_failure(request, db, error) if error else None)


def _punch_at(values: dict[str, str]) -> dt.datetime:
    try:
        day = dt.date.fromisoformat(values["day"])
        hour, minute = (int(p) for p in values["punch_time"].split(":"))
        return dt.datetime(day.year, day.month, day.day, hour, minute)
    except ValueError:
        raise InvalidInput("punch_time: HH:MM", code="invalid_input", details={
            "errors": [{"field": "punch_time", "type": "time_parsing", "params": {}}]}) from None


@router.post("/members/{member_id}/corrections", dependencies=[Csrf])
def correct(request: Request, enterprise_id: PathId, member_id: PathId, console: CurrentConsole, db: DB,
            form: Fields) -> Response:
    """A3: set a day's status, or add a forgotten punch at HH:MM of that day, with a reason."""
    member_in(db, console, enterprise_id, member_id)  # X5 before anything is written
    values = {k: form.get(k, "")[:200] for k in ("day", "action", "status", "punch_time", "reason")}
    month = values["day"][:7]
    try:
        sheets.parse_month(month)
    except InvalidInput:
        month = sheets.month_of(sheets.today())
    try:
        punch = values["action"] == "punch"
        corrections.correct_day(db, actor=console.actor, member_id=member_id, day=values["day"] or None,
                                reason=values["reason"], punch_at=_punch_at(values) if punch else None,
                                status=None if punch else values["status"])
    except YktError as exc:
        return _member_page(request, db, console, enterprise_id, member_id, month, values=values,
                            problem=form_failure(request, db, exc))
    return redirect(request, f"{base(enterprise_id)}/members/{member_id}?month={month}", flash="attendance_corrected")
