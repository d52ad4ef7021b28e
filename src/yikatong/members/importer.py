"""Reading member rows from .csv or .xlsx as admins produce them (Excel's UTF-8 with BOM, or GBK
from a Chinese Excel), with English or Chinese column headers."""

from __future__ import annotations

from dataclasses import dataclass

from yikatong.core.errors import InvalidInput
from yikatong.core.spreadsheets import MAX_BYTES, read_table

__all__ = ["COLUMNS", "MAX_BYTES", "MAX_ROWS", "Row", "read_rows"]
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


def read_rows(filename: str, content: bytes) -> list[Row]:
    """The data rows keyed by column; a missing ``name`` or ``phone`` header is refused whole."""
    table = read_table(filename, content)
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
