"""Bulk top-up (批量充值, P1) from .csv or .xlsx with the columns 手机号码, 金额 (yuan): every row is
checked first and any error means no money moves, shown row by row as the member import shows
them; the two templates to start from. The form's one-time key (with the file's digest) makes a
re-sent upload move the money once (P8)."""

from __future__ import annotations

import hashlib

from fastapi import APIRouter, Request
from starlette.responses import Response

from yikatong.core.errors import InvalidInput, YktError
from yikatong.core.ids import PathId
from yikatong.core.spreadsheets import MAX_BYTES, write_table
from yikatong.deps import DB
from yikatong.purse import bulk
from yikatong.web import messages
from yikatong.web.errors import ConsoleRoute
from yikatong.web.forms import Csrf, Fields, File
from yikatong.web.i18n import translator_for
from yikatong.web.labels import label
from yikatong.web.pages.common import XLSX, download, form_failure
from yikatong.web.pages.purse import purse_enterprise, purse_page
from yikatong.web.pages.purse_common import KEY_FIELD, once
from yikatong.web.session import CurrentConsole

router = APIRouter(prefix="/console/enterprises/{enterprise_id}/purse/topups", route_class=ConsoleRoute,
                   include_in_schema=False)

COLUMNS = ("手机号码", "金额")
# The importer's codes for the whole file, said for the top-up file rather than the member file.
_FILE_CODES = {"bad_header": "bad_topup_header", "too_many_rows": "too_many_topup_rows"}


class _Rejected(Exception):
    """Rows with errors: nothing moved; leave ``once`` without remembering an answer."""

    def __init__(self, result: bulk.BulkTopupResult):
        super().__init__("rows with errors")
        self.result = result


def _run(db, console, enterprise_id: int, filename: str, content: bytes) -> dict:
    result = bulk.bulk_topup(db, actor=console.actor, enterprise_id=enterprise_id, filename=filename, content=content)
    if result.errors:
        raise _Rejected(result)
    return result.model_dump()


@router.post("", dependencies=[Csrf])
def upload(request: Request, enterprise_id: PathId, console: CurrentConsole, db: DB, file: File,
           form: Fields) -> Response:
    purse_enterprise(db, console, enterprise_id)
    t = translator_for(request)
    if file is None or not file.filename:
        return purse_page(request, db, console, enterprise_id, status_code=422,
                          bulk_failure=t.gettext("Choose a .csv or .xlsx file to upload."))
    filename = file.filename[:200]
    content = file.file.read(MAX_BYTES + 1)
    digest = hashlib.sha256(content).hexdigest()
    try:
        answer, _ = once(db, actor=console.actor, key=form.get(KEY_FIELD, ""), what=f"bulk {enterprise_id} {digest}",
                         produce=lambda: _run(db, console, enterprise_id, filename, content))
    except _Rejected as rejected:
        db.rollback()  # nothing moved (the service moves nothing when a row fails; be explicit)
        errors = rejected.result.errors
        rows = [{"row": e.row, "message": messages.topup_row_message(t, e.code, e.message),
                 "field": label(t, "field", messages.TOPUP_ROW_FIELDS[e.code])
                 if e.code in messages.TOPUP_ROW_FIELDS else ""} for e in errors]
        return purse_page(request, db, console, enterprise_id, status_code=422, filename=filename, row_errors=rows,
                          bulk_failure=t.ngettext("%(num)s error in the file: no money was moved.",
                                                  "%(num)s errors in the file: no money was moved.", len(rows)))
    except YktError as exc:
        if exc.code in _FILE_CODES:
            exc = InvalidInput(exc.message, code=_FILE_CODES[exc.code])
        failure = form_failure(request, db, exc)
        return purse_page(request, db, console, enterprise_id, status_code=failure.status_code, filename=filename,
                          bulk_failure=failure.message)
    return purse_page(request, db, console, enterprise_id, filename=filename, bulk_result=answer)


@router.get("/template.csv")
def csv_template(request: Request, enterprise_id: PathId, console: CurrentConsole, db: DB) -> Response:
    """UTF-8 with a BOM, so Excel opens the Chinese header correctly."""
    purse_enterprise(db, console, enterprise_id)
    return download(("\ufeff" + ",".join(COLUMNS) + "\r\n").encode("utf-8"), "text/csv; charset=utf-8",
                    "topups-template.csv")


@router.get("/template.xlsx")
def xlsx_template(request: Request, enterprise_id: PathId, console: CurrentConsole, db: DB) -> Response:
    purse_enterprise(db, console, enterprise_id)
    content = write_table(title="充值", header=list(COLUMNS), widths=(16, 12), text_columns="A",
                          number_formats={"B": "0.00"}, blank_rows=1000)
    return download(content, XLSX, "topups-template.xlsx")
