"""Terminals and merchants. T2: a terminal is a registered device of one enterprise and one type,
with its own credential; it acts only for that enterprise and through its own endpoints.
P9: merchants (canteen windows, shops) are defined per enterprise and bound to POS terminals."""

from __future__ import annotations

import secrets

from sqlalchemy import Row, bindparam, select
from sqlalchemy.orm import Session

from yikatong.access import service as access
from yikatong.audit import service as audit
from yikatong.auth import service as auth
from yikatong.auth.tenancy import ensure_enterprise_scope, require_role
from yikatong.core.actor import SYSTEM, Actor, Channel, Role
from yikatong.core.errors import Forbidden, InvalidInput, NotFound
from yikatong.core.validation import validated
from yikatong.enterprises import service as enterprises
from yikatong.terminals.models import Merchant, Terminal, TerminalStatus, TerminalType
from yikatong.terminals.schemas import MerchantCreate, TerminalCreate

DEFAULT_MERCHANT = "默认商户"


def _scope(db: Session, actor: Actor, enterprise_id: int) -> None:
    enterprises.get_enterprise(db, actor=actor, enterprise_id=enterprise_id)  # its admin or staff; else 404
    require_role(actor, [Role.enterprise_admin, Role.operator])


def create_merchant(db: Session, *, actor: Actor, enterprise_id: int, name: str) -> Merchant:
    """P9: a merchant of the enterprise; names are unique within it."""
    _scope(db, actor, enterprise_id)
    data = validated(MerchantCreate, name=name.strip())
    existing = db.scalar(select(Merchant).where(Merchant.enterprise_id == enterprise_id, Merchant.name == data.name))
    if existing is not None:
        return existing
    merchant = Merchant(enterprise_id=enterprise_id, name=data.name)
    db.add(merchant)
    db.flush()
    audit.record(db, actor=actor, action="merchant.create", entity_type="merchant", entity_id=merchant.id,
                 enterprise_id=enterprise_id, after={"name": merchant.name})
    return merchant


def list_merchants(db: Session, *, actor: Actor, enterprise_id: int) -> list[Merchant]:
    _scope(db, actor, enterprise_id)
    return list(db.scalars(select(Merchant).where(Merchant.enterprise_id == enterprise_id).order_by(Merchant.id)))


def get_merchant(db: Session, *, actor: Actor, merchant_id: int) -> Merchant:
    merchant = db.get(Merchant, merchant_id)
    if merchant is None:
        raise NotFound("no such merchant", code="merchant_not_found")
    ensure_enterprise_scope(actor, merchant.enterprise_id, not_found="merchant_not_found")
    return merchant


def merchant_by_id(db: Session, *, merchant_id: int) -> Merchant | None:
    return db.get(Merchant, merchant_id)


def _merchant_for(db: Session, actor: Actor, enterprise_id: int, merchant: int | str | None) -> Merchant:
    if isinstance(merchant, int):
        found = db.get(Merchant, merchant)
        if found is None or found.enterprise_id != enterprise_id:
            raise NotFound("no such merchant in this enterprise", code="merchant_not_found")
        return found
    return create_merchant(db, actor=actor, enterprise_id=enterprise_id, name=merchant or DEFAULT_MERCHANT)


def register_terminal(db: Session, *, actor: Actor, enterprise_id: int, type: TerminalType | str, name: str,
                      merchant: int | str | None = None, door_id: int | None = None) -> tuple[Terminal, str]:
    """T2: register a device; returns it with its credential (shown once). A POS is bound to a
    merchant (by id, or by name — created if new — or the enterprise's default merchant)."""
    _scope(db, actor, enterprise_id)
    data = validated(TerminalCreate, type=type, name=name, merchant=merchant, door_id=door_id)
    merchant_row = _merchant_for(db, actor, enterprise_id, data.merchant) if data.type == TerminalType.pos else None
    if data.type != TerminalType.pos and data.merchant is not None:
        raise InvalidInput("only a POS terminal has a merchant", code="merchant_for_pos_only")
    if data.door_id is not None:
        # A1/T2: a door terminal opens one door of its own enterprise (without one it syncs only
        # the blacklist and cannot decide: 409 door_not_set).
        if data.type != TerminalType.door:
            raise InvalidInput("only a door terminal has a door", code="door_for_door_terminal_only")
        if access.door_of_enterprise(db, enterprise_id=enterprise_id, door_id=data.door_id) is None:
            raise InvalidInput("no such door in this enterprise", code="unknown_door",
                               details={"door_id": data.door_id})
    user = auth.create_user(db, actor=SYSTEM, username=f"term-{enterprise_id}-{secrets.token_hex(6)}",
                            password=None, role=Role.terminal, enterprise_id=enterprise_id,
                            display_name=data.name, allowed_channels=["terminal"])
    terminal = Terminal(enterprise_id=enterprise_id, type=data.type.value, name=data.name, user_id=user.id,
                        merchant_id=merchant_row.id if merchant_row else None, door_id=data.door_id,
                        status=TerminalStatus.active.value)
    db.add(terminal)
    db.flush()
    token = auth.issue_token(db, user=user, kind="terminal")
    audit.record(db, actor=actor, action="terminal.register", entity_type="terminal", entity_id=terminal.id,
                 enterprise_id=enterprise_id, after={"type": terminal.type, "name": terminal.name,
                                                     "merchant_id": terminal.merchant_id, "door_id": terminal.door_id})
    return terminal, token


