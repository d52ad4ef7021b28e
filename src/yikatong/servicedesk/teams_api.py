"""Teams, engineers and dispatch rules over HTTP (S5, S8): operators manage, staff read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from yikatong.core.ids import PathId
from yikatong.deps import DB, CurrentActor
from yikatong.servicedesk import service
from yikatong.servicedesk.models import DispatchRules, Engineer, Team, TeamKind
from yikatong.servicedesk.schemas import (
    DispatchRulesIn, DispatchRulesOut, DutyIn, EngineerIn, EngineerOut, TeamIn, TeamOut, TeamPatch,
)

router = APIRouter(tags=["work orders"])


def team_out(team: Team) -> TeamOut:
    return TeamOut(id=team.id, name=team.name, kind=team.kind, city=team.city, zones=service.zones_of(team),
                   active=team.active)


def engineer_out(e: Engineer, username: str, open_orders: int) -> EngineerOut:
    return EngineerOut(user_id=e.user_id, username=username, team_id=e.team_id, skills=e.skills or [],
                       on_duty=e.on_duty, phone=e.phone, open_orders=open_orders)


@router.post("/teams", response_model=TeamOut, status_code=201, summary="Register an on-site team (operator)")
def create_team(body: TeamIn, actor: CurrentActor, db: DB) -> TeamOut:
    return team_out(service.create_team(db, actor=actor, name=body.name, kind=body.kind, city=body.city,
                                        zones=[z.value for z in body.zones]))


@router.get("/teams", response_model=list[TeamOut], summary="On-site teams (staff)")
def list_teams(actor: CurrentActor, db: DB, kind: TeamKind | None = None,
               city: Annotated[str | None, Query(max_length=50)] = None) -> list[TeamOut]:
    return [team_out(t) for t in service.list_teams(db, actor=actor, kind=kind, city=city)]


@router.patch("/teams/{team_id}", response_model=TeamOut, summary="Change a team (operator)")
def update_team(team_id: PathId, body: TeamPatch, actor: CurrentActor, db: DB) -> TeamOut:
    return team_out(service.update_team(db, actor=actor, team_id=team_id, name=body.name, city=body.city,
                                        zones=[z.value for z in body.zones] if body.zones is not None else None,
                                        active=body.active))


@router.get("/teams/{team_id}/engineers", response_model=list[EngineerOut], summary="A team's engineers (staff)")
def list_engineers(team_id: PathId, actor: CurrentActor, db: DB) -> list[EngineerOut]:
    return [engineer_out(*row) for row in service.list_engineers(db, actor=actor, team_id=team_id)]


@router.put("/engineers/{user_id}", response_model=EngineerOut,
            summary="Link a field_engineer login to a team, with skills and duty (operator)")
def set_engineer(user_id: PathId, body: EngineerIn, actor: CurrentActor, db: DB) -> EngineerOut:
    e = service.set_engineer(db, actor=actor, user_id=user_id, team_id=body.team_id, skills=body.skills,
                             on_duty=body.on_duty, phone=body.phone)
    return engineer_out(e, _username(db, user_id), service.open_load(db, [user_id]).get(user_id, 0))


@router.post("/engineers/{user_id}/duty", response_model=EngineerOut,
             summary="On or off duty (the engineer themself, or an operator)")
def set_duty(user_id: PathId, body: DutyIn, actor: CurrentActor, db: DB) -> EngineerOut:
    e = service.set_duty(db, actor=actor, user_id=user_id, on_duty=body.on_duty)
    return engineer_out(e, _username(db, user_id), service.open_load(db, [user_id]).get(user_id, 0))


def _username(db, user_id: int) -> str:
    from yikatong.auth import service as auth

    return auth.get_user(db, user_id=user_id).username


def rules_out(enterprise_id: int, rules: DispatchRules | None) -> DispatchRulesOut:
    if rules is None:
        return DispatchRulesOut(enterprise_id=enterprise_id, set=False, enabled=False)
    return DispatchRulesOut(enterprise_id=enterprise_id, set=True, enabled=rules.enabled,
                            require_on_duty=rules.require_on_duty, category_skills=rules.category_skills or {},
                            max_open_per_engineer=rules.max_open_per_engineer)


@router.get("/enterprises/{enterprise_id}/dispatch-rules", response_model=DispatchRulesOut,
            summary="An enterprise's automatic dispatch rules (S8)")
def get_rules(enterprise_id: PathId, actor: CurrentActor, db: DB) -> DispatchRulesOut:
    return rules_out(enterprise_id, service.get_rules(db, actor=actor, enterprise_id=enterprise_id))


@router.put("/enterprises/{enterprise_id}/dispatch-rules", response_model=DispatchRulesOut,
            summary="Set an enterprise's automatic dispatch rules (operator, second line) (S8)")
def put_rules(enterprise_id: PathId, body: DispatchRulesIn, actor: CurrentActor, db: DB) -> DispatchRulesOut:
    rules = service.set_rules(db, actor=actor, enterprise_id=enterprise_id, enabled=body.enabled,
                              require_on_duty=body.require_on_duty, category_skills=body.category_skills,
                              max_open_per_engineer=body.max_open_per_engineer)
    return rules_out(enterprise_id, rules)
