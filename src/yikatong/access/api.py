"""Door access (A1, A2, A4): set-up for the enterprise admin, decisions and event upload for door
terminals, reports. Thin: the rules live in the service modules."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from yikatong.access import decisions, reports, service
from yikatong.access.models import TimeZone
from yikatong.access.schemas import (
    Created, DecisionIn, DecisionOut, DoorCreate, DoorOut, DoorPatch, EventOut, EventsIn, EventsOut, GroupCreate,
    GroupOut, GroupPatch, HourlyRow, SiteCreate, SiteOut, SitePatch, SummaryRow, TimeZoneCreate, TimeZoneOut,
    TimeZonePatch, ValidityIn, ValidityOut,
)
from yikatong.core import clock
from yikatong.core.ids import PathId, QueryId
from yikatong.core.pagination import PageOut, PageParams, page_params
from yikatong.deps import DB, CurrentActor, Work

router = APIRouter(tags=["access"])
CardNoQuery = Annotated[str | None, Query(pattern=r"^\d{16}$")]
DeptQuery = Annotated[str | None, Query(min_length=1, max_length=100)]


def _tz_out(tz: TimeZone) -> TimeZoneOut:
    return TimeZoneOut(id=tz.id, enterprise_id=tz.enterprise_id, name=tz.name, periods=tz.periods)


# --- time zones ---

@router.post("/enterprises/{enterprise_id}/time-zones", response_model=Created, status_code=201,
             summary="Define a weekly time zone; weekday 8 = holidays (A1)")
def create_time_zone(enterprise_id: PathId, body: TimeZoneCreate, actor: CurrentActor, db: DB) -> Created:
    tz = service.create_time_zone(db, actor=actor, enterprise_id=enterprise_id, name=body.name,
                                  periods=[p.model_dump() for p in body.periods])
    return Created(id=tz.id)


@router.get("/enterprises/{enterprise_id}/time-zones", response_model=list[TimeZoneOut])
def list_time_zones(enterprise_id: PathId, actor: CurrentActor, db: DB) -> list[TimeZoneOut]:
    return [_tz_out(t) for t in service.list_time_zones(db, actor=actor, enterprise_id=enterprise_id)]


@router.get("/time-zones/{time_zone_id}", response_model=TimeZoneOut)
def get_time_zone(time_zone_id: PathId, actor: CurrentActor, db: DB) -> TimeZoneOut:
    return _tz_out(service.get_time_zone(db, actor=actor, time_zone_id=time_zone_id))


@router.patch("/time-zones/{time_zone_id}", response_model=TimeZoneOut)
def update_time_zone(time_zone_id: PathId, body: TimeZonePatch, actor: CurrentActor, db: DB) -> TimeZoneOut:
    changes = body.model_dump(exclude_unset=True)
    return _tz_out(service.update_time_zone(db, actor=actor, time_zone_id=time_zone_id, **changes))


@router.delete("/time-zones/{time_zone_id}", status_code=204, response_class=Response,
               responses={409: {"description": "time_zone_in_use"}})
def delete_time_zone(time_zone_id: PathId, actor: CurrentActor, db: DB) -> Response:
    service.delete_time_zone(db, actor=actor, time_zone_id=time_zone_id)
    return Response(status_code=204)


# --- sites and doors ---

@router.post("/enterprises/{enterprise_id}/sites", response_model=SiteOut, status_code=201,
             summary="A site (building, compound) of doors, with optional anti-passback (A1)")
def create_site(enterprise_id: PathId, body: SiteCreate, actor: CurrentActor, db: DB) -> SiteOut:
    return SiteOut.model_validate(service.create_site(db, actor=actor, enterprise_id=enterprise_id, name=body.name,
                                                      anti_passback=body.anti_passback))


@router.get("/enterprises/{enterprise_id}/sites", response_model=list[SiteOut])
def list_sites(enterprise_id: PathId, actor: CurrentActor, db: DB) -> list[SiteOut]:
    return [SiteOut.model_validate(s) for s in service.list_sites(db, actor=actor, enterprise_id=enterprise_id)]


@router.patch("/sites/{site_id}", response_model=SiteOut)
def update_site(site_id: PathId, body: SitePatch, actor: CurrentActor, db: DB) -> SiteOut:
    return SiteOut.model_validate(service.update_site(db, actor=actor, site_id=site_id,
                                                      **body.model_dump(exclude_unset=True)))


@router.delete("/sites/{site_id}", status_code=204, response_class=Response,
               responses={409: {"description": "site_in_use"}})
def delete_site(site_id: PathId, actor: CurrentActor, db: DB) -> Response:
    service.delete_site(db, actor=actor, site_id=site_id)
    return Response(status_code=204)


@router.post("/enterprises/{enterprise_id}/doors", response_model=Created, status_code=201,
             summary="Define a door, optionally at a site (by name) and with a direction (A1)")
def create_door(enterprise_id: PathId, body: DoorCreate, actor: CurrentActor, db: DB) -> Created:
    door = service.create_door(db, actor=actor, enterprise_id=enterprise_id, name=body.name, site=body.site,
                               direction=body.direction)
    return Created(id=door.id)


@router.get("/enterprises/{enterprise_id}/doors", response_model=list[DoorOut])
def list_doors(enterprise_id: PathId, actor: CurrentActor, db: DB, site_id: QueryId = None) -> list[DoorOut]:
    return [service.door_out(db, d) for d in service.list_doors(db, actor=actor, enterprise_id=enterprise_id,
                                                                site_id=site_id)]


@router.get("/doors/{door_id}", response_model=DoorOut)
def get_door(door_id: PathId, actor: CurrentActor, db: DB) -> DoorOut:
    return service.door_out(db, service.get_door(db, actor=actor, door_id=door_id))


@router.patch("/doors/{door_id}", response_model=DoorOut)
def update_door(door_id: PathId, body: DoorPatch, actor: CurrentActor, db: DB) -> DoorOut:
    door = service.update_door(db, actor=actor, door_id=door_id, **body.model_dump(exclude_unset=True))
    return service.door_out(db, door)


@router.delete("/doors/{door_id}", status_code=204, response_class=Response)
def delete_door(door_id: PathId, actor: CurrentActor, db: DB) -> Response:
    service.delete_door(db, actor=actor, door_id=door_id)
    return Response(status_code=204)


@router.get("/doors/{door_id}/traffic", response_model=list[HourlyRow],
            summary="A door's traffic by Beijing hour on one day (A4)")
def door_traffic(door_id: PathId, actor: CurrentActor, db: DB, date: dt.date) -> list[HourlyRow]:
    return reports.hourly(db, actor=actor, door_id=door_id, day=date)


# --- access groups and validity ---

@router.post("/enterprises/{enterprise_id}/access-groups", response_model=Created, status_code=201,
             summary="Members (or whole departments) may open these doors during this time zone (A1)")
def create_group(enterprise_id: PathId, body: GroupCreate, actor: CurrentActor, db: DB) -> Created:
    group = service.create_group(db, actor=actor, enterprise_id=enterprise_id, name=body.name,
                                 time_zone_id=body.time_zone_id, door_ids=body.door_ids, member_ids=body.member_ids,
                                 departments=body.departments)
    return Created(id=group.id)


@router.get("/enterprises/{enterprise_id}/access-groups", response_model=list[GroupOut])
def list_groups(enterprise_id: PathId, actor: CurrentActor, db: DB) -> list[GroupOut]:
    return [service.group_out(db, g) for g in service.list_groups(db, actor=actor, enterprise_id=enterprise_id)]


@router.get("/access-groups/{group_id}", response_model=GroupOut)
def get_group(group_id: PathId, actor: CurrentActor, db: DB) -> GroupOut:
    return service.group_out(db, service.get_group(db, actor=actor, group_id=group_id))


@router.patch("/access-groups/{group_id}", response_model=GroupOut, summary="Lists given replace the group's")
def update_group(group_id: PathId, body: GroupPatch, actor: CurrentActor, db: DB) -> GroupOut:
    group = service.update_group(db, actor=actor, group_id=group_id, **body.model_dump(exclude_unset=True))
    return service.group_out(db, group)


@router.delete("/access-groups/{group_id}", status_code=204, response_class=Response)
def delete_group(group_id: PathId, actor: CurrentActor, db: DB) -> Response:
    service.delete_group(db, actor=actor, group_id=group_id)
    return Response(status_code=204)


@router.get("/members/{member_id}/access-validity", response_model=ValidityOut)
def get_validity(member_id: PathId, actor: CurrentActor, db: DB) -> ValidityOut:
    row = service.get_validity(db, actor=actor, member_id=member_id)
    return ValidityOut(member_id=member_id, valid_from=row.valid_from if row else None,
                       valid_until=row.valid_until if row else None)


@router.put("/members/{member_id}/access-validity", response_model=ValidityOut,
            summary="The member's cards open doors only between these Beijing dates, inclusive (A1)")
def set_validity(member_id: PathId, body: ValidityIn, actor: CurrentActor, db: DB) -> ValidityOut:
    row = service.set_validity(db, actor=actor, member_id=member_id, valid_from=body.valid_from,
                               valid_until=body.valid_until)
    return ValidityOut(member_id=member_id, valid_from=row.valid_from, valid_until=row.valid_until)


# --- door terminals ---

@router.post("/terminal/access-decisions", response_model=DecisionOut,
             summary="A door terminal asks whether a card may open its door (A1)")
def decide(body: DecisionIn, work: Work) -> DecisionOut:
    with work.write() as (db, actor):
        return decisions.decide_online(db, actor=actor, card_no=body.card_no, at=body.at)


@router.post("/terminal/access-events", response_model=EventsOut,
             summary="A door terminal uploads its offline event log; a re-upload adds nothing (A2)")
def upload_events(body: EventsIn, work: Work) -> EventsOut:
    with work.write() as (db, actor):
        return decisions.upload_events(db, actor=actor, events=body.events)


# --- reports ---

@router.get("/enterprises/{enterprise_id}/access-events", response_model=PageOut[EventOut],
            summary="Door events by door, person, department, outcome and period (A4)")
def list_events(enterprise_id: PathId, actor: CurrentActor, db: DB,
                page: Annotated[PageParams, Depends(page_params)], door_id: QueryId = None,
                member_id: QueryId = None, department: DeptQuery = None, card_no: CardNoQuery = None,
                allowed: bool | None = None, start: dt.date | None = None, end: dt.date | None = None
                ) -> PageOut[EventOut]:
    found = reports.list_events(db, actor=actor, enterprise_id=enterprise_id, page=page, door_id=door_id,
                                member_id=member_id, department=department, card_no=card_no, allowed=allowed,
                                start=start, end=end)
    return PageOut[EventOut](items=reports.events_out(db, enterprise_id=enterprise_id, events=found.items),
                             total=found.total)


@router.get("/enterprises/{enterprise_id}/access-reports", response_model=list[SummaryRow],
            summary="Allowed and denied presentations per door, member, department or day (A4)")
def access_report(enterprise_id: PathId, actor: CurrentActor, db: DB, by: reports.GroupBy = reports.GroupBy.door,
                  start: Annotated[dt.date | None, Query(description="default: the 1st of this month")] = None,
                  end: Annotated[dt.date | None, Query(description="default: today (Beijing)")] = None,
                  door_id: QueryId = None) -> list[SummaryRow]:
    today = clock.local(clock.now()).date()
    return reports.summary(db, actor=actor, enterprise_id=enterprise_id, by=by, start=start or today.replace(day=1),
                           end=end or today, door_id=door_id)
