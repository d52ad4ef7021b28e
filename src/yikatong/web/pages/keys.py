"""An enterprise's key set in the console (E2, T1), for operators: the algorithm profile, every key
type and version with its status — metadata only, never material — the rotation to a new version
(with confirmation: every card must then be re-washed before it uses the new keys) and the export of
the key mother card for an issuing terminal, sealed with a passphrase."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from yikatong.core.errors import InvalidInput, YktError
from yikatong.core.ids import PathId
from yikatong.core.validation import validated
from yikatong.deps import DB
from yikatong.enterprises import service as enterprises
from yikatong.keys import mothercard
from yikatong.keys import service as keys
from yikatong.keys.schemas import MotherCardRequest
from yikatong.web.errors import ConsoleRoute
from yikatong.web.forms import Csrf, Fields
from yikatong.web.pages.common import FormFailure, download, form_failure
from yikatong.web.session import CurrentConsole
from yikatong.web.templating import redirect, render

router = APIRouter(prefix="/console/enterprises/{enterprise_id}/keys", route_class=ConsoleRoute,
                   include_in_schema=False)


def _page(request: Request, db, console, enterprise_id: int, *, failure: FormFailure | None = None,
          confirm_rotation: bool = False, values: dict | None = None, status_code: int = 200) -> Response:
    enterprise = enterprises.get_enterprise(db, actor=console.actor, enterprise_id=enterprise_id)  # X5: 404
    key_set = keys.key_set(db, actor=console.actor, enterprise_id=enterprise_id)  # operators only (403)
    versions: dict[int, list] = {}
    for k in key_set.keys:
        versions.setdefault(k.version, []).append(k)
    return render(request, "keys/key_set.html", {
        "enterprise": enterprise, "key_set": key_set, "versions": sorted(versions.items(), reverse=True),
        "failure": failure, "confirm_rotation": confirm_rotation, "values": values or {},
        "base": f"/console/enterprises/{enterprise_id}/keys", "nav": "enterprises",
    }, status_code=status_code)


@router.get("")
def key_set_page(request: Request, enterprise_id: PathId, console: CurrentConsole, db: DB) -> Response:
    return _page(request, db, console, enterprise_id, confirm_rotation=request.query_params.get("rotate") == "1")


@router.post("/rotate", dependencies=[Csrf])
def rotate(request: Request, enterprise_id: PathId, console: CurrentConsole, db: DB, form: Fields) -> Response:
    base = f"/console/enterprises/{enterprise_id}/keys"
    if form.get("confirm") != "yes":
        return redirect(request, f"{base}?rotate=1")
    algorithm = form.get("algorithm") or None
    try:
        found = keys.rotate_enterprise_keys(db, actor=console.actor, enterprise_id=enterprise_id,
                                            algorithm=algorithm if algorithm in ("3des", "sm4") else None)
    except YktError as exc:
        if exc.status_code in (403, 404):
            raise
        failure = form_failure(request, db, exc)
        return _page(request, db, console, enterprise_id, failure=failure, status_code=failure.status_code)
    return redirect(request, base, flash="keys_rotated", arg=str(found.current_version))


@router.post("/mother-card", dependencies=[Csrf])
def export_mother_card(request: Request, enterprise_id: PathId, console: CurrentConsole, db: DB,
                       form: Fields) -> Response:
    passphrase, again = form.get("passphrase", ""), form.get("passphrase_again", "")
    try:
        body = validated(MotherCardRequest, passphrase=passphrase)
        if passphrase != again:
            raise InvalidInput("the two passphrases differ", code="invalid_input",
                               details={"errors": [{"field": "passphrase_again", "type": "mismatch"}]})
        bundle = mothercard.export_mother_card(db, actor=console.actor, enterprise_id=enterprise_id,
                                               passphrase=body.passphrase)
    except YktError as exc:
        if exc.status_code in (403, 404):
            raise
        failure = form_failure(request, db, exc)
        return _page(request, db, console, enterprise_id, failure=failure, status_code=failure.status_code)
    return download(bundle, "application/octet-stream", f"key-mother-card-{enterprise_id}.ykmc")
