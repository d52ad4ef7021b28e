"""An enterprise's terminals (终端机具, T2) and merchants (商户/窗口, P9): the registered devices
with their type, merchant and status; registering one — a POS is bound to an existing merchant or
to a new one named on the form — after which its credential is shown once; the merchants, and
adding one."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from yikatong.access import service as access
from yikatong.core.errors import InvalidInput, YktError
from yikatong.core.ids import PathId
from yikatong.deps import DB
from yikatong.enterprises import service as enterprises
from yikatong.terminals import service as terminals
from yikatong.terminals import sync
from yikatong.terminals.models import TerminalType
from yikatong.web.errors import ConsoleRoute
from yikatong.web.forms import Csrf, Fields
from yikatong.web.pages.common import FormFailure, form_failure
from yikatong.web.session import Console, CurrentConsole
from yikatong.web.templating import redirect, render

router = APIRouter(prefix="/console/enterprises/{enterprise_id}/terminals", route_class=ConsoleRoute,
                   include_in_schema=False)

TYPES = [TerminalType.pos.value, TerminalType.topup.value, TerminalType.issuing.value, TerminalType.door.value,
         TerminalType.attendance.value]
NEW_MERCHANT = "new"


def base(enterprise_id: int) -> str:
    return f"/console/enterprises/{enterprise_id}/terminals"


def _page(request: Request, db: Session, console: Console, enterprise_id: int, *,
          values: dict[str, str] | None = None, failure: FormFailure | None = None,
          merchant_values: dict[str, str] | None = None, merchant_failure: FormFailure | None = None) -> Response:
    enterprise = enterprises.get_enterprise(db, actor=console.actor, enterprise_id=enterprise_id)
    devices = terminals.list_terminals(db, actor=console.actor, enterprise_id=enterprise_id)
    merchants = terminals.list_merchants(db, actor=console.actor, enterprise_id=enterprise_id)
    synced = {s.terminal_id: s for s in sync.sync_states(db, actor=console.actor, enterprise_id=enterprise_id)}
    doors = access.list_doors(db, actor=console.actor, enterprise_id=enterprise_id)
    failed = failure or merchant_failure
    return render(request, "terminals/list.html", {
        "enterprise": enterprise, "base": base(enterprise_id), "terminals": devices, "merchants": merchants,
        "merchant_names": {m.id: m.name for m in merchants}, "synced": synced, "doors": doors,
        "door_names": {d.id: d.name for d in doors}, "types": TYPES, "new_merchant": NEW_MERCHANT,
        "values": values or {"type": TerminalType.pos.value, "name": "", "merchant": "", "merchant_name": ""},
        "failure": failure, "merchant_values": merchant_values or {"name": ""}, "merchant_failure": merchant_failure,
        "has_pos": any(t.type == TerminalType.pos.value for t in devices),
        "nav": "terminals" if console.is_admin else "enterprises",
    }, status_code=failed.status_code if failed else 200)


@router.get("")
def terminal_list(request: Request, enterprise_id: PathId, console: CurrentConsole, db: DB) -> Response:
    return _page(request, db, console, enterprise_id)


def _merchant(values: dict[str, str]) -> int | str | None:
    """A POS's merchant: an existing one by id, a new one by name, or (neither) the default merchant."""
    if values["type"] != TerminalType.pos.value:
        return None
    if values["merchant"] == NEW_MERCHANT:
        name = values["merchant_name"]
        if not name or len(name) > 100:
            kind = "missing" if not name else "string_too_long"
            raise InvalidInput("merchant_name: 1 to 100 characters", code="invalid_input", details={
                "errors": [{"field": "merchant_name", "type": kind, "params": {"max_length": 100}}]})
        return name
    return int(values["merchant"]) if values["merchant"].isdigit() and len(values["merchant"]) < 10 else None


@router.post("", dependencies=[Csrf])
def register(request: Request, enterprise_id: PathId, console: CurrentConsole, db: DB, form: Fields) -> Response:
    """T2: the device's credential is in the answer and never shown again."""
    values = {k: form.get(k, "")[:120] for k in ("type", "name", "merchant", "merchant_name", "door")}
    door = values["door"]
    door_id = int(door) if values["type"] == TerminalType.door.value and door.isdigit() and len(door) < 10 else None
    try:
        terminal, token = terminals.register_terminal(db, actor=console.actor, enterprise_id=enterprise_id,
                                                      type=values["type"], name=values["name"],
                                                      merchant=_merchant(values), door_id=door_id)
        merchant = next((m for m in terminals.list_merchants(db, actor=console.actor, enterprise_id=enterprise_id)
                         if m.id == terminal.merchant_id), None)
    except YktError as exc:
        failure = form_failure(request, db, exc)
        return _page(request, db, console, enterprise_id, values=values, failure=failure)
    enterprise = enterprises.get_enterprise(db, actor=console.actor, enterprise_id=enterprise_id)
    return render(request, "terminals/created.html", {
        "enterprise": enterprise, "base": base(enterprise_id), "terminal": terminal, "token": token,
        "merchant": merchant, "nav": "terminals" if console.is_admin else "enterprises",
    }, status_code=201)


@router.post("/merchants", dependencies=[Csrf])
def add_merchant(request: Request, enterprise_id: PathId, console: CurrentConsole, db: DB, form: Fields) -> Response:
    """P9: a canteen window or shop (a name already defined is the same merchant)."""
    values = {"name": form.get("name", "")[:120]}
    try:
        merchant = terminals.create_merchant(db, actor=console.actor, enterprise_id=enterprise_id, name=values["name"])
    except YktError as exc:
        failure = form_failure(request, db, exc)
        return _page(request, db, console, enterprise_id, merchant_values=values, merchant_failure=failure)
    return redirect(request, f"{base(enterprise_id)}#merchants", flash="merchant_added", arg=merchant.name)
