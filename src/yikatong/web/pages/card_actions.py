"""The destructive card actions of a member's page, each behind a confirmation step that is also its
form: report loss (C5), replace (C7), delete one sub-application (C8), cancel (C9) and change the
member's number (M5). Nothing changes until the confirmation is posted; a refusal shows the page
again with the service's reason."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from yikatong.cards import flows as card_flows
from yikatong.cards import service as cards
from yikatong.cards.access import visible_applications
from yikatong.cards.models import CardApplication
from yikatong.core.errors import NotFound, YktError
from yikatong.core.ids import PathId
from yikatong.deps import DB
from yikatong.enterprises import service as enterprises
from yikatong.members.phones import format_phone
from yikatong.web.errors import ConsoleRoute
from yikatong.web.forms import Csrf, Fields
from yikatong.web.i18n import translator_for
from yikatong.web.pages.cards_common import app_name, card_form, card_identifiers, card_views, enterprise_names
from yikatong.web.pages.common import FormFailure, form_failure
from yikatong.web.pages.member_cards import card_of, member_path
from yikatong.web.pages.members import member_of
from yikatong.web.pages.purse_common import has_purse, purse_view
from yikatong.web.session import Console, CurrentConsole
from yikatong.web.templating import card_no, redirect, render

router = APIRouter(prefix="/console/enterprises/{enterprise_id}/members/{member_id}", route_class=ConsoleRoute,
                   include_in_schema=False)


def _confirm(request: Request, db, console: Console, enterprise_id: int, member_id: int, action: str, *,
             card_id: int | None = None, app: CardApplication | None = None, values: dict[str, str] | None = None,
             failure: FormFailure | None = None) -> Response:
    enterprise = enterprises.get_enterprise(db, actor=console.actor, enterprise_id=enterprise_id)
    member = member_of(db, console, enterprise_id, member_id)
    card = card_of(db, console, member, card_id) if card_id else None
    here = member_path(enterprise_id, member_id)
    action_url = f"{here}/phone" if card is None else f"{here}/cards/{card.id}/{action}"
    if app is not None:
        action_url = f"{here}/cards/{card_id}/applications/{app.id}/delete"
    purse = None
    if card is not None and action in ("cancel", "replace"):
        view = card_views(db, console.actor, [card], enterprise_id=enterprise_id)[0]
        purse = purse_view(db, console.actor, member_id) if has_purse(view, enterprise_id) else None
    return render(request, "cards/confirm.html", {
        "enterprise": enterprise, "member": member, "card": card, "app": app, "action": action, "purse": purse,
        "action_url": action_url, "back": here, "base": f"/console/enterprises/{enterprise_id}/members",
        "app_enterprise": enterprise_names(db, [app.enterprise_id])[app.enterprise_id] if app else "",
        "values": values or {}, "failure": failure, "nav": "members",
    }, status_code=failure.status_code if failure else 200)


def _refused(request: Request, db, console: Console, exc: YktError, enterprise_id: int, member_id: int,
             action: str, **context) -> Response:
    failure = form_failure(request, db, exc, aliases={"phone": "new_phone"})
    return _confirm(request, db, console, enterprise_id, member_id, action, failure=failure, **context)


def _unconfirmed(form: dict[str, str]) -> bool:
    return form.get("confirm") != "yes"


@router.get("/cards/{card_id}/loss")
def confirm_loss(request: Request, enterprise_id: PathId, member_id: PathId, card_id: PathId,
                 console: CurrentConsole, db: DB) -> Response:
    return _confirm(request, db, console, enterprise_id, member_id, "loss", card_id=card_id)


@router.post("/cards/{card_id}/loss", dependencies=[Csrf])
def report_loss(request: Request, enterprise_id: PathId, member_id: PathId, card_id: PathId,
                console: CurrentConsole, db: DB, form: Fields) -> Response:
    """C5 挂失: the card goes lost and onto the blacklists; subsystems and the holder are told."""
    member = member_of(db, console, enterprise_id, member_id)
    card_of(db, console, member, card_id)
    if _unconfirmed(form):
        return redirect(request, f"{member_path(enterprise_id, member_id)}/cards/{card_id}/loss")
    try:
        card = cards.report_loss(db, actor=console.actor, card_id=card_id)
    except YktError as exc:
        return _refused(request, db, console, exc, enterprise_id, member_id, "loss", card_id=card_id)
    return redirect(request, member_path(enterprise_id, member_id), flash="card_lost", arg=card_no(card.card_no))


@router.get("/cards/{card_id}/replace")
def confirm_replace(request: Request, enterprise_id: PathId, member_id: PathId, card_id: PathId,
                    console: CurrentConsole, db: DB) -> Response:
    return _confirm(request, db, console, enterprise_id, member_id, "replace", card_id=card_id,
                    values=card_form({}))


@router.post("/cards/{card_id}/replace", dependencies=[Csrf])
def replace(request: Request, enterprise_id: PathId, member_id: PathId, card_id: PathId, console: CurrentConsole,
            db: DB, form: Fields) -> Response:
    """C7 补换卡: a new card for the same number, the sub-applications written to it from the old
    card's backup (when it is present and readable) or from the platform's records."""
    member = member_of(db, console, enterprise_id, member_id)
    card_of(db, console, member, card_id)
    if _unconfirmed(form):
        return redirect(request, f"{member_path(enterprise_id, member_id)}/cards/{card_id}/replace")
    values = card_form(form) | {"old_card_readable": "yes" if form.get("old_card_readable") else ""}
    try:
        kind, iccid, imsi, uid = card_identifiers(values)
        new = card_flows.replace_card(db, actor=console.actor, card_id=card_id, kind=kind, iccid=iccid, imsi=imsi,
                                 uid=uid, old_card_readable=bool(values["old_card_readable"]))
    except YktError as exc:
        return _refused(request, db, console, exc, enterprise_id, member_id, "replace", card_id=card_id,
                        values=values)
    return redirect(request, member_path(enterprise_id, member_id), flash="card_replaced", arg=card_no(new.card_no))


def _application(db, console: Console, card_id: int, application_id: int) -> CardApplication:
    card = cards.get_card(db, actor=console.actor, card_id=card_id)
    app = next((a for a in visible_applications(db, console.actor, card) if a.id == application_id), None)
    if app is None:
        raise NotFound("no such application on this card", code="application_not_found")
    return app


@router.get("/cards/{card_id}/applications/{application_id}/delete")
def confirm_delete(request: Request, enterprise_id: PathId, member_id: PathId, card_id: PathId,
                   application_id: PathId, console: CurrentConsole, db: DB) -> Response:
    card_of(db, console, member_of(db, console, enterprise_id, member_id), card_id)
    app = _application(db, console, card_id, application_id)
    return _confirm(request, db, console, enterprise_id, member_id, "delete", card_id=card_id, app=app)


@router.post("/cards/{card_id}/applications/{application_id}/delete", dependencies=[Csrf])
def delete_application(request: Request, enterprise_id: PathId, member_id: PathId, card_id: PathId,
                       application_id: PathId, console: CurrentConsole, db: DB, form: Fields) -> Response:
    """C8 应用删除 by the enterprise admin: one of their own enterprise's sub-applications."""
    card_of(db, console, member_of(db, console, enterprise_id, member_id), card_id)
    app = _application(db, console, card_id, application_id)
    here = member_path(enterprise_id, member_id)
    if _unconfirmed(form):
        return redirect(request, f"{here}/cards/{card_id}/applications/{application_id}/delete")
    name = app_name(translator_for(request), app)
    try:
        cards.delete_application(db, actor=console.actor, card_id=card_id, application_id=application_id)
    except YktError as exc:
        failure = form_failure(request, db, exc)
        return _confirm(request, db, console, enterprise_id, member_id, "delete", card_id=card_id,
                        app=_application(db, console, card_id, application_id), failure=failure)
    return redirect(request, here, flash="application_deleted", arg=name)


