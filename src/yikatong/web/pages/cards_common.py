"""What the card pages share: a card as a page shows it (the sub-applications its reader may see,
with their enterprises' names), the fields of the card forms, and a sub-application's short name."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from yikatong.cards.access import visible_applications
from yikatong.cards.models import LIVE, AppMode, AppStatus, AppType, Card, CardApplication, CardKind, CardStatus
from yikatong.cards.schemas import CardIdentifiers
from yikatong.core.actor import SYSTEM, Actor
from yikatong.core.errors import InvalidInput, NotFound
from yikatong.core.validation import validated
from yikatong.enterprises import service as enterprises
from yikatong.web.i18n import Translator
from yikatong.web.labels import label

CARD_FIELDS = ("kind", "iccid", "imsi", "uid")
APP_TYPES = [t.value for t in AppType]
APP_MODES = [m.value for m in AppMode]


@dataclass(frozen=True)
class AppRow:
    app: CardApplication
    enterprise_name: str
    own: bool  # of the enterprise whose page shows it

    @property
    def open(self) -> bool:
        return self.app.status == AppStatus.active.value


@dataclass(frozen=True)
class CardView:
    card: Card
    apps: list[AppRow]

    @property
    def live(self) -> bool:
        return self.card.status in LIVE

    @property
    def active(self) -> bool:
        return self.card.status == CardStatus.active.value

    @property
    def lost(self) -> bool:
        return self.card.status == CardStatus.lost.value

    @property
    def open_apps(self) -> list[AppRow]:
        return [a for a in self.apps if a.open]


def enterprise_names(db: Session, ids: Iterable[int]) -> dict[int, str]:
    """Names of the enterprises whose sub-applications the reader already sees on a card. No service
    names them for every reader (a member or an agent may not open an enterprise), so the names of
    exactly these ids are read as the platform."""
    names = {}
    for enterprise_id in set(ids):
        try:
            names[enterprise_id] = enterprises.get_enterprise(db, actor=SYSTEM, enterprise_id=enterprise_id).name
        except NotFound:
            names[enterprise_id] = f"#{enterprise_id}"
    return names


def card_views(db: Session, actor: Actor, cards: Iterable[Card], *, enterprise_id: int | None = None) -> list[CardView]:
    """Each card with the sub-applications ``actor`` may see (an enterprise admin: only their own)."""
    per_card = [(card, visible_applications(db, actor, card)) for card in cards]
    names = enterprise_names(db, (a.enterprise_id for _, apps in per_card for a in apps))
    return [CardView(card, [AppRow(a, names[a.enterprise_id], a.enterprise_id == enterprise_id) for a in apps])
            for card, apps in per_card]


def live_view(views: list[CardView]) -> CardView | None:
    return next((v for v in views if v.live), None)


def app_name(t: Translator, app: CardApplication) -> str:
    """门禁（空中方式）."""
    return f"{label(t, 'app_type', app.type)}（{label(t, 'app_mode', app.mode)}）"


def _invalid(field: str, kind: str, code: str = "invalid_input") -> InvalidInput:
    return InvalidInput(f"{field}: {kind}", code=code, details={"errors": [{"field": field, "type": kind}]})


def card_form(form: dict[str, str]) -> dict[str, str]:
    """The card fields as typed (spaces dropped), kept to fill the form again after a refusal."""
    values = {k: form.get(k, "").replace(" ", "") for k in CARD_FIELDS}
    values["kind"] = values["kind"] or CardKind.rfid_sim.value
    return values


def card_identifiers(values: dict[str, str]) -> tuple[CardKind, str | None, str | None, str | None]:
    """The card type and its identifiers, checked as the API checks them: an RFID-SIM may name its
    ICCID and IMSI (a subscriber's own SIM needs none), an IC card is named by its UID."""
    try:
        kind = CardKind(values.get("kind", ""))
    except ValueError:
        raise _invalid("kind", "missing", "invalid_card_kind") from None
    ids = validated(CardIdentifiers, iccid=values.get("iccid") or None, imsi=values.get("imsi") or None,
                    uid=(values.get("uid") or "").upper() or None)
    if kind == CardKind.ic and not ids.uid:
        raise _invalid("uid", "missing")
    return kind, ids.iccid, ids.imsi, ids.uid


def application_choice(form: dict[str, str]) -> tuple[AppType, AppMode]:
    try:
        return AppType(form.get("type", "")), AppMode(form.get("mode", ""))
    except ValueError:
        raise InvalidInput("choose a sub-application and a mode", code="invalid_application") from None
