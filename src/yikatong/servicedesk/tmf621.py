"""TM Forum TMF621 (Trouble Ticket, v4) view of our work orders, so an operator's OSS/BSS can read
and raise orders without custom code. Only the mapping lives here; every rule stays in the
ticket service (the facade's router calls it like any other client).

Status: TMF621 has fewer states than the desk. The mapping is many-to-one and documented in
docs/service-desk.md:

    new                                   → acknowledged
    accepted, escalated, transferred,
    assigned, waiting_grab, dispatched,
    appointed, on_site                    → inProgress
    pending                               → pending
    answered, resolved, replied, rated    → resolved
    closed                                → closed
    cancelled                             → cancelled

Severity: our orders carry no severity of their own — urgency is the SLA of the order's type,
channel and zone (S4). The facade derives one (a fault is ``major``, a complaint or supervision
complaint ``moderate``, a consultation ``minor``) and accepts any TMF severity on creation.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from yikatong.servicedesk.models import Ticket, TicketEvent, TicketStatus, TicketType

BASE_PATH = "/tmf-api/troubleTicket/v4"

TMF_STATUS = {
    TicketStatus.new: "acknowledged",
    TicketStatus.accepted: "inProgress",
    TicketStatus.escalated: "inProgress",
    TicketStatus.transferred: "inProgress",
    TicketStatus.assigned: "inProgress",
    TicketStatus.waiting_grab: "inProgress",
    TicketStatus.dispatched: "inProgress",
    TicketStatus.appointed: "inProgress",
    TicketStatus.on_site: "inProgress",
    TicketStatus.pending: "pending",
    TicketStatus.answered: "resolved",
    TicketStatus.resolved: "resolved",
    TicketStatus.replied: "resolved",
    TicketStatus.rated: "resolved",
    TicketStatus.closed: "closed",
    TicketStatus.cancelled: "cancelled",
}
TMF_STATUSES = ("acknowledged", "inProgress", "pending", "resolved", "closed", "cancelled")
SEVERITIES = ("critical", "major", "moderate", "minor")
_SEVERITY_OF_TYPE = {TicketType.fault.value: "major", TicketType.complaint.value: "moderate",
                     TicketType.supervision.value: "moderate", TicketType.consultation.value: "minor"}


def statuses_for(tmf_status: str) -> list[str]:
    """Our statuses that show as ``tmf_status`` (for filtering a list)."""
    return [ours.value for ours, theirs in TMF_STATUS.items() if theirs == tmf_status]


class _Tmf(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")


class ChannelRef(_Tmf):
    id: str | None = None
    name: str | None = None
    referred_type: str | None = Field(default="Channel", alias="@referredType")


class RelatedParty(_Tmf):
    id: str
    name: str | None = None
    role: str | None = None
    referred_type: str | None = Field(default=None, alias="@referredType")


class Note(_Tmf):
    id: str | None = None
    author: str | None = None
    date: dt.datetime | None = None
    text: str = Field(min_length=1, max_length=2000)


class StatusChange(_Tmf):
    status: str
    change_date: dt.datetime = Field(alias="changeDate")
    change_reason: str | None = Field(default=None, alias="changeReason")


class TicketRelationship(_Tmf):
    id: str
    href: str | None = None
    relationship_type: str = Field(default="isRelatedTo", alias="relationshipType")


class Characteristic(_Tmf):
    name: str = Field(max_length=64)
    value: Any = None
    value_type: str | None = Field(default="string", alias="valueType")


class TroubleTicket(_Tmf):
    id: str
    href: str
    name: str
    description: str
    severity: str
    ticket_type: str = Field(alias="ticketType")
    status: str
    status_change_date: dt.datetime | None = Field(default=None, alias="statusChangeDate")
    status_change_reason: str | None = Field(default=None, alias="statusChangeReason")
    creation_date: dt.datetime = Field(alias="creationDate")
    last_update: dt.datetime | None = Field(default=None, alias="lastUpdate")
    expected_resolution_date: dt.datetime | None = Field(default=None, alias="expectedResolutionDate")
    resolution_date: dt.datetime | None = Field(default=None, alias="resolutionDate")
    channel: ChannelRef
    related_party: list[RelatedParty] = Field(default_factory=list, alias="relatedParty")
    note: list[Note] = Field(default_factory=list)
    status_change: list[StatusChange] = Field(default_factory=list, alias="statusChange")
    trouble_ticket_relationship: list[TicketRelationship] = Field(default_factory=list,
                                                                  alias="troubleTicketRelationship")
    trouble_ticket_characteristic: list[Characteristic] = Field(default_factory=list,
                                                                alias="troubleTicketCharacteristic")
    type_: str = Field(default="TroubleTicket", alias="@type")
    base_type: str = Field(default="TroubleTicket", alias="@baseType")


class TroubleTicketCreate(_Tmf):
    """TMF621 v4 TroubleTicket_Create: ``description``, ``severity`` and ``ticketType`` are required
    by the standard; ``channel.name`` is one of our ticket channels (default: the creator's first);
    the category travels as a characteristic named ``category`` (default ``business``). The
    customer is a related party: ``@referredType`` ``Organization`` (its id: our enterprise id) or
    ``Individual`` (its id: the mobile number)."""

    name: str | None = Field(default=None, max_length=200)
    description: str = Field(min_length=1, max_length=4000)
    severity: str = Field(pattern="^(critical|major|moderate|minor)$")
    ticket_type: TicketType = Field(alias="ticketType")
    channel: ChannelRef | None = None
    related_party: list[RelatedParty] = Field(default_factory=list, alias="relatedParty", max_length=10)
    trouble_ticket_relationship: list[TicketRelationship] = Field(default_factory=list,
                                                                  alias="troubleTicketRelationship", max_length=1)
    trouble_ticket_characteristic: list[Characteristic] = Field(default_factory=list,
                                                                alias="troubleTicketCharacteristic", max_length=20)
    note: list[Note] = Field(default_factory=list, max_length=10)


class TroubleTicketUpdate(_Tmf):
    """TMF621 PATCH (merge): ``note`` entries are added to the history; ``status`` may be set to
    ``cancelled`` or ``closed`` (the desk's cancel and close actions, with their rules). Other
    changes go through the desk's own actions."""

    status: str | None = Field(default=None, pattern="^(cancelled|closed)$")
    status_change_reason: str | None = Field(default=None, alias="statusChangeReason", max_length=500)
    note: list[Note] = Field(default_factory=list, max_length=10)


def _at(value: dt.datetime | None) -> dt.datetime | None:
    return value.astimezone(dt.timezone.utc) if value is not None else None


def to_tmf(ticket: Ticket, events: list[TicketEvent]) -> TroubleTicket:
    """One work order as a TMF621 TroubleTicket."""
    changes: list[StatusChange] = []
    for event in events:
        status = TMF_STATUS[TicketStatus(event.to_status)]
        if not changes or changes[-1].status != status:
            changes.append(StatusChange(status=status, change_date=_at(event.at), change_reason=event.action))
    parties = []
    if ticket.enterprise_id is not None:
        parties.append(RelatedParty(id=str(ticket.enterprise_id), role="customer", referred_type="Organization"))
    if ticket.phone:
        parties.append(RelatedParty(id=ticket.phone, role="reporter", referred_type="Individual"))
    notes = [Note(id=str(e.id), author=e.actor_username, date=_at(e.at), text=e.note) for e in events if e.note]
    if ticket.answer:
        notes.append(Note(id=f"answer-{ticket.id}", text=ticket.answer))
    if ticket.resolution:
        notes.append(Note(id=f"resolution-{ticket.id}", text=ticket.resolution))
    relationship = ([TicketRelationship(id=str(ticket.linked_ticket_id), href=href(ticket.linked_ticket_id),
                                        relationship_type="complaintAbout" if ticket.type == "supervision"
                                        else "isRelatedTo")]
                    if ticket.linked_ticket_id else [])
    resolved_at = ticket.resolved_at or ticket.answered_at
    characteristics = [Characteristic(name="category", value=ticket.category),
                       Characteristic(name="tier", value=ticket.tier, value_type="integer"),
                       Characteristic(name="internalStatus", value=ticket.status)]
    for name, value in (("arriveBy", ticket.arrive_due_at), ("resolveBy", ticket.resolve_due_at),
                        ("appointment", ticket.appointment_at)):
        if value is not None:
            characteristics.append(Characteristic(name=name, value=_at(value).isoformat(), value_type="dateTime"))
    if ticket.rating is not None:
        characteristics.append(Characteristic(name="rating", value=ticket.rating, value_type="integer"))
    return TroubleTicket(
        id=str(ticket.id), href=href(ticket.id), name=ticket.title, description=ticket.description or ticket.title,
        severity=_SEVERITY_OF_TYPE.get(ticket.type, "minor"), ticket_type=ticket.type,
        status=TMF_STATUS[TicketStatus(ticket.status)],
        status_change_date=changes[-1].change_date if changes else _at(ticket.created_at),
        status_change_reason=changes[-1].change_reason if changes else None,
        creation_date=_at(ticket.created_at), last_update=_at(ticket.updated_at),
        expected_resolution_date=_at(ticket.resolve_due_at), resolution_date=_at(resolved_at),
        channel=ChannelRef(id=ticket.channel, name=ticket.channel), related_party=parties, note=notes,
        status_change=changes, trouble_ticket_relationship=relationship,
        trouble_ticket_characteristic=characteristics)


def href(ticket_id: int) -> str:
    return f"{BASE_PATH}/troubleTicket/{ticket_id}"


def creation_arguments(body: TroubleTicketCreate) -> dict:
    """The fields of a TMF create in the desk's own terms, unchecked: the router validates them
    with the desk's TicketCreate schema, so a TMF client meets the same rules as any other."""
    category = next((c.value for c in body.trouble_ticket_characteristic if c.name == "category"), "business")
    enterprise_id = phone = None
    for party in body.related_party:
        if party.referred_type == "Organization":
            enterprise_id = party.id
        elif party.referred_type == "Individual":
            phone = party.id
    return {"type": body.ticket_type, "category": category, "title": (body.name or body.description)[:200],
            "description": body.description, "enterprise_id": enterprise_id, "phone": phone,
            "linked_ticket_id": body.trouble_ticket_relationship[0].id if body.trouble_ticket_relationship else None,
            "channel": body.channel.name if body.channel and body.channel.name else None}
