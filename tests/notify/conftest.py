"""Fixtures of the notification tests: a webhook receiver and fast workers."""

from __future__ import annotations

import pytest

from notify.helpers import FAST, Receiver
from yikatong.db import Database
from yikatong.notify.sms import DevInboxGateway
from yikatong.notify.worker import Worker


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def make_worker(database):
    """Workers with fast, deterministic retries; closed at the end of the test."""
    made: list[Worker] = []

    def make(db: Database | None = None, **options) -> Worker:
        options = {"sms_gateway": DevInboxGateway(), "backoff": FAST, "timeout_s": 2.0, "max_attempts": 5,
                   "concurrency": 4} | options
        worker = Worker(db or database, **options)
        made.append(worker)
        return worker

    yield make
    for worker in made:
        worker.close()
