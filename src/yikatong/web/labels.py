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

CARD_KINDS = {"rfid_sim": N_("RFID-SIM card"), "ic": N_("IC card")}

CARD_STATUSES = {"active": N_("Active"), "lost": N_("Reported lost"), "replaced": N_("Replaced"),
                 "cancelled": N_("Cancelled")}

APP_TYPES = {"identity": N_("Identity"), "access": N_("Door access"), "attendance": N_("Attendance"),
             "purse": N_("Purchases")}

APP_MODES = {"ota": N_("Over the air"), "local": N_("Locally")}

APP_STATUSES = {"active": N_("Open"), "deleted": N_("Deleted"), "revoked": N_("Closed")}

RESTORED_FROM = {"card_backup": N_("the old card's backup"), "platform_records": N_("the platform's records")}

REFUNDS = {"cash": N_("Cash refund"), "transfer": N_("Transfer")}

DELIVERY_STATUSES = {"pending": N_("Pending"), "in_flight": N_("Sending"), "delivered": N_("Delivered"),
                     "dead": N_("Dead")}

SMS_STATUSES = {"queued": N_("Queued"), "sent": N_("Sent"), "failed": N_("Failed")}

SMS_PURPOSES = {"portal_code": N_("Portal code"), "card_status": N_("Card notice")}

EVENT_KINDS = {
    "card.issued": N_("Card issued"),
    "card.lost": N_("Card reported lost"),
    "card.unfrozen": N_("Card unfrozen"),
    "card.replaced": N_("Card replaced"),
    "card.cancelled": N_("Card cancelled"),
    "card.application_opened": N_("Sub-application opened"),
    "card.application_deleted": N_("Sub-application deleted"),
    "member.phone_changed": N_("Number changed"),
    "blacklist.changed": N_("Blacklist changed"),
}

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
    "member.phone_change": N_("Change number"),
    "card.issue": N_("Issue card"),
    "card.application_open": N_("Open sub-application"),
    "card.application_delete": N_("Delete sub-application"),
    "card.report_loss": N_("Report loss"),
    "card.unfreeze": N_("Unfreeze"),
    "card.replace": N_("Replace card"),
    "card.cancel": N_("Cancel card"),
    "stock.import": N_("Import card stock"),
    "person.service_password": N_("Set service password"),
    "person.portal_password": N_("Set portal password"),
    "webhook.subscribe": N_("Add webhook"),
    "webhook.unsubscribe": N_("Deactivate webhook"),
    "webhook.replay": N_("Replay delivery"),
    "purse.topup": N_("Top up purse"),
    "purse.bulk_topup": N_("Bulk top-up"),
    "purse.settings": N_("Purse settings"),
    "purse.expiry_reversal": N_("Give back expired balance"),
    "merchant.create": N_("Add merchant"),
    "terminal.register": N_("Register terminal"),
    "ticket.create": N_("Create work order"),
    "ticket.accept": N_("Accept work order"),
    "ticket.answer": N_("Answer work order"),
    "ticket.transfer": N_("Transfer to department"),
    "ticket.escalate": N_("Escalate work order"),
    "ticket.assign": N_("Assign to team"),
    "ticket.dispatch": N_("Dispatch"),
    "ticket.redispatch": N_("Re-dispatch"),
    "ticket.offer": N_("Open for grabbing"),
    "ticket.grab": N_("Grab work order"),
    "ticket.appoint": N_("Book appointment"),
    "ticket.arrive": N_("Arrive on site"),
    "ticket.resolve": N_("Resolve"),
    "ticket.reply": N_("Reply to customer"),
    "ticket.rate": N_("Rate service"),
    "ticket.reopen": N_("Reopen work order"),
    "ticket.close": N_("Close work order"),
    "ticket.cancel": N_("Cancel work order"),
    "ticket.hold": N_("Wait on customer"),
    "ticket.resume": N_("Resume work order"),
    "ticket.comment": N_("Note on work order"),
    "ticket.sla_warning": N_("SLA warning"),
    "ticket.sla_breached": N_("SLA breached"),
    "kb.create": N_("Create article"),
    "kb.edit": N_("Edit article"),
    "kb.publish": N_("Publish article"),
    "kb.unpublish": N_("Unpublish article"),
    "kb.archive": N_("Archive article"),
    "keys.create": N_("Create key set"),
    "keys.rotate": N_("Rotate keys"),
    "keys.mother_card_export": N_("Export key mother card"),
    "keys.mother_card_import": N_("Import key mother card"),
    "keys.sam_load": N_("Load SAM keys"),
    "keys.rekey": N_("Re-seal keys under a new key-encryption key"),
    "offline.upload": N_("Upload offline records"),
    "ota.wash": N_("Wash card over the air"),
    "ota.purse_open": N_("Open chip purse"),
    "ota.topup": N_("Top up chip"),
    "ota.restore": N_("Restore chip balance"),
    "ota.recover": N_("Credit a chip load in doubt"),
    "dispatch_rules.set": N_("Set dispatch rules"),
    "engineer.set": N_("Set engineer"),
    "engineer.duty": N_("Engineer on/off duty"),
    "team.create": N_("Add service team"),
    "team.update": N_("Edit service team"),
    "terminal.simulated": N_("Act as terminal (simulator)"),
    "attendance.holiday_add": N_("Add calendar day"),
    "attendance.holiday_remove": N_("Remove calendar day"),
    "attendance.shift_create": N_("Create shift"),
    "attendance.shift_update": N_("Change shift"),
    "attendance.shift_delete": N_("Delete shift"),
    "attendance.clock_upload": N_("Upload clock records"),
    "attendance.correct": N_("Correct attendance day"),
    "attendance.bills_send": N_("Send attendance bills"),
    "access.site.create": N_("Add site"),
    "access.site.update": N_("Change site"),
    "access.site.delete": N_("Delete site"),
    "access.door.create": N_("Add door"),
    "access.door.update": N_("Change door"),
    "access.door.delete": N_("Remove door"),
    "access.time_zone.create": N_("Add time zone"),
    "access.time_zone.update": N_("Change time zone"),
    "access.time_zone.delete": N_("Delete time zone"),
    "access.group.create": N_("Add access group"),
    "access.group.update": N_("Change access group"),
    "access.group.delete": N_("Delete access group"),
    "access.validity.set": N_("Set access validity"),
}

