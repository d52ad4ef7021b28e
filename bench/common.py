"""What the benchmarks share: a fresh, empty database to run against."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def fresh_database_url(tmp: Path, *, postgres: bool) -> str:
    """An SQLite file in ``tmp``, or the throwaway PostgreSQL cluster of the tests with an empty schema."""
    if not postgres:
        return f"sqlite:///{tmp / 'ykt.db'}"
    sys.path.insert(0, str(ROOT / "tests"))
    from sqlalchemy import create_engine, text
    from support.pgcluster import postgres_url

    url = postgres_url()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    return url
