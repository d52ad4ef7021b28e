"""S8 under real concurrency, on both databases: many engineers of a team grab one open order at the
same moment through a real HTTP server; the conditional UPDATE lets exactly one win."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from factories import login, make_engineer
from support.live import all_at_once, served
from yikatong.servicedesk.models import Ticket, TicketEvent

GRABBERS = 12


def test_r_s8_simultaneous_grabs_exactly_one_wins(app, desk):
    engineers = [make_engineer(desk.database, team_id=desk.vendor_team, skills=("door",)) for _ in range(GRABBERS)]
    headers = {user_id: login(desk.client, username) for user_id, username in engineers}
    tickets = []
    for _ in range(3):
        t = desk.onsite()
        assert desk.act("l2", t, "dispatch", {})["status"] == "waiting_grab"
        tickets.append(t)
    with served(app) as url:
        for t in tickets:
            responses = all_at_once(url, [(f"/tickets/{t}/grab", h, {}) for h in headers.values()])
            statuses = Counter(r.status_code for r in responses)
            assert statuses == {200: 1, 409: GRABBERS - 1}, [r.text for r in responses if r.status_code >= 500][:2]
            assert {r.json()["error"]["code"] for r in responses if r.status_code == 409} == {"ticket_dispatched"}
            winner = next(r.json()["engineer_id"] for r in responses if r.status_code == 200)
            with desk.database.read() as s:
                assert s.get(Ticket, t).engineer_id == winner
                grabs = list(s.scalars(select(TicketEvent.actor_id).where(TicketEvent.ticket_id == t,
                                                                          TicketEvent.action == "grab")))
            assert grabs == [winner]
