"""P1 bulk top-up from a file: one row per member (phone, amount in yuan). Every row is checked
first — a member of this enterprise with a usable purse, an amount in yuan with at most two
decimals, no member twice — and any error means no money moves."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy.orm import Session

from yikatong.audit import service as audit
from yikatong.auth.tenancy import ensure_enterprise_scope, require_role
from yikatong.cards import service as cards
from yikatong.core.actor import Actor, Role
from yikatong.core.errors import InvalidInput, YktError
from yikatong.core.money import parse_yuan
from yikatong.core.spreadsheets import read_table
from yikatong.members import service as members
from yikatong.members.phones import normalize_phone
from yikatong.purse import ledger
from yikatong.purse.service import credit_purse, usable_card

MAX_ROWS = 5_000
HEADERS = {"phone": "phone", "手机号": "phone", "手机号码": "phone", "amount": "amount", "金额": "amount",
           "金额(元)": "amount", "amount_yuan": "amount"}


class BulkRowError(BaseModel):
    row: int
    code: str
    message: str


class BulkTopupResult(BaseModel):
    topped_up: int
    total_fen: int
    errors: list[BulkRowError]


def bulk_topup(db: Session, *, actor: Actor, enterprise_id: int, filename: str, content: bytes) -> BulkTopupResult:
    """P1: top up many members at once; all rows or none."""
    ensure_enterprise_scope(actor, enterprise_id)
    require_role(actor, [Role.enterprise_admin, Role.operator])
    table = read_table(filename, content)
    if not table:
        raise InvalidInput("the file is empty", code="empty_file")
    header = [HEADERS.get(h.strip().lower(), HEADERS.get(h.strip(), "")) for h in table[0]]
    if "phone" not in header or "amount" not in header:
        raise InvalidInput("the first row must name the columns phone,amount (or 手机号码,金额)", code="bad_header")
    rows = [(n, dict(zip(header, raw))) for n, raw in enumerate(table[1:], start=2) if any(raw)]
    if len(rows) > MAX_ROWS:
        raise InvalidInput(f"at most {MAX_ROWS} rows per file", code="too_many_rows")
    errors: list[BulkRowError] = []
    plan = []
    seen: dict[str, int] = {}
    for number, row in rows:
        try:
            phone = normalize_phone(row.get("phone", ""))
            amount = parse_yuan(row.get("amount", ""))
            if not 0 < amount <= ledger.MAX_AMOUNT_FEN:
                raise InvalidInput("the amount must be more than 0", code="invalid_amount")
        except ValueError:
            errors.append(BulkRowError(row=number, code="invalid_amount", message="an amount in yuan, e.g. 100 or 12.50"))
            continue
        except YktError as exc:
            errors.append(BulkRowError(row=number, code=exc.code, message=exc.message))
            continue
        if phone in seen:
            errors.append(BulkRowError(row=number, code="duplicate_in_file", message=f"{phone} also on row {seen[phone]}"))
            continue
        seen[phone] = number
        member = next((m for m in members.members_for_phone(db, phone=phone) if m.enterprise_id == enterprise_id), None)
        card = cards.live_card_of_phone(db, phone=phone) if member else None
        if member is None:
            errors.append(BulkRowError(row=number, code="member_not_found", message=f"{phone} is not a member"))
            continue
        if card is None:
            errors.append(BulkRowError(row=number, code="no_card", message=f"{phone} has no card"))
            continue
        try:
            holder = usable_card(db, card_no=card.card_no, enterprise_id=enterprise_id)
        except YktError as exc:
            errors.append(BulkRowError(row=number, code=exc.code, message=exc.message))
            continue
        plan.append((holder, amount, member.id))
    if not rows:
        errors.append(BulkRowError(row=2, code="no_rows", message="the file has no rows"))
    if errors:
        return BulkTopupResult(topped_up=0, total_fen=0, errors=errors)
    total = 0
    for holder, amount, member_id in plan:
        credit_purse(db, actor=actor, holder=holder, enterprise_id=enterprise_id, amount_fen=amount,
                     reference=f"bulk:{member_id}")
        total += amount
    audit.record(db, actor=actor, action="purse.bulk_topup", entity_type="enterprise", entity_id=enterprise_id,
                 enterprise_id=enterprise_id, after={"file": filename, "members": len(plan), "total_fen": total})
    return BulkTopupResult(topped_up=len(plan), total_fen=total, errors=[])
