"""An enterprise's purse page (P5, P6, P1): the balance validity period (余额有效期) and the
consumption bills, running the expiry now (after a confirmation), the expired balances with a
"give back" for each (a linked reversal, at most once), and the bulk top-up (``purse_bulk``)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from yikatong.auth.tenancy import require_role
from yikatong.cards import service as cards
from yikatong.core.actor import Role
from yikatong.core.errors import InvalidInput, NotFound, YktError
from yikatong.core.ids import PathId
from yikatong.core.money import format_yuan
from yikatong.core.pagination import Page
from yikatong.core.validation import validated
from yikatong.deps import DB
from yikatong.enterprises import service as enterprises
from yikatong.purse import expiry
from yikatong.purse import service as purse
from yikatong.purse.models import Account, BillMode, Transfer
from yikatong.purse.schemas import PurseSettingsIn
from yikatong.web.errors import ConsoleRoute
from yikatong.web.forms import Csrf, Fields
from yikatong.web.pages.common import FormFailure, Pager, form_failure, page_params
from yikatong.web.pages.purse_common import KEY_FIELD, new_key
from yikatong.web.session import Console, CurrentConsole
from yikatong.web.templating import redirect, render

router = APIRouter(prefix="/console/enterprises/{enterprise_id}/purse", route_class=ConsoleRoute,
                   include_in_schema=False)

PER_PAGE = 20
PURSE_ROLES = (Role.enterprise_admin, Role.operator)
BILL_MODES = [m.value for m in BillMode]


def base(enterprise_id: int) -> str:
    return f"/console/enterprises/{enterprise_id}/purse"


def purse_enterprise(db: Session, console: Console, enterprise_id: int):
    """The enterprise, for its admin or an operator only (another enterprise's admin: 404, X5)."""
    enterprise = enterprises.get_enterprise(db, actor=console.actor, enterprise_id=enterprise_id)
    require_role(console.actor, PURSE_ROLES)
    return enterprise


@dataclass(frozen=True)
class ExpiryRow:
    transfer: Transfer
    holder_name: str
    phone: str
    card_no: str
    given_back: bool


def _expiry_rows(db: Session, transfers: list[Transfer]) -> list[ExpiryRow]:
    """Whose balance each expiry took: the purse account's sub-application and its card. (No
    service names the card of a purse account, so the account row is read here.)"""
    rows = []
    for t in transfers:
        account = db.get(Account, t.debit_account_id)
        found = cards.application_by_id(db, application_id=account.owner_id) if account else None
        card = found[1] if found else None
        rows.append(ExpiryRow(transfer=t, holder_name=card.holder_name if card else "—",
                              phone=card.phone if card else "", card_no=card.card_no if card else "",
                              given_back=expiry.already_reversed(db, transfer_id=t.id)))
    return rows


def _settings_values(db: Session, enterprise_id: int) -> dict[str, str]:
    s = purse.settings_of(db, enterprise_id=enterprise_id)
    return {"validity_days": str(s.validity_days) if s.validity_days else "", "bill_mode": s.bill_mode}


def purse_page(request: Request, db: Session, console: Console, enterprise_id: int, *,
               settings_failure: FormFailure | None = None, settings_values: dict[str, str] | None = None,
               status_code: int = 200, **bulk) -> Response:
    enterprise = purse_enterprise(db, console, enterprise_id)
    params = page_params(request, PER_PAGE)
    everything = expiry.list_expiries(db, actor=console.actor, enterprise_id=enterprise_id)
    page = Page(items=_expiry_rows(db, everything[params.offset:params.offset + params.limit]),
                total=len(everything), limit=params.limit, offset=params.offset)
    return render(request, "purse/enterprise.html", {
        "enterprise": enterprise, "base": base(enterprise_id), "pager": Pager(page, base(enterprise_id), {}),
        "values": settings_values or _settings_values(db, enterprise_id), "failure": settings_failure,
        "bill_modes": BILL_MODES, "bulk_key": new_key(), "key_field": KEY_FIELD,
        "bulk_result": None, "row_errors": [], "bulk_failure": None, "filename": "", "expiry_failure": None, **bulk,
        "nav": "purse" if console.is_admin else "enterprises",
    }, status_code=settings_failure.status_code if settings_failure else status_code)


@router.get("")
def purse_settings_page(request: Request, enterprise_id: PathId, console: CurrentConsole, db: DB) -> Response:
    return purse_page(request, db, console, enterprise_id)


def _validity(text: str) -> int | None:
    if not text:
        return None
    if not text.isdigit() or len(text) > 6:
        raise InvalidInput("validity_days: a whole number", code="invalid_input",
                           details={"errors": [{"field": "validity_days", "type": "int_parsing"}]})
    return int(text)


@router.post("/settings", dependencies=[Csrf])
def save_settings(request: Request, enterprise_id: PathId, console: CurrentConsole, db: DB,
                  form: Fields) -> Response:
    """P5 余额有效期 (counted from each purse's latest top-up) and P6 consumption bills."""
    purse_enterprise(db, console, enterprise_id)
    values = {"validity_days": form.get("validity_days", "")[:12], "bill_mode": form.get("bill_mode", "")}
    try:
        data = validated(PurseSettingsIn, validity_days=_validity(values["validity_days"]),
                         expiry_rule="to_enterprise", bill_mode=values["bill_mode"])
        purse.set_settings(db, actor=console.actor, enterprise_id=enterprise_id, validity_days=data.validity_days,
                           expiry_rule=data.expiry_rule.value, bill_mode=data.bill_mode.value)
    except YktError as exc:
        return purse_page(request, db, console, enterprise_id, settings_failure=form_failure(request, db, exc),
                          settings_values=values)
    return redirect(request, base(enterprise_id), flash="purse_settings_saved")


@router.get("/expire")
def confirm_expire(request: Request, enterprise_id: PathId, console: CurrentConsole, db: DB) -> Response:
    enterprise = purse_enterprise(db, console, enterprise_id)
    return render(request, "purse/expire_confirm.html", {
        "enterprise": enterprise, "base": base(enterprise_id),
        "settings": purse.settings_of(db, enterprise_id=enterprise_id),
        "nav": "purse" if console.is_admin else "enterprises",
    })


@router.post("/expire", dependencies=[Csrf])
def expire(request: Request, enterprise_id: PathId, console: CurrentConsole, db: DB, form: Fields) -> Response:
    """P5: every expired balance of the enterprise moves to its expired-balance account, recorded."""
    purse_enterprise(db, console, enterprise_id)
    if form.get("confirm") != "yes":
        return redirect(request, f"{base(enterprise_id)}/expire")
    purses, fen = expiry.expire_balances(db, actor=console.actor, enterprise_id=enterprise_id)
    if purses == 0:
        return redirect(request, base(enterprise_id), flash="nothing_expired")
    return redirect(request, base(enterprise_id), flash="balances_expired", arg=str(purses), arg2=format_yuan(fen))


@router.post("/expiries/{transfer_id}/reverse", dependencies=[Csrf])
def give_back(request: Request, enterprise_id: PathId, transfer_id: PathId, console: CurrentConsole,
              db: DB) -> Response:
    """Give one expired balance back to its purse (once; its validity is extended)."""
    purse_enterprise(db, console, enterprise_id)
    try:
        reversal = expiry.reverse_expiry(db, actor=console.actor, transfer_id=transfer_id)
        if reversal.enterprise_id != enterprise_id:
            raise NotFound("no such expiry", code="expiry_not_found")  # rolled back: nothing given back
    except YktError as exc:
        failure = form_failure(request, db, exc)
        return purse_page(request, db, console, enterprise_id, status_code=failure.status_code,
                          expiry_failure=failure)
    return redirect(request, base(enterprise_id), flash="expiry_reversed", arg=format_yuan(reversal.amount_fen))
