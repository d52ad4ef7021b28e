"""Webhook signatures (C11): ``X-Ykt-Signature: sha256=<hex HMAC-SHA256(secret, "{timestamp}.{body}")>``.
Receivers recompute it over the raw body bytes and reject stale timestamps (docs/notifications.md)."""

from __future__ import annotations

import hashlib
import hmac
import time

SCHEME = "sha256="


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return SCHEME + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, header: str, *, tolerance_s: int | None = 300,
           now: float | None = None) -> bool:
    """What a receiver does: a constant-time comparison, and a timestamp no older (or newer) than
    ``tolerance_s`` so a captured request cannot be replayed later (``None`` skips that check)."""
    try:
        ts = int(timestamp)
    except (TypeError, ValueError):
        return False
    if tolerance_s is not None and abs((time.time() if now is None else now) - ts) > tolerance_s:
        return False
    return hmac.compare_digest(signature(secret, ts, body), header or "")
