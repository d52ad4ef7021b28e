"""The delivery worker (C11, P6): runs in-process under ``ykt serve`` or as ``ykt worker`` processes.

Each round: claim a batch (short write transaction), send it (HTTP, outside any transaction, a few
requests at a time), settle it (another short write transaction). Deliveries are at least once: a
worker that dies mid-round leaves its claims in flight until their lease expires, then any worker
sends them again. Receivers therefore deduplicate by ``event_id`` and order by ``sequence``.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx

import yikatong.models  # noqa: F401  (every table, so foreign keys resolve in a bare `ykt worker`)
from yikatong.core import clock
from yikatong.db import Database
from yikatong.notify import claims
from yikatong.notify.claims import Attempt, Backoff, SmsJob, Tally, WebhookJob
from yikatong.notify.signing import signature
from yikatong.notify.sms import SmsGateway, SmsSendError

log = logging.getLogger("yikatong.notify")

USER_AGENT = "yikatong-webhook/1"


@dataclass(frozen=True)
class Round:
    """What one ``run_once`` did, for the CLI's line per batch."""

    webhooks: Tally
    sms: Tally

    @property
    def work(self) -> int:
        return sum(t.done + t.retry + t.gave_up + t.stale for t in (self.webhooks, self.sms))

    def summary(self) -> str:
        w, s = self.webhooks, self.sms
        line = (f"webhooks: {w.done} delivered, {w.retry} to retry, {w.gave_up} dead · "
                f"sms: {s.done} sent, {s.retry} to retry, {s.gave_up} failed")
        if w.stale or s.stale:
            line += f" · {w.stale + s.stale} outcome(s) dropped (lease taken over)"
        errors = w.errors + s.errors
        return line + (f" · last error: {errors[-1]}" if errors else "")


def _describe(exc: Exception) -> str:
    kind = "timeout" if isinstance(exc, httpx.TimeoutException) else type(exc).__name__
    return f"{kind}: {exc}" if str(exc) else kind


class Worker:
    """``lease_s`` must exceed the longest a round can take (``timeout_s`` per request, ``batch /
    concurrency`` requests in a row), or a slow but alive worker's claims are sent twice."""

    def __init__(self, database: Database, *, sms_gateway: SmsGateway, http_client: httpx.Client | None = None,
                 batch: int = 32, max_attempts: int = 15, backoff: Backoff = Backoff(), lease_s: float = 60.0,
                 timeout_s: float = 5.0, concurrency: int = 8, poll_s: float = 1.0,
                 report: Callable[[Round], None] | None = None):
        self.database = database
        self.sms_gateway = sms_gateway
        self._owns_client = http_client is None
        self.http = http_client or httpx.Client(timeout=timeout_s, follow_redirects=False,
                                                headers={"User-Agent": USER_AGENT})
        self.batch, self.max_attempts, self.backoff = batch, max_attempts, backoff
        self.lease_s, self.timeout_s, self.poll_s = lease_s, timeout_s, poll_s
        self.report = report
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="ykt-notify")

    # -- one round ---------------------------------------------------------------------------

    def run_once(self) -> int:
        """Deliver one batch of webhooks and send one batch of SMS; returns how many were handled."""
        done = Round(webhooks=self._webhook_round(), sms=self._sms_round())
        if done.work and self.report is not None:
            self.report(done)
        return done.work

    def _webhook_round(self) -> Tally:
        jobs = claims.claim_deliveries(self.database, batch=self.batch, lease_s=self.lease_s)
        if not jobs:
            return Tally()
        results = list(zip(jobs, self._pool.map(self._post, jobs), strict=True))
        return claims.settle_deliveries(self.database, results, max_attempts=self.max_attempts, backoff=self.backoff)

    def _sms_round(self) -> Tally:
        jobs = claims.claim_sms(self.database, batch=self.batch, lease_s=self.lease_s)
        if not jobs:
            return Tally()
        results = list(zip(jobs, self._pool.map(self._send_sms, jobs), strict=True))
        return claims.settle_sms(self.database, results, gateway=self.sms_gateway.name,
                                 max_attempts=self.max_attempts, backoff=self.backoff)

    def _post(self, job: WebhookJob) -> Attempt:
        """One signed POST. Network errors, timeouts and non-2xx answers are failures to retry."""
        body = json.dumps(job.body, ensure_ascii=False, separators=(",", ":")).encode()
        timestamp = int(clock.now().timestamp())
        headers = {"Content-Type": "application/json; charset=utf-8", "X-Ykt-Event": job.kind,
                   "X-Ykt-Event-Id": str(job.event_id), "X-Ykt-Timestamp": str(timestamp),
                   "X-Ykt-Signature": signature(job.secret, timestamp, body)}
        try:
            response = self.http.post(job.url, content=body, headers=headers, timeout=self.timeout_s)
        except Exception as exc:  # any failure to get an answer (DNS, refused, timeout, bad URL) is retried
            return Attempt(ok=False, error=_describe(exc))
        if response.is_success:
            return Attempt(ok=True, status_code=response.status_code)
        return Attempt(ok=False, status_code=response.status_code, error=f"HTTP {response.status_code}")

    def _send_sms(self, job: SmsJob) -> Attempt:
        try:
            self.sms_gateway.send(job.message)
        except SmsSendError as exc:
            return Attempt(ok=False, error=str(exc))
        except Exception as exc:  # a broken gateway adapter must not kill the worker
            log.exception("SMS gateway %s failed", self.sms_gateway.name)
            return Attempt(ok=False, error=_describe(exc))
        return Attempt(ok=True)

    # -- the loop ----------------------------------------------------------------------------

    def run_forever(self, stop: threading.Event) -> None:
        """Rounds back to back while there is work; a pause of ``poll_s`` when idle. A database
        outage is logged and retried on the next tick instead of ending the loop."""
        while not stop.is_set():
            try:
                work = self.run_once()
            except Exception:
                log.exception("notification round failed; retrying in %.1f s", self.poll_s)
                work = 0
            if not work:
                stop.wait(self.poll_s)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        if self._owns_client:
            self.http.close()
