"""Reading member rows from .csv or .xlsx as admins produce them (Excel's UTF-8 with BOM, or GBK
from a Chinese Excel), with English or Chinese column headers."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from yikatong.core.errors import InvalidInput

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
COLUMNS = ("name", "phone", "staff_no", "department")
HEADER_ALIASES = {
    "name": "name", "姓名": "name",
    "phone": "phone", "手机号": "phone", "手机号码": "phone", "电话": "phone",
    "staff_no": "staff_no", "工号": "staff_no", "员工编号": "staff_no",
    "department": "department", "部门": "department",
}


@dataclass
class Row:
    number: int  # as the user sees it in Excel: the header is row 1
    values: dict[str, str]


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput("the file is neither UTF-8 nor GBK text", code="unreadable_file")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel turns 13812345678 into 13812345678.0
    return str(value).strip()


def _table(filename: str, content: bytes) -> list[list[str]]:
    name = filename.lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a broken file
            raise InvalidInput("the file is not a readable .xlsx workbook", code="unreadable_file") from None
        sheet = book.worksheets[0]
        rows = [[_cell(c) for c in row] for row in sheet.iter_rows(values_only=True)]
        book.close()
        return rows
    if name.endswith(".csv") or name.endswith(".txt"):
        return [[c.strip() for c in row] for row in csv.reader(io.StringIO(_decode(content)))]
    raise InvalidInput("upload a .csv or .xlsx file", code="unsupported_file_type")


def read_rows(filename: str, content: bytes) -> list[Row]:
    """The data rows keyed by column; a missing ``name`` or ``phone`` header is refused whole."""
    if len(content) > MAX_BYTES:
        raise InvalidInput(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB", code="file_too_large")
    table = _table(filename, content)
    if not table:
        raise InvalidInput("the file is empty", code="empty_file")
    header = [HEADER_ALIASES.get(h.strip().lower(), HEADER_ALIASES.get(h.strip(), "")) for h in table[0]]
    missing = [c for c in ("name", "phone") if c not in header]
    if missing:
        raise InvalidInput(
            "the first row must name the columns name,phone,staff_no,department (or 姓名,手机号码,工号,部门)",
            code="bad_header", details={"missing": missing},
        )
    rows = []
    for offset, raw in enumerate(table[1:], start=2):
        if not any(cell for cell in raw):
            continue
        values = {col: raw[i] if i < len(raw) else "" for i, col in enumerate(header) if col}
        rows.append(Row(number=offset, values=values))
    if len(rows) > MAX_ROWS:
        raise InvalidInput(f"at most {MAX_ROWS} members per file", code="too_many_rows")
    return rows
