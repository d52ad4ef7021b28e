"""Card holders as people: the six-digit service password (X3) and the personal portal login set
up with a one-time code sent by SMS. A person is a phone number; they may be a member of several
enterprises, and their portal login is a ``member`` user named by that number."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from yikatong.audit import service as audit
from yikatong.auth import service as auth
from yikatong.auth.models import OneTimeCode, PersonCredential, User
from yikatong.auth.passwords import hash_password, verify_password
from yikatong.config import get_settings
from yikatong.core import clock
from yikatong.core.actor import SYSTEM, Actor, Role
from yikatong.core.errors import Conflict, Forbidden, InvalidInput, YktError
from yikatong.members import service as members
from yikatong.members.phones import normalize_phone
from yikatong.notify import service as notify

SERVICE_PASSWORD = re.compile(r"^\d{6}$")
MAX_SERVICE_FAILURES = 3
SERVICE_LOCK_MINUTES = 30
CODE_TTL_MINUTES = 10
CODE_RESEND_SECONDS = 60
MAX_CODE_ATTEMPTS = 5


class TooManyRequests(YktError):
    status_code = 429
    code = "too_many_requests"


def _weak(password: str) -> bool:
    digits = [int(c) for c in password]
    steps = {b - a for a, b in zip(digits, digits[1:])}
    return len(set(digits)) == 1 or steps in ({1}, {-1})


def _credential(db: Session, phone: str, *, lock: bool = False) -> PersonCredential:
    stmt = select(PersonCredential).where(PersonCredential.phone == phone)
    cred = db.scalar(stmt.with_for_update() if lock else stmt)
    if cred is None:
        cred = PersonCredential(phone=phone, service_failures=0)
        db.add(cred)
        db.flush()
    return cred


def verify_service_password(db: Session, *, phone: str, password: str | None) -> None:
    """X3: the service password first. Missing → 403 ``service_password_required``; after
    ``MAX_SERVICE_FAILURES`` wrong tries it is locked for ``SERVICE_LOCK_MINUTES`` (403
    ``service_password_locked``). A wrong try is committed even though the request fails."""
    if not password:
        raise Forbidden("the member's service password is required", code="service_password_required")
    cred = _credential(db, phone, lock=True)
    at = clock.now()
    if cred.service_locked_until is not None and cred.service_locked_until > at:
        raise Forbidden("too many wrong service passwords; try again later", code="service_password_locked",
                        details={"locked_until": cred.service_locked_until.isoformat()})
    if cred.service_password_hash is None:
        raise Forbidden("this member has not set a service password yet", code="service_password_not_set")
    if not verify_password(cred.service_password_hash, password):
        cred.service_failures += 1
        remaining = MAX_SERVICE_FAILURES - cred.service_failures
        if remaining <= 0:
            cred.service_locked_until = at + dt.timedelta(minutes=SERVICE_LOCK_MINUTES)
            cred.service_failures = 0
        db.commit()
        raise Forbidden("wrong service password", code="wrong_service_password",
                        details={"remaining_attempts": max(remaining, 0)})
    cred.service_failures = 0
    cred.service_locked_until = None


def set_service_password(db: Session, *, actor: Actor, new_password: str, old_password: str | None = None) -> None:
    """A member sets or changes their six-digit service password in the portal; changing it needs
    the old one. Trivial ones (000000, 123456, 654321) are refused."""
    if actor.role != Role.member:
        raise Forbidden("only the card holder sets a service password", code="role_not_allowed")
    if not SERVICE_PASSWORD.match(new_password or ""):
        raise InvalidInput("a service password is six digits", code="invalid_service_password")
    if _weak(new_password):
        raise InvalidInput("choose a service password that is not all one digit or a run",
                           code="weak_service_password")
    phone = actor.username
    cred = _credential(db, phone, lock=True)
    if cred.service_password_hash is not None:
        verify_service_password(db, phone=phone, password=old_password)
    cred.service_password_hash = hash_password(new_password)
    cred.updated_at = clock.now()
    audit.record(db, actor=actor, action="person.service_password", entity_type="person", entity_id=phone,
                 enterprise_id=None, after={"set": True})


def _digest(code: str) -> str:
    return hmac.new(get_settings().secret_key.encode(), code.encode(), hashlib.sha256).hexdigest()


def request_portal_code(db: Session, *, phone: str) -> None:
    """Send a one-time code to a card holder's phone for setting the portal password. Numbers that
    belong to no member get no SMS, and the answer is the same, so membership is not revealed."""
    phone = normalize_phone(phone)
    at = clock.now()
    last = db.scalar(select(OneTimeCode).where(OneTimeCode.phone == phone, OneTimeCode.purpose == "portal")
                     .order_by(OneTimeCode.id.desc()).limit(1))
    if last is not None and (at - last.created_at).total_seconds() < CODE_RESEND_SECONDS:
        raise TooManyRequests("a code was sent less than a minute ago", code="code_recently_sent")
    if not members.phone_is_member(db, phone=phone):
        return
    code = f"{secrets.randbelow(10**6):06d}"
    db.add(OneTimeCode(phone=phone, purpose="portal", code_hash=_digest(code), attempts=0, created_at=at,
                       expires_at=at + dt.timedelta(minutes=CODE_TTL_MINUTES)))
    notify.send_sms(db, phone=phone, purpose="portal_code",
                    text=f"【一卡通】您的个人服务门户验证码为 {code}，{CODE_TTL_MINUTES} 分钟内有效。请勿告诉他人。")


def set_portal_password(db: Session, *, phone: str, code: str, password: str) -> User:
    """Check the SMS code (at most ``MAX_CODE_ATTEMPTS`` tries, ``CODE_TTL_MINUTES`` valid, used
    once) and set the portal password; the login is the phone number."""
    phone = normalize_phone(phone)
    auth.validate_password(password)
    at = clock.now()
    otp = db.scalar(select(OneTimeCode).where(OneTimeCode.phone == phone, OneTimeCode.purpose == "portal",
                                              OneTimeCode.used_at.is_(None))
                    .order_by(OneTimeCode.id.desc()).limit(1).with_for_update())
    if otp is None or otp.expires_at <= at or otp.attempts >= MAX_CODE_ATTEMPTS:
        raise Forbidden("the code has expired; ask for a new one", code="code_expired")
    if not hmac.compare_digest(otp.code_hash, _digest(code or "")):
        otp.attempts += 1
        db.commit()
        raise Forbidden("wrong code", code="wrong_code")
    otp.used_at = at
    user = auth.find_user(db, username=phone)
    if user is None:
        user = auth.create_user(db, actor=SYSTEM, username=phone, password=password, role=Role.member,
                                display_name=members.display_name_for_phone(db, phone=phone) or phone)
    elif user.role != Role.member.value:
        raise Conflict("this number is a staff login", code="duplicate_username")
    else:
        user.password_hash = hash_password(password)
        user.failed_logins = 0
        user.locked_until = None
    audit.record(db, actor=SYSTEM, action="person.portal_password", entity_type="person", entity_id=phone,
                 enterprise_id=None, after={"set": True})
    return user
