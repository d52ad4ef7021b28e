"""The audit log (X4): who, through which channel, when, what, before → after. Operators read the
whole trail, an enterprise admin only their enterprise's (the service enforces it)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from yikatong.audit import service as audit
from yikatong.core.money import format_yuan
from yikatong.deps import DB
from yikatong.members.phones import format_phone
from yikatong.web.errors import ConsoleRoute
from yikatong.web.i18n import Translator, translator_for
from yikatong.web.labels import AUDIT_ACTIONS, ENTITY_TYPES, label
from yikatong.web.pages.common import Pager, page_params
from yikatong.web.session import CurrentConsole
from yikatong.web.templating import card_no, render

router = APIRouter(prefix="/console/audit", route_class=ConsoleRoute, include_in_schema=False)

PER_PAGE = 30
_VALUE_KINDS = {"status": "member_status", "zone": "zone", "role": "role", "kind": "card_kind",
                "type": "app_type", "mode": "app_mode", "refund": "refund", "bill_mode": "bill_mode",
                "expiry_rule": "expiry_rule"}
_STATUS_KINDS = {"enterprise": "enterprise_status", "card": "card_status", "card_application": "app_status",
                 "delivery": "delivery_status"}


def _label(t: Translator, entity_type: str, field: str) -> str:
    if entity_type == "enterprise" and field == "name":
        return t.gettext("Enterprise name")
    if entity_type == "terminal" and field in ("name", "type"):
        return t.gettext("Terminal name") if field == "name" else t.gettext("Type")
    if entity_type == "merchant" and field == "name":
        return t.gettext("Merchant name")
    return label(t, "field", field)


def _windows(t: Translator, windows: list) -> str:
    if not windows:
        return t.gettext("Any time")
    return "；".join(t.gettext("Weekdays %(days)s, %(start)s–%(end)s", days=",".join(map(str, w.get("weekdays", []))),
                                start=w.get("start", ""), end=w.get("end", "")) for w in windows)


def _value(t: Translator, entity_type: str, field: str, value: object) -> str:
    if field == "allowed_channels" and value is None:
        return t.gettext("All channels")
    if field == "time_windows" and isinstance(value, list):
        return _windows(t, value)
    if field == "validity_days" and entity_type == "enterprise":
        return t.gettext("No time limit") if value is None else t.gettext("%(n)s days", n=value)
    if field == "type" and entity_type == "terminal":
        return label(t, "terminal_type", value)
    if field == "status" and entity_type in _STATUS_KINDS:
        return label(t, _STATUS_KINDS[entity_type], value)
    if value is None or value == "":
        return "—"
    if field in ("service_fee_fen", "amount_fen", "total_fen") and isinstance(value, int):
        return f"¥{format_yuan(value)}"
    if field == "phone" and isinstance(value, str):
        return format_phone(value)
    if field == "card_no" and isinstance(value, str):
        return card_no(value)
    if field == "kinds" and isinstance(value, list):
        return "、".join(label(t, "event_kind", k) for k in value) or t.gettext("All")
    if field == "allowed_channels" and isinstance(value, list):
        return "、".join(label(t, "channel", c) for c in value)
    if isinstance(value, bool):
        return t.gettext("Yes") if value else t.gettext("No")
    if field in _VALUE_KINDS:
        return label(t, _VALUE_KINDS[field], value)
    return str(value)


def changes(t: Translator, entity_type: str, before: dict | None, after: dict | None) -> list[dict[str, str]]:
    """The fields that changed, each as label, before, after (a creation has no before)."""
    before, after = before or {}, after or {}
    rows = []
    for field in list(dict.fromkeys([*before, *after])):
        old, new = before.get(field), after.get(field)
        if field in before and old == new:
            continue
        rows.append({"field": _label(t, entity_type, field),
                     "before": _value(t, entity_type, field, old) if field in before else "",
                     "after": _value(t, entity_type, field, new) if field in after else "—"})
    return rows


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 10 else None


@router.get("")
def audit_log(request: Request, console: CurrentConsole, db: DB) -> Response:
    t = translator_for(request)
    params = request.query_params
    filters = {
        "action": params.get("action", "") if params.get("action", "") in AUDIT_ACTIONS else "",
        "entity_type": params.get("entity_type", "") if params.get("entity_type", "") in ENTITY_TYPES else "",
        "actor": params.get("actor", "").strip()[:64],
        "enterprise_id": params.get("enterprise_id", "").strip() if console.is_staff else "",
    }
    page = audit.list_entries(
        db, actor=console.actor, page=page_params(request, PER_PAGE), action=filters["action"] or None,
        entity_type=filters["entity_type"] or None, actor_username=filters["actor"].lower() or None,
        enterprise_id=_int(filters["enterprise_id"]))
    entries = [{"entry": e, "changes": changes(t, e.entity_type, e.before, e.after)} for e in page.items]
    return render(request, "audit/list.html", {
        "entries": entries, "filters": filters, "pager": Pager(page, "/console/audit", filters),
        "actions": list(AUDIT_ACTIONS), "entity_types": list(ENTITY_TYPES), "nav": "audit",
    })
