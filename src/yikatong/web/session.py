"""The signed-in person of a console page: the ``ykt_session`` cookie's web token, the channel chosen
at login, and the X1 check (channel and hours) on every single request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from yikatong.auth import service as auth
from yikatong.core.actor import Actor, Channel, Role
from yikatong.core.errors import NotAuthenticated
from yikatong.deps import DB
from yikatong.servicedesk.reports import READERS as REPORT_READERS
from yikatong.web.errors import ConsoleError, LoginRequired
from yikatong.web.security import csrf_for_session, session_token

STAFF = (Role.operator, Role.account_manager)
AGENTS = (Role.agent_l1, Role.agent_l2)


@dataclass(frozen=True)
class Console:
    """Plain values only (no ORM rows), so a page can still be drawn after a rollback."""

    actor: Actor
    display_name: str
    csrf_token: str

    @property
    def role(self) -> Role:
        assert self.actor.role is not None
        return self.actor.role

    @property
    def username(self) -> str:
        return self.actor.username

    @property
    def channel(self) -> Channel:
        return self.actor.channel

    @property
    def enterprise_id(self) -> int | None:
        return self.actor.enterprise_id

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF

    @property
    def is_admin(self) -> bool:
        return self.role == Role.enterprise_admin

    @property
    def reads_audit(self) -> bool:
        return self.role in (Role.operator, Role.enterprise_admin)

    @property
    def manages_members(self) -> bool:
        return self.role in (Role.operator, Role.enterprise_admin)

    @property
    def is_member(self) -> bool:
        return self.role == Role.member

    @property
    def looks_up_cards(self) -> bool:
        """Hall and hotline agents (and operators) find a caller's card by number or phone."""
        return self.role in (Role.operator, *AGENTS)

    @property
    def reads_service_reports(self) -> bool:
        return self.role in REPORT_READERS

    @property
    def reads_sms(self) -> bool:
        return self.role in (Role.operator, Role.enterprise_admin)

    @property
    def home(self) -> str | None:
        if self.is_admin and self.enterprise_id is not None:
            return f"/console/enterprises/{self.enterprise_id}/members"
        if self.is_staff:
            return "/console/enterprises"
        if self.role == Role.field_engineer:
            return "/console/engineer"
        if self.role == Role.tech_support:
            return "/console/tickets"
        if self.role in AGENTS:
            return "/console/cards/lookup"
        if self.is_member:
            return "/portal"
        return None


def current_console(request: Request, db: DB) -> Console:
    """The session of this request; a missing or dead one sends the browser to the login page. A
    live session is still refused (403 page) outside the user's channels or hours (X1)."""
    token = session_token(request)
    if not token:
        raise LoginRequired(clear_cookie=False)
    try:
        row, user = auth.session_for_token(db, token=token, kind="web")
    except NotAuthenticated:
        raise LoginRequired(clear_cookie=True) from None
    channel = Channel(row.channel) if row.channel else Channel.website
    actor = auth.authorize_request(user, channel)
    console = Console(actor=actor, display_name=user.display_name or user.username,
                      csrf_token=csrf_for_session(request, token))
    request.state.console = console
    return console


CurrentConsole = Annotated[Console, Depends(current_console)]


def current_member(request: Request, db: DB) -> Console:
    """A personal portal page: a card holder's session (staff get a 403 page that says so)."""
    console = current_console(request, db)
    if not console.is_member:
        raise ConsoleError(403, "portal_members_only")
    return console


CurrentMember = Annotated[Console, Depends(current_member)]
