"""Encryption at rest of key material (T1): AES-256-GCM under the key-encryption key (KEK).

Every stored key is ``01 ‖ nonce(12) ‖ ciphertext ‖ tag(16)``; the associated data names the row
(table, row id, enterprise, key type, version …), so a ciphertext copied into another row — or another
enterprise's row — does not decrypt. The KEK comes from ``YKT_KEY_ENCRYPTION_KEY`` (base64 of 32 bytes).
Without it (development) a random KEK is generated into a file next to the SQLite database, with a
loud warning; the test suite sets the variable to a fixed test KEK of its own.
Production must set the variable: losing the KEK loses every key, and a KEK file beside the database
is backed up — and stolen — together with it.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import secrets
import threading
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from yikatong.core.errors import YktError

log = logging.getLogger("yikatong.keys")

FORMAT = b"\x01"
NONCE_BYTES = 12
KEK_BYTES = 32
DEV_KEK_SUFFIX = ".kek"

_lock = threading.Lock()
_kek: bytes | None = None


class KeyStoreUnavailable(YktError):
    """The stored keys cannot be opened: the KEK is not the one they were sealed with."""

    status_code = 503
    code = "key_store_unavailable"


def parse_kek(value: str) -> bytes:
    """The KEK from its base64 text; anything but 32 bytes is a configuration error."""
    try:
        kek = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("YKT_KEY_ENCRYPTION_KEY is not valid base64") from None
    if len(kek) != KEK_BYTES:
        raise ValueError(f"YKT_KEY_ENCRYPTION_KEY must be base64 of {KEK_BYTES} bytes, not {len(kek)}")
    return kek


def _dev_kek_path(database_url: str) -> Path:
    prefix = "sqlite:///"
    if database_url.startswith(prefix) and database_url[len(prefix):] not in ("", ":memory:"):
        db_path = Path(database_url[len(prefix):])
        return db_path.with_name(db_path.name + DEV_KEK_SUFFIX)
    return Path.cwd() / ("ykt-dev" + DEV_KEK_SUFFIX)  # a server database: no file to sit beside


def _dev_kek(database_url: str) -> bytes:
    path = _dev_kek_path(database_url)
    if path.exists():
        log.warning("using the development key-encryption key in %s; set YKT_KEY_ENCRYPTION_KEY in production",
                    path)
        return parse_kek(path.read_text())
    kek = secrets.token_bytes(KEK_BYTES)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(base64.b64encode(kek).decode() + "\n")
    log.warning("!!! GENERATED A DEVELOPMENT KEY-ENCRYPTION KEY in %s. Every card key is encrypted under it: "
                "losing the file loses the keys. Production MUST set YKT_KEY_ENCRYPTION_KEY (base64 of 32 "
                "bytes) and keep it away from the database and its backups. !!!", path)
    return kek


def resolve_kek(*, configured: str | None, database_url: str) -> bytes:
    """The KEK a process uses: the configured one, else the development KEK file next to the
    database (generated on first use)."""
    if configured:
        return parse_kek(configured)
    return _dev_kek(database_url)


def configure(kek: bytes | None) -> bytes | None:
    """Install the process's KEK (the app factory does, from the settings; tests may); returns the
    previous one. ``None`` falls back to resolving from the settings on first use."""
    global _kek
    if kek is not None and len(kek) != KEK_BYTES:
        raise ValueError(f"a KEK is {KEK_BYTES} bytes")
    with _lock:
        previous, _kek = _kek, kek
    return previous


def configure_from_settings(settings) -> None:
    secret = settings.key_encryption_key
    configure(resolve_kek(configured=secret.get_secret_value() if secret else None,
                          database_url=settings.database_url))


def _current() -> bytes:
    global _kek
    with _lock:
        if _kek is None:
            from yikatong.config import get_settings

            settings = get_settings()
            secret = settings.key_encryption_key
            _kek = resolve_kek(configured=secret.get_secret_value() if secret else None,
                               database_url=settings.database_url)
        return _kek


def aad(*parts: object) -> bytes:
    """Associated data from the row's identity: ``ykt|part|part|…`` (ASCII)."""
    return "|".join(["ykt", *(str(p) for p in parts)]).encode()


def seal(material: bytes, *, associated: bytes) -> bytes:
    nonce = secrets.token_bytes(NONCE_BYTES)
    return FORMAT + nonce + AESGCM(_current()).encrypt(nonce, material, associated)


def reseal(sealed: bytes, *, associated: bytes, old_kek: bytes, new_kek: bytes) -> bytes:
    """The same material sealed under ``new_kek`` (KEK rotation, keys.rekey); a ciphertext that does not
    open under ``old_kek`` is refused like any other (503 ``key_store_unavailable``)."""
    if len(new_kek) != KEK_BYTES or len(old_kek) != KEK_BYTES:
        raise ValueError(f"a KEK is {KEK_BYTES} bytes")
    if not sealed or sealed[:1] != FORMAT or len(sealed) < 1 + NONCE_BYTES + 16:
        raise KeyStoreUnavailable("a stored key is damaged", code="key_store_unavailable")
    try:
        material = AESGCM(old_kek).decrypt(sealed[1:1 + NONCE_BYTES], sealed[1 + NONCE_BYTES:], associated)
    except InvalidTag:
        raise KeyStoreUnavailable("a stored key does not open under the current key-encryption key",
                                  code="key_store_unavailable") from None
    nonce = secrets.token_bytes(NONCE_BYTES)
    return FORMAT + nonce + AESGCM(new_kek).encrypt(nonce, material, associated)


def current_kek() -> bytes:
    """The process's KEK (for a rotation to re-seal from)."""
    return _current()


def open_(sealed: bytes, *, associated: bytes) -> bytes:
    """The clear material; a wrong KEK, a tampered ciphertext or a ciphertext moved to another row
    is a 503 ``key_store_unavailable`` (never a wrong key used silently)."""
    if not sealed or sealed[:1] != FORMAT or len(sealed) < 1 + NONCE_BYTES + 16:
        raise KeyStoreUnavailable("a stored key is damaged", code="key_store_unavailable")
    try:
        return AESGCM(_current()).decrypt(sealed[1:1 + NONCE_BYTES], sealed[1 + NONCE_BYTES:], associated)
    except InvalidTag:
        log.error("a stored key does not open under the configured key-encryption key")
        raise KeyStoreUnavailable("a stored key does not open: the key-encryption key (YKT_KEY_ENCRYPTION_KEY) "
                                  "is not the one it was sealed with, or the row was altered",
                                  code="key_store_unavailable") from None
