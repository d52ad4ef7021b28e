"""Access control set-up (A1): sites, doors, weekly time zones, access groups and members'
validity dates, for an enterprise's admin (or an operator). Every change re-derives the
enterprise's per-door permission lists (permissions.refresh), so door terminals get it at their
next sync (T3)."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from yikatong.access import permissions
from yikatong.access.models import (
    AccessGroup, Door, GroupDepartment, GroupDoor, GroupMember, MemberValidity, Site, TimeZone,
)
from yikatong.access.schemas import (
    DoorCreate, DoorOut, DoorPatch, GroupCreate, GroupOut, GroupPatch, SiteCreate, SitePatch, TimeZoneCreate,
    TimeZonePatch, ValidityIn,
)
from yikatong.audit import service as audit
from yikatong.auth.tenancy import ensure_enterprise_scope, require_role
from yikatong.core import clock
from yikatong.core.actor import Actor, Role
from yikatong.core.errors import Conflict, InvalidInput, NotFound
from yikatong.core.validation import validated
from yikatong.enterprises import service as enterprises
from yikatong.members import roster as member_roster
from yikatong.members import service as members
from yikatong.members.models import MemberStatus


def scope(db: Session, actor: Actor, enterprise_id: int) -> None:
    """Its admin or an operator; another enterprise's admin gets 404 (X5)."""
    enterprises.get_enterprise(db, actor=actor, enterprise_id=enterprise_id)
    require_role(actor, [Role.enterprise_admin, Role.operator])


def _owned(db: Session, actor: Actor, model, object_id: int, code: str):
    obj = db.get(model, object_id)
    if obj is None or getattr(obj, "removed_at", None) is not None:
        raise NotFound("not found", code=code)
    ensure_enterprise_scope(actor, obj.enterprise_id, not_found=code)
    require_role(actor, [Role.enterprise_admin, Role.operator])
    return obj


def _changed(db: Session, enterprise_id: int) -> None:
    permissions.refresh(db, enterprise_id=enterprise_id)


# --- sites -------------------------------------------------------------------------------------

def _site_named(db: Session, enterprise_id: int, name: str) -> Site | None:
    return db.scalar(select(Site).where(Site.enterprise_id == enterprise_id, Site.name == name))


def create_site(db: Session, *, actor: Actor, enterprise_id: int, name: str, anti_passback: bool = False) -> Site:
    """A1: a site (building, compound) grouping doors; names are unique in the enterprise (409
    ``duplicate_site``). With ``anti_passback`` a card must leave by an out door before entering
    by an in door again, and the other way round."""
    scope(db, actor, enterprise_id)
    data = validated(SiteCreate, name=name.strip(), anti_passback=anti_passback)
    if _site_named(db, enterprise_id, data.name) is not None:
        raise Conflict(f"a site named {data.name} exists", code="duplicate_site")
    site = Site(enterprise_id=enterprise_id, name=data.name, anti_passback=data.anti_passback)
    db.add(site)
    db.flush()
    permissions.ensure_version_row(db, enterprise_id=enterprise_id)
    audit.record(db, actor=actor, action="access.site.create", entity_type="access_site", entity_id=site.id,
                 enterprise_id=enterprise_id, after={"name": site.name, "anti_passback": site.anti_passback})
    return site


def list_sites(db: Session, *, actor: Actor, enterprise_id: int) -> list[Site]:
    scope(db, actor, enterprise_id)
    return list(db.scalars(select(Site).where(Site.enterprise_id == enterprise_id).order_by(Site.name)))


def get_site(db: Session, *, actor: Actor, site_id: int) -> Site:
    return _owned(db, actor, Site, site_id, "site_not_found")


