"""Validate service input with the domain's Pydantic schema, whatever the entry point (API, web
form, CLI, import): every caller gets the same rules and the same 422 ``invalid_input`` error."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from yikatong.core.errors import InvalidInput

M = TypeVar("M", bound=BaseModel)


def field_errors(exc: Any) -> list[dict[str, Any]]:
    """``[{field, message, type, params}]`` from a Pydantic or FastAPI validation error (never echoing
    input). ``type`` is a stable code (``string_too_short``, ``invalid_phone`` …) to translate by."""
    out = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
        params = {k: v for k, v in (err.get("ctx") or {}).items() if isinstance(v, int | str)}
        out.append({"field": ".".join(loc), "message": err.get("msg", "invalid"), "type": err.get("type", ""),
                    "params": params})
    return out


def validated(schema: type[M], **values: Any) -> M:
    try:
        return schema.model_validate(values)
    except ValidationError as exc:
        errors = field_errors(exc)
        first = errors[0] if errors else {"field": "", "message": "invalid"}
        raise InvalidInput(f"{first['field']}: {first['message']}", code="invalid_input",
                           details={"errors": errors}) from None
