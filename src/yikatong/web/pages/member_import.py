"""Bulk import of members from .csv or .xlsx (M1): all or nothing, with a per-row error report,
and the two templates to start from."""

from __future__ import annotations


from fastapi import APIRouter, Request
from starlette.responses import Response

from yikatong.core.errors import YktError
from yikatong.core.ids import PathId
from yikatong.core.spreadsheets import write_table
from yikatong.deps import DB
from yikatong.enterprises import service as enterprises
from yikatong.members import service as members
from yikatong.members.importer import COLUMNS, MAX_BYTES
from yikatong.web import messages
from yikatong.web.errors import ConsoleRoute
from yikatong.web.forms import Csrf, File
from yikatong.web.i18n import translator_for
from yikatong.web.labels import label
from yikatong.web.pages.common import XLSX, download, form_failure
from yikatong.web.session import CurrentConsole
from yikatong.web.templating import render

router = APIRouter(prefix="/console/enterprises/{enterprise_id}/members/import", route_class=ConsoleRoute,
                   include_in_schema=False)


def _page(request: Request, enterprise, *, status_code: int = 200, **context) -> Response:
    base = f"/console/enterprises/{enterprise.id}/members"
    return render(request, "members/import.html", {
        "enterprise": enterprise, "base": base, "nav": "members", "created": None, "row_errors": [],
        "failure": None, "filename": "", **context,
    }, status_code=status_code)


@router.get("")
def import_form(request: Request, enterprise_id: PathId, console: CurrentConsole, db: DB) -> Response:
    enterprise = enterprises.get_enterprise(db, actor=console.actor, enterprise_id=enterprise_id)
    members.departments(db, actor=console.actor, enterprise_id=enterprise_id)  # the role check of M1
    return _page(request, enterprise)


@router.post("", dependencies=[Csrf])
def import_file(request: Request, enterprise_id: PathId, console: CurrentConsole, db: DB, file: File) -> Response:
    enterprise = enterprises.get_enterprise(db, actor=console.actor, enterprise_id=enterprise_id)
    t = translator_for(request)
    if file is None or not file.filename:
        return _page(request, enterprise, status_code=422,
                     failure=t.gettext("Choose a .csv or .xlsx file to upload."))
    filename = file.filename
    content = file.file.read(MAX_BYTES + 1)
    try:
        result = members.import_members(db, actor=console.actor, enterprise_id=enterprise_id,
                                        filename=filename, content=content)
    except YktError as exc:
        return _page(request, enterprise, status_code=exc.status_code, filename=filename,
                     failure=form_failure(request, db, exc).message)
    if result.errors:
        db.rollback()  # nothing half-imported (the service has added nothing, but be explicit)
        rows = [{"row": e.row, "field": label(t, "field", e.field) if e.field else "",
                 "message": messages.row_message(t, e.field, e.code, e.params)} for e in result.errors]
        return _page(request, enterprise, status_code=422, filename=filename, row_errors=rows,
                     failure=t.ngettext("%(num)s error in the file: nothing was imported.",
                                        "%(num)s errors in the file: nothing was imported.", len(rows)))
    return _page(request, enterprise, filename=filename, created=result.created)


@router.get("/template.csv")
def csv_template(request: Request, enterprise_id: PathId, console: CurrentConsole, db: DB) -> Response:
    """UTF-8 with a BOM, so Excel opens the Chinese text correctly."""
    enterprises.get_enterprise(db, actor=console.actor, enterprise_id=enterprise_id)
    return download(("\ufeff" + ",".join(COLUMNS) + "\r\n").encode("utf-8"), "text/csv; charset=utf-8",
                     "members-template.csv")


@router.get("/template.xlsx")
def xlsx_template(request: Request, enterprise_id: PathId, console: CurrentConsole, db: DB) -> Response:
    enterprises.get_enterprise(db, actor=console.actor, enterprise_id=enterprise_id)
    content = write_table(title="members", header=list(COLUMNS), widths=(14, 16, 14, 20), text_columns="ABCD",
                          blank_rows=1000)
    return download(content, XLSX, "members-template.xlsx")
