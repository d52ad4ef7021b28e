"""FastAPI dependencies shared by every router: the database session of a request and the actor."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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


AuthorizationHeader = Annotated[str | None, Header(description="Bearer <token>")]
ChannelHeader = Annotated[str | None, Header(description="hall, hotline, website, portal, account_manager, "
                                                         "terminal or partner (default partner)")]


def actor_for_headers(db: Session, authorization: str | None, x_channel: str | None) -> Actor:
    """The caller of this request: a live token (401 else), allowed on this channel now (X1)."""
    caller = auth.caller_for_token(db, token=_bearer(authorization), kind=("api", "terminal"))
    default = Channel.terminal if caller.kind == "terminal" else Channel.partner
    return auth.authorize_request(caller, parse_channel(x_channel, default))


def _current_actor(db: DB, authorization: AuthorizationHeader = None, x_channel: ChannelHeader = None) -> Actor:
    return actor_for_headers(db, authorization, x_channel)


CurrentActor = Annotated[Actor, Depends(_current_actor, scope="function")]


@dataclass(frozen=True)
class WriteRequest:
    """A mutating request whose whole unit of work — who is calling, then the change — runs in one
    worker thread: ``with work.write() as (db, actor): …``. With ``DB`` + ``CurrentActor`` FastAPI
    opens the session, checks the token, runs the endpoint and commits in four separate trips
    through the thread pool, and on SQLite the writer lock is held across all of them; under load
    that lock then waits on the event loop. Here it is held only while this thread does the work.
    The block commits before the endpoint returns, so the answer is sent only after the commit."""

    database: Database
    authorization: str | None
    x_channel: str | None

    @contextmanager
    def write(self) -> Iterator[tuple[Session, Actor]]:
        with self.database.write() as session:
            yield session, actor_for_headers(session, self.authorization, self.x_channel)


async def _write_request(request: Request, authorization: AuthorizationHeader = None,
                         x_channel: ChannelHeader = None) -> WriteRequest:
    # async and database-free: resolved on the event loop, no thread-pool trip. A missing or
    # malformed Authorization header is a 401 here already, before the body is looked at.
    _bearer(authorization)
    return WriteRequest(get_database(request), authorization, x_channel)


Work = Annotated[WriteRequest, Depends(_write_request)]
