"""Door access set-up (门禁管理, A1) for the enterprise admin: doors with their sites, sites with
anti-passback, weekly time zones entered as up to three periods, and access groups (doors, a time
zone, members by phone or staff number, whole departments). Every form goes through the access
service, so the rules and errors are the API's. Editing and removing them: access_edit.py, which
shares this module's form readers."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from yikatong.access import service as access
from yikatong.access.schemas import MAX_PERIODS
from yikatong.core.errors import InvalidInput, YktError
from yikatong.core.ids import PathId
from yikatong.deps import DB
from yikatong.enterprises import service as enterprises
from yikatong.members import roster as member_roster
from yikatong.web.errors import ConsoleRoute
from yikatong.web.forms import Csrf, Fields
from yikatong.web.i18n import N_
from yikatong.web.pages.common import FormFailure, form_failure
from yikatong.web.session import Console, CurrentConsole
from yikatong.web.templating import redirect, render

router = APIRouter(prefix="/console/enterprises/{enterprise_id}/access", route_class=ConsoleRoute,
                   include_in_schema=False)

WEEKDAY_NAMES = {1: N_("Mon"), 2: N_("Tue"), 3: N_("Wed"), 4: N_("Thu"), 5: N_("Fri"), 6: N_("Sat"), 7: N_("Sun"),
                 8: N_("Holidays")}
DIRECTIONS = {"both": N_("In and out"), "in": N_("Entrance"), "out": N_("Exit")}
PERIOD_ROWS = 3  # rows of an empty time zone form; an edited one shows as many as it has periods
# A group may name 100,000 members: room for that many phone numbers, one per line. Longer text is
# refused, never cut (a cut list would silently drop members).
MAX_MEMBERS_TEXT = 1_500_000
SAVED = {"door": N_("Door saved."), "site": N_("Site saved."), "time_zone": N_("Time zone saved."),
         "group": N_("Access group saved.")}


def base(enterprise_id: int) -> str:
    return f"/console/enterprises/{enterprise_id}/access"


def _page(request: Request, db: Session, console: Console, enterprise_id: int, *, form: str | None = None,
          values: dict | None = None, failure: FormFailure | None = None) -> Response:
    enterprise = enterprises.get_enterprise(db, actor=console.actor, enterprise_id=enterprise_id)
    doors = access.list_doors(db, actor=console.actor, enterprise_id=enterprise_id)
    zones = access.list_time_zones(db, actor=console.actor, enterprise_id=enterprise_id)
    groups = [access.group_out(db, g) for g in access.list_groups(db, actor=console.actor, enterprise_id=enterprise_id)]
    saved = request.query_params.get("saved", "")
    return render(request, "access/setup.html", {
        "enterprise": enterprise, "base": base(enterprise_id), "doors": [access.door_out(db, d) for d in doors],
        "door_names": {d.id: d.name for d in doors}, "sites": access.list_sites(db, actor=console.actor,
                                                                               enterprise_id=enterprise_id),
        "zones": zones, "zone_names": {z.id: z.name for z in zones}, "groups": groups,
        "weekday_names": WEEKDAY_NAMES, "directions": DIRECTIONS, "period_rows": range(1, PERIOD_ROWS + 1),
        "form": form, "values": values or {}, "failure": failure, "saved": SAVED.get(saved),
        "nav": "access" if console.is_admin else "enterprises",
    }, status_code=failure.status_code if failure else 200)


@router.get("")
def setup_page(request: Request, enterprise_id: PathId, console: CurrentConsole, db: DB) -> Response:
    return _page(request, db, console, enterprise_id)


def _fail(request, db, console, enterprise_id, form, values, exc):
    return _page(request, db, console, enterprise_id, form=form, values=values,
                 failure=form_failure(request, db, exc))


@router.post("/doors", dependencies=[Csrf])
def add_door(request: Request, enterprise_id: PathId, console: CurrentConsole, db: DB, form: Fields) -> Response:
    values = door_values(form)
    try:
        access.create_door(db, actor=console.actor, enterprise_id=enterprise_id, name=values["name"],
                           site=values["site"] or None, direction=values["direction"] or "both")
    except YktError as exc:
        return _fail(request, db, console, enterprise_id, "door", values, exc)
    return redirect(request, f"{base(enterprise_id)}?saved=door#doors")


@router.post("/sites", dependencies=[Csrf])
def add_site(request: Request, enterprise_id: PathId, console: CurrentConsole, db: DB, form: Fields) -> Response:
    values = site_values(form)
    try:
        access.create_site(db, actor=console.actor, enterprise_id=enterprise_id, name=values["name"],
                           anti_passback=bool(values["anti_passback"]))
    except YktError as exc:
        return _fail(request, db, console, enterprise_id, "site", values, exc)
    return redirect(request, f"{base(enterprise_id)}?saved=site#sites")


def door_values(form: dict[str, str]) -> dict[str, str]:
    return {k: form.get(k, "")[:120] for k in ("name", "site", "direction")}


def site_values(form: dict[str, str]) -> dict[str, str]:
    return {"name": form.get("name", "")[:120], "anti_passback": form.get("anti_passback", "")}


def time_zone_values(form: dict[str, str]) -> dict[str, str]:
    return {k: v[:20] for k, v in form.items() if k.startswith("p")} | {"name": form.get("name", "")[:60]}


def _period_rows(form: dict[str, str]) -> list[tuple[int, dict]]:
    """(row number, period) of the rows filled in; an empty row is skipped."""
    out = []
    for i in range(1, MAX_PERIODS + 1):
        days = [d for d in range(1, 9) if form.get(f"p{i}_d{d}")]
        start, end = form.get(f"p{i}_start", ""), form.get(f"p{i}_end", "")
        if days or start or end:
            out.append((i, {"weekdays": days, "start": start, "end": end}))
    return out


def periods_from(form: dict[str, str]) -> list[dict]:
    """Rows ``p{i}_start``, ``p{i}_end`` and weekday boxes ``p{i}_d{1..8}``; at least one (422)."""
    periods = [p for _, p in _period_rows(form)]
    if not periods:
        raise InvalidInput("periods: at least one", code="invalid_input", details={
            "errors": [{"field": "periods", "type": "missing", "params": {}}]})
    return periods


def rows_shown(form: dict[str, str]) -> int:
    """As many period rows as the form sent (an edited time zone may have more than three)."""
    sent = [int(k[1:].split("_", 1)[0]) for k in form if k[:1] == "p" and k[1:].split("_", 1)[0].isdigit()]
    return min(max([PERIOD_ROWS, *sent]), MAX_PERIODS)


def period_failure(failure: FormFailure, form: dict[str, str]) -> FormFailure:
    """The service names a bad period by its place in the list (``periods.1``); the form marks the
    row it came from (``p3`` when row 2 was left empty)."""
    rows = [i for i, _ in _period_rows(form)]
    fields = {}
    for name, text in failure.fields.items():
        head, _, rest = name.partition(".")
        index = rest.split(".", 1)[0]
        if head == "periods" and index.isdigit() and int(index) < len(rows):
            fields.setdefault(f"p{rows[int(index)]}", text)
        else:
            fields[name] = text
    failure.fields = fields
    return failure


@router.post("/time-zones", dependencies=[Csrf])
def add_time_zone(request: Request, enterprise_id: PathId, console: CurrentConsole, db: DB, form: Fields) -> Response:
    values = time_zone_values(form)
    try:
        access.create_time_zone(db, actor=console.actor, enterprise_id=enterprise_id, name=values["name"],
                                periods=periods_from(form))
    except YktError as exc:
        return _page(request, db, console, enterprise_id, form="time_zone", values=values,
                     failure=period_failure(form_failure(request, db, exc), form))
    return redirect(request, f"{base(enterprise_id)}?saved=time_zone#time-zones")


def member_keys(db: Session, enterprise_id: int) -> dict[str, int]:
    """Phone number or staff number → id of the enterprise's current members."""
    everyone = member_roster.current_members(db, enterprise_id=enterprise_id)
    by_key: dict[str, int] = {}
    staff = member_roster.staff_numbers(db, enterprise_id=enterprise_id)
    for m in everyone:
        by_key[m.phone] = m.id
        if staff.get(m.id):
            by_key.setdefault(staff[m.id], m.id)
    return by_key


