"""The over-the-air top-up (空中充值, P1) of a member's purse from the member's page. A large amount
(1,000 yuan or more) is confirmed on a second page first; the form's one-time key makes a double
click or a reload move the money once (P8); a refusal (no card, no purse on the card, card lost or
out of use, a bad amount) is shown on the member's page in the reader's language."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from yikatong.core.errors import YktError
from yikatong.core.ids import PathId
from yikatong.core.money import format_yuan
from yikatong.deps import DB
from yikatong.enterprises import service as enterprises
from yikatong.purse import service as purse
from yikatong.web.errors import ConsoleRoute
from yikatong.web.forms import Csrf, Fields
from yikatong.web.pages.common import form_failure
from yikatong.web.pages.member_cards import detail_page, member_path
from yikatong.web.pages.members import member_of
from yikatong.web.pages.purse_common import KEY_FIELD, LARGE_TOPUP_FEN, amount_fen, once
from yikatong.web.session import CurrentConsole
from yikatong.web.templating import redirect, render

router = APIRouter(prefix="/console/enterprises/{enterprise_id}/members/{member_id}/purse",
                   route_class=ConsoleRoute, include_in_schema=False)


@router.post("/topup", dependencies=[Csrf])
def topup(request: Request, enterprise_id: PathId, member_id: PathId, console: CurrentConsole, db: DB,
          form: Fields) -> Response:
    """P1 空中充值: the amount in yuan becomes whole fen; 1,000 yuan or more needs the confirmation."""
    enterprise = enterprises.get_enterprise(db, actor=console.actor, enterprise_id=enterprise_id)
    member = member_of(db, console, enterprise_id, member_id)
    values = {"amount": form.get("amount", "")[:32], KEY_FIELD: form.get(KEY_FIELD, "")[:100]}
    try:
        fen = amount_fen(values["amount"])
        if fen >= LARGE_TOPUP_FEN and form.get("confirm") != "yes":
            return render(request, "purse/topup_confirm.html", {
                "enterprise": enterprise, "member": member, "amount_fen": fen, "values": values,
                "back": member_path(enterprise_id, member_id),
                "base": f"/console/enterprises/{enterprise_id}/members", "nav": "members",
            })
        answer, _ = once(db, actor=console.actor, key=values[KEY_FIELD], what=f"topup {member_id} {fen}",
                         produce=lambda: _topup(db, console.actor, member_id, fen))
    except YktError as exc:
        failure = form_failure(request, db, exc)
        return detail_page(request, db, console, enterprise_id, member_id, purse_failure=failure,
                           purse_values={"amount": values["amount"]})
    return redirect(request, f"{member_path(enterprise_id, member.id)}#purse", flash="purse_topped_up",
                    arg=format_yuan(answer["amount_fen"]), arg2=format_yuan(answer["balance_fen"]))


def _topup(db, actor, member_id: int, fen: int) -> dict:
    transfer = purse.topup_member(db, actor=actor, member_id=member_id, amount_fen=fen)
    return {"transfer_id": transfer.id, "amount_fen": transfer.amount_fen,
            "balance_fen": transfer.credit_balance_after_fen}
