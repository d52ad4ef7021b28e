"""Friendly, translated text for the services' errors (by error code, never a stack trace), for
per-field validation errors, and for the rows of a rejected member import."""

from __future__ import annotations

import datetime as dt
import re

from yikatong.core.clock import local
from yikatong.core.errors import YktError
from yikatong.core.money import format_yuan
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
    # cards (C4–C9, M2–M5) and the card holder's passwords (X3)
    "one_card_per_number": N_("The number %(phone)s already holds a card: one phone number holds only one card."),
    "not_a_member": N_("The card holder is not a member of this enterprise."),
    "ota_needs_rfid_sim": N_("An IC card cannot be opened over the air: open it locally at an issuing terminal."),
    "application_exists": N_("This enterprise's sub-application of this type is already open on the card."),
    "card_active": N_("The card is in normal use: this is not possible now."),
    "card_lost": N_("The card has been reported lost: unfreeze it first."),
    "card_replaced": N_("The card has been replaced by a new card and can no longer be used."),
    "card_cancelled": N_("The card has been cancelled and can no longer be used."),
    "application_deleted": N_("This sub-application has already been deleted."),
    "application_revoked": N_("This sub-application has already been closed."),
    "stock_not_available": N_("This card in stock cannot be issued (it is already issued, damaged or destroyed)."),
    # over the air (C4, P1): the card itself must answer a chip load
    "card_unreachable": N_("The card does not answer over the air (the phone may be off or out of coverage). "
                           "Nothing was credited; try again later."),
    "card_refused": N_("The card refused the load. Nothing was credited."),
    "bad_mac1": N_("The card does not hold this enterprise's keys. Nothing was credited."),
    "bad_tac": N_("The card's answer could not be verified. Nothing was credited; the card is to be checked."),
    "stock_kind_mismatch": N_("The identifiers belong to a card of the other type in stock."),
    "invalid_identifiers": N_("An RFID-SIM card is identified by ICCID and IMSI, an IC card by its UID."),
    "transfer_not_supported": N_("A card or number cannot be transferred to another person: the new holder "
                                 "applies for a card of their own."),
    "same_phone": N_("The new number is the member's current number."),
    "invalid_phone": N_("Not a mainland mobile number (11 digits starting with 13–19)."),
    "service_password_required": N_("Enter the member's service password."),
    "wrong_service_password": N_("Wrong service password."),
    "service_password_locked": N_("Too many wrong service passwords: the service password is locked for a while."),
    "service_password_not_set": N_("The member has not set a service password yet: it is set in the personal "
                                   "portal."),
    "invalid_service_password": N_("A service password is six digits."),
    "weak_service_password": N_("Choose a service password that is not one digit repeated or a run such as "
                                "123456."),
    "card_not_found": N_("No such card."),
    "application_not_found": N_("No such sub-application on this card."),
    "unknown_version": N_("This blacklist version does not exist yet: the current version is %(version)s."),
    # Doors and attendance (A1–A4)
    "door_not_set": N_("This door terminal has no door yet: choose its door on the terminals page."),
    "duplicate_site": N_("A site with this name exists already."),
    "future_event": N_("The event's time is in the future."),
    "invalid_period": N_("The period ends before it starts."),
    "span_too_long": N_("The period is too long: choose a shorter one."),
    "site_in_use": N_("Doors are at this site: move or remove them first."),
    "time_zone_in_use": N_("An access group uses this time zone: change the group first."),
    "unknown_door": N_("No such door in this enterprise."),
    "door_not_found": N_("No such door."),
    "site_not_found": N_("No such site."),
    "time_zone_not_found": N_("No such time zone."),
    "access_group_not_found": N_("No such access group."),
    "unknown_time_zone": N_("No such time zone in this enterprise."),
    "unknown_member": N_("No such member in this enterprise: %(detail)s"),
    "invalid_month": N_("Choose a month as YYYY-MM."),
    "month_not_over": N_("The month is not over yet: its bills can be sent from %(from)s."),
    "shift_conflict": N_("Someone would have two shifts on one weekday: %(detail)s"),
    "shift_not_found": N_("No such shift."),
    "concurrent_change": N_("Someone else changed the shifts at the same moment: please try again."),
    "duplicate_day": N_("This day is already in the calendar; remove it first."),
    "holiday_not_found": N_("This day is not in the calendar."),
    "day_in_future": N_("The day has not come yet."),
    "no_shift_that_day": N_("The member has no shift that day, so a punch cannot be added."),
    "punch_outside_window": N_("The punch is outside the shift's time window of that day."),
    "invalid_version": N_("A blacklist version is a whole number from 0."),
    "invalid_refund": N_("Choose how the balance is settled: cash refund or transfer."),
    "lookup_needs_key": N_("Enter a card number or a phone number."),
    "invalid_card_kind": N_("Choose the card type."),
    "invalid_application": N_("Choose the sub-application and the opening mode."),
    "choose_application": N_("Choose the application to delete."),
    # the personal portal
    "portal_members_only": N_("The personal portal is for card holders. Staff log in to the console."),
    "code_recently_sent": N_("A code was sent less than a minute ago. Wait a moment before asking again."),
    "too_many_requests": N_("Too many requests. Wait a moment and try again."),
    "code_expired": N_("The code has expired or was already used: ask for a new one."),
    "wrong_code": N_("Wrong verification code."),
    "passwords_differ": N_("The two passwords are not the same."),
    # notifications (C11)
    "subscription_not_found": N_("No such webhook."),
    "delivery_not_found": N_("No such delivery."),
    "subscription_inactive": N_("The webhook of this delivery has been deactivated: it cannot be sent again."),
    "delivery_pending": N_("This delivery is still waiting to be sent."),
    "delivery_in_flight": N_("This delivery is being sent right now."),
    # the purse (P1–P5, P8, P9) and terminals (T2)
    "no_card": N_("The member has no card in use: issue a card first."),
    "no_application": N_("No application on card (IC卡无应用): the card holds no purse of this enterprise."),
    "card_inactive": N_("The card cannot be used: it has been replaced or cancelled."),
    "member_service_suspended": N_("The member's service is suspended: the card is refused until it is resumed."),
    "invalid_amount": N_("Enter an amount in yuan above 0 and at most 100,000, with at most two decimals."),
    "insufficient_funds": N_("The balance is not enough for this amount."),
    "balance_expired": N_("The purse balance has expired. The enterprise admin can give it back on the purse page."),
    "nothing_to_undo": N_("This terminal has no purchase to undo."),
    "already_undone": N_("The last purchase of this terminal has already been undone: it cannot be undone twice."),
    "already_reversed": N_("This has already been undone or given back: it cannot be done twice."),
    "expiry_not_found": N_("No such expired balance."),
    "merchant_not_found": N_("No such merchant."),
    "merchant_for_pos_only": N_("Only a POS terminal is bound to a merchant."),
    "terminal_only": N_("Only a registered terminal may do this."),
    "terminal_retired": N_("This terminal is retired or not registered."),
    "wrong_terminal_type": N_("This terminal cannot do this: it needs a POS terminal."),
    "terminal_not_found": N_("No such POS terminal of this enterprise."),
    "idempotency_key_reused": N_("This form was already sent with other values. Reload the page and try again."),
    "invalid_day": N_("Choose a date such as 2026-03-02."),
    "bad_topup_header": N_("The first row must name the columns 手机号码 and 金额 (or phone and amount)."),
    "too_many_topup_rows": N_("At most 5,000 members can be topped up from one file."),
    "no_rows": N_("The file has no rows."),
    "duplicate_in_file": N_("This phone number appears more than once in the file."),
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
    if msgid is None and exc.code.startswith(("member_", "card_", "application_", "delivery_")):
        msgid = CODES["illegal_transition"]
    if msgid is None:
        return exc.message  # an unforeseen code: the service's own (English) words beat nothing
    details = exc.details or {}
    if exc.code == "card_inactive" and details.get("status") == "suspended":
        msgid = CODES["member_service_suspended"]
    params = {"channel": label(t, "channel", details.get("channel", "")),
              "phone": details.get("phone", ""), "version": details.get("version", ""),
              "from": str(details.get("from", "")), "detail": exc.message.split(": ", 1)[-1]}
    text = t.gettext(msgid, **params)
    if exc.code in ("account_locked", "service_password_locked") and details.get("locked_until"):
        until = local(dt.datetime.fromisoformat(details["locked_until"])).strftime("%Y-%m-%d %H:%M")
        text += " " + t.gettext("Locked until %(time)s.", time=until)
    if exc.code == "channel_not_allowed" and details.get("allowed"):
        names = "、".join(label(t, "channel", c) for c in details["allowed"])
        text += " " + t.gettext("Allowed channels: %(channels)s.", channels=names)
    if exc.code == "insufficient_funds" and isinstance(details.get("balance_fen"), int):
        text += " " + t.gettext("The balance is ¥%(balance)s.", balance=format_yuan(details["balance_fen"]))
    if exc.code == "balance_expired" and details.get("expired_at"):
        until = local(dt.datetime.fromisoformat(details["expired_at"])).strftime("%Y-%m-%d %H:%M")
        text += " " + t.gettext("It expired at %(time)s.", time=until)
    if exc.code == "wrong_service_password" and "remaining_attempts" in details:
        left = int(details["remaining_attempts"])
        text += " " + (t.ngettext("%(num)s try left before it is locked.", "%(num)s tries left before it is locked.",
                                  left) if left > 0 else t.gettext("It is now locked for a while."))
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
    if field == "iccid":
        return t.gettext("19 or 20 digits starting with 89.")
    if field == "imsi":
        return t.gettext("15 digits.")
    if field == "uid":
        return t.gettext("8, 14 or 20 hexadecimal characters (a UID of 4, 7 or 10 bytes).")
    if field == "url":
        return t.gettext("An address starting with http:// or https://.")
    if field in ("service_password", "new_password", "old_password"):
        return t.gettext("Six digits.")
    if field == "amount":
        return t.gettext("An amount in yuan above 0, with at most two decimals, such as 100 or 12.50.")
    if field == "validity_days":
        return t.gettext("A whole number of days from 1 to 3650; leave it empty for no validity period.")
    if field == "card_no":
        return t.gettext("A card number has 16 digits.")
    if field == "passphrase_again":
        return t.gettext("The two passphrases differ.")
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
               "weak_password": "admin_password", "invalid_username": "admin_username",
               "invalid_service_password": "new_password", "weak_service_password": "new_password",
               "invalid_amount": "amount", "merchant_not_found": "merchant", "terminal_not_found": "terminal"}
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


TOPUP_ROW_FIELDS = {"invalid_phone": "phone", "invalid_amount": "amount", "duplicate_in_file": "phone",
                    "member_not_found": "phone"}


def topup_row_message(t: Translator, code: str, message: str) -> str:
    """One row error of a rejected bulk top-up (the service gives a code and English words only)."""
    if code == "duplicate_in_file":
        match = re.match(r"^(\d{11}) also on row (\d+)$", message)
        if match:
            return t.gettext("%(phone)s also appears on row %(row)s.", phone=match.group(1), row=match.group(2))
    if code == "member_not_found":
        return t.gettext("No member of this enterprise has this phone number.")
    if code == "invalid_amount":
        return field_message(t, "amount", code)
    if code in CODES:
        return describe(t, YktError(message, code=code))
    return message