def member_ids(db: Session, enterprise_id: int, text: str) -> list[int]:
    """Members named one per line (or by commas) by phone number or staff number."""
    if len(text) > MAX_MEMBERS_TEXT:
        raise InvalidInput("members: too long", code="invalid_input", details={
            "errors": [{"field": "members", "type": "string_too_long", "params": {"max_length": MAX_MEMBERS_TEXT}}]})
    wanted = [w.strip() for w in text.replace(",", "\n").replace("，", "\n").splitlines() if w.strip()]
    if not wanted:
        return []
    by_key = member_keys(db, enterprise_id)
    missing = [w for w in wanted if w not in by_key]
    if missing:
        raise InvalidInput(f"no such member in this enterprise: {missing[0][:20]}", code="unknown_member", details={
            "errors": [{"field": "members", "type": "unknown_member", "params": {"value": missing[0][:20]}}]})
    return sorted({by_key[w] for w in wanted})


async def group_values(request: Request, form: dict[str, str]) -> dict:
    raw = await request.form()
    door_ids = [int(v) for v in raw.getlist("door_ids") if isinstance(v, str) and v.isdigit() and len(v) < 10]
    return {"name": form.get("name", "")[:60], "time_zone_id": form.get("time_zone_id", ""),
            "members": form.get("members", ""), "departments": form.get("departments", "")[:2000],
            "door_ids": door_ids}


def group_input(db: Session, enterprise_id: int, values: dict) -> dict:
    """The service's arguments from the group form (the time zone chosen, members by phone or staff
    number, departments separated by commas)."""
    tz = values["time_zone_id"]
    if not (tz.isdigit() and len(tz) < 10):
        raise InvalidInput("time_zone_id: choose one", code="invalid_input", details={
            "errors": [{"field": "time_zone_id", "type": "missing", "params": {}}]})
    departments = [d.strip() for d in values["departments"].replace("，", ",").split(",") if d.strip()]
    return {"name": values["name"], "time_zone_id": int(tz), "door_ids": values["door_ids"],
            "member_ids": member_ids(db, enterprise_id, values["members"]), "departments": departments}


def shown(values: dict) -> dict:
    """The values to fill a failed form again (a huge member list is not sent back whole)."""
    return values | {"members": values.get("members", "")[:MAX_MEMBERS_TEXT]}


@router.post("/groups", dependencies=[Csrf])
async def add_group(request: Request, enterprise_id: PathId, console: CurrentConsole, db: DB,
                    form: Fields) -> Response:
    values = await group_values(request, form)
    try:
        access.create_group(db, actor=console.actor, enterprise_id=enterprise_id,
                            **group_input(db, enterprise_id, values))
    except YktError as exc:
        return _fail(request, db, console, enterprise_id, "group", shown(values), exc)
    return redirect(request, f"{base(enterprise_id)}?saved=group#groups")