def update_site(db: Session, *, actor: Actor, site_id: int, **changes) -> Site:
    site = get_site(db, actor=actor, site_id=site_id)
    data = validated(SitePatch, **changes)
    before = {"name": site.name, "anti_passback": site.anti_passback}
    if data.name is not None and data.name != site.name:
        if _site_named(db, site.enterprise_id, data.name) is not None:
            raise Conflict(f"a site named {data.name} exists", code="duplicate_site")
        site.name = data.name
    if data.anti_passback is not None:
        site.anti_passback = data.anti_passback
    audit.record(db, actor=actor, action="access.site.update", entity_type="access_site", entity_id=site.id,
                 enterprise_id=site.enterprise_id, before=before,
                 after={"name": site.name, "anti_passback": site.anti_passback})
    return site


def delete_site(db: Session, *, actor: Actor, site_id: int) -> None:
    """A site with doors in use is 409 ``site_in_use``."""
    site = get_site(db, actor=actor, site_id=site_id)
    if db.scalar(select(Door.id).where(Door.site_id == site.id, Door.removed_at.is_(None)).limit(1)) is not None:
        raise Conflict("doors are at this site: move or remove them first", code="site_in_use")
    db.execute(update(Door).where(Door.site_id == site.id).values(site_id=None))
    audit.record(db, actor=actor, action="access.site.delete", entity_type="access_site", entity_id=site.id,
                 enterprise_id=site.enterprise_id, before={"name": site.name})
    db.delete(site)


# --- doors -------------------------------------------------------------------------------------

def _site_for(db: Session, actor: Actor, enterprise_id: int, name: str | None) -> Site | None:
    if not name or not name.strip():
        return None
    return _site_named(db, enterprise_id, name.strip()) or create_site(db, actor=actor, enterprise_id=enterprise_id,
                                                                       name=name.strip())


def door_out(db: Session, door: Door) -> DoorOut:
    site = db.get(Site, door.site_id) if door.site_id else None
    return DoorOut(id=door.id, enterprise_id=door.enterprise_id, name=door.name, site_id=door.site_id,
                   site=site.name if site else None, direction=door.direction, created_at=door.created_at)


def create_door(db: Session, *, actor: Actor, enterprise_id: int, name: str, site: str | None = None,
                direction: str = "both") -> Door:
    """A1: a door, optionally at a site (by name, created if new) and with a direction (in, out,
    or both) that anti-passback uses."""
    scope(db, actor, enterprise_id)
    data = validated(DoorCreate, name=name.strip(), site=site, direction=direction)
    site_row = _site_for(db, actor, enterprise_id, data.site)
    door = Door(enterprise_id=enterprise_id, name=data.name, site_id=site_row.id if site_row else None,
                direction=data.direction)
    db.add(door)
    db.flush()
    permissions.ensure_version_row(db, enterprise_id=enterprise_id)
    audit.record(db, actor=actor, action="access.door.create", entity_type="access_door", entity_id=door.id,
                 enterprise_id=enterprise_id, after={"name": door.name, "site_id": door.site_id,
                                                     "direction": door.direction})
    return door


def list_doors(db: Session, *, actor: Actor, enterprise_id: int, site_id: int | None = None) -> list[Door]:
    scope(db, actor, enterprise_id)
    stmt = select(Door).where(Door.enterprise_id == enterprise_id, Door.removed_at.is_(None))
    if site_id is not None:
        stmt = stmt.where(Door.site_id == site_id)
    return list(db.scalars(stmt.order_by(Door.name, Door.id)))


def get_door(db: Session, *, actor: Actor, door_id: int) -> Door:
    return _owned(db, actor, Door, door_id, "door_not_found")


def update_door(db: Session, *, actor: Actor, door_id: int, **changes) -> Door:
    door = get_door(db, actor=actor, door_id=door_id)
    data = validated(DoorPatch, **changes)
    before = {"name": door.name, "site_id": door.site_id, "direction": door.direction}
    if data.name is not None:
        door.name = data.name.strip()
    if "site" in changes:
        site_row = _site_for(db, actor, door.enterprise_id, data.site)
        door.site_id = site_row.id if site_row else None
    if data.direction is not None:
        door.direction = data.direction
    audit.record(db, actor=actor, action="access.door.update", entity_type="access_door", entity_id=door.id,
                 enterprise_id=door.enterprise_id, before=before,
                 after={"name": door.name, "site_id": door.site_id, "direction": door.direction})
    return door


