"""The database layer: SQLite writers queue behind one lock instead of failing; reads see committed
data only; a unit of work that raises leaves nothing behind."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from factories import make_enterprise
from yikatong.core.actor import SYSTEM
from yikatong.core.errors import Conflict
from yikatong.members import service as members
from yikatong.members.models import Member


def test_concurrent_writers_all_succeed(database):
    eid, _ = make_enterprise(database)
    errors: list[BaseException] = []

    def add(i: int) -> None:
        try:
            with database.write() as s:
                members.add_member(s, actor=SYSTEM, enterprise_id=eid, name=f"并发{i}", phone=f"1370000{i:04d}")
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    with database.read() as s:
        assert s.scalar(select(func.count()).select_from(Member).where(Member.enterprise_id == eid)) == 40


def test_a_failed_unit_of_work_leaves_nothing(database):
    eid, _ = make_enterprise(database)
    with pytest.raises(Conflict):
        with database.write() as s:
            members.add_member(s, actor=SYSTEM, enterprise_id=eid, name="甲", phone="13500000001")
            members.add_member(s, actor=SYSTEM, enterprise_id=eid, name="乙", phone="13500000001")
    with database.read() as s:
        assert s.scalar(select(func.count()).select_from(Member)) == 0


def test_racing_duplicate_phones_keep_exactly_one(database):
    """Two writers both pass the friendly duplicate check only if they interleave; the unique index
    is the last word either way."""
    eid, _ = make_enterprise(database)
    outcomes: list[str] = []

    def add(name: str) -> None:
        try:
            with database.write() as s:
                members.add_member(s, actor=SYSTEM, enterprise_id=eid, name=name, phone="13500000002")
            outcomes.append("ok")
        except Exception as exc:  # Conflict from the check, or IntegrityError from the index
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=add, args=(n,)) for n in ("甲", "乙", "丙", "丁")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert outcomes.count("ok") == 1 and len(outcomes) == 4
    with database.read() as s:
        assert s.scalar(select(func.count()).select_from(Member)) == 1
