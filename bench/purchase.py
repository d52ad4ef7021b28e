"""Benchmark (not a test): online POS purchases per second over HTTP, against a bare one-UPDATE floor.

    .venv/bin/python bench/purchase.py [--seconds 10] [--clients 32] [--postgres]

1. A fresh SQLite database in a temporary directory (``--postgres``: a throwaway PostgreSQL
   cluster, see tests/support/pgcluster.py), migrated with ``yikatong.migrate.upgrade`` and seeded
   through the real services: one enterprise, ``--members`` members with a card and a purse
   topped up generously, ``--terminals`` POS terminals, each bound to its own merchant. The
   enterprise's bill mode is ``--bill-mode``: by default, as in the product, a consumption SMS is
   queued with every purchase (P6).
2. The app as ``ykt serve`` builds it (``create_app(Settings(...))``, one uvicorn process, no
   worker, no access log) in a subprocess on a free 127.0.0.1 port.
3. ``--clients`` concurrent keep-alive connections, each a closed loop of
   ``POST /api/v1/terminal/purchases`` (1 yuan, a unique Idempotency-Key, a terminal's token, a
   random card), for ``--seconds`` after a short warm-up: purchases/s, p50, p99.
4. The same client loop against a bare FastAPI app served the same way whose (sync) endpoint does
   one SQLite UPDATE of a one-row table with the same pragmas (WAL, synchronous=NORMAL,
   BEGIN IMMEDIATE, one writer at a time): the floor of this machine. Printed: its rate and the
   ratio purchases/baseline.

The clients share the machine's cores with the server, so the client is kept lean: one process,
one uvloop event loop, hand-written HTTP/1.1 over asyncio streams (httpx costs several times more
CPU per request; ``--client httpx`` uses it instead for comparison). The CPU each side used is
printed so the split can be judged. Everything started here is stopped here; every wait is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel

from common import fresh_database_url

ROOT = Path(__file__).resolve().parent.parent
PURCHASE_PATH = "/api/v1/terminal/purchases"
BASELINE_PATH = "/bump"
AMOUNT_FEN = 100
START_TIMEOUT_S = 60.0
PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON",
           "PRAGMA busy_timeout=5000")


class Bump(BaseModel):
    card_no: str
    amount_fen: int


# --- the two servers (run in a subprocess: `purchase.py --serve {purchase,baseline} --url U --port P`) ---------

def baseline_app(path: str):
    """The floor: FastAPI, a JSON body, a sync endpoint, one UPDATE in its own write transaction."""
    from fastapi import FastAPI

    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    for pragma in PRAGMAS:
        conn.execute(pragma)
    conn.execute("CREATE TABLE IF NOT EXISTS counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
    conn.execute("INSERT OR IGNORE INTO counter (id, n) VALUES (1, 0)")
    lock = threading.Lock()
    app = FastAPI()

    @app.post(BASELINE_PATH, status_code=201)
    def bump(body: Bump) -> dict:
        with lock:
            conn.execute("BEGIN IMMEDIATE")
            n = conn.execute("UPDATE counter SET n = n + ? WHERE id = 1 RETURNING n", (body.amount_fen,)).fetchone()[0]
            conn.execute("COMMIT")
        return {"n": n}

    @app.get("/healthz")
    def healthz() -> dict:
        return {"status": "ok"}

    return app


def serve(kind: str, url: str, port: int) -> None:
    import uvicorn

    if kind == "purchase":
        from yikatong.app import create_app
        from yikatong.config import Settings

        app = create_app(Settings(database_url=url, secret_key="bench-secret"), start_worker=False)
    else:
        app = baseline_app(url)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


# --- seeding through the real services --------------------------------------------------------------------

@dataclass
class Seed:
    url: str
    tokens: list[str]
    card_nos: list[str]
    balance_fen: int


def seed(url: str, *, members: int, terminals: int, balance_fen: int, bill_mode: str) -> Seed:
    from yikatong import migrate
    from yikatong.cards import service as cards
    from yikatong.cards.models import AppMode, AppType, CardKind
    from yikatong.core.actor import SYSTEM
    from yikatong.db import Database
    from yikatong.enterprises import service as enterprises
    from yikatong.members import service as members_service
    from yikatong.purse import service as purse
    from yikatong.terminals import service as terminal_service

    migrate.upgrade(url)
    db = Database(url)
    try:
        with db.write() as s:
            enterprise = enterprises.register_enterprise(s, actor=SYSTEM, code="GC0000001", name="压测企业",
                                                         city="杭州", zone="urban", admin_username="benchadmin",
                                                         admin_password="Passw0rd!")
            eid = enterprise.id
            purse.set_settings(s, actor=SYSTEM, enterprise_id=eid, validity_days=None, expiry_rule="to_enterprise",
                               bill_mode=bill_mode)
        tokens = []
        with db.write() as s:
            for i in range(terminals):
                _, token = terminal_service.register_terminal(s, actor=SYSTEM, enterprise_id=eid, type="pos",
                                                              name=f"窗口{i + 1}", merchant=f"第{i + 1}窗口")
                tokens.append(token)
        card_nos = []
        with db.write() as s:
            for i in range(members):
                member = members_service.add_member(s, actor=SYSTEM, enterprise_id=eid, name=f"会员{i}",
                                                    phone=f"138{i:08d}")
                card = cards.issue_card(s, actor=SYSTEM, member_id=member.id, kind=CardKind.rfid_sim)
                cards.open_application(s, actor=SYSTEM, card_id=card.id, enterprise_id=eid, type=AppType.purse,
                                       mode=AppMode.ota)
                purse.topup_member(s, actor=SYSTEM, member_id=member.id, amount_fen=balance_fen)
                card_nos.append(card.card_no)
        return Seed(url=url, tokens=tokens, card_nos=card_nos, balance_fen=balance_fen)
    finally:
        db.dispose()


def ledger_check(url: str) -> str:
    from sqlalchemy import func, select

    from yikatong.db import Database
    from yikatong.purse import ledger
    from yikatong.purse.models import Account, Transfer

    db = Database(url)
    try:
        with db.read() as s:
            total = ledger.total_of_all_balances(s)
            negative = s.scalar(select(func.count()).select_from(Account).where(
                Account.allow_negative.is_(False), Account.balance_fen < 0))
            purchases = s.scalar(select(func.count()).select_from(Transfer).where(Transfer.kind == "purchase"))
        return f"ledger: sum of all balances {total}, negative accounts {negative}, purchase transfers {purchases}"
    finally:
        db.dispose()


# --- the server subprocess -------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Server:
    def __init__(self, kind: str, url: str):
        self.port = free_port()
        self.proc = subprocess.Popen([sys.executable, __file__, "--serve", kind, "--url", url, "--port",
                                      str(self.port)], cwd=ROOT, start_new_session=True)

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"the server exited with {self.proc.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    if sock.recv(64).startswith(b"HTTP/1.1 200"):
                        return
            except OSError:
                pass
            time.sleep(0.1)
        raise SystemExit(f"the server did not answer within {START_TIMEOUT_S:.0f} s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    def __enter__(self) -> Server:
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


# --- the client loop -------------------------------------------------------------------------------------

@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0
    client_cpu_s: float = 0.0
    server_cpu_s: float = 0.0
    sample_error: str = ""

    @property
    def ok(self) -> int:
        return self.statuses.get(201, 0)

    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


def request_bytes(port: int, path: str, token: str, key: str, card_no: str) -> bytes:
    body = json.dumps({"card_no": card_no, "amount_fen": AMOUNT_FEN}).encode()
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
            f"Idempotency-Key: {key}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            ).encode() + body


async def raw_client(n: int, port: int, path: str, seed_: Seed, stop_at: float, measure_from: float,
                     result: Result, keys: itertools.count) -> None:
    """One keep-alive connection, one request at a time: send, read the status line and headers,
    read Content-Length bytes of body."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    token = seed_.tokens[n % len(seed_.tokens)]
    rnd = random.Random(n)
    try:
        while (started := time.perf_counter()) < stop_at:
            writer.write(request_bytes(port, path, token, f"bench-{n}-{next(keys)}", rnd.choice(seed_.card_nos)))
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            body = await reader.readexactly(length)
            if started >= measure_from:
                result.latencies.append(time.perf_counter() - started)
                result.statuses[status] = result.statuses.get(status, 0) + 1
                if status != 201 and not result.sample_error:
                    result.sample_error = body.decode(errors="replace")[:300]
    finally:
        writer.close()


