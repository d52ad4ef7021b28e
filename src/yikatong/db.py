"""Engines and sessions for SQLite and PostgreSQL.

SQLite allows one writer at a time. Rather than letting concurrent writers collide and spin on
``SQLITE_BUSY``, every write unit of work in this process takes ``Database.write_lock`` and runs on
a single dedicated writer connection that opens with ``BEGIN IMMEDIATE`` (which also makes another
process — a separate ``ykt worker`` — queue behind ``busy_timeout`` instead of failing on a stale
snapshot). Reads use a pool of WAL readers and never wait for the writer. PostgreSQL needs none of
this: writes use row locks, so both kinds of session share one pool there.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import DateTime, Engine, MetaData, TypeDecorator, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from yikatong.core.clock import as_utc
from yikatong.core.errors import YktError

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class DatabaseBusy(YktError):
    status_code = 503
    code = "database_busy"


def _sqlite_pragmas(busy_timeout_ms: int, *, immediate: bool):
    def on_connect(dbapi_conn, _record):
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own handling is lazy).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cur.close()

    def on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return on_connect, on_begin


def _make_sqlite_engine(url: str, *, busy_timeout_ms: int, writer: bool) -> Engine:
    kwargs: dict = {"connect_args": {"check_same_thread": False}}
    if writer:
        kwargs.update(pool_size=1, max_overflow=0)
    else:
        kwargs.update(pool_size=8, max_overflow=24)
    engine = create_engine(url, **kwargs)
    on_connect, on_begin = _sqlite_pragmas(busy_timeout_ms, immediate=writer)
    event.listen(engine, "connect", on_connect)
    event.listen(engine, "begin", on_begin)
    return engine


class Database:
    """One per process (and one per test): owns the engines and hands out sessions."""

    def __init__(self, url: str, *, busy_timeout_ms: int = 5000, write_lock_timeout_s: float = 30.0):
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.write_lock_timeout_s = write_lock_timeout_s
        if self.is_sqlite:
            self.engine = _make_sqlite_engine(url, busy_timeout_ms=busy_timeout_ms, writer=False)
            self.write_engine = _make_sqlite_engine(url, busy_timeout_ms=busy_timeout_ms, writer=True)
            self.write_lock: threading.Lock | None = threading.Lock()
        else:
            self.engine = create_engine(url, pool_size=10, max_overflow=40, pool_pre_ping=True)
            self.write_engine = self.engine
            self.write_lock = None
        self._read_sessions = sessionmaker(bind=self.engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(bind=self.write_engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def open_read(self) -> Session:
        return self._read_sessions()

    def acquire_writer(self) -> None:
        if self.write_lock is not None and not self.write_lock.acquire(timeout=self.write_lock_timeout_s):
            raise DatabaseBusy("The database is busy; try again.")

    def release_writer(self) -> None:
        if self.write_lock is not None:
            self.write_lock.release()

    def open_write(self) -> Session:
        return self._write_sessions()

    @contextmanager
    def read(self) -> Iterator[Session]:
        session = self.open_read()
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A unit of work: commits when the block ends normally, rolls back on any exception."""
        self.acquire_writer()
        try:
            session = self.open_write()
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()
        finally:
            self.release_writer()

    def dispose(self) -> None:
        self.engine.dispose()
        if self.write_engine is not self.engine:
            self.write_engine.dispose()


class UTCDateTime(TypeDecorator):
    """Timestamps are stored in UTC and always come back aware (SQLite would hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.timezone.utc)

    def process_result_value(self, value, dialect):
        return None if value is None else as_utc(value)
