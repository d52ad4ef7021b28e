"""Use cases of the purse that cross into the chip (ota) — P1/P8 loads in doubt (docs/ota.md)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from yikatong.auth.tenancy import ensure_enterprise_scope, require_role
from yikatong.cards import service as cards
from yikatong.cards.models import AppType
from yikatong.core.actor import Actor, Role
from yikatong.ota import recovery
from yikatong.ota import service as ota
from yikatong.purse import ledger
from yikatong.purse.models import AccountKind, TransferKind
from yikatong.purse.service import purse_account


@dataclass
class RecoveryRun:
    enterprise_id: int
    cards_checked: int = 0
    unreachable: list[str] = field(default_factory=list)
    recovered: list[tuple[str, int, int]] = field(default_factory=list)  # (card, online counter, fen)
    unproven: list[tuple[str, int, int]] = field(default_factory=list)


def recover_chip_loads(db: Session, *, actor: Actor, enterprise_id: int) -> RecoveryRun:
    """P1/P8: every chip purse of the enterprise is read over the air; a load the card made but the
    platform never committed (its answer lost, or its commit failed) is credited to the ledger from
    the funding account once the card proves it (ota.recovery), or reported when it can no longer
    be proven. Operators (and the platform's jobs) only: it reaches every card of the enterprise."""
    ensure_enterprise_scope(actor, enterprise_id)
    require_role(actor, [Role.operator])
    run = RecoveryRun(enterprise_id)
    for card_id in ota.chip_purse_cards(db, enterprise_id=enterprise_id):
        card = cards.load_card(db, card_id)
        app = cards.active_application(db, card=card, enterprise_id=enterprise_id, type=AppType.purse) \
            or next((a for a in cards.applications_of(db, card=card)
                     if a.enterprise_id == enterprise_id and a.type == AppType.purse.value), None)
        if app is None:
            continue
        purse_id = purse_account(db, app=app).id

        def credit(amount_fen: int, reference: str, purse_id: int = purse_id):
            # The money is on the chip already: it is posted whatever the card's state now.
            funding = ledger.account_id(db, enterprise_id=enterprise_id, kind=AccountKind.funding)
            return ledger.move(db, actor=actor, enterprise_id=enterprise_id, kind=TransferKind.topup,
                               debit_id=funding, credit_id=purse_id, amount_fen=amount_fen, reference=reference)

        found = recovery.recover_loads(db, actor=actor, card=card, enterprise_id=enterprise_id, credit=credit)
        run.cards_checked += 1
        if not found.reachable:
            run.unreachable.append(card.card_no)
        run.recovered += [(card.card_no, c, a) for c, a in found.recovered]
        run.unproven += [(card.card_no, c, a) for c, a in found.unproven]
    return run
