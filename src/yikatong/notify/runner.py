"""Where the worker runs: a background thread of ``ykt serve`` (the one-machine default) or the
foreground of ``ykt worker`` (production, any number of processes on PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from yikatong.config import Settings
from yikatong.db import Database
from yikatong.notify.sms import gateway_from_settings
from yikatong.notify.worker import Worker

# How long shutdown waits for the round in progress; anything left is re-sent after its lease.
STOP_WAIT_S = 30.0


def worker_from_settings(database: Database, settings: Settings, **options: Any) -> Worker:
    return Worker(database, sms_gateway=gateway_from_settings(settings), **options)


@contextmanager
def background_worker(database: Database, settings: Settings, **options: Any) -> Iterator[Worker]:
    """Run a worker in a daemon thread for the duration of the block."""
    worker = worker_from_settings(database, settings, **options)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run_forever, args=(stop,), name="ykt-notify-worker", daemon=True)
    thread.start()
    try:
        yield worker
    finally:
        stop.set()
        thread.join(timeout=STOP_WAIT_S)
        worker.close()
