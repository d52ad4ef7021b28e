from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

from yikatong.notify.models import EVENT_KINDS, DeliveryStatus, SmsStatus

EventKind = Literal[EVENT_KINDS]


def _http_url(value: str) -> str:
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (raises on a port out of range)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise PydanticCustomError("invalid_url", "a webhook URL must start with http:// or https:// and name a host")
    return value


WebhookUrl = Annotated[str, StringConstraints(strip_whitespace=True, min_length=8, max_length=500,
                                              pattern=r"^\S+$"), AfterValidator(_http_url)]
Secret = Annotated[str, StringConstraints(min_length=16, max_length=128, pattern=r"^[\x21-\x7e]+$")]


class SubscriptionCreate(BaseModel):
    url: WebhookUrl = Field(description="http(s) endpoint of the subsystem")
    secret: Secret | None = Field(None, description="HMAC key (16–128 printable ASCII); generated when omitted")
    kinds: list[EventKind] = Field(default_factory=list, max_length=len(EVENT_KINDS),
                                   description="event kinds to receive; empty means every kind")


class SubscriptionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    enterprise_id: int
    url: str
    kinds: list[str]
    active: bool
    created_at: dt.datetime
    deactivated_at: dt.datetime | None


class SubscriptionCreated(SubscriptionOut):
    secret: str = Field(description="shown only in this response: keep it to verify X-Ykt-Signature")


class DeliveryOut(BaseModel):
    id: int
    event_id: int
    subscription_id: int
    kind: str
    ordering_key: str
    sequence: int
    status: DeliveryStatus
    attempts: int
    next_attempt_at: dt.datetime
    last_status_code: int | None
    last_error: str | None
    delivered_at: dt.datetime | None
    created_at: dt.datetime
    payload: dict = Field(description="the JSON body sent to the subscriber")


class SmsCreate(BaseModel):
    phone: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+?\d{5,19}$")]
    text: Annotated[str, StringConstraints(min_length=1, max_length=1000)]
    purpose: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_.]{1,32}$")]


class SmsOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    enterprise_id: int | None
    phone: str
    text: str
    purpose: str
    status: SmsStatus
    gateway: str | None
    attempts: int
    created_at: dt.datetime
    sent_at: dt.datetime | None
    last_error: str | None
