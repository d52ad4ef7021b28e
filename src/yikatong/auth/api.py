from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header

from yikatong.auth import service
from yikatong.auth.schemas import ChannelsUpdate, TokenOut, TokenRequest, UserCreate, UserOut
from yikatong.auth.tenancy import require_role
from yikatong.core.actor import Channel, Role
from yikatong.core.ids import PathId
from yikatong.deps import DB, CurrentActor, parse_channel

router = APIRouter(tags=["auth"])


@router.post("/auth/token", response_model=TokenOut, summary="Log in; returns a bearer token")
def login(body: TokenRequest, db: DB, x_channel: Annotated[str | None, Header()] = None) -> TokenOut:
    user = service.authenticate(db, username=body.username, password=body.password,
                                channel=parse_channel(x_channel, Channel.partner))
    token = service.issue_token(db, user=user, kind="api")
    return TokenOut(access_token=token, role=Role(user.role), enterprise_id=user.enterprise_id)


@router.post("/auth/logout", status_code=204, summary="Revoke the token of this request")
def logout(actor: CurrentActor, db: DB, authorization: Annotated[str | None, Header()] = None) -> None:
    service.revoke_token(db, token=(authorization or "").partition(" ")[2].strip())


@router.get("/auth/me", response_model=UserOut)
def me(actor: CurrentActor, db: DB) -> UserOut:
    return UserOut.model_validate(service.get_user(db, user_id=actor.user_id))


@router.post("/users", response_model=UserOut, status_code=201, summary="Create a staff login (operators)")
def create_user(body: UserCreate, actor: CurrentActor, db: DB) -> UserOut:
    user = service.create_user(db, actor=actor, username=body.username, password=body.password, role=body.role,
                               enterprise_id=body.enterprise_id, display_name=body.display_name,
                               allowed_channels=body.allowed_channels,
                               time_windows=[w.model_dump() for w in body.time_windows])
    return UserOut.model_validate(user)


@router.get("/users/{user_id}", response_model=UserOut)
def get_user(user_id: PathId, actor: CurrentActor, db: DB) -> UserOut:
    require_role(actor, [Role.operator])
    return UserOut.model_validate(service.get_user(db, user_id=user_id))


@router.put("/users/{user_id}/channels", response_model=UserOut, summary="Bind a user to channels and hours (X1)")
def set_channels(user_id: PathId, body: ChannelsUpdate, actor: CurrentActor, db: DB) -> UserOut:
    user = service.set_channels(db, actor=actor, user_id=user_id, allowed_channels=body.allowed_channels,
                                time_windows=[w.model_dump() for w in body.time_windows])
    return UserOut.model_validate(user)
