"""Card stock (卡资源, C1): batches of RFID-SIMs (ICCID + IMSI) and IC cards (UID) imported from
CSV; every row is checked and any error means nothing is imported."""

from __future__ import annotations

import csv
import io
import re

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from yikatong.audit import service as audit
from yikatong.auth.tenancy import require_role
from yikatong.cards.models import CardKind, StockCard, StockState
from yikatong.cards.schemas import ICCID, IMSI, UID, StockImportResult, StockRow
from yikatong.core import clock
from yikatong.core.actor import Actor, Role
from yikatong.core.errors import Conflict, InvalidInput

MAX_BYTES = 5 * 1024 * 1024


def _rows(content: bytes) -> list[dict[str, str]]:
    if len(content) > MAX_BYTES:
        raise InvalidInput("the file is larger than 5 MB", code="file_too_large")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("the file is not UTF-8 text", code="unreadable_file") from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if "kind" not in header:
        raise InvalidInput("the first row must name the columns kind,iccid,imsi,uid", code="bad_header")
    return [{(k or "").strip().lower(): (v or "").strip() for k, v in row.items()} for row in reader]


def import_stock(db: Session, *, actor: Actor, content: bytes, batch: str = "") -> StockImportResult:
    """C1: import a batch. RFID-SIM rows need a valid ICCID and IMSI, IC rows a UID; duplicates
    within the file or against stock are reported per row; any error imports nothing."""
    require_role(actor, [Role.operator])
    rows = _rows(content)
    errors: list[StockRow] = []
    cards: list[tuple[int, StockCard]] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        kind = row.get("kind", "")
        iccid, imsi, uid = row.get("iccid") or None, row.get("imsi") or None, (row.get("uid") or "").upper() or None
        problem = None
        if kind == CardKind.rfid_sim:
            if not iccid or not re.match(ICCID, iccid):
                problem = ("invalid_iccid", "an RFID-SIM needs an ICCID of 19–20 digits starting 89")
            elif not imsi or not re.match(IMSI, imsi):
                problem = ("invalid_imsi", "an RFID-SIM needs a 15-digit IMSI")
            uid = None
        elif kind == CardKind.ic:
            if not uid or not re.match(UID, uid):
                problem = ("invalid_uid", "an IC card needs a UID of 4, 7 or 10 bytes in hex")
            iccid = imsi = None
        else:
            problem = ("invalid_kind", "kind must be rfid_sim or ic")
        if problem is None:
            for key in filter(None, (iccid, imsi, uid)):
                if key in seen:
                    problem = ("duplicate_in_file", f"{key} also on row {seen[key]}")
                    break
                seen[key] = number
        if problem:
            errors.append(StockRow(row=number, code=problem[0], message=problem[1]))
            continue
        cards.append((number, StockCard(kind=kind, iccid=iccid, imsi=imsi, uid=uid, state=StockState.in_stock.value,
                                        batch=batch or clock.now().strftime("%Y%m%d%H%M%S"))))
    keys = list(seen)
    if keys:
        existing = db.execute(select(StockCard.iccid, StockCard.imsi, StockCard.uid).where(
            or_(StockCard.iccid.in_(keys), StockCard.imsi.in_(keys), StockCard.uid.in_(keys)))).all()
        taken = {k for row in existing for k in row if k}
        for number, card in cards:
            dup = next((k for k in (card.iccid, card.imsi, card.uid) if k and k in taken), None)
            if dup:
                errors.append(StockRow(row=number, code="duplicate_stock", message=f"{dup} is already in stock"))
    if not rows:
        errors.append(StockRow(row=2, code="no_rows", message="the file has no card rows"))
    if errors:
        return StockImportResult(imported=0, errors=sorted(errors, key=lambda e: e.row))
    db.add_all(card for _, card in cards)
    db.flush()
    audit.record(db, actor=actor, action="stock.import", entity_type="card_stock", entity_id=cards[0][1].batch,
                 enterprise_id=None, after={"imported": len(cards)})
    return StockImportResult(imported=len(cards), errors=[])


def take_from_stock(db: Session, *, kind: CardKind, iccid: str | None, imsi: str | None,
                    uid: str | None) -> StockCard | None:
    """The stock item these identifiers name, marked issued. Identifiers unknown to stock (a
    subscriber's own SIM, say) issue without a stock item; a known one must be in stock."""
    keys = [k for k in (iccid, imsi, uid.upper() if uid else None) if k]
    if not keys:
        return None
    item = db.scalar(select(StockCard).where(or_(StockCard.iccid.in_(keys), StockCard.imsi.in_(keys),
                                                 StockCard.uid.in_(keys))).with_for_update())
    if item is None:
        return None
    if item.kind != kind.value:
        raise InvalidInput(f"stock item {keys[0]} is an {item.kind} card, not {kind.value}", code="stock_kind_mismatch")
    if item.state not in (StockState.in_stock.value, StockState.allocated.value):
        raise Conflict(f"stock item {keys[0]} is {item.state}", code="stock_not_available",
                       details={"state": item.state})
    item.state = StockState.issued.value
    return item
