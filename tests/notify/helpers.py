"""Test helpers: a real webhook receiver on 127.0.0.1 that verifies every signature, and builders
of outbox data through the real services."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from yikatong.core.actor import SYSTEM
from yikatong.db import Database
from yikatong.notify import service, webhooks
from yikatong.notify.claims import Backoff
from yikatong.notify.signing import verify
from yikatong.notify.worker import Worker

SECRET = "receiver-secret-0123456789"
# Deterministic, short retries: 1 s, 2 s, 4 s … of the test clock, no jitter.
FAST = Backoff(base_s=1.0, factor=2.0, cap_s=60.0, jitter=0.0)


@dataclass(frozen=True)
class Hit:
    path: str
    headers: dict[str, str]
    raw: bytes
    body: dict
    signature_ok: bool


class Receiver:
    """Records every POST. ``respond(hit) -> status`` decides the answer (it may block to stall the
    sender); a request whose signature does not verify is answered 401 and marked."""

    def __init__(self, secret: str | None = SECRET):
        self.secret = secret
        self.hits: list[Hit] = []
        self.respond: Callable[[Hit], int] = lambda hit: 200
        self._arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}
                ok = receiver.secret is None or verify(receiver.secret, headers.get("x-ykt-timestamp", ""), raw,
                                                       headers.get("x-ykt-signature", ""), tolerance_s=None)
                hit = Hit(self.path, headers, raw, json.loads(raw or b"{}"), ok)
                with receiver._arrived:
                    receiver.hits.append(hit)
                    receiver._arrived.notify_all()
                status = receiver.respond(hit) if ok else 401
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:  # the sender gave up (timeout) or died: nobody to answer
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def event_ids(self) -> list[int]:
        return [h.body["event_id"] for h in self.hits]

    def wait_for(self, predicate: Callable[[list[Hit]], bool], timeout: float = 10.0) -> bool:
        with self._arrived:
            return self._arrived.wait_for(lambda: predicate(self.hits), timeout=timeout)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def drain(worker: Worker, rounds: int = 100) -> int:
    """Run rounds until one finds nothing to do; returns the work done."""
    total = 0
    for _ in range(rounds):
        done = worker.run_once()
        if not done:
            return total
        total += done
    raise AssertionError(f"still busy after {rounds} rounds")


def subscribe(database: Database, enterprise_id: int, url: str, *, secret: str = SECRET,
              kinds: list[str] | None = None) -> int:
    with database.write() as s:
        return webhooks.create_subscription(s, actor=SYSTEM, enterprise_id=enterprise_id, url=url, secret=secret,
                                            kinds=kinds).id


def emit(database: Database, enterprise_id: int, *events: tuple[int | None, str]) -> list[int]:
    """Emit ``(card_id, kind)`` events, each in its own committed transaction; returns their ids."""
    ids = []
    for card_id, kind in events:
        with database.write() as s:
            ids.append(service.emit(s, kind=kind, enterprise_id=enterprise_id, card_id=card_id,
                                    payload={"card_no": f"C{card_id}", "status": kind.split(".")[-1]}).id)
    return ids


def wait_until(predicate: Callable[[], bool], timeout: float = 20.0, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()
