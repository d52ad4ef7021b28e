"""C11: a ``ykt worker`` process killed with SIGKILL in the middle of a delivery loses nothing: once a
worker runs again, every event reaches the receiver (at least once, in order per card)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from sqlalchemy import func, select

from factories import make_enterprise
from notify.helpers import emit, subscribe, wait_until
from yikatong.notify import service
from yikatong.notify.models import Delivery, SmsMessage

YKT = Path(sys.executable).parent / "ykt"


def _start_worker(db_url: str, log: Path) -> subprocess.Popen:
    env = os.environ | {"YKT_DATABASE_URL": db_url, "YKT_SMS_GATEWAY": "dev"}
    # A short lease so the restarted worker may re-send the dead one's claims within the test.
    args = [str(YKT), "worker", "--poll", "0.05", "--backoff", "0.05", "--lease", "1", "--timeout", "0.9"]
    return subprocess.Popen(args, env=env, cwd=log.parent, stdout=log.open("ab"), stderr=subprocess.STDOUT)


def _open_work(database) -> int:
    with database.read() as s:
        return (s.scalar(select(func.count()).select_from(Delivery).where(Delivery.status != "delivered"))
                + s.scalar(select(func.count()).select_from(SmsMessage).where(SmsMessage.status != "sent")))


def test_r_c11_killed_worker_loses_no_event(database, db_url, receiver, tmp_path):
    eid, _ = make_enterprise(database)
    subscribe(database, eid, receiver.url)
    # State changes committed while no worker runs: the crash between change and notification.
    ids = emit(database, eid, *[(card, kind) for kind in ("card.issued", "card.lost") for card in (1, 2, 3)])
    with database.write() as s:
        service.send_sms(s, phone="13900000001", text="您的卡已挂失", purpose="card.lost", enterprise_id=eid)

    stalled, release = threading.Event(), threading.Event()

    def stall_first(hit):
        if not stalled.is_set():
            stalled.set()
            release.wait(15)  # the worker is killed while waiting for this answer
        return 200

    receiver.respond = stall_first
    log = tmp_path / "worker.log"
    first = _start_worker(db_url, log)
    try:
        assert wait_until(lambda: stalled.is_set() or first.poll() is not None, timeout=30), log.read_text()
        assert stalled.is_set(), log.read_text()
        # While it waits on the network the worker holds no write lock: the platform keeps writing.
        ids += emit(database, eid, (1, "card.unfrozen"), (4, "card.issued"))
        first.send_signal(signal.SIGKILL)
        assert first.wait(10) == -signal.SIGKILL
    finally:
        release.set()
        first.kill()
    assert _open_work(database) > 0  # the killed worker settled nothing of its round

    second = _start_worker(db_url, log)
    try:
        assert wait_until(lambda: _open_work(database) == 0, timeout=30), log.read_text()
        second.send_signal(signal.SIGTERM)
        assert second.wait(10) == 0
    finally:
        second.kill()
    assert "worker stopped" in log.read_text()

    received = receiver.event_ids()
    assert set(received) == set(ids)  # at least once: nothing lost
    assert received.count(receiver.hits[0].body["event_id"]) >= 2  # the interrupted one was sent again
    for card in (1, 2, 3):
        first_seen = list(dict.fromkeys(h.body["sequence"] for h in receiver.hits if h.body["card_no"] == f"C{card}"))
        assert first_seen == sorted(first_seen)
    with database.read() as s:
        assert s.scalar(select(SmsMessage.status)) == "sent"
