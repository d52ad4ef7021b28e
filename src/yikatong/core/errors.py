"""The one error hierarchy. Services raise these; the API turns them into the JSON shape
``{"error": {"code", "message", "details"}}`` with the status each class carries."""

from __future__ import annotations

from typing import Any


class YktError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details or {}

    def to_body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class NotAuthenticated(YktError):
    status_code = 401
    code = "not_authenticated"


class Forbidden(YktError):
    status_code = 403
    code = "forbidden"


class NotFound(YktError):
    status_code = 404
    code = "not_found"


class Conflict(YktError):
    """A conflict with existing data (duplicate keys) or with the object's state."""

    status_code = 409
    code = "conflict"


class IllegalTransition(Conflict):
    code = "illegal_transition"


class InvalidInput(YktError):
    status_code = 422
    code = "invalid_input"
