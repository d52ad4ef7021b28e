"""Settings from the environment (prefix ``YKT_``); one instance per process, replaceable in tests."""

from __future__ import annotations

import secrets
from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="YKT_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///./ykt.db"
    # Signs web-session CSRF tokens. A random default keeps a bare `ykt serve` safe; set it in
    # production so sessions survive restarts and several processes agree.
    secret_key: str = Field(default_factory=lambda: secrets.token_urlsafe(32))
    admin_password: str | None = None
    timezone: str = "Asia/Shanghai"
    default_locale: str = "zh_Hans"

    # Lockout (X1/X3 spirit: a guessed password must not be brute-forced).
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    token_ttl_hours: int = 12
    web_session_ttl_hours: int = 8
    cookie_secure: bool = False

    sqlite_busy_timeout_ms: int = 5000

    # T1: the key-encryption key (base64 of 32 bytes) sealing every stored card-system key. Production
    # must set it; without it development generates a KEK file next to the database (docs/keys.md).
    key_encryption_key: SecretStr | None = None

    # S4: how long before an SLA deadline the service-desk watch warns (minutes).
    sla_warning_lead_minutes: int = 120

    # Notifications (P6): the gateway the worker hands SMS to. "dev" keeps them in the development
    # inbox (GET /api/v1/sms); "http" posts them to YKT_SMS_HTTP_URL with YKT_SMS_HTTP_TOKEN.
    sms_gateway: Literal["dev", "http"] = "dev"
    sms_http_url: str | None = None
    sms_http_token: str | None = None

    # Over the air (C3, C4, P1): the development channel is a directory of virtual card files, one
    # per card number; by default ``dev-cards`` next to a SQLite database (docs/ota.md).
    dev_cards_dir: str | None = None


@lru_cache
def get_settings() -> Settings:
    return Settings()
