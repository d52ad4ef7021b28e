"""SMS gateways (P6): one small protocol, chosen by ``YKT_SMS_GATEWAY``. The worker calls ``send``
outside any database transaction; returning means sent, raising ``SmsSendError`` means try later."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import httpx

from yikatong.config import Settings


@dataclass(frozen=True)
class OutgoingSms:
    id: int
    phone: str
    text: str
    purpose: str


class SmsSendError(Exception):
    """The gateway did not take the message; the worker retries with backoff."""


class SmsGateway(Protocol):
    name: str  # stored in sms_messages.gateway

    def send(self, message: OutgoingSms) -> None: ...


class DevInboxGateway:
    """Development: nothing leaves the machine. The sms_messages table (gateway 'dev') is the inbox,
    read through ``GET /api/v1/sms`` and the console."""

    name = "dev"

    def send(self, message: OutgoingSms) -> None:
        return None


class HttpSmsGateway:
    """Production: POST ``{phone, text, purpose, id}`` as JSON with a bearer token; 2xx is sent.
    ``id`` lets the provider drop a repeat after a retry whose first answer was lost."""

    name = "http"

    def __init__(self, url: str, token: str | None = None, *, timeout_s: float = 5.0,
                 client: httpx.Client | None = None):
        self.url = url
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.client = client or httpx.Client(timeout=timeout_s, follow_redirects=False)

    def send(self, message: OutgoingSms) -> None:
        body = {"phone": message.phone, "text": message.text, "purpose": message.purpose, "id": message.id}
        try:
            response = self.client.post(self.url, json=body, headers=self.headers)
        except httpx.HTTPError as exc:
            raise SmsSendError(f"{type(exc).__name__}: {exc}") from exc
        if not response.is_success:
            raise SmsSendError(f"gateway answered HTTP {response.status_code}")


def gateway_from_settings(settings: Settings) -> SmsGateway:
    if settings.sms_gateway == "http":
        if not settings.sms_http_url:
            raise ValueError("YKT_SMS_GATEWAY=http needs YKT_SMS_HTTP_URL")
        return HttpSmsGateway(settings.sms_http_url, settings.sms_http_token)
    return DevInboxGateway()
