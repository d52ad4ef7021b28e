"""Display names of the platform's codes (roles, channels, states, audit actions, fields). The
English text is the msgid; the page translates it for the reader's locale."""

from __future__ import annotations

from yikatong.web.i18n import N_, Translator

ROLES = {
    "operator": N_("Platform operator"),
    "account_manager": N_("Account manager"),
    "enterprise_admin": N_("Enterprise admin"),
    "member": N_("Member"),
    "agent_l1": N_("First-line agent"),
    "agent_l2": N_("Second-line agent"),
    "tech_support": N_("Back-end technical support"),
    "field_engineer": N_("Field engineer"),
    "terminal": N_("Terminal"),
}

CHANNELS = {
    "website": N_("Website"),
    "hall": N_("Business hall"),
    "hotline": N_("Hotline"),
    "account_manager": N_("Account manager"),
    "portal": N_("Personal portal"),
    "terminal": N_("Terminal"),
    "partner": N_("Partner API"),
    "system": N_("System"),
}

# The channels a person can work through in the console (X1), website first (the default).
LOGIN_CHANNELS = ("website", "hall", "hotline", "account_manager")

ZONES = {"urban": N_("Urban"), "suburban": N_("Suburban")}

MEMBER_STATUSES = {"active": N_("Active"), "suspended": N_("Suspended"), "removed": N_("Removed")}

ENTERPRISE_STATUSES = {"active": N_("Active"), "cancelled": N_("Cancelled")}

AUDIT_ACTIONS = {
    "member.add": N_("Add member"),
    "member.update": N_("Change member"),
    "member.suspend": N_("Suspend service"),
    "member.resume": N_("Resume service"),
    "member.remove": N_("Remove member"),
    "member.import": N_("Import members"),
    "enterprise.register": N_("Register enterprise"),
    "enterprise.update": N_("Change enterprise"),
    "user.create": N_("Create login"),
    "user.channels": N_("Bind channels"),
}

ENTITY_TYPES = {"member": N_("Member"), "enterprise": N_("Enterprise"), "user": N_("Login account")}

FIELDS = {
    "name": N_("Name"),
    "phone": N_("Phone number"),
    "staff_no": N_("Staff number"),
    "department": N_("Department"),
    "status": N_("Status"),
    "code": N_("Group customer code"),
    "city": N_("City"),
    "zone": N_("Zone"),
    "address": N_("Address"),
    "service_fee_fen": N_("Monthly service fee"),
    "service_fee": N_("Monthly service fee"),
    "admin_username": N_("Admin username"),
    "admin_password": N_("Admin password"),
    "username": N_("Username"),
    "password": N_("Password"),
    "role": N_("Role"),
    "enterprise_id": N_("Enterprise"),
    "active": N_("Enabled"),
    "allowed_channels": N_("Allowed channels"),
    "time_windows": N_("Time windows"),
    "file": N_("File"),
    "created": N_("Members imported"),
    "channel": N_("Channel"),
}

KINDS = {
    "role": ROLES,
    "channel": CHANNELS,
    "zone": ZONES,
    "member_status": MEMBER_STATUSES,
    "enterprise_status": ENTERPRISE_STATUSES,
    "action": AUDIT_ACTIONS,
    "entity": ENTITY_TYPES,
    "field": FIELDS,
}


def label(t: Translator, kind: str, value: object) -> str:
    """The translated name of ``value``, or the value itself when it has none."""
    if value is None:
        return ""
    msgid = KINDS[kind].get(str(value))
    return t.gettext(msgid) if msgid else str(value)
