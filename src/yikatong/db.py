"""Engines and sessions for SQLite and PostgreSQL.

SQLite allows one writer at a time. Rather than letting concurrent writers collide and spin on
``SQLITE_BUSY``, every write unit of work in this process takes ``Database.write_lock`` and runs on
a single dedicated writer connection that opens with ``BEGIN IMMEDIATE`` (which also makes another
process — a separate ``ykt worker`` — queue behind ``busy_timeout`` instead of failing on a stale
snapshot). Reads use a pool of WAL readers and never wait for the writer. Copying the WAL back into
the database file (a checkpoint, with its fsyncs) is done by a background thread, not by whichever
commit happens to cross SQLite's threshold while holding the writer lock. PostgreSQL needs none of
this: writes use row locks, so both kinds of session share one pool there.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import DateTime, Engine, MetaData, TypeDecorator, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from yikatong.core.clock import as_utc
from yikatong.core.errors import YktError

log = logging.getLogger("yikatong.db")

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
        if immediate:
            # The Checkpointer copies the WAL back; a commit does it only if that falls far behind.
            cur.execute(f"PRAGMA wal_autocheckpoint={WRITER_AUTOCHECKPOINT_PAGES}")
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


WRITER_AUTOCHECKPOINT_PAGES = 10_000  # 40 MB of WAL: the safety net (SQLite's default is 1,000)


class Checkpointer:
    """Runs ``PRAGMA wal_checkpoint(PASSIVE)`` on a reader connection in a daemon thread, after every
    ``every_commits`` commits of this process and at least every ``interval_s`` seconds. PASSIVE
    neither waits for nor blocks readers or the writer; SQLite itself restarts the WAL from the
    top once it has all been copied. (At about 15 pages a purchase, 64 commits is the cadence at
    which SQLite's own default threshold would checkpoint.)"""

    def __init__(self, engine: Engine, *, every_commits: int = 64, interval_s: float = 1.0):
        self.engine = engine
        self.every_commits = every_commits
        self.interval_s = interval_s
        self._commits = 0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def committed(self) -> None:
        """Called after each commit, under the writer lock."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="sqlite-checkpointer", daemon=True)
            self._thread.start()
        self._commits += 1
        if self._commits >= self.every_commits:
            self._commits = 0
            self._wake.set()

    def checkpoint(self) -> None:
        raw = self.engine.raw_connection()
        try:
            raw.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        finally:
            raw.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval_s)
            self._wake.clear()
            try:
                self.checkpoint()
            except Exception:  # noqa: BLE001 - keep going; a commit checkpoints if this falls behind
                log.warning("WAL checkpoint failed", exc_info=True)

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout_s)


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
            self.checkpointer: Checkpointer | None = Checkpointer(self.engine)
        else:
            self.engine = create_engine(url, pool_size=10, max_overflow=40, pool_pre_ping=True)
            self.write_engine = self.engine
            self.write_lock = None
            self.checkpointer = None
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
                if self.checkpointer is not None:
                    self.checkpointer.committed()
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()
        finally:
            self.release_writer()

    def dispose(self) -> None:
        if self.checkpointer is not None:
            self.checkpointer.stop()
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
