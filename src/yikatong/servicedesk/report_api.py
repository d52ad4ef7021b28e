"""S9 service reports over HTTP: JSON for dashboards and integrators, .xlsx for the managers."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from yikatong.core import clock
from yikatong.core.ids import QueryId
from yikatong.core.spreadsheets import XLSX_MEDIA_TYPE
from yikatong.deps import DB, CurrentActor
from yikatong.servicedesk import reports
from yikatong.servicedesk.reports import GroupBy, ServiceReport

router = APIRouter(tags=["work orders"])


@router.get("/service-reports", response_model=ServiceReport,
            summary="Service report: volumes, first-contact resolution, SLA attainment, satisfaction (S9)")
def service_report(actor: CurrentActor, db: DB,
                   start: Annotated[dt.date | None, Query(description="first Beijing day; default 29 days ago")] = None,
                   end: Annotated[dt.date | None, Query(description="last Beijing day; default today")] = None,
                   group_by: GroupBy = GroupBy.channel, enterprise_id: QueryId = None,
                   format: Annotated[str, Query(pattern="^(json|xlsx)$")] = "json"):
    end = end or clock.local(clock.now()).date()
    start = start or end - dt.timedelta(days=29)
    report = reports.service_report(db, actor=actor, start=start, end=end, group_by=group_by,
                                    enterprise_id=enterprise_id)
    if format == "json":
        return report
    return Response(reports.to_xlsx(report), media_type=XLSX_MEDIA_TYPE, headers={
        "Content-Disposition": f'attachment; filename="service-report-{start.isoformat()}-{end.isoformat()}.xlsx"'})
