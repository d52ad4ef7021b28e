"""The platform's background work while ``ykt serve`` runs: the notification worker (webhooks and
SMS from the outbox) and the periodic jobs below, each in a daemon thread. A job that fails is
logged and tried again at its next turn; a slow one delays only itself.

Periodic jobs are safe to run in several processes at once (each records its effect once), so a
PostgreSQL deployment with several ``ykt serve`` processes needs no leader election."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from yikatong.config import Settings
from yikatong.db import Database
from yikatong.notify import runner as notify_runner

log = logging.getLogger("yikatong.jobs")


@dataclass(frozen=True)
class Job:
    name: str
    every_s: float
    run: Callable[[Database, Settings], str]


def _sla_watch(database: Database, settings: Settings) -> str:
    """S4: warn before SLA deadlines and record breaches, each once."""
    from yikatong.servicedesk import service as desk

    with database.write() as session:
        result = desk.check_sla(session, lead=dt.timedelta(minutes=settings.sla_warning_lead_minutes))
    return f"{len(result.warnings)} SLA warning(s), {len(result.breaches)} breach(es)"


def _attendance_bills(database: Database, settings: Settings) -> str:
    """A3: the previous month's attendance bills, from the 2nd of the month; each member once."""
    from yikatong.attendance import bills

    with database.write() as session:
        queued = bills.send_month_end_bills(session)
    return f"{queued} attendance bill(s) queued"


JOBS = (Job("servicedesk.sla", 60.0, _sla_watch), Job("attendance.bills", 3600.0, _attendance_bills))


class Scheduler:
    """Runs each job every ``every_s`` seconds, the first time right after start."""

    def __init__(self, database: Database, settings: Settings, jobs: tuple[Job, ...] = JOBS):
        self.database, self.settings, self.jobs = database, settings, jobs
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="ykt-jobs", daemon=True)

    def run_due(self, due: dict[str, float], now: float) -> None:
        for job in self.jobs:
            if now < due.get(job.name, 0.0):
                continue
            due[job.name] = now + job.every_s
            try:
                outcome = job.run(self.database, self.settings)
                log.debug("job %s: %s", job.name, outcome)
            except Exception:  # a job's failure must not stop the others or the server
                log.exception("job %s failed; next try in %.0f s", job.name, job.every_s)

    def _loop(self) -> None:
        due: dict[str, float] = {}
        while not self._stop.is_set():
            self.run_due(due, time.monotonic())
            self._stop.wait(1.0)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout_s: float = 30.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout_s)


def lifespan(database: Database, settings: Settings) -> Callable[[Any], Any]:
    """A FastAPI lifespan running the notification worker and the periodic jobs while the app serves."""

    @asynccontextmanager
    async def run(app: Any) -> AsyncIterator[None]:
        scheduler = Scheduler(database, settings)
        with notify_runner.background_worker(database, settings):
            scheduler.start()
            try:
                yield
            finally:
                scheduler.stop()

    return run
