"""Bulk look-ups shared by the batch uploads (offline records, clock records)."""

from __future__ import annotations

from sqlalchemy import Select, and_, column, select, values
from sqlalchemy.sql import ColumnElement


def matching_pairs(columns: list, *, first, second, pairs: list[tuple], where: ColumnElement) -> Select:
    """``SELECT columns`` of the rows whose ``(first, second)`` is one of ``pairs`` and that match
    ``where``. The pairs go in as a VALUES list (a common table expression, which both engines
    accept) joined to the table, so each pair is one probe of a unique index on (…, first, second);
    a row-value ``IN`` list instead makes SQLite walk every row that matches ``where``."""
    wanted = values(column("a", first.type), column("b", second.type), name="wanted").data(pairs).cte("wanted")
    return select(*columns).select_from(wanted.join(first.table, and_(where, first == wanted.c.a,
                                                                         second == wanted.c.b)))