ENTITY_TYPES = {"member": N_("Member"), "enterprise": N_("Enterprise"), "user": N_("Login account"),
                "card": N_("Card"), "card_application": N_("Sub-application"), "card_stock": N_("Card stock"),
                "person": N_("Card holder"), "webhook_subscription": N_("Webhook"), "delivery": N_("Delivery"),
                "terminal": N_("Terminal"), "merchant": N_("Merchant"), "transfer": N_("Transaction"),
                "ticket": N_("Work order"), "kb_article": N_("Knowledge article"), "key_set": N_("Key set"), "key_store": N_("Key store"),
                "team": N_("Service team"), "engineer": N_("Field engineer"), "holiday": N_("Calendar day"),
                "shift": N_("Shift"), "access_site": N_("Site"), "access_door": N_("Door"),
                "access_time_zone": N_("Time zone"), "access_group": N_("Access group")}

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
    "card_no": N_("Card number"),
    "kind": N_("Card type"),
    "type": N_("Sub-application"),
    "mode": N_("Opening mode"),
    "iccid": "ICCID",
    "imsi": "IMSI",
    "uid": "UID",
    "refund": N_("Balance settlement"),
    "new_phone": N_("New phone number"),
    "service_password": N_("Service password"),
    "old_password": N_("Current service password"),
    "new_password": N_("New service password"),
    "url": N_("Address (URL)"),
    "kinds": N_("Event types"),
    "attempts": N_("Attempts"),
    "last_status_code": N_("Last HTTP status"),
    "last_error": N_("Last error"),
    "imported": N_("Cards imported"),
    "deliveries_closed": N_("Deliveries closed"),
    "set": N_("Set"),
    "amount": N_("Amount (yuan)"),
    "amount_fen": N_("Amount"),
    "total_fen": N_("Total amount"),
    "transfer_id": N_("Transaction number"),
    "reversal_id": N_("Give-back transaction number"),
    "members": N_("Members topped up"),
    "validity_days": N_("Balance validity period"),
    "expiry_rule": N_("On expiry"),
    "bill_mode": N_("Consumption bills"),
    "merchant_id": N_("Merchant"),
    "merchant": N_("Merchant"),
    "merchant_name": N_("Merchant name"),
    "terminal": N_("POS terminal"),
}

TRANSFER_KINDS = {
    "topup": N_("Top-up"),
    "purchase": N_("Purchase"),
    "undo": N_("Undo"),
    "expiry": N_("Balance expired"),
    "expiry_reversal": N_("Expired balance given back"),
    "carry_over": N_("Carried over on card replacement"),
    "refund": N_("Refund on cancellation"),
    "payout": N_("Paid to merchant"),
}

