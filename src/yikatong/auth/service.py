"""Users, logins and tokens. Rules: argon2 hashes; a lockout after repeated failures; roles of
SPEC §2; channels and time windows of X1."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from sqlalchemy import Row, bindparam, select, update
from sqlalchemy.orm import Session

from yikatong.audit import service as audit
from yikatong.auth.channels import check_channel, validate_channels, validate_time_windows
from yikatong.auth.models import AuthToken, User
from yikatong.auth.passwords import NO_PASSWORD, hash_password, verify_password
from yikatong.config import get_settings
from yikatong.core import clock
from yikatong.core.actor import Actor, Channel, Role
from yikatong.core.errors import Conflict, Forbidden, InvalidInput, NotAuthenticated, NotFound

USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{3,64}$")
MIN_PASSWORD = 8
AUDITED = ["username", "role", "enterprise_id", "active", "allowed_channels", "time_windows"]

# Who may create which accounts (operators: anyone; account managers: enterprise admins, E1).
_GRANTS: dict[Role, set[Role]] = {
    Role.operator: set(Role),
    Role.account_manager: {Role.enterprise_admin},
}


def validate_password(password: str) -> None:
    if len(password) < MIN_PASSWORD or len(password) > 128:
        raise InvalidInput(f"a password has {MIN_PASSWORD} to 128 characters", code="weak_password")


def create_user(
    db: Session,
    *,
    actor: Actor,
    username: str,
    password: str | None,
    role: Role,
    enterprise_id: int | None = None,
    display_name: str = "",
    allowed_channels: list[str] | None = None,
    time_windows: list[dict] | None = None,
) -> User:
    """Create a login. Enterprise admins need an enterprise; usernames are unique (case-insensitive).
    ``password`` None: a device's login that only ever presents a token (a terminal) — no password
    opens it, and no argon2 hash (half a second each) is spent on a secret nobody types."""
    if actor.role is not None and role not in _GRANTS.get(actor.role, set()):
        raise Forbidden(f"a {actor.role} cannot create {role} accounts", code="role_not_allowed")
    if not USERNAME.match(username):
        raise InvalidInput("a username has 3–64 letters, digits or _ . @ -", code="invalid_username")
    if password is not None:
        validate_password(password)
    if role == Role.enterprise_admin and enterprise_id is None:
        raise InvalidInput("an enterprise admin belongs to an enterprise", code="enterprise_required")
    if find_user(db, username=username) is not None:
        raise Conflict(f"the username '{username}' is taken", code="duplicate_username")
    user = User(
        username=username.lower(),
        display_name=display_name or username,
        password_hash=hash_password(password) if password is not None else NO_PASSWORD,
        role=role.value,
        enterprise_id=enterprise_id,
        allowed_channels=validate_channels(allowed_channels),
        time_windows=validate_time_windows(time_windows or []),
        active=True,
        failed_logins=0,
    )
    db.add(user)
    db.flush()
    audit.record(db, actor=actor, action="user.create", entity_type="user", entity_id=user.id,
                 enterprise_id=enterprise_id, after=audit.snapshot(user, AUDITED))
    return user


def find_user(db: Session, *, username: str) -> User | None:
    return db.scalar(select(User).where(User.username == username.lower()))


def get_user(db: Session, *, user_id: int) -> User:
    user = db.get(User, user_id)
    if user is None:
        raise NotFound("no such user", code="user_not_found")
    return user


def set_channels(
    db: Session, *, actor: Actor, user_id: int, allowed_channels: list[str] | None, time_windows: list[dict]
) -> User:
    """Bind a user to channels and weekly time windows (X1). Operators only."""
    if actor.role not in (Role.operator, None):
        raise Forbidden("only operators bind users to channels", code="role_not_allowed")
    user = get_user(db, user_id=user_id)
    before = audit.snapshot(user, AUDITED)
    user.allowed_channels = validate_channels(allowed_channels)
    user.time_windows = validate_time_windows(time_windows)
    audit.record(db, actor=actor, action="user.channels", entity_type="user", entity_id=user.id,
                 enterprise_id=user.enterprise_id, before=before, after=audit.snapshot(user, AUDITED))
    return user


def authenticate(db: Session, *, username: str, password: str, channel: Channel) -> User:
    """Check a password. After ``login_max_failures`` wrong tries the account is locked for
    ``login_lockout_minutes``; the failure count is committed even though the login fails."""
    settings = get_settings()
    at = clock.now()
    user = find_user(db, username=username)
    if user is not None and user.locked_until is not None and user.locked_until > at:
        raise Forbidden(
            "too many wrong passwords; the account is locked for a while",
            code="account_locked",
            details={"locked_until": user.locked_until.isoformat()},
        )
    if user is None or not user.active or not verify_password(user.password_hash, password):
        if user is not None:
            user.failed_logins += 1
            if user.failed_logins >= settings.login_max_failures:
                user.locked_until = at + dt.timedelta(minutes=settings.login_lockout_minutes)
                user.failed_logins = 0
            db.commit()
        raise NotAuthenticated("wrong username or password", code="invalid_credentials")
    check_channel(allowed_channels=user.allowed_channels, time_windows=user.time_windows, channel=channel, at=at)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = at
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


TERMINAL_TOKEN_DAYS = 3650  # a device credential lives until the device is retired (revoked)


def issue_token(db: Session, *, user: User, kind: str = "api", channel: Channel | None = None) -> str:
    """A new random token; only its hash is kept. Kinds: ``api`` (hours), ``web`` (a console session),
    ``terminal`` (a registered device's credential, until revoked)."""
    settings = get_settings()
    hours = {"api": settings.token_ttl_hours, "web": settings.web_session_ttl_hours,
             "terminal": TERMINAL_TOKEN_DAYS * 24}[kind]
    raw = f"ykt_{secrets.token_urlsafe(32)}"
    db.add(AuthToken(token_hash=_digest(raw), user_id=user.id, kind=kind,
                     expires_at=clock.now() + dt.timedelta(hours=hours), revoked=False,
                     channel=channel.value if channel else None))
    return raw


def _live(revoked: bool, expires_at: dt.datetime, active: bool) -> bool:
    return not revoked and expires_at > clock.now() and active


def session_for_token(db: Session, *, token: str, kind: str | tuple[str, ...]) -> tuple[AuthToken, User]:
    """The live token row and its user; 401 ``invalid_token`` when unknown, revoked or expired."""
    kinds = (kind,) if isinstance(kind, str) else kind
    row = db.execute(
        select(AuthToken, User)
        .join(User, User.id == AuthToken.user_id)
        .where(AuthToken.token_hash == _digest(token), AuthToken.kind.in_(kinds))
    ).first()
    if row is None or not _live(row[0].revoked, row[0].expires_at, row[1].active):
        raise NotAuthenticated("unknown or expired token", code="invalid_token")
    return row[0], row[1]


_tokens, _users = AuthToken.__table__, User.__table__
# Built once: every API request runs it, and building the expression costs more than running it.
_CALLER = (select(_tokens.c.kind, _tokens.c.revoked, _tokens.c.expires_at, _users.c.id, _users.c.username,
                  _users.c.role, _users.c.enterprise_id, _users.c.active, _users.c.allowed_channels,
                  _users.c.time_windows)
           .join(_users, _users.c.id == _tokens.c.user_id).where(_tokens.c.token_hash == bindparam("token_hash")))


def caller_for_token(db: Session, *, token: str, kind: tuple[str, ...]) -> Row:
    """What an API request needs to know about its token, with the checks of ``session_for_token``
    (401 ``invalid_token`` when unknown, of another kind, revoked, expired or its user disabled),
    in one prebuilt statement and without loading ORM objects. The row has the token's ``kind``
    and the user's ``id``, ``username``, ``role``, ``enterprise_id``, ``allowed_channels`` and
    ``time_windows``: enough for ``authorize_request``."""
    row = db.execute(_CALLER, {"token_hash": _digest(token)}).first()
    if row is None or row.kind not in kind or not _live(row.revoked, row.expires_at, row.active):
        raise NotAuthenticated("unknown or expired token", code="invalid_token")
    return row


def user_for_token(db: Session, *, token: str, kind: str) -> User:
    return session_for_token(db, token=token, kind=kind)[1]


def revoke_token(db: Session, *, token: str) -> None:
    db.execute(update(AuthToken).where(AuthToken.token_hash == _digest(token)).values(revoked=True))


def actor_for(user: User | Row, channel: Channel) -> Actor:
    return Actor(user_id=user.id, username=user.username, role=Role(user.role), channel=channel,
                 enterprise_id=user.enterprise_id)


def authorize_request(user: User | Row, channel: Channel) -> Actor:
    """Every request, not only the login, is checked against the user's channels and hours (X1)."""
    if channel == Channel.system:
        raise Forbidden("the 'system' channel is internal", code="channel_not_allowed")
    check_channel(allowed_channels=user.allowed_channels, time_windows=user.time_windows, channel=channel,
                  at=clock.now())
    return actor_for(user, channel)


def list_users(db: Session, *, enterprise_id: int | None = None) -> list[User]:
    stmt = select(User).order_by(User.id)
    if enterprise_id is not None:
        stmt = stmt.where(User.enterprise_id == enterprise_id)
    return list(db.scalars(stmt))
