"""On-site teams (驻地团队: integrators, vendors, outlets), their engineers and the enterprises'
dispatch rules (S5, S8). Operators manage teams and engineers; an engineer sets their own duty."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yikatong.audit import service as audit
from yikatong.auth import service as auth
from yikatong.auth.tenancy import ensure_enterprise_scope, require_role
from yikatong.core import clock
from yikatong.core.actor import Actor, Role
from yikatong.core.errors import Forbidden, InvalidInput, NotFound
from yikatong.enterprises import service as enterprises
from yikatong.enterprises.models import Zone
from yikatong.servicedesk.models import FINAL, DispatchRules, Engineer, Team, TeamKind, Ticket

STAFF_READERS = (Role.operator, Role.agent_l1, Role.agent_l2, Role.tech_support)
RULE_SETTERS = (Role.operator, Role.agent_l2)
TEAM_AUDITED = ["name", "kind", "city", "covers_urban", "covers_suburban", "active"]
ENGINEER_AUDITED = ["team_id", "skills", "on_duty", "phone"]
RULES_AUDITED = ["enabled", "require_on_duty", "category_skills", "max_open_per_engineer"]


def zones_of(team: Team) -> list[str]:
    return [z.value for z, on in ((Zone.urban, team.covers_urban), (Zone.suburban, team.covers_suburban)) if on]


def get_team(db: Session, *, team_id: int) -> Team:
    team = db.get(Team, team_id)
    if team is None:
        raise NotFound("no such team", code="team_not_found")
    return team


def create_team(db: Session, *, actor: Actor, name: str, kind: TeamKind, city: str, zones: list[str]) -> Team:
    """An operator registers a local team and the territory it covers (city and zones)."""
    require_role(actor, (Role.operator,))
    team = Team(name=name.strip(), kind=TeamKind(kind).value, city=city.strip(),
                covers_urban=Zone.urban in zones, covers_suburban=Zone.suburban in zones, active=True,
                created_at=clock.now())
    db.add(team)
    db.flush()
    audit.record(db, actor=actor, action="team.create", entity_type="team", entity_id=team.id, enterprise_id=None,
                 after=audit.snapshot(team, TEAM_AUDITED))
    return team


def update_team(db: Session, *, actor: Actor, team_id: int, name: str | None = None, city: str | None = None,
                zones: list[str] | None = None, active: bool | None = None) -> Team:
    require_role(actor, (Role.operator,))
    team = get_team(db, team_id=team_id)
    before = audit.snapshot(team, TEAM_AUDITED)
    if name is not None:
        team.name = name.strip()
    if city is not None:
        team.city = city.strip()
    if zones is not None:
        team.covers_urban, team.covers_suburban = Zone.urban in zones, Zone.suburban in zones
    if active is not None:
        team.active = active
    audit.record(db, actor=actor, action="team.update", entity_type="team", entity_id=team.id, enterprise_id=None,
                 before=before, after=audit.snapshot(team, TEAM_AUDITED))
    return team


def list_teams(db: Session, *, actor: Actor, kind: str | None = None, city: str | None = None) -> list[Team]:
    require_role(actor, STAFF_READERS)
    stmt = select(Team).order_by(Team.id)
    if kind:
        stmt = stmt.where(Team.kind == kind)
    if city:
        stmt = stmt.where(Team.city == city)
    return list(db.scalars(stmt))


def team_for_territory(db: Session, *, kind: TeamKind | None, city: str | None, zone: str | None) -> Team | None:
    """S8 分配网点: the active team of the responsible kind covering the customer's city and zone;
    among several, the one with the fewest open on-site orders, then the lowest id."""
    stmt = select(Team).where(Team.active.is_(True))
    if kind is not None:
        stmt = stmt.where(Team.kind == kind.value)
    if city:
        stmt = stmt.where(Team.city == city)
    if zone == Zone.suburban:
        stmt = stmt.where(Team.covers_suburban.is_(True))
    elif zone == Zone.urban:
        stmt = stmt.where(Team.covers_urban.is_(True))
    teams = list(db.scalars(stmt.order_by(Team.id)))
    if not teams:
        return None
    load = dict(db.execute(select(Ticket.team_id, func.count()).where(
        Ticket.team_id.in_([t.id for t in teams]), Ticket.status.not_in(FINAL)).group_by(Ticket.team_id)).all())
    return min(teams, key=lambda t: (load.get(t.id, 0), t.id))


# --- engineers ------------------------------------------------------------------------------

def open_load(db: Session, user_ids: list[int]) -> dict[int, int]:
    """Open orders (dispatched, not yet resolved) per engineer."""
    if not user_ids:
        return {}
    rows = db.execute(select(Ticket.engineer_id, func.count()).where(
        Ticket.engineer_id.in_(user_ids), Ticket.status.in_(("dispatched", "appointed", "on_site", "pending")))
        .group_by(Ticket.engineer_id)).all()
    return {uid: n for uid, n in rows}


def get_engineer(db: Session, *, user_id: int) -> Engineer:
    engineer = db.get(Engineer, user_id)
    if engineer is None:
        raise NotFound("no such engineer", code="engineer_not_found")
    return engineer


def set_engineer(db: Session, *, actor: Actor, user_id: int, team_id: int, skills: list[str], on_duty: bool,
                 phone: str | None = None) -> Engineer:
    """An operator links a field engineer's login to a team, with skills and availability."""
    require_role(actor, (Role.operator,))
    try:
        user = auth.get_user(db, user_id=user_id)
    except NotFound:
        raise NotFound("no such user", code="user_not_found") from None
    if user.role != Role.field_engineer.value:
        raise InvalidInput("only a field_engineer login can be an engineer", code="not_a_field_engineer")
    get_team(db, team_id=team_id)
    engineer = db.get(Engineer, user_id)
    before = audit.snapshot(engineer, ENGINEER_AUDITED) if engineer else None
    if engineer is None:
        engineer = Engineer(user_id=user_id)
        db.add(engineer)
    engineer.team_id, engineer.skills, engineer.on_duty, engineer.phone = team_id, sorted(set(skills)), on_duty, phone
    engineer.updated_at = clock.now()
    db.flush()
    audit.record(db, actor=actor, action="engineer.set", entity_type="engineer", entity_id=user_id,
                 enterprise_id=None, before=before, after=audit.snapshot(engineer, ENGINEER_AUDITED))
    return engineer


