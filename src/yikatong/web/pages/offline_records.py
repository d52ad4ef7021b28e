"""Offline purchase records (脱机消费记录, P7) of an enterprise: by default the flagged ones — a gap in
a card's offline counter or a SAM's serial, a blacklisted card that paid, a record the ledger could
not cover — for the enterprise admin and operators to follow up; filters by flag and card number."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from yikatong.core.ids import PathId
from yikatong.deps import DB
from yikatong.enterprises import service as enterprises
from yikatong.offline import service as offline
from yikatong.offline.schemas import Flag
from yikatong.web.errors import ConsoleRoute
from yikatong.web.i18n import N_
from yikatong.web.pages.common import Pager, page_params
from yikatong.web.session import CurrentConsole
from yikatong.web.templating import render

router = APIRouter(prefix="/console/enterprises/{enterprise_id}/offline-records", route_class=ConsoleRoute,
                   include_in_schema=False)
PER_PAGE = 50
FLAG_LABELS = {Flag.counter_gap.value: N_("Card offline counter gap"),
               Flag.serial_gap.value: N_("Terminal serial gap"),
               Flag.after_blacklist.value: N_("Paid after blacklisting"),
               Flag.ledger_short.value: N_("Not posted: purse balance short")}


@router.get("")
def records_page(request: Request, enterprise_id: PathId, console: CurrentConsole, db: DB) -> Response:
    enterprise = enterprises.get_enterprise(db, actor=console.actor, enterprise_id=enterprise_id)  # X5: 404
    show = request.query_params.get("show", "flagged")
    show = show if show in ("flagged", "all") else "flagged"
    flag_text = request.query_params.get("flag", "")
    flag = Flag(flag_text) if flag_text in FLAG_LABELS else None
    card_no = request.query_params.get("card_no", "").strip()
    card_no = card_no if card_no.isdigit() and len(card_no) == 16 else ""
    page = offline.list_records(db, actor=console.actor, enterprise_id=enterprise_id,
                                page=page_params(request, PER_PAGE), flagged=True if show == "flagged" else None,
                                flag=flag, card_no=card_no or None)
    base = f"/console/enterprises/{enterprise_id}/offline-records"
    filters = {"show": show if show != "flagged" else "", "flag": flag.value if flag else "", "card_no": card_no}
    return render(request, "offline_records/list.html", {
        "enterprise": enterprise, "base": base, "filters": filters, "show": show, "pager": Pager(page, base, filters),
        "records": page.items, "flag_labels": FLAG_LABELS,
        "nav": "offline_records" if console.is_admin else "enterprises",
    })
