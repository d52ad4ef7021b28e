"""Form input of console POSTs: the CSRF check every state-changing request passes first, and the
submitted fields as plain strings (kept to re-fill a form that failed)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import UploadFile

from yikatong.web.errors import CsrfRejected
from yikatong.web.security import CSRF_FIELD, CSRF_HEADER, check_session_csrf


# Each selected door of an access group and each ticked weekday of a time zone is a field of its own;
# the limit bounds a form's parsing, not a real form.
MAX_FIELDS = 1000


async def _form(request: Request):
    return await request.form(max_files=1, max_fields=MAX_FIELDS)


async def require_csrf(request: Request) -> None:
    """HMAC(secret_key, session token) as the header ``X-CSRF-Token`` or the field ``csrf_token``."""
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        value = (await _form(request)).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not check_session_csrf(request, sent):
        raise CsrfRejected()


async def form_fields(request: Request) -> dict[str, str]:
    form = await _form(request)
    return {k: v if "password" in k else v.strip()
            for k, v in form.items() if isinstance(v, str)}


async def form_file(request: Request) -> UploadFile | None:
    value = (await _form(request)).get("file")
    return value if isinstance(value, UploadFile) else None


Csrf = Depends(require_csrf)
Fields = Annotated[dict[str, str], Depends(form_fields)]
File = Annotated[UploadFile | None, Depends(form_file)]
