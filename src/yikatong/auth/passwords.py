"""argon2id password hashing (one place, so parameters change in one place)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()

# Verifying against this when the user does not exist keeps the timing of "no such user" and
# "wrong password" alike.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


# The stored "hash" of a login without a password (a terminal's): not an argon2 hash, so nothing
# verifies against it.
NO_PASSWORD = "!no-password"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False
