"""Benchmark (not a test): door access at scale (A2, T3).

    .venv/bin/python bench/access.py [--permissions 50000] [--blacklist 100000] [--postgres]

1. Offline decisions (pure Python, no database): a door.DoorTerminal built from a full sync
   payload holding ``--permissions`` cards and a ``--blacklist``-entry blacklist decides 200,000
   presentations (a mix of permitted, blacklisted, suspended and unknown cards, in and out of the
   time zone, logging each event as a terminal does): µs per decision. The floor: the two bare dict
   and set look-ups a decision needs at least, over the same cards.
2. Blacklist delta (T3) on a fresh SQLite database (``--postgres``: the tests' throwaway cluster),
   migrated: one enterprise whose blacklist holds ``--blacklist`` cards (inserted in bulk — a
   benchmark shortcut; the 10 changes measured are made through cards.blacklist.record_change), then
   5 cards added and 5 removed: the size of the delta as JSON and the median time of
   blacklist.delta_since for it. The floor: a bare indexed SELECT of the changes after that version.
3. Permissions (A1, T3) on the same database: ``--permissions`` / 10 members with a card holding an
   access application (bulk-inserted, as above), one access group giving them 10 doors: the time of
   the first permissions.refresh (materialising every row), of a refresh when nothing changed (what
   every door terminal's sync pays; floor: a bare SELECT of the enterprise's members, its largest
   input), of a door's full list, and of a whole GET /terminal/sync of a door terminal holding the
   current versions, over the app in-process.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import fresh_database_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
DECISIONS = 200_000
DOORS = 10
os.environ.setdefault("YKT_KEY_ENCRYPTION_KEY", base64.b64encode(secrets.token_bytes(32)).decode())


def card_no(i: int) -> str:
    return f"86{i:014d}"


def sync_payload(permissions: int, blacklist: int) -> dict:
    rng = random.Random(7)
    statuses = ["ok"] * 95 + ["member_suspended"] * 3 + ["no_application"] * 2
    changed = [{"card_no": card_no(i), "status": rng.choice(statuses), "time_zones": [1] if i % 3 else [1, 2],
                "valid_from": None, "valid_until": "2027-12-31" if i % 10 == 0 else None}
               for i in range(permissions)]
    return {
        "blacklist": {"version": blacklist, "added": [card_no(10_000_000 + i) for i in range(blacklist)], "removed": []},
        "parameters": {"version": "0" * 16, "changed": False, "values": None},
        "permissions": {"version": 1, "full": True, "changed": changed, "removed": []},
        "door": {"door_id": 1, "name": "东门", "direction": "both", "site_id": None, "anti_passback": False,
                 "time_zones": {"1": [{"weekdays": [1, 2, 3, 4, 5], "start": "08:00", "end": "18:00"},
                                      {"weekdays": [8], "start": "09:00", "end": "12:00"}],
                                "2": [{"weekdays": [6, 7], "start": "00:00", "end": "24:00"}]},
                 "holidays": [{"date": "2026-05-01", "kind": "holiday"}, {"date": "2026-04-26", "kind": "workday"}],
                 "directions_date": "2026-03-02", "directions": {}},
    }


def bench_offline(permissions: int, blacklist: int) -> None:
    from yikatong.access.door import DoorTerminal
    from yikatong.core.clock import SHANGHAI

    payload = sync_payload(permissions, blacklist)
    t0 = time.perf_counter()
    device = DoorTerminal()
    device.apply_sync(payload)
    built = time.perf_counter() - t0
    rng = random.Random(11)
    pool = ([card_no(rng.randrange(permissions)) for _ in range(8)] + [card_no(10_000_000 + rng.randrange(blacklist))]
            + [card_no(90_000_000 + rng.randrange(1000))])
    cards = [pool[i % len(pool)] if i % 7 else card_no(rng.randrange(permissions)) for i in range(DECISIONS)]
    base = dt.datetime(2026, 3, 2, 6, 0, tzinfo=SHANGHAI)
    times = [base + dt.timedelta(minutes=(i * 7) % (16 * 60)) for i in range(DECISIONS)]
    t0 = time.perf_counter()
    allowed = 0
    for c, at in zip(cards, times, strict=True):
        allowed += device.decide(c, at)[0]
    spent = time.perf_counter() - t0
    entries, listed = device.entries, device.blacklist
    t0 = time.perf_counter()
    found = 0
    for c in cards:
        found += (entries.get(c) is not None) + (c in listed)
    floor = time.perf_counter() - t0
    per, per_floor = spent / DECISIONS * 1e6, floor / DECISIONS * 1e6
    print(f"offline decisions: {permissions:,} permissions, {blacklist:,}-entry blacklist (built in {built:.2f} s)")
    print(f"  decide + log:       {per:8.2f} µs/decision  ({DECISIONS / spent:,.0f}/s; {allowed:,} allowed)"
          f"  target < 50 µs")
    print(f"  bare dict+set look-up: {per_floor:5.2f} µs  → ratio {per / per_floor:.1f}×")


def seed(url: str, *, permissions: int, blacklist: int) -> dict:
    from sqlalchemy import insert

    from yikatong import migrate
    from yikatong.access import service as access
    from yikatong.cards.models import BlacklistChange, BlacklistVersion, Card, CardApplication
    from yikatong.core import clock
    from yikatong.core.actor import SYSTEM
    from yikatong.db import Database
    from yikatong.enterprises import flows
    from yikatong.members.models import Member
    from yikatong.terminals import service as terminals

    migrate.upgrade(url)
    db = Database(url)
    now = clock.now()
    with db.write() as s:
        eid = flows.register_enterprise(s, actor=SYSTEM, code="GC0000001", name="压测企业", city="杭州", zone="urban",
                                        admin_username="benchadmin", admin_password="Passw0rd!",
                                        key_algorithm="3des").id
    people = permissions // DOORS
    with db.write() as s:
        # Bulk rows (a benchmark shortcut): the members, cards and applications the services would make.
        s.execute(insert(Member), [{"enterprise_id": eid, "name": f"员工{i}", "phone": f"138{i:08d}", "staff_no": None,
                                    "department": "技术部", "status": "active", "created_at": now, "updated_at": now}
                                   for i in range(people)])
        s.execute(insert(Card), [{"card_no": card_no(i), "kind": "rfid_sim", "phone": f"138{i:08d}",
                                  "holder_name": f"员工{i}", "status": "active", "issued_at": now,
                                  "status_changed_at": now} for i in range(people)])
        s.flush()
        from sqlalchemy import select
        member_ids = dict(s.execute(select(Member.phone, Member.id).where(Member.enterprise_id == eid)).all())
        card_ids = dict(s.execute(select(Card.phone, Card.id)).all())
        s.execute(insert(CardApplication), [{"card_id": card_ids[p], "enterprise_id": eid, "member_id": m,
                                             "type": "access", "mode": "ota", "status": "active", "opened_at": now}
                                            for p, m in member_ids.items()])
        s.execute(insert(BlacklistChange), [{"enterprise_id": eid, "version": v + 1, "card_no": card_no(10_000_000 + v),
                                             "change": "added", "reason": "lost", "at": now}
                                            for v in range(blacklist)])
        s.add(BlacklistVersion(enterprise_id=eid, version=blacklist))
    with db.write() as s:
        tz = access.create_time_zone(s, actor=SYSTEM, enterprise_id=eid, name="工作日", periods=[
            {"weekdays": [1, 2, 3, 4, 5], "start": "08:00", "end": "18:00"}]).id
        doors = [access.create_door(s, actor=SYSTEM, enterprise_id=eid, name=f"门{i}").id for i in range(DOORS)]
        terminal, token = terminals.register_terminal(s, actor=SYSTEM, enterprise_id=eid, type="door", name="门0终端",
                                                      door_id=doors[0])
        user_id = terminal.user_id
    db.dispose()
    return {"eid": eid, "tz": tz, "doors": doors, "token": token, "user_id": user_id,
            "member_ids": list(member_ids.values())}


def median_ms(fn, runs: int) -> float:
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples)


def bench_database(url: str, *, permissions: int, blacklist: int) -> None:
    from sqlalchemy import select
    from fastapi.testclient import TestClient

    from yikatong.access import permissions as perms
    from yikatong.access import service as access
    from yikatong.app import create_app
    from yikatong.cards import blacklist as bl
    from yikatong.cards.models import BlacklistChange
    from yikatong.config import Settings
    from yikatong.core.actor import SYSTEM
    from yikatong.db import Database
    from yikatong.members.models import Member

    t0 = time.perf_counter()
    seeded = seed(url, permissions=permissions, blacklist=blacklist)
    print(f"seeded in {time.perf_counter() - t0:.1f} s")
    eid = seeded["eid"]
    db = Database(url)
    with db.write() as s:
        for i in range(5):
            bl.record_change(s, enterprise_id=eid, card_no=card_no(10_000_000 + i), change="removed", reason="unfreeze")
            bl.record_change(s, enterprise_id=eid, card_no=card_no(20_000_000 + i), change="added", reason="lost")
    since = blacklist
    with db.read() as s:
        delta = bl.delta_since(s, enterprise_id=eid, since=since)
        size = len(json.dumps(delta.model_dump(), separators=(",", ":")))
        served = median_ms(lambda: bl.delta_since(s, enterprise_id=eid, since=since), 50)
        bare = median_ms(lambda: s.execute(select(BlacklistChange.card_no, BlacklistChange.change).where(
            BlacklistChange.enterprise_id == eid, BlacklistChange.version > since)).all(), 50)
    print(f"blacklist delta: 10 changes over a {blacklist:,}-entry list: {len(delta.added)} added, "
          f"{len(delta.removed)} removed, {size} bytes as JSON")
    print(f"  delta_since:        {served:8.3f} ms  target < 5 ms")
    print(f"  bare SELECT:        {bare:8.3f} ms  → ratio {served / bare:.1f}×")

    with db.write() as s:
        t0 = time.perf_counter()
        access.create_group(s, actor=SYSTEM, enterprise_id=eid, name="全员", time_zone_id=seeded["tz"],
                            door_ids=seeded["doors"], member_ids=seeded["member_ids"])
        first = time.perf_counter() - t0
    with db.read() as s:
        rows = perms.current_version(s, enterprise_id=eid)
    with db.write() as s:
        unchanged = median_ms(lambda: perms.refresh(s, enterprise_id=eid), 5)
    with db.read() as s:
        t0 = time.perf_counter()
        full = perms.delta_since(s, enterprise_id=eid, door_id=seeded["doors"][0], since=0)
        full_ms = (time.perf_counter() - t0) * 1000
        full_size = len(json.dumps(full.model_dump(mode="json"), separators=(",", ":")))
        # The floor for a refresh that finds nothing changed: reading its largest input bare.
        bare_rows = median_ms(lambda: s.execute(select(Member.id, Member.phone, Member.department, Member.status)
                                                .where(Member.enterprise_id == eid)).all(), 5)
    print(f"permissions: {len(seeded['member_ids']):,} members × {DOORS} doors (version {rows})")
    print(f"  group created, {permissions:,} rows materialised: {first:6.2f} s")
    print(f"  refresh, nothing changed:    {unchanged:8.1f} ms   (bare SELECT of the members: {bare_rows:.1f} ms"
          f" → ratio {unchanged / bare_rows:.1f}×)")
    print(f"  one door's full list:        {full_ms:8.1f} ms, {len(full.changed):,} cards, {full_size / 1024:.0f} KiB")
    app = create_app(Settings(database_url=url, secret_key="bench"), database=db)
    headers = {"Authorization": f"Bearer {seeded['token']}"}
    with TestClient(app) as client:
        first_sync = client.get("/api/v1/terminal/sync", headers=headers).json()
        params = {"blacklist_version": first_sync["blacklist"]["version"],
                  "permissions_version": first_sync["permissions"]["version"],
                  "parameters_version": first_sync["parameters"]["version"]}
        sync_ms = median_ms(lambda: client.get("/api/v1/terminal/sync", headers=headers, params=params), 5)
    print(f"  GET /terminal/sync, current: {sync_ms:8.1f} ms (includes the enterprise refresh)")
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--permissions", type=int, default=50_000)
    parser.add_argument("--blacklist", type=int, default=100_000)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    bench_offline(args.permissions, args.blacklist)
    tmp = Path(tempfile.mkdtemp(prefix="ykt-bench-access-"))
    try:
        bench_database(fresh_database_url(tmp, postgres=args.postgres), permissions=args.permissions,
                       blacklist=args.blacklist)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
