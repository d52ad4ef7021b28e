"""The web console (企业端管理系统): server-rendered pages in Simplified Chinese by default (English on
request), htmx for partial updates, served from this package's static files (no CDN)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.staticfiles import StaticFiles

from yikatong.core.errors import NotFound
from yikatong.web import errors
from yikatong.web.errors import ConsoleRoute
from yikatong.web.pages import access, access_edit, access_events, access_validity, knowledge, offline_records
from yikatong.web.pages import portal_help
from yikatong.web.pages import keys as key_pages
from yikatong.web.pages import engineer, portal_tickets, tickets, tickets_detail
from yikatong.web.pages import attendance, attendance_setup
from yikatong.web.pages import (
    audit, auth, blacklist, card_actions, enterprises, lookup, member_cards, member_import, member_purse, members,
    portal, pos_simulator, purse, purse_bulk, service_reports, settlements, sms, stk, terminals, webhooks,
)

STATIC = Path(__file__).parent / "static"

_fallback = APIRouter(route_class=ConsoleRoute, include_in_schema=False)


@_fallback.api_route("/console/{rest:path}", methods=["GET"])
@_fallback.api_route("/portal/{rest:path}", methods=["GET"])
def not_found(request: Request, rest: str) -> None:
    """Any other console or portal address is a page-shaped 404, not the API's JSON."""
    raise NotFound("no such page", code="not_found")


def mount(app: FastAPI) -> None:
    """Attach the console's pages, error pages and static files to the app."""
    for router in (auth.router, portal.router, stk.router, enterprises.router, member_import.router, members.router,
                   member_cards.router, member_purse.router, card_actions.router, blacklist.router, webhooks.router,
                   purse_bulk.router, purse.router, terminals.router, pos_simulator.router, settlements.router,
                   lookup.router, sms.router, audit.router, service_reports.router, knowledge.router,
                   portal_help.router, tickets.router, tickets_detail.router, engineer.router,
                   portal_tickets.router, offline_records.router, access.router, access_edit.router,
                   access_validity.router, access_events.router,
                   attendance.router, attendance_setup.router, key_pages.router, _fallback):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    errors.install(app)
