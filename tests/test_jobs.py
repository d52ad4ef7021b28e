"""The periodic jobs ``ykt serve`` runs in the background (yikatong.jobs): the SLA watch (S4)
warns and records breaches without anyone running a command."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from factories import login, make_enterprise, make_ticket, make_user
from yikatong.app import create_app
from yikatong.config import Settings
from yikatong.core.actor import Role
from yikatong.jobs import Job, Scheduler
from yikatong.servicedesk import service as desk


def _flags(database, ticket_id: int) -> list[tuple[str, str]]:
    with database.read() as s:
        return [(f.clock, f.kind) for f in desk.flags(s, ticket_id=ticket_id)]


def test_r_s4_serve_records_an_sla_breach_by_itself(client, database, clock):
    eid, _ = make_enterprise(database)
    agent = login(client, make_user(database, role=Role.agent_l1))
    ticket = make_ticket(client, agent, enterprise_id=eid)  # hotline: first response due in 10 minutes
    clock.advance(minutes=11)
    app = create_app(Settings(database_url=database.url, secret_key="test-secret"), database=database,
                     start_worker=True)
    with TestClient(app):
        deadline = time.monotonic() + 10
        while ("first_response", "breach") not in _flags(database, ticket["id"]) and time.monotonic() < deadline:
            time.sleep(0.1)
    assert ("first_response", "breach") in _flags(database, ticket["id"])
    shown = client.get(f"/api/v1/tickets/{ticket['id']}", headers=agent).json()
    assert shown["sla"]["first_response"] == "breached"
    assert [(f["clock"], f["kind"]) for f in shown["sla"]["flags"]] == [("first_response", "breach")]


def test_a_failing_job_does_not_stop_the_others(database):
    ran: list[str] = []

    def broken(db, settings):
        ran.append("broken")
        raise RuntimeError("boom")

    def fine(db, settings):
        ran.append("fine")
        return "ok"

    scheduler = Scheduler(database, Settings(database_url=database.url, secret_key="x"),
                          jobs=(Job("broken", 60, broken), Job("fine", 60, fine)))
    due: dict[str, float] = {}
    scheduler.run_due(due, now=100.0)
    scheduler.run_due(due, now=130.0)  # neither is due again yet
    scheduler.run_due(due, now=161.0)
    assert ran == ["broken", "fine", "broken", "fine"]
