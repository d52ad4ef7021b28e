"""Setting up attendance (A3): the shifts (班次) — create, edit, assign to departments and members,
delete — and the holiday calendar (节假日与调休): add a holiday or a 调休 working day, remove one."""

from __future__ import annotations

import datetime as dt
import re

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.responses import Response

from yikatong.attendance import calendar, shifts
from yikatong.attendance.models import DayKind, ShiftKind
from yikatong.attendance import sheet as sheets
from yikatong.core.errors import InvalidInput, NotFound, YktError
from yikatong.core.ids import PathId
from yikatong.core.pagination import PageParams
from yikatong.deps import DB
from yikatong.enterprises import service as enterprises
from yikatong.members import service as members
from yikatong.web.errors import ConsoleRoute
from yikatong.web.forms import Csrf, Fields
from yikatong.web.pages.attendance_common import DAY_KINDS, SHIFT_KINDS, WEEKDAYS, nav
from yikatong.web.pages.common import FormFailure, form_failure
from yikatong.web.session import Console, CurrentConsole
from yikatong.web.templating import redirect, render

router = APIRouter(prefix="/console/enterprises/{enterprise_id}", route_class=ConsoleRoute, include_in_schema=False)
SPLIT = re.compile(r"[\s,，、;；]+")
SHIFT_FIELDS = ("name", "kind", "start", "end", "grace_minutes", "early_leave_grace_minutes", "required_minutes",
                "members")


async def _form_data(request: Request) -> FormData:
    return await request.form(max_files=1, max_fields=50)  # parsed once: the CSRF check read it already


Multi = Depends(_form_data)


def _shift_values(form: FormData) -> dict:
    values: dict = {k: str(form.get(k, "")).strip()[:2000 if k == "members" else 100] for k in SHIFT_FIELDS}
    values["weekdays"] = [w for w in form.getlist("weekdays") if isinstance(w, str) and w.isdigit()][:7]
    values["departments"] = [str(d).strip()[:100] for d in form.getlist("departments") if str(d).strip()][:200]
    return values


def _int(values: dict, name: str, *, optional: bool = False) -> int | None:
    text = values[name]
    if not text and optional:
        return None
    if text.isdigit() and len(text) < 6:
        return int(text)
    raise InvalidInput(f"{name}: a whole number of minutes", code="invalid_input",
                       details={"errors": [{"field": name, "type": "int_parsing", "params": {}}]})


def _member_ids(db: Session, console: Console, enterprise_id: int, text: str) -> list[int]:
    """Members named by phone number or staff number, separated by spaces, commas or new lines."""
    ids = []
    for token in [t for t in SPLIT.split(text) if t][:500]:
        found = members.search_members(db, actor=console.actor, enterprise_id=enterprise_id,
                                       page=PageParams(limit=20, offset=0), q=token).items
        exact = [m for m in found if token in (m.phone, m.staff_no)]
        if len(exact) != 1:
            raise InvalidInput(f"no such member in this enterprise: {token}", code="unknown_member",
                               details={"errors": [{"field": "members", "type": "unknown_member", "params": {}}]})
        ids.append(exact[0].id)
    return ids


def _fields(db: Session, console: Console, enterprise_id: int, values: dict) -> dict:
    return {"name": values["name"], "kind": values["kind"] or ShiftKind.fixed.value,
            "weekdays": [int(w) for w in values["weekdays"]], "start": values["start"], "end": values["end"],
            "grace_minutes": _int(values, "grace_minutes", optional=True) or 0,
            "early_leave_grace_minutes": _int(values, "early_leave_grace_minutes", optional=True) or 0,
            "required_minutes": _int(values, "required_minutes", optional=True),
            "member_ids": _member_ids(db, console, enterprise_id, values["members"]),
            "departments": values["departments"]}


def _values_of(db: Session, shift) -> dict:
    out = shifts.shift_out(db, shift)
    people = [members.member_by_id(db, member_id=m) for m in out.member_ids]
    return {"name": out.name, "kind": out.kind.value, "start": out.start, "end": out.end,
            "grace_minutes": str(out.grace_minutes), "early_leave_grace_minutes": str(out.early_leave_grace_minutes),
            "required_minutes": str(out.required_minutes or ""), "weekdays": [str(w) for w in out.weekdays],
            "departments": out.departments, "members": " ".join(m.phone for m in people if m)}


EMPTY = {"name": "", "kind": "fixed", "start": "09:00", "end": "18:00", "grace_minutes": "5",
         "early_leave_grace_minutes": "0", "required_minutes": "", "weekdays": ["1", "2", "3", "4", "5"],
         "departments": [], "members": ""}


def _shifts_page(request: Request, db: Session, console: Console, enterprise_id: int, *, shift_id: int | None = None,
                 values: dict | None = None, problem: FormFailure | None = None) -> Response:
    enterprise = enterprises.get_enterprise(db, actor=console.actor, enterprise_id=enterprise_id)
    found = shifts.list_shifts(db, actor=console.actor, enterprise_id=enterprise_id)
    editing = shifts.get_shift(db, actor=console.actor, enterprise_id=enterprise_id, shift_id=shift_id) \
        if shift_id else None
    names = {}
    rows = []
    for s in found:
        out = shifts.shift_out(db, s)
        for m in out.member_ids:
            if m not in names:
                member = members.member_by_id(db, member_id=m)
                names[m] = member.name if member else str(m)
        rows.append(out)
    return render(request, "attendance/shifts.html", {
        "enterprise": enterprise, "base": f"/console/enterprises/{enterprise_id}/shifts", "shifts": rows,
        "member_names": names, "editing": editing,
        "values": values or (_values_of(db, editing) if editing else EMPTY), "failure": problem,
        "departments": members.departments(db, actor=console.actor, enterprise_id=enterprise_id),
        "weekdays": WEEKDAYS, "shift_kinds": SHIFT_KINDS, "tab": "shifts", "nav": nav(console),
    }, status_code=problem.status_code if problem else 200)


