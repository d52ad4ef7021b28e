"""Reading the tables admins upload: .csv as Excel writes it (UTF-8, UTF-8 with BOM, or GBK from a
Chinese Excel) and .xlsx (first sheet), as rows of trimmed text cells."""

from __future__ import annotations

import csv
import io

from yikatong.core.errors import InvalidInput

MAX_BYTES = 5 * 1024 * 1024
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


def read_table(filename: str, content: bytes) -> list[list[str]]:
    """Every row of the file's first table; refuses other file types and files over 5 MB."""
    if len(content) > MAX_BYTES:
        raise InvalidInput(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB", code="file_too_large")
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


def write_table(*, title: str, header: list[str], rows: list[list] = (), widths: tuple[int, ...] = (),
                text_columns: str = "", number_formats: dict[str, str] | None = None, blank_rows: int = 0) -> bytes:
    """One .xlsx sheet: a bold header, ``rows``, column widths in characters. ``text_columns``
    (letters) are formatted as text and ``number_formats`` applied to the rows and ``blank_rows``
    more, so a template's phone numbers stay 138… instead of becoming 1.38E+10 in Excel."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
    for column, width in zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", widths):
        sheet.column_dimensions[column].width = width
    formats = {column: "@" for column in text_columns} | (number_formats or {})
    for row in range(2, sheet.max_row + 1 + blank_rows):
        for column, number_format in formats.items():
            sheet[f"{column}{row}"].number_format = number_format
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