def set_duty(db: Session, *, actor: Actor, user_id: int, on_duty: bool) -> Engineer:
    """The engineer (or an operator) marks them on or off duty; off duty takes no automatic dispatch."""
    require_role(actor, (Role.operator, Role.field_engineer))
    if actor.role == Role.field_engineer and actor.user_id != user_id:
        raise Forbidden("an engineer sets only their own duty", code="not_your_profile")
    engineer = get_engineer(db, user_id=user_id)
    before = audit.snapshot(engineer, ENGINEER_AUDITED)
    engineer.on_duty, engineer.updated_at = on_duty, clock.now()
    audit.record(db, actor=actor, action="engineer.duty", entity_type="engineer", entity_id=user_id,
                 enterprise_id=None, before=before, after=audit.snapshot(engineer, ENGINEER_AUDITED))
    return engineer


def list_engineers(db: Session, *, actor: Actor, team_id: int) -> list[tuple[Engineer, str, int]]:
    """(engineer, username, open orders) of a team."""
    require_role(actor, STAFF_READERS)
    get_team(db, team_id=team_id)
    engineers = list(db.scalars(select(Engineer).where(Engineer.team_id == team_id).order_by(Engineer.user_id)))
    load = open_load(db, [e.user_id for e in engineers])
    return [(e, auth.get_user(db, user_id=e.user_id).username, load.get(e.user_id, 0)) for e in engineers]


# --- dispatch rules -------------------------------------------------------------------------

def get_rules(db: Session, *, actor: Actor, enterprise_id: int) -> DispatchRules | None:
    """The enterprise's rules (None: not set). Staff and the enterprise's own admin read them."""
    ensure_enterprise_scope(actor, enterprise_id, platform_roles=STAFF_READERS,
                            not_found="enterprise_not_found")
    if not enterprises.enterprise_exists(db, enterprise_id=enterprise_id):
        raise NotFound("no such enterprise", code="enterprise_not_found")
    return db.get(DispatchRules, enterprise_id)


def set_rules(db: Session, *, actor: Actor, enterprise_id: int, enabled: bool, require_on_duty: bool,
              category_skills: dict[str, str], max_open_per_engineer: int | None) -> DispatchRules:
    """S8 自动派工: set how orders of this enterprise are dispatched without a named engineer."""
    get_rules(db, actor=actor, enterprise_id=enterprise_id)
    require_role(actor, RULE_SETTERS)
    rules = db.get(DispatchRules, enterprise_id)
    before = audit.snapshot(rules, RULES_AUDITED) if rules else None
    if rules is None:
        rules = DispatchRules(enterprise_id=enterprise_id)
        db.add(rules)
    rules.enabled, rules.require_on_duty = enabled, require_on_duty
    rules.category_skills = {str(getattr(k, "value", k)): v for k, v in category_skills.items()}
    rules.max_open_per_engineer, rules.updated_at = max_open_per_engineer, clock.now()
    db.flush()
    audit.record(db, actor=actor, action="dispatch_rules.set", entity_type="enterprise", entity_id=enterprise_id,
                 enterprise_id=enterprise_id, before=before, after=audit.snapshot(rules, RULES_AUDITED))
    return rules
