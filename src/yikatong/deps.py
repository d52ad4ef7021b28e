"""FastAPI dependencies shared by every router: the database session of a request and the actor."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy.orm import Session

from yikatong.auth import service as auth
from yikatong.core.actor import Actor, Channel
from yikatong.core.errors import InvalidInput, NotAuthenticated
from yikatong.db import Database

_READ_METHODS = {"GET", "HEAD", "OPTIONS"}


def get_database(request: Request) -> Database:
    return request.app.state.db


def _session(request: Request) -> Iterator[Session]:
    """Reads get a snapshot session; anything else is one unit of work that commits before the
    response is sent (scope="function"), so a failed commit can never be answered with success."""
    db: Database = request.app.state.db
    if request.method in _READ_METHODS:
        with db.read() as session:
            yield session
    else:
        with db.write() as session:
            yield session


DB = Annotated[Session, Depends(_session, scope="function")]


def parse_channel(value: str | None, default: Channel) -> Channel:
    if value is None or value == "":
        return default
    try:
        channel = Channel(value)
    except ValueError:
        channel = None
    if channel is None or channel is Channel.system:
        allowed = [c.value for c in Channel if c is not Channel.system]
        raise InvalidInput(f"unknown channel '{value}'", code="invalid_channel", details={"allowed": allowed})
    return channel


def _bearer(authorization: str | None) -> str:
    if not authorization:
        raise NotAuthenticated("send Authorization: Bearer <token>", code="not_authenticated")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("send Authorization: Bearer <token>", code="not_authenticated")
    return token.strip()


def _current_actor(
    db: DB,
    authorization: Annotated[str | None, Header(description="Bearer <token>")] = None,
    x_channel: Annotated[str | None, Header(description="hall, hotline, website, portal, account_manager, "
                                                        "terminal or partner (default partner)")] = None,
) -> Actor:
    token, user = auth.session_for_token(db, token=_bearer(authorization), kind=("api", "terminal"))
    default = Channel.terminal if token.kind == "terminal" else Channel.partner
    return auth.authorize_request(user, parse_channel(x_channel, default))


CurrentActor = Annotated[Actor, Depends(_current_actor, scope="function")]