async def httpx_client(n: int, port: int, path: str, seed_: Seed, stop_at: float, measure_from: float,
                       result: Result, keys: itertools.count, pool) -> None:
    token = seed_.tokens[n % len(seed_.tokens)]
    rnd = random.Random(n)
    while (started := time.perf_counter()) < stop_at:
        r = await pool.post(path, json={"card_no": rnd.choice(seed_.card_nos), "amount_fen": AMOUNT_FEN},
                            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"bench-{n}-{next(keys)}"})
        if started >= measure_from:
            result.latencies.append(time.perf_counter() - started)
            result.statuses[r.status_code] = result.statuses.get(r.status_code, 0) + 1
            if r.status_code != 201 and not result.sample_error:
                result.sample_error = r.text[:300]


async def drive(server: Server, path: str, seed_: Seed, *, clients: int, seconds: float, warmup: float,
                client_kind: str) -> Result:
    result = Result()
    keys = itertools.count(1)
    start = time.perf_counter()
    measure_from, stop_at = start + warmup, start + warmup + seconds
    pool = None
    if client_kind == "httpx":
        import httpx

        pool = httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}", timeout=30,
                                 limits=httpx.Limits(max_connections=clients, max_keepalive_connections=clients))
        tasks = [httpx_client(n, server.port, path, seed_, stop_at, measure_from, result, keys, pool)
                 for n in range(clients)]
    else:
        tasks = [raw_client(n, server.port, path, seed_, stop_at, measure_from, result, keys) for n in range(clients)]
    marks: dict[str, float] = {}

    async def mark_measure_start() -> None:
        await asyncio.sleep(max(0.0, measure_from - time.perf_counter()))
        marks.update(client=time.process_time(), server=cpu_seconds(server.proc.pid))

    try:
        await asyncio.wait_for(asyncio.gather(mark_measure_start(), *tasks), timeout=warmup + seconds + 60)
    finally:
        if pool is not None:
            await pool.aclose()
    result.seconds = time.perf_counter() - measure_from
    result.client_cpu_s = time.process_time() - marks["client"]
    result.server_cpu_s = cpu_seconds(server.proc.pid) - marks["server"]
    return result


