"""Benchmark (not a test): verified-and-posted offline records per second (P7), against a bare
batched INSERT of the same number of rows.

    .venv/bin/python bench/offline_ingest.py [--records 10000] [--cards 500] [--postgres]

1. A fresh SQLite database in a temporary directory (``--postgres``: a throwaway PostgreSQL
   cluster, tests/support/pgcluster.py), migrated and seeded through the real services: one
   enterprise with its 3DES key set (under a random key-encryption key made for this run), ``--cards``
   members with a card and a purse topped up generously, one POS bound to a merchant.
2. 2 × ``--records`` genuine offline records: per card consecutive offline counters, 20 SAMs with
   consecutive serials, amounts of 1 yuan, TACs computed with the card's DTK diversified from the
   enterprise's TAC master (what the card itself computes; reading the master here is a benchmark's
   shortcut, no product path hands it out). Records are interleaved across cards, as a lunch rush is.
3. In-process: the first half through ``offline.service.upload`` in batches of 500 (schema
   validation included), each batch in its own write transaction: records/s.
4. Over HTTP: the second half as ``POST /api/v1/terminal/offline-records`` batches of 500 against the
   app in a uvicorn subprocess (as bench/purchase.py), one client: records/s and ms per batch.
5. The floor: the same number of rows inserted bare (SQLAlchemy Core executemany into a table shaped
   like offline_records, 500 rows per transaction) on the same database: rows/s, and the ratios.
Then the ledger is checked: every record posted once, the balances sum to zero.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import os
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

from common import fresh_database_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
BATCH = 500
SAMS = 20
AMOUNT_FEN = 100
WHEN = dt.datetime(2026, 3, 2, 11, 0, 0)  # Beijing

os.environ.setdefault("YKT_KEY_ENCRYPTION_KEY", base64.b64encode(secrets.token_bytes(32)).decode())


def seed(url: str, *, cards: int) -> dict:
    from yikatong import migrate
    from yikatong.auth import service as auth
    from yikatong.cards import service as cards_service
    from yikatong.cards.models import AppMode, AppType, CardKind
    from yikatong.core.actor import SYSTEM, Channel
    from yikatong.db import Database
    from yikatong.enterprises import flows
    from yikatong.members import service as members
    from yikatong.purse import service as purse
    from yikatong.terminals import service as terminals

    migrate.upgrade(url)
    db = Database(url)
    try:
        with db.write() as s:
            eid = flows.register_enterprise(s, actor=SYSTEM, code="GC0000001", name="压测企业", city="杭州",
                                            zone="urban", admin_username="benchadmin", admin_password="Passw0rd!",
                                            key_algorithm="3des").id
            purse.set_settings(s, actor=SYSTEM, enterprise_id=eid, validity_days=None, expiry_rule="to_enterprise",
                               bill_mode="none")
            terminal, token = terminals.register_terminal(s, actor=SYSTEM, enterprise_id=eid, type="pos",
                                                          name="一号窗口", merchant="第一食堂")
            device = auth.authorize_request(auth.get_user(s, user_id=terminal.user_id), Channel.terminal)
        card_nos = []
        with db.write() as s:
            for i in range(cards):
                member = members.add_member(s, actor=SYSTEM, enterprise_id=eid, name=f"会员{i}", phone=f"138{i:08d}")
                card = cards_service.issue_card(s, actor=SYSTEM, member_id=member.id, kind=CardKind.rfid_sim)
                cards_service.open_application(s, actor=SYSTEM, card_id=card.id, enterprise_id=eid,
                                               type=AppType.purse, mode=AppMode.ota)
                purse.topup_member(s, actor=SYSTEM, member_id=member.id, amount_fen=10_000_000)
                card_nos.append(card.card_no)
        return {"eid": eid, "token": token, "device": device, "card_nos": card_nos}
    finally:
        db.dispose()


def make_records(url: str, eid: int, card_nos: list[str], count: int) -> list[dict]:
    """``count`` genuine records, interleaved across cards, SAM serials consecutive per SAM."""
    from yikatong.cardproto import algorithms as alg
    from yikatong.cardproto import purse as pp
    from yikatong.db import Database
    from yikatong.keys import keystore
    from yikatong.keys.models import KeyType
    from yikatong.keys.service import card_factor

    db = Database(url)
    with db.read() as s:
        master = keystore.master_key(s, enterprise_id=eid, key_type=KeyType.tac, version=1)
    db.dispose()
    dtks = {no: alg.diversify(master.algorithm_id, master.material, card_factor(no)) for no in card_nos}
    serials = [0] * SAMS
    sam_ids = [f"0000000001{n:02X}" for n in range(SAMS)]
    out = []
    for n in range(count):
        i, counter = n % len(card_nos), n // len(card_nos)
        sam = n % SAMS
        serials[sam] += 1
        when = WHEN + dt.timedelta(seconds=n)
        date, time_ = pp.encode_datetime(when)
        tac = pp.purchase_tac(master.algorithm_id, dtks[card_nos[i]], amount=pp.encode_amount(AMOUNT_FEN),
                              tx_type=pp.encode_tx_type(pp.TX_PURSE_PURCHASE),
                              terminal_id=bytes.fromhex(sam_ids[sam]),
                              terminal_serial=pp.encode_terminal_serial(serials[sam]), date=date, time=time_)
        out.append({"card_no": card_nos[i], "offline_counter": counter, "amount_fen": AMOUNT_FEN,
                    "transaction_type": "06", "terminal_id": sam_ids[sam], "terminal_serial": f"{serials[sam]:08X}",
                    "at": when.isoformat() + "+08:00", "tac": tac.hex().upper()})
    return out


def batches(records: list[dict]) -> list[list[dict]]:
    return [records[i:i + BATCH] for i in range(0, len(records), BATCH)]


def in_process(url: str, device, records: list[dict]) -> tuple[float, int]:
    from yikatong.db import Database
    from yikatong.offline import service
    from yikatong.offline.schemas import BatchIn

    db = Database(url)
    accepted = 0
    try:
        started = time.perf_counter()
        for batch in batches(records):
            body = BatchIn.model_validate({"records": batch})
            with db.write() as s:
                out = service.upload(s, actor=device, records=body.records)
            assert not out.rejected, out.rejected[:3]
            accepted += out.accepted
        return time.perf_counter() - started, accepted
    finally:
        db.dispose()


def over_http(url: str, token: str, records: list[dict]) -> tuple[float, int, list[float]]:
    import httpx
    from purchase import Server

    accepted, per_batch = 0, []
    with Server("purchase", url) as server, httpx.Client(base_url=f"http://127.0.0.1:{server.port}",
                                                         timeout=60) as client:
        headers = {"Authorization": f"Bearer {token}"}
        started = time.perf_counter()
        for batch in batches(records):
            t0 = time.perf_counter()
            r = client.post("/api/v1/terminal/offline-records", json={"records": batch}, headers=headers)
            per_batch.append(time.perf_counter() - t0)
            if r.status_code != 200:
                raise SystemExit(f"upload failed: {r.status_code} {r.text[:300]}")
            assert not r.json()["rejected"], r.json()["rejected"][:3]
            accepted += r.json()["accepted"]
        return time.perf_counter() - started, accepted, per_batch


def bare_insert(url: str, records: list[dict]) -> float:
    """The floor: the same rows, no checks, no ledger — executemany, one transaction per 500."""
    from sqlalchemy import BigInteger, Column, DateTime, Integer, MetaData, String, Table

    from yikatong.db import Database

    database = Database(url)
    engine = database.write_engine  # the product's writer connection: same pragmas
    meta = MetaData()
    table = Table("bench_bare_insert", meta, Column("id", Integer, primary_key=True),
                  Column("card_no", String(16)), Column("offline_counter", Integer), Column("amount_fen", BigInteger),
                  Column("transaction_type", String(2)), Column("sam_terminal_id", String(12)),
                  Column("terminal_serial", BigInteger), Column("at", DateTime(timezone=True)), Column("tac", String(8)))
    meta.drop_all(engine)
    meta.create_all(engine)
    rows = [{**r, "sam_terminal_id": r["terminal_id"], "terminal_serial": int(r["terminal_serial"], 16),
             "at": dt.datetime.fromisoformat(r["at"])} for r in records]
    for r in rows:
        del r["terminal_id"]
    try:
        started = time.perf_counter()
        for batch in batches(rows):
            with engine.begin() as conn:
                conn.execute(table.insert(), batch)
        return time.perf_counter() - started
    finally:
        meta.drop_all(engine)
        database.dispose()


def ledger_check(url: str, expected: int) -> str:
    from sqlalchemy import func, select

    from yikatong.db import Database
    from yikatong.offline.models import OfflineRecord
    from yikatong.purse import ledger
    from yikatong.purse.models import Transfer

    db = Database(url)
    try:
        with db.read() as s:
            total = ledger.total_of_all_balances(s)
            posted = s.scalar(select(func.count()).select_from(Transfer).where(Transfer.reference.like("offline:%")))
            stored = s.scalar(select(func.count()).select_from(OfflineRecord))
        ok = "ok" if posted == stored == expected and total == 0 else "MISMATCH"
        return f"ledger {ok}: {stored} records stored, {posted} posted, sum of all balances {total}"
    finally:
        db.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=10_000, help="records per side (default 10000)")
    parser.add_argument("--cards", type=int, default=500, help="cards with a purse (default 500)")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    parser.add_argument("--skip-http", action="store_true", help="in-process and the floor only")
    args = parser.parse_args()
    if not (BATCH <= args.records <= 200_000 and 1 <= args.cards <= 20_000):
        parser.error("--records in [500, 200000], --cards in [1, 20000]")
    from yikatong.keys import vault

    vault.configure(vault.parse_kek(os.environ["YKT_KEY_ENCRYPTION_KEY"]))
    tmp = Path(tempfile.mkdtemp(prefix="ykt-bench-"))
    try:
        url = fresh_database_url(tmp, postgres=args.postgres)
        t0 = time.perf_counter()
        seeded = seed(url, cards=args.cards)
        records = make_records(url, seeded["eid"], seeded["card_nos"], 2 * args.records)
        first, second = records[:args.records], records[args.records:]
        print(f"seeded {'PostgreSQL' if args.postgres else 'SQLite'}: {args.cards} cards with a purse, "
              f"{2 * args.records} genuine records ({time.perf_counter() - t0:.1f} s); batches of {BATCH}; "
              f"{os.cpu_count()} CPUs")
        seconds, accepted = in_process(url, seeded["device"], first)
        rate = accepted / seconds
        print(f"{'in-process':>11}: {rate:8.0f} records/s  ({accepted} verified and posted in {seconds:.2f} s)")
        http_rate = None
        if not args.skip_http:
            seconds, accepted_http, per_batch = over_http(url, seeded["token"], second)
            http_rate = accepted_http / seconds
            per_batch.sort()
            print(f"{'HTTP':>11}: {http_rate:8.0f} records/s  ({accepted_http} in {seconds:.2f} s; per batch "
                  f"p50 {per_batch[len(per_batch) // 2] * 1000:.0f} ms, max {per_batch[-1] * 1000:.0f} ms)")
            accepted += accepted_http
        print(f"{'':>11}  {ledger_check(url, accepted)}")
        bare = bare_insert(url, first)
        bare_rate = len(first) / bare
        print(f"{'bare INSERT':>11}: {bare_rate:8.0f} rows/s  ({len(first)} rows in {bare:.2f} s)")
        print(f"{'ratio':>11}: in-process {rate / bare_rate:.3f}"
              + (f", HTTP {http_rate / bare_rate:.3f}" if http_rate else "") + " (records/s ÷ bare rows/s)")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
