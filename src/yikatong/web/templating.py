"""The console's Jinja2 environment (Babel's gettext through ``jinja2.ext.i18n``), display filters
for Chinese readers, and the two ways a page answers: ``render`` and ``redirect``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import quote, unquote

from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from yikatong.core.clock import local
from yikatong.core.money import format_yuan
from yikatong.members.phones import format_phone
from yikatong.web import labels
from yikatong.web.i18n import LANGUAGE_NAMES, LOCALES, N_, remember_locale, translator_for
from yikatong.web.security import SECURITY_HEADERS

TEMPLATES = Path(__file__).parent / "templates"
FLASH_COOKIE = "ykt_flash"

# What a redirect after a successful form can say on the next page (key → msgid).
FLASHES = {
    "member_added": N_("Member %(arg)s added."),
    "member_updated": N_("Member %(arg)s saved."),
    "member_suspended": N_("Service of %(arg)s suspended."),
    "member_resumed": N_("Service of %(arg)s resumed."),
    "member_removed": N_("Member %(arg)s removed."),
    "enterprise_registered": N_("Enterprise %(arg)s registered with its admin login."),
    "logged_out": N_("You have logged out."),
    "card_issued": N_("Card %(arg)s issued."),
    "application_opened": N_("Sub-application opened: %(arg)s."),
    "card_lost": N_("Card %(arg)s reported lost and put on the blacklist."),
    "card_unfrozen": N_("Card %(arg)s unfrozen: it can be used again."),
    "card_replaced": N_("Card replaced: the new card number is %(arg)s."),
    "application_deleted": N_("Sub-application deleted: %(arg)s."),
    "card_cancelled": N_("Card %(arg)s cancelled."),
    "phone_changed": N_("Number changed to %(arg)s: the sub-applications are on the new number's card."),
    "service_password_set": N_("Service password saved."),
    "portal_password_set": N_("Portal password set: log in with your phone number."),
    "webhook_deactivated": N_("Webhook %(arg)s deactivated."),
    "delivery_replayed": N_("Delivery #%(arg)s will be sent again."),
    "purse_topped_up": N_("Topped up ¥%(arg)s: the purse balance is now ¥%(arg2)s."),
    "purse_settings_saved": N_("Purse settings saved."),
    "balances_expired": N_("Expiry run: %(arg)s purses, ¥%(arg2)s moved to the expired-balance account."),
    "nothing_expired": N_("Expiry run: no balance has expired."),
    "expiry_reversed": N_("¥%(arg)s given back to the purse, and its validity extended."),
    "merchant_added": N_("Merchant %(arg)s saved."),
    "keys_rotated": N_("Keys rotated: version %(arg)s is current."),
    "attendance_bills_sent": N_("Attendance bills of %(arg)s: %(arg2)s sent now, %(arg3)s had been sent before."),
    "attendance_corrected": N_("The correction is saved and recorded in the audit log."),
    "access_door_saved": N_("Door %(arg)s saved."),
    "access_site_saved": N_("Site %(arg)s saved."),
    "access_time_zone_saved": N_("Time zone %(arg)s saved."),
    "access_group_saved": N_("Access group %(arg)s saved."),
    "access_door_removed": N_("Door %(arg)s removed: its events stay in the event log."),
    "access_site_removed": N_("Site %(arg)s removed."),
    "access_time_zone_removed": N_("Time zone %(arg)s removed."),
    "access_group_removed": N_("Access group %(arg)s removed."),
    "access_validity_saved": N_("Access validity of %(arg)s saved."),
}


@pass_context
def _gettext(context, message: str) -> str:
    return context["t"].catalogue.gettext(message)


@pass_context
def _ngettext(context, singular: str, plural: str, n: int) -> str:
    return context["t"].catalogue.ngettext(singular, plural, n)


@pass_context
def _label(context, kind: str, value: object) -> str:
    return labels.label(context["t"], kind, value)


def localtime(value: dt.datetime | None) -> str:
    """Asia/Shanghai, the way a Chinese user reads it: 2026-03-02 10:00."""
    return local(value).strftime("%Y-%m-%d %H:%M") if value else "—"


def _phone(value: str | None) -> str:
    return format_phone(value) if value else "—"


def card_no(value: str | None) -> str:
    """A card number in groups of four, the way it is read out on the phone: 8688 0123 4567 8901."""
    if not value:
        return "—"
    return " ".join(value[i:i + 4] for i in range(0, len(value), 4))


def _yuan(fen: int | None) -> str:
    return format_yuan(fen) if fen is not None else "—"


def _signed_yuan(fen: int | None) -> str:
    """+12.50 into a purse, −12.50 out of it."""
    if fen is None:
        return "—"
    return f"+{format_yuan(fen)}" if fen > 0 else f"−{format_yuan(-fen)}" if fen < 0 else format_yuan(0)


env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(("html",)),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)
env.policies["ext.i18n.trimmed"] = True
env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
env.filters.update(localtime=localtime, phone=_phone, yuan=_yuan, signed_yuan=_signed_yuan, card_no=card_no)
env.globals.update(label=_label, LANGUAGE_NAMES=LANGUAGE_NAMES, LOCALES=LOCALES,
                   LOGIN_CHANNELS=labels.LOGIN_CHANNELS)


def lang_url(request: Request, locale: str) -> str:
    """This page in another language (the choice is remembered in a cookie)."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"] + [("lang", locale)]
    query = "&".join(f"{quote(k)}={quote(v)}" for k, v in params)
    return f"{request.url.path}?{query}"


def _take_flash(request: Request) -> str | None:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return None
    key, _, arg = unquote(raw).partition(":")
    msgid = FLASHES.get(key)
    if msgid is None:
        return None
    args = arg.split("|", 2) if "%(arg2)s" in msgid else [arg]
    args += [""] * (3 - len(args))
    return translator_for(request).gettext(msgid, arg=args[0], arg2=args[1], arg3=args[2])


def _finish(request: Request, response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    remember_locale(request, response)
    return response


def render(request: Request, template: str, context: dict | None = None, *, status_code: int = 200,
           flash: bool = True) -> HTMLResponse:
    t = translator_for(request)
    console = getattr(request.state, "console", None)
    message = _take_flash(request) if flash else None
    ctx = {
        "request": request, "t": t, "lang": t.locale, "console": console,
        "csrf_token": console.csrf_token if console else "",
        "flash": message, "lang_url": lambda locale: lang_url(request, locale),
    }
    ctx.update(context or {})
    response = HTMLResponse(env.get_template(template).render(ctx), status_code=status_code)
    response.headers["Vary"] = "Cookie, HX-Request, HX-Target"
    if message is not None or (flash and request.cookies.get(FLASH_COOKIE)):
        response.delete_cookie(FLASH_COOKIE, path="/")
    return _finish(request, response)  # type: ignore[return-value]


def redirect(request: Request, url: str, *, flash: str | None = None, arg: str = "",
             arg2: str = "", arg3: str = "") -> RedirectResponse:
    """303 to ``url`` (after a form: the browser follows with a GET), carrying an optional notice
    (with second and third arguments for the notices that name several things)."""
    response = RedirectResponse(url, status_code=303)
    if flash:
        value = f"{flash}:{arg}|{arg2}|{arg3}" if arg2 or arg3 else f"{flash}:{arg}"
        response.set_cookie(FLASH_COOKIE, quote(value), path="/", httponly=True, samesite="lax",
                            max_age=60)
    return _finish(request, response)  # type: ignore[return-value]