TERMINAL_TYPES = {"pos": N_("POS terminal"), "topup": N_("Top-up terminal"), "issuing": N_("Card-issuing terminal"),
                  "door": N_("Door terminal"), "attendance": N_("Attendance terminal")}

TERMINAL_STATUSES = {"active": N_("In use"), "retired": N_("Retired")}

BILL_MODES = {"per_transaction": N_("An SMS after every purchase"),
              "daily_digest": N_("One SMS a day with the day's purchases"), "none": N_("No consumption SMS")}

EXPIRY_RULES = {"to_enterprise": N_("Moved to the enterprise's expired-balance account (can be given back)")}

TICKET_CHANNELS = {"hotline_10086": N_("10086 hotline"), "hall": N_("Business hall"), "website": N_("Website"),
                   "account_manager": N_("Account manager"), "hotline_400": N_("400 hotline"),
                   "portal": N_("Personal portal")}

TICKET_TYPES = {"consultation": N_("Consultation"), "complaint": N_("Complaint"), "fault": N_("Fault report"),
                "supervision": N_("Service supervision")}

TICKET_CATEGORIES = {"business": N_("Business"), "terminal": N_("Terminal fault"), "engineering": N_("Engineering"),
                     "network": N_("Network"), "billing": N_("Billing")}

TICKET_STATUSES = {"new": N_("Waiting to be accepted"), "accepted": N_("Accepted"), "escalated": N_("Escalated"),
                   "transferred": N_("Transferred to department"), "answered": N_("Answered"),
                   "assigned": N_("Assigned to team"), "waiting_grab": N_("Open for grab"),
                   "dispatched": N_("Dispatched"), "appointed": N_("Appointment booked"), "on_site": N_("On site"),
                   "resolved": N_("Resolved"), "replied": N_("Replied"), "pending": N_("Waiting on customer"),
                   "rated": N_("Rated"), "closed": N_("Order closed"), "cancelled": N_("Order cancelled")}

TICKET_ACTIONS = {"create": N_("Create order"), "accept": N_("Accept"), "answer": N_("Answer directly"),
                  "transfer": N_("Transfer to department"), "escalate": N_("Escalate"),
                  "assign": N_("Assign to team"), "dispatch": N_("Dispatch"), "redispatch": N_("Re-dispatch"),
                  "offer": N_("Open for grab"), "grab": N_("Grab order"), "appoint": N_("Book appointment"),
                  "arrive": N_("Arrived on site"), "resolve": N_("Resolve"), "reply": N_("Reply to customer"),
                  "rate": N_("Rate"), "reopen": N_("Reopen"), "close": N_("Close"), "cancel": N_("Cancel order"),
                  "hold": N_("Wait on customer"), "resume": N_("Resume"), "comment": N_("Comment")}

KINDS = {
    "role": ROLES,
    "channel": CHANNELS,
    "zone": ZONES,
    "member_status": MEMBER_STATUSES,
    "enterprise_status": ENTERPRISE_STATUSES,
    "action": AUDIT_ACTIONS,
    "entity": ENTITY_TYPES,
    "field": FIELDS,
    "card_kind": CARD_KINDS,
    "card_status": CARD_STATUSES,
    "app_type": APP_TYPES,
    "app_mode": APP_MODES,
    "app_status": APP_STATUSES,
    "restored_from": RESTORED_FROM,
    "refund": REFUNDS,
    "delivery_status": DELIVERY_STATUSES,
    "sms_status": SMS_STATUSES,
    "sms_purpose": SMS_PURPOSES,
    "event_kind": EVENT_KINDS,
    "transfer_kind": TRANSFER_KINDS,
    "terminal_type": TERMINAL_TYPES,
    "terminal_status": TERMINAL_STATUSES,
    "bill_mode": BILL_MODES,
    "expiry_rule": EXPIRY_RULES,
    "ticket_channel": TICKET_CHANNELS,
    "ticket_type": TICKET_TYPES,
    "ticket_category": TICKET_CATEGORIES,
    "ticket_status": TICKET_STATUSES,
    "ticket_action": TICKET_ACTIONS,
}


def label(t: Translator, kind: str, value: object) -> str:
    """The translated name of ``value``, or the value itself when it has none."""
    if value is None:
        return ""
    msgid = KINDS[kind].get(str(value))
    return t.gettext(msgid) if msgid else str(value)
