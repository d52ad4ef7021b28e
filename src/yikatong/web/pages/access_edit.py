"""Changing door access set-up in the console (A1): edit or remove a door, a site, a time zone or
an access group. An edit page is the creating form, pre-filled; a removal is asked first on a page
of its own (GET) and done by posting it with ``confirm=yes``. Everything goes through the access service, which checks, audits and refreshes
the door terminals' permission lists; a refusal shows the page again with its reason, nothing
changed. A member's validity dates: access_validity.py."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from yikatong.access import service as access
from yikatong.core.errors import NotFound, YktError
from yikatong.core.ids import PathId
from yikatong.deps import DB
from yikatong.enterprises import service as enterprises
from yikatong.members import roster as member_roster
from yikatong.members.models import MemberStatus
from yikatong.terminals import service as terminals
from yikatong.terminals.models import TerminalStatus, TerminalType
from yikatong.web.errors import ConsoleRoute
from yikatong.web.forms import Csrf, Fields
from yikatong.web.pages.access import (
    DIRECTIONS, PERIOD_ROWS, WEEKDAY_NAMES, base, door_values, group_input, group_values, period_failure,
    periods_from, rows_shown, shown, site_values, time_zone_values,
)
from yikatong.web.pages.common import FormFailure, form_failure
from yikatong.web.session import Console, CurrentConsole
from yikatong.web.templating import redirect, render

router = APIRouter(prefix="/console/enterprises/{enterprise_id}/access", route_class=ConsoleRoute,
                   include_in_schema=False)

# kind → the path segment of its pages, and its section's anchor on the set-up page
KINDS = {"door": "doors", "site": "sites", "time_zone": "time-zones", "group": "groups"}


def _mine(obj, enterprise_id: int, kind: str):
    """An operator sees every enterprise: the object must also be the one of the enterprise in the
    address (another's answers 404, as for an enterprise admin)."""
    if obj.enterprise_id != enterprise_id:
        raise NotFound(f"no such {kind} in this enterprise", code="not_found")
    return obj


def _get(db: Session, console: Console, enterprise_id: int, kind: str, object_id: int):
    enterprises.get_enterprise(db, actor=console.actor, enterprise_id=enterprise_id)
    getter = {"door": lambda: access.get_door(db, actor=console.actor, door_id=object_id),
              "site": lambda: access.get_site(db, actor=console.actor, site_id=object_id),
              "time_zone": lambda: access.get_time_zone(db, actor=console.actor, time_zone_id=object_id),
              "group": lambda: access.get_group(db, actor=console.actor, group_id=object_id)}[kind]
    return _mine(getter(), enterprise_id, kind)


def _context(db: Session, console: Console, enterprise_id: int) -> dict:
    return {"enterprise": enterprises.get_enterprise(db, actor=console.actor, enterprise_id=enterprise_id),
            "base": base(enterprise_id), "weekday_names": WEEKDAY_NAMES, "directions": DIRECTIONS,
            "nav": "access" if console.is_admin else "enterprises"}


def _listed(enterprise_id: int, kind: str) -> str:
    return f"{base(enterprise_id)}#{KINDS[kind]}"


# --- edit pages --------------------------------------------------------------------------------

def _edit_page(request: Request, db: Session, console: Console, enterprise_id: int, kind: str, obj, values: dict,
               failure: FormFailure | None = None, rows: int = PERIOD_ROWS) -> Response:
    ctx = _context(db, console, enterprise_id) | {
        "kind": kind, "obj": obj, "values": values, "failure": failure, "period_rows": range(1, rows + 1),
        "action": f"{base(enterprise_id)}/{KINDS[kind]}/{obj.id}/edit", "back": _listed(enterprise_id, kind),
        "remove": f"{base(enterprise_id)}/{KINDS[kind]}/{obj.id}/remove"}
    if kind == "door":
        ctx["sites"] = access.list_sites(db, actor=console.actor, enterprise_id=enterprise_id)
    if kind == "group":
        ctx["zones"] = access.list_time_zones(db, actor=console.actor, enterprise_id=enterprise_id)
        ctx["doors"] = access.list_doors(db, actor=console.actor, enterprise_id=enterprise_id)
    return render(request, "access/edit.html", ctx, status_code=failure.status_code if failure else 200)


def _saved(request: Request, enterprise_id: int, kind: str, name: str) -> Response:
    return redirect(request, _listed(enterprise_id, kind), flash=f"access_{kind}_saved", arg=name)


@router.get("/doors/{door_id}/edit")
def edit_door_page(request: Request, enterprise_id: PathId, door_id: PathId, console: CurrentConsole,
                   db: DB) -> Response:
    door = access.door_out(db, _get(db, console, enterprise_id, "door", door_id))
    return _edit_page(request, db, console, enterprise_id, "door", door,
                      {"name": door.name, "site": door.site or "", "direction": door.direction})


@router.post("/doors/{door_id}/edit", dependencies=[Csrf])
def edit_door(request: Request, enterprise_id: PathId, door_id: PathId, console: CurrentConsole, db: DB,
              form: Fields) -> Response:
    """A1: rename a door, move it to another site (a new name creates the site; empty: none) or
    change its direction, which anti-passback reads."""
    door = _get(db, console, enterprise_id, "door", door_id)
    values = door_values(form)
    try:
        door = access.update_door(db, actor=console.actor, door_id=door.id, name=values["name"],
                                  site=values["site"] or None, direction=values["direction"])
    except YktError as exc:
        return _edit_page(request, db, console, enterprise_id, "door", door, values,
                          form_failure(request, db, exc))
    return _saved(request, enterprise_id, "door", door.name)


@router.get("/sites/{site_id}/edit")
def edit_site_page(request: Request, enterprise_id: PathId, site_id: PathId, console: CurrentConsole,
                   db: DB) -> Response:
    site = _get(db, console, enterprise_id, "site", site_id)
    return _edit_page(request, db, console, enterprise_id, "site", site,
                      {"name": site.name, "anti_passback": "1" if site.anti_passback else ""})


@router.post("/sites/{site_id}/edit", dependencies=[Csrf])
def edit_site(request: Request, enterprise_id: PathId, site_id: PathId, console: CurrentConsole, db: DB,
              form: Fields) -> Response:
    """A1: rename a site (names stay unique) and switch its anti-passback on or off."""
    site = _get(db, console, enterprise_id, "site", site_id)
    values = site_values(form)
    try:
        site = access.update_site(db, actor=console.actor, site_id=site.id, name=values["name"],
                                  anti_passback=bool(values["anti_passback"]))
    except YktError as exc:
        return _edit_page(request, db, console, enterprise_id, "site", site, values,
                          form_failure(request, db, exc, aliases={"": "name"}))
    return _saved(request, enterprise_id, "site", site.name)


def _zone_values(tz) -> dict[str, str]:
    values = {"name": tz.name}
    for i, p in enumerate(tz.periods, start=1):
        values |= {f"p{i}_start": p["start"], f"p{i}_end": p["end"]} | {f"p{i}_d{d}": "1" for d in p["weekdays"]}
    return values


@router.get("/time-zones/{time_zone_id}/edit")
def edit_time_zone_page(request: Request, enterprise_id: PathId, time_zone_id: PathId, console: CurrentConsole,
                        db: DB) -> Response:
    tz = _get(db, console, enterprise_id, "time_zone", time_zone_id)
    return _edit_page(request, db, console, enterprise_id, "time_zone", tz, _zone_values(tz),
                      rows=max(PERIOD_ROWS, len(tz.periods)))


@router.post("/time-zones/{time_zone_id}/edit", dependencies=[Csrf])
def edit_time_zone(request: Request, enterprise_id: PathId, time_zone_id: PathId, console: CurrentConsole, db: DB,
                   form: Fields) -> Response:
    """A1: a time zone's name and periods; door terminals take the new periods at their next sync."""
    tz = _get(db, console, enterprise_id, "time_zone", time_zone_id)
    values = time_zone_values(form)
    try:
        tz = access.update_time_zone(db, actor=console.actor, time_zone_id=tz.id, name=values["name"],
                                     periods=periods_from(form))
    except YktError as exc:
        failure = period_failure(form_failure(request, db, exc), form)
        return _edit_page(request, db, console, enterprise_id, "time_zone", tz, values, failure,
                          rows=rows_shown(form))
    return _saved(request, enterprise_id, "time_zone", tz.name)


def _phones(db: Session, enterprise_id: int, ids: list[int]) -> list[str]:
    """The named members' phone numbers, to fill the form (a removed member is left out: saving the
    form drops them from the group)."""
    found = member_roster.members_by_ids(db, enterprise_id=enterprise_id, member_ids=ids)
    return sorted(m.phone for m in found.values() if m.status != MemberStatus.removed.value)


@router.get("/groups/{group_id}/edit")
def edit_group_page(request: Request, enterprise_id: PathId, group_id: PathId, console: CurrentConsole,
                    db: DB) -> Response:
    group = access.group_out(db, _get(db, console, enterprise_id, "group", group_id))
    values = {"name": group.name, "time_zone_id": str(group.time_zone_id), "door_ids": group.door_ids,
              "members": "\n".join(_phones(db, enterprise_id, group.member_ids)),
              "departments": ", ".join(group.departments)}
    return _edit_page(request, db, console, enterprise_id, "group", group, values)


@router.post("/groups/{group_id}/edit", dependencies=[Csrf])
async def edit_group(request: Request, enterprise_id: PathId, group_id: PathId, console: CurrentConsole, db: DB,
                     form: Fields) -> Response:
    """A1: the lists given replace the group's doors, members and departments; the permission lists
    are derived again."""
    group = _get(db, console, enterprise_id, "group", group_id)
    values = await group_values(request, form)
    try:
        group = access.update_group(db, actor=console.actor, group_id=group.id,
                                    **group_input(db, enterprise_id, values))
    except YktError as exc:
        failure = form_failure(request, db, exc)
        return _edit_page(request, db, console, enterprise_id, "group", group, shown(values), failure)
    return _saved(request, enterprise_id, "group", group.name)


# --- removal -----------------------------------------------------------------------------------

def _remove_page(request: Request, db: Session, console: Console, enterprise_id: int, kind: str, obj,
                 failure: FormFailure | None = None) -> Response:
    ctx = _context(db, console, enterprise_id) | {
        "kind": kind, "obj": obj, "failure": failure, "back": _listed(enterprise_id, kind),
        "action": f"{base(enterprise_id)}/{KINDS[kind]}/{obj.id}/remove"}
    if kind == "door":
        ctx["terminals"] = [t for t in terminals.list_terminals(db, actor=console.actor, enterprise_id=enterprise_id)
                            if t.door_id == obj.id and t.type == TerminalType.door.value
                            and t.status == TerminalStatus.active.value]
    elif kind == "site":
        ctx["doors"] = access.list_doors(db, actor=console.actor, enterprise_id=enterprise_id, site_id=obj.id)
    elif kind == "time_zone":
        ctx["groups"] = [g for g in access.list_groups(db, actor=console.actor, enterprise_id=enterprise_id)
                         if g.time_zone_id == obj.id]
    elif kind == "group":
        ctx["group"] = access.group_out(db, obj)
    return render(request, "access/remove.html", ctx, status_code=failure.status_code if failure else 200)


def _remove(kind: str, db: Session, console: Console, object_id: int) -> None:
    {"door": lambda: access.delete_door(db, actor=console.actor, door_id=object_id),
     "site": lambda: access.delete_site(db, actor=console.actor, site_id=object_id),
     "time_zone": lambda: access.delete_time_zone(db, actor=console.actor, time_zone_id=object_id),
     "group": lambda: access.delete_group(db, actor=console.actor, group_id=object_id)}[kind]()


def _confirm_route(kind: str, segment: str) -> None:
    """GET asks; POST with ``confirm=yes`` removes (without it, it asks again)."""

    def ask(request: Request, enterprise_id: PathId, object_id: PathId, console: CurrentConsole, db: DB) -> Response:
        return _remove_page(request, db, console, enterprise_id, kind, _get(db, console, enterprise_id, kind,
                                                                            object_id))

    def remove(request: Request, enterprise_id: PathId, object_id: PathId, console: CurrentConsole, db: DB,
               form: Fields) -> Response:
        obj = _get(db, console, enterprise_id, kind, object_id)
        here = f"{base(enterprise_id)}/{segment}/{obj.id}/remove"
        if form.get("confirm") != "yes":
            return redirect(request, here)
        name = obj.name
        try:
            _remove(kind, db, console, obj.id)
        except YktError as exc:
            failure = form_failure(request, db, exc)
            return _remove_page(request, db, console, enterprise_id, kind,
                                _get(db, console, enterprise_id, kind, object_id), failure)
        return redirect(request, _listed(enterprise_id, kind), flash=f"access_{kind}_removed", arg=name)

    path = f"/{segment}/{{object_id}}/remove"
    router.add_api_route(path, ask, methods=["GET"], name=f"confirm_remove_{kind}")
    router.add_api_route(path, remove, methods=["POST"], dependencies=[Csrf], name=f"remove_{kind}")


for _kind, _segment in KINDS.items():
    _confirm_route(_kind, _segment)
