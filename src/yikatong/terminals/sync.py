"""T3: terminals sync incrementally. A device sends the blacklist version and the parameters
version it holds; it gets the blacklist changes since then and, only when they changed, its
parameters. The platform records what each device holds, so the console shows the ones that lag.

The blacklist is versioned by the cards domain (a counter per enterprise). Parameters have no
counter of their own: they are assembled from several domains (the terminal, its merchant, the
purse settings), so their version is a digest of their content — it changes exactly when they do."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import update
from sqlalchemy.orm import Session

from yikatong.access import permissions as access_permissions
from yikatong.access import terminal_sync as access_sync
from yikatong.cards import blacklist
from yikatong.core import clock
from yikatong.core.actor import SYSTEM, Actor
from yikatong.enterprises import service as enterprises
from yikatong.purse import service as purse
from yikatong.purse.ledger import MAX_AMOUNT_FEN
from yikatong.terminals import service as terminals
from yikatong.terminals.models import Terminal, TerminalStatus, TerminalType
from yikatong.terminals.schemas import Parameters, SyncOut, TerminalSyncState


def parameters_of(db: Session, terminal) -> dict:
    """What a device of this type needs to work offline: who it is, what it may do."""
    enterprise = enterprises.get_enterprise(db, actor=SYSTEM, enterprise_id=terminal.enterprise_id)
    values: dict = {"terminal_id": terminal.id, "type": terminal.type, "name": terminal.name,
                    "enterprise_id": enterprise.id, "enterprise_name": enterprise.name}
    if terminal.type in (TerminalType.pos.value, TerminalType.topup.value):
        settings = purse.settings_of(db, enterprise_id=terminal.enterprise_id)
        values |= {"max_amount_fen": MAX_AMOUNT_FEN, "balance_validity_days": settings.validity_days}
    if terminal.type == TerminalType.pos.value:
        values |= {"merchant_id": terminal.merchant_id, "merchant_name": terminal.merchant_name}
    if terminal.type == TerminalType.door.value:
        values |= {"door_id": terminal.door_id}
    return values


def _digest(values: dict) -> str:
    canonical = json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def sync(db: Session, *, actor: Actor, blacklist_version: int, parameters_version: str | None,
         permissions_version: int = 0) -> SyncOut:
    """T3 for the calling terminal (T2: only its own enterprise's lists): the blacklist delta since
    ``blacklist_version`` (0: the whole list; a version newer than the platform's is 422
    ``unknown_version``, so the device starts again from 0), its parameters when
    ``parameters_version`` is not current, and a record of what it held. A door terminal also gets
    its door's permission changes since ``permissions_version`` and the rules to decide offline
    (A2, access/terminal_sync.py)."""
    terminal = terminals.terminal_of(db, actor=actor)
    delta = blacklist.delta_since(db, enterprise_id=terminal.enterprise_id, since=blacklist_version)
    values = parameters_of(db, terminal)
    version = _digest(values)
    changed = parameters_version != version
    now = clock.now()
    db.execute(update(Terminal).where(Terminal.id == terminal.id).values(
        blacklist_version=blacklist_version, parameters_version=parameters_version, last_sync_at=now))
    door = None
    if terminal.type == TerminalType.door.value:
        door = access_sync.door_sync(db, terminal=terminal, permissions_version=permissions_version)
    return SyncOut(blacklist=delta, parameters=Parameters(version=version, changed=changed,
                                                          values=values if changed else None),
                   server_time=now, permissions=door[0] if door else None, door=door[1] if door else None)


def sync_states(db: Session, *, actor: Actor, enterprise_id: int) -> list[TerminalSyncState]:
    """T3: which version each of the enterprise's active terminals holds, and how far it lags."""
    devices = terminals.list_terminals(db, actor=actor, enterprise_id=enterprise_id)  # its admin or staff (X5)
    current = blacklist.current_version(db, enterprise_id=enterprise_id)
    held = access_sync.held_versions(db, terminal_ids=[t.id for t in devices if t.type == TerminalType.door.value])
    permissions_now = access_permissions.current_version(db, enterprise_id=enterprise_id)
    out = []
    for t in devices:
        if t.status != TerminalStatus.active.value:
            continue
        synced = t.last_sync_at is not None
        row = terminals.terminal_row(db, terminal_id=t.id)
        out.append(TerminalSyncState(
            terminal_id=t.id, name=t.name, type=t.type, blacklist_version=t.blacklist_version,
            blacklist_behind=current - (t.blacklist_version or 0) if synced else None,
            parameters_current=(t.parameters_version == _digest(parameters_of(db, row))) if synced else None,
            last_sync_at=t.last_sync_at, permissions_version=held.get(t.id),
            permissions_behind=permissions_now - held[t.id] if t.id in held else None))
    return out
