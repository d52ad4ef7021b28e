"""The merchants' daily settlement statement (日结/结算单, P9): for one Beijing calendar day, each
merchant's purchases, undos and the net it is owed, with totals, a bar chart of the net per
merchant (inline SVG drawn here) and the same statement as an .xlsx download (the API's columns;
the API itself needs a bearer token, so the console draws its own file)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from yikatong.core import clock
from yikatong.core.errors import YktError
from yikatong.core.ids import PathId
from yikatong.deps import DB
from yikatong.enterprises import service as enterprises
from yikatong.purse import settlement
from yikatong.purse.schemas import SettlementOut
from yikatong.web.charts import bar_chart
from yikatong.web.errors import ConsoleRoute
from yikatong.web.i18n import translator_for
from yikatong.web.pages.common import XLSX, download, form_failure, parse_date
from yikatong.web.session import Console, CurrentConsole
from yikatong.web.templating import render

router = APIRouter(prefix="/console/enterprises/{enterprise_id}/settlements", route_class=ConsoleRoute,
                   include_in_schema=False)

def today() -> dt.date:
    return clock.local(clock.now()).date()


def _statement(db: Session, console: Console, enterprise_id: int, day: dt.date) -> SettlementOut:
    enterprises.get_enterprise(db, actor=console.actor, enterprise_id=enterprise_id)  # another's: 404 (X5)
    return settlement.daily_statement(db, actor=console.actor, enterprise_id=enterprise_id, day=day)


@router.get("")
def statement_page(request: Request, enterprise_id: PathId, console: CurrentConsole, db: DB) -> Response:
    enterprise = enterprises.get_enterprise(db, actor=console.actor, enterprise_id=enterprise_id)
    t = translator_for(request)
    text = request.query_params.get("day", "").strip()
    failure = None
    try:
        day = parse_date(text, default=today())
    except YktError as exc:
        failure, day = form_failure(request, db, exc), today()
    statement = _statement(db, console, enterprise_id, day)
    totals = {k: sum(getattr(r, k) for r in statement.rows)
              for k in ("purchases", "purchases_fen", "undos", "undos_fen", "net_fen")}
    chart = bar_chart([(r.merchant_name, r.net_fen) for r in statement.rows],
                      title=t.gettext("Net amount per merchant on %(day)s", day=day.isoformat()))
    base = f"/console/enterprises/{enterprise_id}/settlements"
    return render(request, "settlements/statement.html", {
        "enterprise": enterprise, "base": base, "day": day, "statement": statement, "totals": totals,
        "chart": chart, "failure": failure, "is_today": day == today(),
        "previous": (day - dt.timedelta(days=1)).isoformat(), "next": (day + dt.timedelta(days=1)).isoformat(),
        "nav": "settlements" if console.is_admin else "enterprises",
    }, status_code=failure.status_code if failure else 200)


@router.get(".xlsx")
def statement_xlsx(request: Request, enterprise_id: PathId, console: CurrentConsole, db: DB) -> Response:
    """The statement as Excel, with the API's columns and a total row."""
    day = parse_date(request.query_params.get("day", "").strip(), default=today())
    statement = _statement(db, console, enterprise_id, day)
    return download(settlement.to_xlsx(statement), XLSX, f"settlement-{enterprise_id}-{day.isoformat()}.xlsx")
