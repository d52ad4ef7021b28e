"""Key service endpoints (E2, T1): metadata and lifecycle for operators, the key mother card for
operators and issuing terminals. No answer ever carries key material in clear."""

from __future__ import annotations

import base64
import binascii

from fastapi import APIRouter
from fastapi.responses import Response

from yikatong.core.errors import InvalidInput
from yikatong.core.ids import PathId
from yikatong.deps import DB, CurrentActor, Work
from yikatong.keys import mothercard, service
from yikatong.keys.schemas import (
    KeySetOut, KeysCreate, KeysRotate, MotherCardImported, MotherCardRequest, MotherCardUpload,
)

router = APIRouter(tags=["keys"])
OCTET_STREAM = "application/octet-stream"


@router.post("/enterprises/{enterprise_id}/keys", response_model=KeySetOut, status_code=201,
             summary="Create the enterprise's key set in a profile (3DES or SM4); idempotent (E2)")
def create(enterprise_id: PathId, body: KeysCreate, work: Work) -> KeySetOut:
    with work.write() as (db, actor):
        service.ensure_enterprise_keys(db, actor=actor, enterprise_id=enterprise_id, algorithm=body.algorithm)
        return service.key_set(db, actor=actor, enterprise_id=enterprise_id)


@router.get("/enterprises/{enterprise_id}/keys", response_model=KeySetOut,
            summary="The enterprise's keys: types, versions, algorithm, status — never material (T1)")
def list_(enterprise_id: PathId, actor: CurrentActor, db: DB) -> KeySetOut:
    return service.key_set(db, actor=actor, enterprise_id=enterprise_id)


@router.post("/enterprises/{enterprise_id}/keys/rotate", response_model=KeySetOut,
             summary="New version of every key; old versions retired, kept for verification (T1)")
def rotate(enterprise_id: PathId, body: KeysRotate, work: Work) -> KeySetOut:
    with work.write() as (db, actor):
        service.rotate_enterprise_keys(db, actor=actor, enterprise_id=enterprise_id, algorithm=body.algorithm)
        return service.key_set(db, actor=actor, enterprise_id=enterprise_id)


@router.post("/enterprises/{enterprise_id}/keys/mother-card", response_class=Response,
             responses={200: {"content": {OCTET_STREAM: {}}, "description": "the key mother card file"}},
             summary="Export the enterprise's key mother card, sealed with a passphrase (E2)")
def export_mother_card(enterprise_id: PathId, body: MotherCardRequest, work: Work) -> Response:
    with work.write() as (db, actor):
        bundle = mothercard.export_mother_card(db, actor=actor, enterprise_id=enterprise_id,
                                               passphrase=body.passphrase)
    return Response(bundle, media_type=OCTET_STREAM, headers={
        "Content-Disposition": f'attachment; filename="key-mother-card-{enterprise_id}.ykmc"'})


@router.post("/terminal/mother-card", response_model=MotherCardImported, status_code=201,
             summary="An issuing terminal installs its enterprise's key mother card (E2)")
def import_mother_card(body: MotherCardUpload, work: Work) -> MotherCardImported:
    try:
        bundle = base64.b64decode(body.bundle, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("bundle is not base64", code="mother_card_malformed") from None
    with work.write() as (db, actor):
        row = mothercard.import_mother_card(db, actor=actor, bundle=bundle, passphrase=body.passphrase)
        return MotherCardImported(terminal_id=row.terminal_id, enterprise_id=row.enterprise_id,
                                  key_set_version=row.key_set_version, bundle_created_at=row.bundle_created_at,
                                  imported_at=row.imported_at)