def delete_door(db: Session, *, actor: Actor, door_id: int) -> None:
    """The door is retired (its events stay reportable); groups stop naming it and its terminals'
    permission lists empty at their next sync."""
    door = get_door(db, actor=actor, door_id=door_id)
    door.removed_at = clock.now()
    db.execute(delete(GroupDoor).where(GroupDoor.door_id == door.id))
    audit.record(db, actor=actor, action="access.door.delete", entity_type="access_door", entity_id=door.id,
                 enterprise_id=door.enterprise_id, before={"name": door.name})
    db.flush()
    _changed(db, door.enterprise_id)


def door_of_enterprise(db: Session, *, enterprise_id: int, door_id: int) -> Door | None:
    """For the terminals domain (T2): the enterprise's live door with this id, or None."""
    door = db.get(Door, door_id)
    if door is None or door.enterprise_id != enterprise_id or door.removed_at is not None:
        return None
    return door


def door_by_id(db: Session, *, door_id: int) -> Door | None:
    return db.get(Door, door_id)


def site_by_id(db: Session, *, site_id: int | None) -> Site | None:
    return db.get(Site, site_id) if site_id else None


# --- time zones --------------------------------------------------------------------------------

def create_time_zone(db: Session, *, actor: Actor, enterprise_id: int, name: str, periods: list) -> TimeZone:
    """A1: a weekly time zone; periods in Beijing time, weekday 8 for holidays (rules.py)."""
    scope(db, actor, enterprise_id)
    data = validated(TimeZoneCreate, name=name.strip(), periods=periods)
    tz = TimeZone(enterprise_id=enterprise_id, name=data.name, periods=[p.model_dump() for p in data.periods])
    db.add(tz)
    db.flush()
    permissions.ensure_version_row(db, enterprise_id=enterprise_id)
    audit.record(db, actor=actor, action="access.time_zone.create", entity_type="access_time_zone",
                 entity_id=tz.id, enterprise_id=enterprise_id, after={"name": tz.name, "periods": tz.periods})
    return tz


def list_time_zones(db: Session, *, actor: Actor, enterprise_id: int) -> list[TimeZone]:
    scope(db, actor, enterprise_id)
    return list(db.scalars(select(TimeZone).where(TimeZone.enterprise_id == enterprise_id).order_by(TimeZone.id)))


def get_time_zone(db: Session, *, actor: Actor, time_zone_id: int) -> TimeZone:
    return _owned(db, actor, TimeZone, time_zone_id, "time_zone_not_found")


def update_time_zone(db: Session, *, actor: Actor, time_zone_id: int, **changes) -> TimeZone:
    """Changing periods changes no permission row: terminals get time zones whole at every sync."""
    tz = get_time_zone(db, actor=actor, time_zone_id=time_zone_id)
    data = validated(TimeZonePatch, **changes)
    before = {"name": tz.name, "periods": tz.periods}
    if data.name is not None:
        tz.name = data.name.strip()
    if data.periods is not None:
        tz.periods = [p.model_dump() for p in data.periods]
    audit.record(db, actor=actor, action="access.time_zone.update", entity_type="access_time_zone",
                 entity_id=tz.id, enterprise_id=tz.enterprise_id, before=before,
                 after={"name": tz.name, "periods": tz.periods})
    return tz


def delete_time_zone(db: Session, *, actor: Actor, time_zone_id: int) -> None:
    """A time zone a group uses is 409 ``time_zone_in_use``."""
    tz = get_time_zone(db, actor=actor, time_zone_id=time_zone_id)
    if db.scalar(select(AccessGroup.id).where(AccessGroup.time_zone_id == tz.id).limit(1)) is not None:
        raise Conflict("an access group uses this time zone", code="time_zone_in_use")
    audit.record(db, actor=actor, action="access.time_zone.delete", entity_type="access_time_zone",
                 entity_id=tz.id, enterprise_id=tz.enterprise_id, before={"name": tz.name, "periods": tz.periods})
    db.delete(tz)


