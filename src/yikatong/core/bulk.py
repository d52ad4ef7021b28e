"""Bulk look-ups shared by the batch uploads (offline records, clock records)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Column
from sqlalchemy.orm import Session


def chunks(items: Sequence, size: int):
    """``items`` in slices of ``size``: one IN (…) list per slice, inside both engines' limits."""
    for i in range(0, len(items), size):
        yield items[i:i + size]


def placeholder(dialect) -> str:
    """The driver's positional parameter mark: ``?`` for sqlite3, ``%s`` for psycopg."""
    return "?" if dialect.paramstyle == "qmark" else "%s"


def rows_matching_pairs(db: Session, columns: Sequence[Column], *, first: Column, second: Column,
                        pairs: Sequence[tuple], scope: tuple[Column, object]) -> list[tuple]:
    """``columns`` of the rows of ``first``'s table whose ``(first, second)`` is one of ``pairs`` and
    whose ``scope`` column has the given value (the enterprise).

    The pairs go in as a VALUES list joined to the table, so each pair is one probe of a unique index
    on (scope, first, second) on both engines — a row-value ``IN`` list makes SQLite walk every row of
    the enterprise instead. The statement is written for the driver directly, its values run through
    the columns' own bind and result processors: SQLAlchemy cannot cache a VALUES list of varying
    length, and compiling one of 500 pairs costs more than running it."""
    if not pairs:
        return []
    conn = db.connection()
    dialect = conn.dialect
    quote = dialect.identifier_preparer.quote
    mark = placeholder(dialect)
    table = quote(first.table.name)
    scope_column, scope_value = scope

    def bind(column: Column):
        process = column.type.dialect_impl(dialect).bind_processor(dialect)
        return process or (lambda v: v)

    bind_first, bind_second, bind_scope = bind(first), bind(second), bind(scope_column)
    params: list = []
    for a, b in pairs:
        params += (bind_first(a), bind_second(b))
    params.append(bind_scope(scope_value))
    selected = ", ".join(f"{table}.{quote(c.name)}" for c in columns)
    sql = (f"WITH wanted(a, b) AS (VALUES {', '.join([f'({mark}, {mark})'] * len(pairs))}) "
           f"SELECT {selected} FROM wanted JOIN {table} ON {table}.{quote(first.name)} = wanted.a "
           f"AND {table}.{quote(second.name)} = wanted.b AND {table}.{quote(scope_column.name)} = {mark}")
    results = [c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns]
    rows = conn.exec_driver_sql(sql, tuple(params)).all()
    if not any(results):
        return [tuple(row) for row in rows]
    return [tuple(p(v) if p else v for p, v in zip(results, row, strict=True)) for row in rows]


def insert_rows(db: Session, table, rows: Sequence[dict], *, returning: Sequence[Column] = ()) -> list[tuple]:
    """Insert ``rows`` (each naming every column it sets; no Python-side defaults are applied) in
    multi-row INSERT statements written for the driver, through the columns' bind processors; with
    ``returning``, those columns of the new rows (in no particular order). The batch uploads' inserts:
    SQLAlchemy's per-row parameter handling costs more than the database's work for them."""
    if not rows:
        return []
    conn = db.connection()
    dialect = conn.dialect
    quote = dialect.identifier_preparer.quote
    mark = placeholder(dialect)
    names = list(rows[0])
    columns = [table.c[n] for n in names]
    binds = [c.type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
    # Both engines take well over this many parameters per statement.
    per_statement = max(1, 30_000 // len(names))
    head = f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) VALUES "
    tail = f" RETURNING {', '.join(quote(c.name) for c in returning)}" if returning else ""
    one = f"({', '.join([mark] * len(names))})"
    results = [c.type.dialect_impl(dialect).result_processor(dialect, None) for c in returning]
    out: list[tuple] = []
    for i in range(0, len(rows), per_statement):
        part = rows[i:i + per_statement]
        params = []
        for row in part:
            params += (p(row[n]) if p else row[n] for n, p in zip(names, binds, strict=True))
        found = conn.exec_driver_sql(head + ", ".join([one] * len(part)) + tail, tuple(params))
        if returning:
            out += [tuple(p(v) if p else v for p, v in zip(results, r, strict=True)) for r in found.all()]
    return out
