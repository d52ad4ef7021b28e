"""The agents' workbench (工单, S1–S3, S8): the queue of my tier (or, for an enterprise admin and an
account manager, the orders they may see) with filters, paging and the SLA deadline of each order
in Beijing time; the "new work order" form with knowledge-base suggestions while typing (S1, S7).
The order's own page and its actions are in tickets_detail.py."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from yikatong.core import clock
from yikatong.core.actor import Role
from yikatong.core.pagination import PageParams
from yikatong.core.spreadsheets import write_table
from yikatong.core.errors import Forbidden, YktError
from yikatong.core.validation import validated
from yikatong.deps import DB
from yikatong.servicedesk import service as desk
from yikatong.servicedesk.matrix import CHANNELS_OF_ROLE, TIER_OF_ROLE
from yikatong.servicedesk.models import TicketCategory, TicketChannel, TicketStatus, TicketType
from yikatong.servicedesk.schemas import TicketCreate
from yikatong.web.errors import ConsoleRoute
from yikatong.web.forms import Csrf, Fields
from yikatong.web.i18n import N_, translator_for
from yikatong.web.labels import label
from yikatong.web.pages.common import XLSX, FormFailure, Pager, download, is_fragment, page_params
from yikatong.web.pages.tickets_common import STATUS_BADGES, describe, ensure_workbench, next_clock, warning_lead
from yikatong.web.session import Console, CurrentConsole
from yikatong.web.templating import redirect, render

router = APIRouter(prefix="/console/tickets", route_class=ConsoleRoute, include_in_schema=False)

BASE = "/console/tickets"
PER_PAGE = 20
RESULTS_ID = "ticket-results"
FILTERS = {"status": [s.value for s in TicketStatus], "type": [t.value for t in TicketType],
           "category": [c.value for c in TicketCategory], "channel": [c.value for c in TicketChannel]}


def channels_for(console: Console) -> list[str]:
    """The channels this role records orders through (S1: an agent's own channels), in form order."""
    allowed = CHANNELS_OF_ROLE.get(console.role, frozenset())
    return [c.value for c in TicketChannel if c in allowed]


def _filters(request: Request) -> dict[str, str]:
    q = request.query_params
    out = {k: q.get(k, "") if q.get(k, "") in allowed else "" for k, allowed in FILTERS.items()}
    out["q"] = q.get("q", "").strip()[:100]
    out["all"] = "1" if q.get("all") == "1" else ""
    return out


@router.get("")
def workbench(request: Request, console: CurrentConsole, db: DB) -> Response:
    """S1–S3: my tier's queue (tier staff), with every filter; ``all=1`` shows every order I may see."""
    if console.role == Role.field_engineer:
        return redirect(request, "/console/engineer")
    ensure_workbench(console.actor)
    filters = _filters(request)
    page = desk.list_tickets(db, actor=console.actor, page=page_params(request, PER_PAGE),
                             status=filters["status"] or None, type=filters["type"] or None,
                             category=filters["category"] or None, channel=filters["channel"] or None,
                             q=filters["q"] or None, queue=not filters["all"])
    lead = warning_lead(request)
    context = {
        "pager": Pager(page, BASE, filters), "filters": filters, "options": FILTERS, "base": BASE,
        "results_id": RESULTS_ID, "due": {t.id: next_clock(t, lead) for t in page.items}, "badges": STATUS_BADGES,
        "tier": TIER_OF_ROLE.get(console.role), "can_create": bool(channels_for(console)), "nav": "tickets",
    }
    if is_fragment(request, RESULTS_ID):
        return render(request, "tickets/_results.html", context, flash=False)
    return render(request, "tickets/list.html", context)


EXPORT_LIMIT = 5000
EXPORT_HEADER = (N_("No."), N_("Title"), N_("Order type"), N_("Category"), N_("Channel"), N_("Enterprise ID"),
                 N_("Phone"), N_("Tier"), N_("Status"), N_("Created"), N_("Due (Beijing time)"), N_("Rating"))


@router.get(".xlsx")
def workbench_xlsx(request: Request, console: CurrentConsole, db: DB) -> Response:
    """The list as filtered on the workbench, as Excel (at most ``EXPORT_LIMIT`` orders, newest first)."""
    ensure_workbench(console.actor)
    t = translator_for(request)
    filters = _filters(request)
    page = desk.list_tickets(db, actor=console.actor, page=PageParams(limit=EXPORT_LIMIT),
                             status=filters["status"] or None, type=filters["type"] or None,
                             category=filters["category"] or None, channel=filters["channel"] or None,
                             q=filters["q"] or None, queue=not filters["all"])
    lead = warning_lead(request)
    rows = []
    for ticket in page.items:
        due = next_clock(ticket, lead)
        rows.append([ticket.id, ticket.title, label(t, "ticket_type", ticket.type),
                     label(t, "ticket_category", ticket.category), label(t, "ticket_channel", ticket.channel),
                     ticket.enterprise_id, ticket.phone or "", ticket.tier, label(t, "ticket_status", ticket.status),
                     clock.local(ticket.created_at).strftime("%Y-%m-%d %H:%M"),
                     clock.local(due.due).strftime("%Y-%m-%d %H:%M") if due and due.due else "", ticket.rating])
    header = [t.gettext(h) for h in EXPORT_HEADER]
    content = write_table(title=t.gettext("Service tickets"), header=header, rows=rows,
                          widths=(8, 30, 10, 10, 12, 10, 14, 6, 12, 17, 17, 6), text_columns="G")
    return download(content, XLSX, f"tickets-{clock.local(clock.now()):%Y%m%d-%H%M}.xlsx")


def _form(request: Request, console: Console, values: dict[str, str], failure: FormFailure | None = None) -> Response:
    return render(request, "tickets/new.html", {
        "values": values, "failure": failure, "channels": channels_for(console), "types": FILTERS["type"],
        "categories": FILTERS["category"], "base": BASE, "nav": "tickets",
    }, status_code=failure.status_code if failure else 200)


def _require_creator(console: Console) -> None:
    ensure_workbench(console.actor)
    if not channels_for(console):
        raise Forbidden("this role does not record work orders", code="role_not_allowed")


@router.get("/new")
def new_form(request: Request, console: CurrentConsole) -> Response:
    _require_creator(console)
    channels = channels_for(console)
    values = {"type": "consultation", "category": "business", "channel": channels[0],
              "linked_ticket_id": request.query_params.get("linked", "")[:9]}
    if request.query_params.get("linked"):
        values["type"] = TicketType.supervision.value
    return _form(request, console, values)


def form_values(form: dict[str, str]) -> dict[str, str]:
    keys = ("type", "category", "channel", "enterprise_id", "phone", "title", "description", "linked_ticket_id")
    return {k: form.get(k, "")[:5000] for k in keys}


def create_from(db, console: Console, values: dict[str, str]):
    """Validate the form with the API's schema, then record the order through the service."""
    phone = values["phone"].replace(" ", "").replace("-", "")
    data = validated(TicketCreate, type=values["type"], category=values["category"], channel=values["channel"],
                     title=values["title"], description=values["description"],
                     enterprise_id=values["enterprise_id"] or None, phone=phone or None,
                     linked_ticket_id=values["linked_ticket_id"] or None)
    return desk.create_ticket(db, actor=console.actor, type=data.type, category=data.category, title=data.title,
                              description=data.description, channel=data.channel, enterprise_id=data.enterprise_id,
                              phone=data.phone, linked_ticket_id=data.linked_ticket_id)


@router.post("/new", dependencies=[Csrf])
def create(request: Request, console: CurrentConsole, db: DB, form: Fields) -> Response:
    """S1/S3/S6/S8: record an order for a customer (enterprise, member or phone)."""
    _require_creator(console)
    values = form_values(form)
    try:
        ticket = create_from(db, console, values)
    except YktError as exc:
        return _form(request, console, values, describe(request, db, exc))
    return redirect(request, f"{BASE}/{ticket.id}?done=create")


@router.get("/suggest")
def suggest(request: Request, console: CurrentConsole, db: DB) -> Response:
    """S1/S7: knowledge-base articles that may answer what the agent is typing (an htmx fragment)."""
    ensure_workbench(console.actor)
    text = f"{request.query_params.get('title', '')} {request.query_params.get('description', '')}".strip()[:4000]
    hits, available = [], True
    try:
        from yikatong.knowledge import service as knowledge
    except ImportError:  # the knowledge base is optional for the desk
        available = False
    else:
        if text:
            hits = knowledge.suggest(db, actor=console.actor, text=text, limit=5)
    return render(request, "tickets/_suggestions.html", {"hits": hits, "available": available, "typed": bool(text)},
                  flash=False)