@router.get("/shifts")
def shifts_page(request: Request, enterprise_id: PathId, console: CurrentConsole, db: DB) -> Response:
    return _shifts_page(request, db, console, enterprise_id)


@router.post("/shifts", dependencies=[Csrf])
def create_shift(request: Request, enterprise_id: PathId, console: CurrentConsole, db: DB,
                 form: FormData = Multi) -> Response:
    values = _shift_values(form)
    try:
        shifts.create_shift(db, actor=console.actor, enterprise_id=enterprise_id,
                            **_fields(db, console, enterprise_id, values))
    except YktError as exc:
        return _shifts_page(request, db, console, enterprise_id, values=values, problem=form_failure(request, db, exc))
    return redirect(request, f"/console/enterprises/{enterprise_id}/shifts")


@router.get("/shifts/{shift_id}")
def edit_shift_page(request: Request, enterprise_id: PathId, shift_id: PathId, console: CurrentConsole,
                    db: DB) -> Response:
    return _shifts_page(request, db, console, enterprise_id, shift_id=shift_id)


@router.post("/shifts/{shift_id}", dependencies=[Csrf])
def update_shift(request: Request, enterprise_id: PathId, shift_id: PathId, console: CurrentConsole, db: DB,
                 form: FormData = Multi) -> Response:
    values = _shift_values(form)
    try:
        shifts.update_shift(db, actor=console.actor, enterprise_id=enterprise_id, shift_id=shift_id,
                            **_fields(db, console, enterprise_id, values))
    except YktError as exc:
        problem = form_failure(request, db, exc)
        return _shifts_page(request, db, console, enterprise_id, shift_id=shift_id, values=values, problem=problem)
    return redirect(request, f"/console/enterprises/{enterprise_id}/shifts")


@router.post("/shifts/{shift_id}/delete", dependencies=[Csrf])
def delete_shift(request: Request, enterprise_id: PathId, shift_id: PathId, console: CurrentConsole,
                 db: DB) -> Response:
    shifts.delete_shift(db, actor=console.actor, enterprise_id=enterprise_id, shift_id=shift_id)
    return redirect(request, f"/console/enterprises/{enterprise_id}/shifts")


def _year(request: Request) -> int:
    text = request.query_params.get("year", "")
    return int(text) if text.isdigit() and 2000 <= int(text) <= 2099 else sheets.today().year


def _holidays_page(request: Request, db: Session, console: Console, enterprise_id: int, year: int, *,
                   values: dict | None = None, problem: FormFailure | None = None) -> Response:
    enterprise = enterprises.get_enterprise(db, actor=console.actor, enterprise_id=enterprise_id)
    days = calendar.list_holidays(db, actor=console.actor, enterprise_id=enterprise_id, year=year)
    return render(request, "attendance/holidays.html", {
        "enterprise": enterprise, "base": f"/console/enterprises/{enterprise_id}/holidays", "days": days,
        "year": year, "values": values or {"day": "", "kind": "holiday", "name": "", "as_weekday": "1"},
        "failure": problem, "day_kinds": DAY_KINDS, "weekdays": WEEKDAYS, "tab": "holidays", "nav": nav(console),
    }, status_code=problem.status_code if problem else 200)


@router.get("/holidays")
def holidays_page(request: Request, enterprise_id: PathId, console: CurrentConsole, db: DB) -> Response:
    return _holidays_page(request, db, console, enterprise_id, _year(request))


@router.post("/holidays", dependencies=[Csrf])
def add_holiday(request: Request, enterprise_id: PathId, console: CurrentConsole, db: DB, form: Fields) -> Response:
    values = {k: form.get(k, "")[:60] for k in ("day", "kind", "name", "as_weekday")}
    try:
        weekday = values["as_weekday"] if values["kind"] == DayKind.workday.value else None
        day = calendar.add_holiday(db, actor=console.actor, enterprise_id=enterprise_id, day=values["day"] or None,
                                   kind=values["kind"], name=values["name"], as_weekday=weekday or None)
    except YktError as exc:
        return _holidays_page(request, db, console, enterprise_id, _year(request), values=values,
                              problem=form_failure(request, db, exc))
    return redirect(request, f"/console/enterprises/{enterprise_id}/holidays?year={day.day.year}")


@router.post("/holidays/{day}/delete", dependencies=[Csrf])
def remove_holiday(request: Request, enterprise_id: PathId, day: str, console: CurrentConsole, db: DB) -> Response:
    try:
        parsed = dt.date.fromisoformat(day) if len(day) == 10 else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise NotFound("no such day", code="holiday_not_found")
    calendar.remove_holiday(db, actor=console.actor, enterprise_id=enterprise_id, day=parsed)
    return redirect(request, f"/console/enterprises/{enterprise_id}/holidays?year={parsed.year}")
