"""Friendly, translated text for the services' errors (by error code, never a stack trace), for
per-field validation errors, and for the rows of a rejected member import."""

from __future__ import annotations

import datetime as dt

from yikatong.core.clock import local
from yikatong.core.errors import YktError
from yikatong.web.i18n import N_, Translator
from yikatong.web.labels import label

CODES = {
    "invalid_credentials": N_("Wrong username or password."),
    "account_locked": N_("Too many wrong passwords: this account is locked for a while. Try again later."),
    "channel_not_allowed": N_("This account may not work through the “%(channel)s” channel."),
    "outside_time_window": N_("This account may not work at this time: it is outside the account's permitted hours."),
    "invalid_channel": N_("Choose one of the listed channels."),
    "duplicate_phone": N_("The phone number %(phone)s already belongs to a member of this enterprise."),
    "duplicate_code": N_("This group customer code is already registered."),
    "duplicate_username": N_("This username is already taken."),
    "weak_password": N_("A password has 8 to 128 characters."),
    "invalid_username": N_("A username has 3 to 64 letters, digits or _ . @ -."),
    "member_active": N_("This member's service is already active."),
    "member_suspended": N_("This member's service is already suspended."),
    "member_removed": N_("This member has been removed."),
    "illegal_transition": N_("This is not possible in the current state."),
    "member_not_found": N_("No such member."),
    "enterprise_not_found": N_("No such enterprise."),
    "not_found": N_("The page you asked for does not exist."),
    "role_not_allowed": N_("Your role may not do this."),
    "forbidden": N_("You may not do this."),
    "unsupported_file_type": N_("Upload a .csv or .xlsx file."),
    "unreadable_file": N_("The file could not be read: upload a UTF-8 or GBK .csv file or an .xlsx workbook."),
    "empty_file": N_("The file is empty."),
    "bad_header": N_("The first row must name the columns name, phone, staff_no, department "
                     "(or 姓名, 手机号码, 工号, 部门)."),
    "file_too_large": N_("The file is larger than 5 MB."),
    "too_many_rows": N_("At most 20,000 members can be imported from one file."),
    "database_busy": N_("The system is busy. Please try again."),
    "database_unavailable": N_("The system is busy. Please try again."),
    "invalid_input": N_("Please correct the marked fields."),
    "csrf_failed": N_("This form has expired or did not come from this site. Reload the page and try again."),
    "conflict": N_("This conflicts with a change saved at the same moment. Reload the page and try again."),
    "invalid_request": N_("The request was not understood."),
    "internal_error": N_("Something went wrong on our side. It has been logged; please try again later."),
}

TITLES = {
    400: N_("Request not understood"),
    401: N_("Please log in"),
    403: N_("Access refused"),
    404: N_("Page not found"),
    409: N_("Not possible now"),
    422: N_("Please check your input"),
    500: N_("Something went wrong"),
    503: N_("The system is busy"),
}


def describe(t: Translator, exc: YktError) -> str:
    """One sentence for the user, in their language."""
    msgid = CODES.get(exc.code)
    if msgid is None and exc.code.startswith("member_"):
        msgid = CODES["illegal_transition"]
    if msgid is None:
        return exc.message  # an unforeseen code: the service's own (English) words beat nothing
    details = exc.details or {}
    params = {"channel": label(t, "channel", details.get("channel", "")),
              "phone": details.get("phone", "")}
    text = t.gettext(msgid, **params)
    if exc.code == "account_locked" and details.get("locked_until"):
        until = local(dt.datetime.fromisoformat(details["locked_until"])).strftime("%Y-%m-%d %H:%M")
        text += " " + t.gettext("Locked until %(time)s.", time=until)
    if exc.code == "channel_not_allowed" and details.get("allowed"):
        names = "、".join(label(t, "channel", c) for c in details["allowed"])
        text += " " + t.gettext("Allowed channels: %(channels)s.", channels=names)
    return text


def code_text(t: Translator, code: str) -> str:
    """The sentence for an error code of the console itself (no service error behind it)."""
    return t.gettext(CODES.get(code, CODES["internal_error"]))


def title(t: Translator, status: int) -> str:
    return t.gettext(TITLES.get(status, TITLES[500] if status >= 500 else TITLES[400]))


def field_message(t: Translator, field: str, kind: str, params: dict | None = None) -> str:
    """A validation error of one field, said for the reader, chosen by its stable type code."""
    params = params or {}
    if kind == "invalid_phone":
        return t.gettext("Not a mainland mobile number (11 digits starting with 13–19).")
    if kind in ("missing", "blank"):
        return t.gettext("Required.")
    if kind == "string_too_short":
        n = int(params.get("min_length", 1))
        return t.gettext("Required.") if n <= 1 else t.gettext("At least %(n)s characters.", n=n)
    if kind == "string_too_long":
        return t.gettext("At most %(n)s characters.", n=int(params.get("max_length", 0)))
    if field in ("service_fee_fen", "service_fee"):
        return t.gettext("The monthly service fee is 3 to 5 yuan per member.")
    if field == "zone":
        return t.gettext("Choose urban or suburban.")
    if kind == "string_pattern_mismatch":
        return t.gettext("Contains characters that are not allowed.")
    return t.gettext("Invalid value.")


def field_errors(t: Translator, exc: YktError) -> dict[str, str]:
    """``{field: message}`` of an ``invalid_input`` error (or of an error tied to one field)."""
    out: dict[str, str] = {}
    for err in (exc.details or {}).get("errors", []) or []:
        field = str(err.get("field", ""))
        out.setdefault(field, field_message(t, field, str(err.get("type", "")), err.get("params")))
    by_code = {"duplicate_phone": "phone", "duplicate_code": "code", "duplicate_username": "admin_username",
               "weak_password": "admin_password", "invalid_username": "admin_username"}
    if exc.code in by_code:
        out.setdefault(by_code[exc.code], describe(t, exc))
    return out


def row_message(t: Translator, field: str | None, code: str, params: dict) -> str:
    """One row error of a rejected import, by the importer's error code."""
    if code == "duplicate_in_file":
        return t.gettext("%(phone)s also appears on row %(row)s.", phone=params.get("phone", ""),
                         row=params.get("row", ""))
    if code == "duplicate_phone":
        return t.gettext("%(phone)s already belongs to a member of this enterprise.", phone=params.get("phone", ""))
    if code == "no_rows":
        return t.gettext("The file has no member rows.")
    return field_message(t, field or "", code, params)