def run_side(kind: str, url: str, path: str, seed_: Seed, args) -> Result:
    with Server(kind, url) as server:
        return asyncio.run(drive(server, path, seed_, clients=args.clients, seconds=args.seconds,
                                 warmup=args.warmup, client_kind=args.client))


def report(name: str, r: Result) -> None:
    others = {k: v for k, v in sorted(r.statuses.items()) if k != 201}
    print(f"{name:>10}: {r.rate():8.0f}/s  p50 {r.percentile(50):6.2f} ms  p99 {r.percentile(99):6.2f} ms  "
          f"({r.ok} ok in {r.seconds:.1f} s{', other statuses ' + str(others) if others else ''}; "
          f"CPU: server {r.server_cpu_s / r.seconds:.0%}, client {r.client_cpu_s / r.seconds:.0%} of a core)")
    if r.sample_error:
        print(f"{'':>10}  first failure: {r.sample_error}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per side (default 10)")
    parser.add_argument("--clients", type=int, default=32, help="concurrent keep-alive clients (default 32)")
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds first (default 1)")
    parser.add_argument("--members", type=int, default=200, help="members with a card and a purse (default 200)")
    parser.add_argument("--terminals", type=int, default=8, help="POS terminals (default 8)")
    parser.add_argument("--postgres", action="store_true", help="run the purchase side against PostgreSQL")
    parser.add_argument("--client", choices=("raw", "httpx"), default="raw", help="client implementation")
    parser.add_argument("--bill-mode", choices=("per_transaction", "daily_digest", "none"), default="per_transaction",
                        help="the enterprise's consumption bills (default per_transaction: an SMS per purchase)")
    parser.add_argument("--serve", choices=("purchase", "baseline"), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.url, args.port)
        return 0
    if not (0 < args.seconds <= 600 and 0 <= args.warmup <= 60 and 1 <= args.clients <= 512):
        parser.error("--seconds in (0, 600], --warmup in [0, 60], --clients in [1, 512]")
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass

    tmp = Path(tempfile.mkdtemp(prefix="ykt-bench-"))
    try:
        url = fresh_database_url(tmp, postgres=args.postgres)
        started = time.perf_counter()
        seed_ = seed(url, members=args.members, terminals=args.terminals, balance_fen=10_000_000,
                     bill_mode=args.bill_mode)
        engine_name = "PostgreSQL" if args.postgres else "SQLite"
        print(f"seeded {engine_name}: {args.members} members with a purse, {args.terminals} POS terminals "
              f"({time.perf_counter() - started:.1f} s), bills {args.bill_mode}; {args.clients} {args.client} clients, "
              f"{args.warmup:g} s warm-up + {args.seconds:g} s per side, {os.cpu_count()} CPUs")
        purchases = run_side("purchase", url, PURCHASE_PATH, seed_, args)
        report("purchases", purchases)
        print(f"{'':>10}  {ledger_check(url)}")
        baseline = run_side("baseline", str(tmp / "baseline.db"), BASELINE_PATH, seed_, args)
        report("baseline", baseline)
        ratio = purchases.rate() / baseline.rate() if baseline.rate() else float("nan")
        print(f"{'ratio':>10}: {ratio:.2f} (purchases/s ÷ baseline/s)")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