_terminals, _merchants = Terminal.__table__, Merchant.__table__
# Built once: every terminal request runs it.
_TERMINAL_ROW = (select(_terminals.c.id, _terminals.c.enterprise_id, _terminals.c.type, _terminals.c.name,
                        _terminals.c.merchant_id, _terminals.c.door_id, _terminals.c.status,
                        _merchants.c.name.label("merchant_name"))
                 .outerjoin(_merchants, _merchants.c.id == _terminals.c.merchant_id))
_CALLING_TERMINAL = _TERMINAL_ROW.where(_terminals.c.user_id == bindparam("user_id"))
_TERMINAL_BY_ID = _TERMINAL_ROW.where(_terminals.c.id == bindparam("terminal_id"))


def terminal_row(db: Session, *, terminal_id: int) -> Row | None:
    """The read-only row ``terminal_of`` gives, for a terminal named by id (no access check)."""
    return db.execute(_TERMINAL_BY_ID, {"terminal_id": terminal_id}).first()


def terminal_of(db: Session, *, actor: Actor, type: TerminalType | None = None) -> Row:
    """The terminal making this request (T2): only registered, active devices; a device of another
    type is refused (403 ``wrong_terminal_type``). A read-only row: ``id``, ``enterprise_id``,
    ``type``, ``name``, ``merchant_id``, ``door_id``, ``status`` and ``merchant_name`` (None
    without a merchant)."""
    if actor.role != Role.terminal:
        raise Forbidden("only a registered terminal may call this", code="terminal_only")
    terminal = db.execute(_CALLING_TERMINAL, {"user_id": actor.user_id}).first()
    if terminal is None or terminal.status != TerminalStatus.active.value:
        raise Forbidden("this terminal is not registered or retired", code="terminal_retired")
    if type is not None and terminal.type != type.value:
        raise Forbidden(f"a {terminal.type} terminal cannot do this; it needs a {type.value} terminal",
                        code="wrong_terminal_type")
    return terminal


def act_as_terminal(db: Session, *, actor: Actor, enterprise_id: int, terminal_id: int,
                    type: TerminalType = TerminalType.pos) -> tuple[Terminal, Actor]:
    """The console's terminal simulator: an enterprise admin or an operator acts as one of the
    enterprise's active terminals, with the terminal's own identity through the terminal channel,
    so the purchase or undo goes through every rule a device meets (T2). Who drove it is audited
    (``terminal.simulated``) in the same transaction, so a simulated sale is never anonymous."""
    _scope(db, actor, enterprise_id)
    terminal = db.get(Terminal, terminal_id)
    if (terminal is None or terminal.enterprise_id != enterprise_id or terminal.type != type.value
            or terminal.status != TerminalStatus.active.value):
        raise NotFound(f"no such active {type.value} terminal", code="terminal_not_found")
    user = auth.get_user(db, user_id=terminal.user_id)
    if not user.active:
        raise Forbidden("this terminal's login is disabled", code="terminal_retired")
    audit.record(db, actor=actor, action="terminal.simulated", entity_type="terminal", entity_id=terminal.id,
                 enterprise_id=enterprise_id, before=None, after={"terminal": terminal.name})
    return terminal, auth.authorize_request(user, Channel.terminal)


def list_terminals(db: Session, *, actor: Actor, enterprise_id: int) -> list[Terminal]:
    _scope(db, actor, enterprise_id)
    return list(db.scalars(select(Terminal).where(Terminal.enterprise_id == enterprise_id).order_by(Terminal.id)))
