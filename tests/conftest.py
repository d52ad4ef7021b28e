"""Fixtures that give every database test both engines (SQLite and a real PostgreSQL).

``--db=sqlite`` / ``--db=postgresql`` run one half (``make test`` runs both halves in parallel);
the default runs both. Tests that touch no database run in the SQLite half only.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from argon2 import PasswordHasher

from yikatong import migrate
from yikatong.auth import passwords
from yikatong.core import clock as clock_module
from yikatong.core.clock import FixedClock
from yikatong.db import Base, Database

from support.kek import TEST_KEK_SETTING

ENGINES = ("sqlite", "postgresql")

# Real argon2 at its lowest cost: a test logs in many times, and the production cost (64 MiB, three
# passes) is what makes a password expensive to guess, not what the tests check. Hashes made here
# are ordinary argon2 hashes; verification reads their parameters from the hash itself.
passwords._hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)

os.environ["YKT_KEY_ENCRYPTION_KEY"] = TEST_KEK_SETTING  # inherited by the `ykt` subprocesses tests start
# The development OTA channel's card files (the simulated SIMs): a directory of this run's own.
os.environ.setdefault("YKT_DEV_CARDS_DIR", tempfile.mkdtemp(prefix="ykt-dev-cards-"))
DB_FIXTURES = {"db_engine", "db_url", "database", "app", "client", "session"}


def pytest_addoption(parser):
    parser.addoption("--db", default="both", choices=("sqlite", "postgresql", "both"),
                     help="which database engine(s) to run database tests on")


def _engines(config) -> list[str]:
    choice = config.getoption("--db")
    return list(ENGINES) if choice == "both" else [choice]


def pytest_generate_tests(metafunc):
    if "db_engine" in metafunc.fixturenames:
        metafunc.parametrize("db_engine", _engines(metafunc.config), indirect=True)


def pytest_collection_modifyitems(config, items):
    if "sqlite" in _engines(config):
        return
    # The PostgreSQL half runs only what touches a database; the rest already ran with SQLite.
    keep, drop = [], []
    for item in items:
        (keep if DB_FIXTURES & set(getattr(item, "fixturenames", ())) else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def _postgres_migrated() -> str:
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from support.pgcluster import postgres_url

    try:
        url = postgres_url()
    except RuntimeError as exc:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"PostgreSQL unavailable: {exc}")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    migrate.upgrade(url)
    return url


@pytest.fixture
def db_engine(request) -> str:
    return request.param


@pytest.fixture
def db_url(db_engine, request, tmp_path) -> str:
    """A freshly migrated, empty database of the engine under test."""
    if db_engine == "sqlite":
        path = tmp_path / "ykt.db"
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("_postgres_migrated")
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture
def database(db_url):
    db = Database(db_url)
    yield db
    db.dispose()


@pytest.fixture
def session(database):
    """A write session committed at the end of the test (for service-level tests)."""
    with database.write() as s:
        yield s


@pytest.fixture
def clock():
    """A controllable clock installed as the one clock; starts at 2026-03-02 10:00 Beijing time (a Monday)."""
    fixed = FixedClock(dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.timezone.utc))
    previous = clock_module.set_clock(fixed)
    yield fixed
    clock_module.set_clock(previous)


@pytest.fixture
def app(database):
    from yikatong.app import create_app
    from yikatong.config import Settings

    return create_app(Settings(database_url=database.url, secret_key="test-secret"), database=database)


@pytest.fixture
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        yield c