@router.get("/cards/{card_id}/cancel")
def confirm_cancel(request: Request, enterprise_id: PathId, member_id: PathId, card_id: PathId,
                   console: CurrentConsole, db: DB) -> Response:
    return _confirm(request, db, console, enterprise_id, member_id, "cancel", card_id=card_id,
                    values={"refund": "cash"})


@router.post("/cards/{card_id}/cancel", dependencies=[Csrf])
def cancel(request: Request, enterprise_id: PathId, member_id: PathId, card_id: PathId, console: CurrentConsole,
           db: DB, form: Fields) -> Response:
    """C9 注销: the purse is settled first (refund in cash or by transfer), then every
    sub-application is removed and the card blacklisted."""
    member = member_of(db, console, enterprise_id, member_id)
    card_of(db, console, member, card_id)
    if _unconfirmed(form):
        return redirect(request, f"{member_path(enterprise_id, member_id)}/cards/{card_id}/cancel")
    values = {"refund": form.get("refund", "")}
    try:
        card, _refunded = card_flows.cancel_card(db, actor=console.actor, card_id=card_id, refund=values["refund"])
    except YktError as exc:
        return _refused(request, db, console, exc, enterprise_id, member_id, "cancel", card_id=card_id,
                        values=values)
    return redirect(request, member_path(enterprise_id, member_id), flash="card_cancelled",
                    arg=card_no(card.card_no))


@router.get("/phone")
def confirm_phone(request: Request, enterprise_id: PathId, member_id: PathId, console: CurrentConsole,
                  db: DB) -> Response:
    return _confirm(request, db, console, enterprise_id, member_id, "phone",
                    values=card_form({}) | {"new_phone": ""})


@router.post("/phone", dependencies=[Csrf])
def change_phone(request: Request, enterprise_id: PathId, member_id: PathId, console: CurrentConsole, db: DB,
                 form: Fields) -> Response:
    """M5: the old number's sub-applications of this enterprise are cancelled and the new number's
    card (issued now, unless it already has one) gets them."""
    member_of(db, console, enterprise_id, member_id)
    if _unconfirmed(form):
        return redirect(request, f"{member_path(enterprise_id, member_id)}/phone")
    values = card_form(form) | {"new_phone": form.get("new_phone", "")}
    try:
        kind, iccid, imsi, uid = card_identifiers(values)
        cards.change_phone(db, actor=console.actor, member_id=member_id, new_phone=values["new_phone"], kind=kind,
                           iccid=iccid, imsi=imsi, uid=uid)
    except YktError as exc:
        return _refused(request, db, console, exc, enterprise_id, member_id, "phone", values=values)
    member = member_of(db, console, enterprise_id, member_id)
    return redirect(request, member_path(enterprise_id, member_id), flash="phone_changed",
                    arg=format_phone(member.phone))