def time_zones_of(db: Session, *, enterprise_id: int, ids: list[int] | None = None) -> dict[int, list[dict]]:
    stmt = select(TimeZone.id, TimeZone.periods).where(TimeZone.enterprise_id == enterprise_id)
    if ids is not None:
        stmt = stmt.where(TimeZone.id.in_(ids))
    return dict(db.execute(stmt).all())


# --- access groups -----------------------------------------------------------------------------

def _check_refs(db: Session, enterprise_id: int, *, door_ids=None, time_zone_id=None, member_ids=None) -> None:
    if door_ids:
        known = set(db.scalars(select(Door.id).where(Door.enterprise_id == enterprise_id, Door.id.in_(door_ids),
                                                     Door.removed_at.is_(None))))
        missing = sorted(set(door_ids) - known)
        if missing:
            raise InvalidInput("no such door in this enterprise", code="unknown_door", details={"door_ids": missing})
    if time_zone_id is not None:
        tz = db.get(TimeZone, time_zone_id)
        if tz is None or tz.enterprise_id != enterprise_id:
            raise InvalidInput("no such time zone in this enterprise", code="unknown_time_zone",
                               details={"time_zone_id": time_zone_id})
    if member_ids:
        found = member_roster.members_by_ids(db, enterprise_id=enterprise_id, member_ids=member_ids)
        missing = sorted(m for m in set(member_ids) if m not in found or found[m].status == MemberStatus.removed.value)
        if missing:
            raise InvalidInput("no such member in this enterprise", code="unknown_member",
                               details={"member_ids": missing[:50]})


def _set_links(db: Session, group: AccessGroup, *, door_ids=None, member_ids=None, departments=None) -> None:
    if door_ids is not None:
        db.execute(delete(GroupDoor).where(GroupDoor.group_id == group.id))
        db.add_all(GroupDoor(group_id=group.id, door_id=d) for d in sorted(set(door_ids)))
    if member_ids is not None:
        db.execute(delete(GroupMember).where(GroupMember.group_id == group.id))
        db.add_all(GroupMember(group_id=group.id, member_id=m) for m in sorted(set(member_ids)))
    if departments is not None:
        db.execute(delete(GroupDepartment).where(GroupDepartment.group_id == group.id))
        db.add_all(GroupDepartment(group_id=group.id, department=d) for d in departments)
    db.flush()


def group_out(db: Session, group: AccessGroup) -> GroupOut:
    return GroupOut(
        id=group.id, enterprise_id=group.enterprise_id, name=group.name, time_zone_id=group.time_zone_id,
        door_ids=list(db.scalars(select(GroupDoor.door_id).where(GroupDoor.group_id == group.id)
                                 .order_by(GroupDoor.door_id))),
        member_ids=list(db.scalars(select(GroupMember.member_id).where(GroupMember.group_id == group.id)
                                   .order_by(GroupMember.member_id))),
        departments=list(db.scalars(select(GroupDepartment.department).where(GroupDepartment.group_id == group.id)
                                    .order_by(GroupDepartment.department))))


def create_group(db: Session, *, actor: Actor, enterprise_id: int, name: str, time_zone_id: int,
                 door_ids: list[int] = (), member_ids: list[int] = (), departments: list[str] = ()) -> AccessGroup:
    """A1: members (named, or whole departments by the members' department field) may open these
    doors during this time zone. Doors, time zone and members must be the enterprise's (422)."""
    scope(db, actor, enterprise_id)
    data = validated(GroupCreate, name=name.strip(), time_zone_id=time_zone_id, door_ids=list(door_ids),
                     member_ids=list(member_ids), departments=list(departments))
    _check_refs(db, enterprise_id, door_ids=data.door_ids, time_zone_id=data.time_zone_id, member_ids=data.member_ids)
    group = AccessGroup(enterprise_id=enterprise_id, name=data.name, time_zone_id=data.time_zone_id)
    db.add(group)
    db.flush()
    _set_links(db, group, door_ids=data.door_ids, member_ids=data.member_ids, departments=data.departments)
    audit.record(db, actor=actor, action="access.group.create", entity_type="access_group", entity_id=group.id,
                 enterprise_id=enterprise_id, after={"name": group.name, "time_zone_id": group.time_zone_id,
                                                     "door_ids": data.door_ids, "members": len(set(data.member_ids)),
                                                     "departments": data.departments})
    _changed(db, enterprise_id)
    return group


