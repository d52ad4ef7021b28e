"""The service dashboard (服务报表, S9): volumes, first-contact resolution, SLA attainment and
satisfaction for a range of Beijing days, grouped as the reader chooses, with charts and the same
report as .xlsx. Service staff see every enterprise or pick one; an enterprise admin sees their own."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from yikatong.core import clock
from yikatong.core.actor import SYSTEM
from yikatong.core.errors import YktError
from yikatong.deps import DB
from yikatong.enterprises import service as enterprises
from yikatong.servicedesk import reports
from yikatong.servicedesk.reports import GroupBy, ServiceReport
from yikatong.web import labels
from yikatong.web.charts import bar_chart
from yikatong.web.errors import ConsoleRoute
from yikatong.web.i18n import N_, Translator, translator_for
from yikatong.web.pages.common import XLSX, download, form_failure, parse_date
from yikatong.web.session import Console, CurrentConsole
from yikatong.web.templating import render

router = APIRouter(prefix="/console/service-reports", route_class=ConsoleRoute, include_in_schema=False)

GROUPINGS = {"channel": N_("Channel"), "category": N_("Category"), "type": N_("Order type"), "team": N_("Team"),
             "day": N_("Day"), "week": N_("Week"), "month": N_("Month")}
_LABEL_KINDS = {"channel": "ticket_channel", "category": "ticket_category", "type": "ticket_type"}


def _query(request: Request) -> dict:
    """The filters as typed, each bounded; an unknown grouping falls back to channel."""
    q = request.query_params
    group_by = q.get("group_by", "channel")
    enterprise = q.get("enterprise_id", "").strip()
    return {"start": q.get("start", "").strip()[:10], "end": q.get("end", "").strip()[:10],
            "group_by": group_by if group_by in GROUPINGS else "channel",
            "enterprise_id": int(enterprise) if enterprise.isdigit() and len(enterprise) <= 9 else None}


def _report(db: Session, console: Console, query: dict) -> ServiceReport:
    end = parse_date(query["end"], default=clock.local(clock.now()).date(), field="end")
    start = parse_date(query["start"], default=end - dt.timedelta(days=29), field="start")
    return reports.service_report(db, actor=console.actor, start=start, end=end, group_by=query["group_by"],
                                  enterprise_id=query["enterprise_id"])


def row_labels(t: Translator, report: ServiceReport) -> dict[str, str]:
    kind = _LABEL_KINDS.get(report.group_by.value)
    if kind:
        return {r.key: labels.label(t, kind, r.key) for r in report.rows}
    if report.group_by == GroupBy.team:
        return {r.key: r.label if r.key else t.gettext("No team") for r in report.rows}
    return {r.key: r.label for r in report.rows}


def _percent(value: float) -> str:
    return f"{value:.0%}"


def _charts(t: Translator, report: ServiceReport, names: dict[str, str]) -> list:
    if not report.rows:
        return []
    volume = bar_chart([(names[r.key], r.volume) for r in report.rows], title=t.gettext("Work orders"),
                       value_text=str)
    charts = [(t.gettext("Work orders"), volume)]
    sla = [(names[r.key], r.sla_attainment) for r in report.rows if r.sla_attainment is not None]
    if sla:
        charts.append((t.gettext("SLA attainment"),
                       bar_chart(sla, title=t.gettext("SLA attainment"), value_text=_percent, full=1.0)))
    ratings = [(names[r.key], r.rating_average) for r in report.rows if r.rating_average is not None]
    if ratings:
        charts.append((t.gettext("Average rating (1–5)"),
                       bar_chart(ratings, title=t.gettext("Average rating (1–5)"), value_text=lambda v: f"{v:.1f}",
                                 full=5)))
    return charts


@router.get("")
def dashboard(request: Request, console: CurrentConsole, db: DB) -> Response:
    t = translator_for(request)
    query = _query(request)
    failure = None
    try:
        report = _report(db, console, query)
    except YktError as exc:
        failure = form_failure(request, db, exc)
        report = _report(db, console, query | {"start": "", "end": ""})
    names = row_labels(t, report)
    # The report has checked the reader's scope; the desk's staff work for every enterprise.
    scope = report.enterprise_id
    chosen = enterprises.get_enterprise(db, actor=SYSTEM, enterprise_id=scope) if scope is not None else None
    return render(request, "service_reports/dashboard.html", {
        "report": report, "names": names, "charts": _charts(t, report, names), "query": query,
        "groupings": GROUPINGS, "enterprise": chosen, "failure": failure, "nav": "service_reports",
        "xlsx": request.url.path + ".xlsx?" + request.url.query,
    }, status_code=failure.status_code if failure else 200)


@router.get(".xlsx")
def dashboard_xlsx(request: Request, console: CurrentConsole, db: DB) -> Response:
    report = _report(db, console, _query(request))
    content = reports.to_xlsx(report, labels=row_labels(translator_for(request), report))
    return download(content, XLSX, f"service-report-{report.start.isoformat()}-{report.end.isoformat()}.xlsx")