def list_groups(db: Session, *, actor: Actor, enterprise_id: int) -> list[AccessGroup]:
    scope(db, actor, enterprise_id)
    return list(db.scalars(select(AccessGroup).where(AccessGroup.enterprise_id == enterprise_id)
                           .order_by(AccessGroup.id)))


def get_group(db: Session, *, actor: Actor, group_id: int) -> AccessGroup:
    return _owned(db, actor, AccessGroup, group_id, "access_group_not_found")


def update_group(db: Session, *, actor: Actor, group_id: int, **changes) -> AccessGroup:
    """Lists given replace the group's (doors, members, departments)."""
    group = get_group(db, actor=actor, group_id=group_id)
    data = validated(GroupPatch, **changes)
    _check_refs(db, group.enterprise_id, door_ids=data.door_ids, time_zone_id=data.time_zone_id,
                member_ids=data.member_ids)
    before = group_out(db, group).model_dump(include={"name", "time_zone_id", "door_ids", "departments"})
    if data.name is not None:
        group.name = data.name.strip()
    if data.time_zone_id is not None:
        group.time_zone_id = data.time_zone_id
    _set_links(db, group, door_ids=data.door_ids, member_ids=data.member_ids, departments=data.departments)
    after = group_out(db, group).model_dump(include={"name", "time_zone_id", "door_ids", "departments"})
    audit.record(db, actor=actor, action="access.group.update", entity_type="access_group", entity_id=group.id,
                 enterprise_id=group.enterprise_id, before=before, after=after)
    _changed(db, group.enterprise_id)
    return group


def delete_group(db: Session, *, actor: Actor, group_id: int) -> None:
    group = get_group(db, actor=actor, group_id=group_id)
    enterprise_id = group.enterprise_id
    _set_links(db, group, door_ids=[], member_ids=[], departments=[])
    audit.record(db, actor=actor, action="access.group.delete", entity_type="access_group", entity_id=group.id,
                 enterprise_id=enterprise_id, before={"name": group.name})
    db.delete(group)
    db.flush()
    _changed(db, enterprise_id)


# --- validity ----------------------------------------------------------------------------------

def _member(db: Session, actor: Actor, member_id: int):
    member = members.get_member(db, actor=actor, member_id=member_id)  # another enterprise's: 404
    require_role(actor, [Role.enterprise_admin, Role.operator])
    return member


def get_validity(db: Session, *, actor: Actor, member_id: int) -> MemberValidity | None:
    _member(db, actor, member_id)
    return db.get(MemberValidity, member_id)


def set_validity(db: Session, *, actor: Actor, member_id: int, valid_from=None, valid_until=None) -> MemberValidity:
    """A1: the member's cards open doors only from ``valid_from`` to ``valid_until`` (Beijing
    dates, inclusive; None: open-ended) — a contractor's or a visitor's term."""
    member = _member(db, actor, member_id)
    data = validated(ValidityIn, valid_from=valid_from, valid_until=valid_until)
    row = db.get(MemberValidity, member.id)
    before = {"valid_from": row.valid_from, "valid_until": row.valid_until} if row else None
    if row is None:
        row = MemberValidity(member_id=member.id, enterprise_id=member.enterprise_id)
        db.add(row)
    row.valid_from, row.valid_until = data.valid_from, data.valid_until
    db.flush()
    audit.record(db, actor=actor, action="access.validity.set", entity_type="member", entity_id=member.id,
                 enterprise_id=member.enterprise_id, before=before,
                 after={"valid_from": data.valid_from, "valid_until": data.valid_until})
    _changed(db, member.enterprise_id)
    return row
