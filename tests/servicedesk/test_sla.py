"""S4: the SLA clocks — first response per channel, arrive-by 24 h urban / 48 h suburban, resolve-by
72 h, pauses while waiting on the customer, one warning before and one breach record after."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from yikatong.notify.models import OutboxEvent, SmsMessage
from yikatong.servicedesk import service as desk_service
from yikatong.servicedesk import sla
from yikatong.servicedesk.models import Engineer, TicketChannel

T0 = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.timezone.utc)


def iso(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def watch(desk, lead_hours: float = 2):
    with desk.database.write() as s:
        return desk_service.check_sla(s, lead=dt.timedelta(hours=lead_hours))


def events(desk, kind: str) -> list[dict]:
    with desk.database.read() as s:
        return [e.payload for e in s.scalars(select(OutboxEvent).where(OutboxEvent.kind == kind)
                                             .order_by(OutboxEvent.id))]


def test_r_s4_pure_rules_per_channel_and_zone():
    assert sla.first_response_due(T0, TicketChannel.hotline_10086) == T0 + dt.timedelta(minutes=10)
    assert sla.first_response_due(T0, "website") == T0 + dt.timedelta(hours=4)
    assert sla.onsite_deadlines(T0, "urban") == (T0 + dt.timedelta(hours=24), T0 + dt.timedelta(hours=72))
    assert sla.onsite_deadlines(T0, "suburban")[0] == T0 + dt.timedelta(hours=48)
    assert sla.outcome(T0, T0) == "met" and sla.outcome(T0, T0 + dt.timedelta(seconds=1)) == "breached"
    assert sla.effective_due(T0, paused_at=T0 - dt.timedelta(hours=1), now=T0 + dt.timedelta(hours=2)) == \
        T0 + dt.timedelta(hours=3)
    lead = dt.timedelta(hours=2)
    assert not sla.warning_due(T0, now=T0 - dt.timedelta(hours=3), lead=lead)
    assert sla.warning_due(T0, now=T0 - dt.timedelta(hours=1), lead=lead)
    assert sla.breached(T0, now=T0 + dt.timedelta(minutes=1)) and not sla.breached(T0, now=T0)


def test_r_s4_first_response_target_per_channel(desk, clock):
    hotline = desk.create("l1", channel="hotline_10086")
    website = desk.create("l1", channel="website")
    assert iso(hotline["due_at"]) == clock.now() + dt.timedelta(minutes=10)
    assert iso(website["due_at"]) == clock.now() + dt.timedelta(hours=4)
    clock.advance(minutes=5)
    assert desk.act("l1", hotline["id"], "accept")["sla"]["first_response"] == "met"
    clock.advance(hours=5)
    late = desk.act("l1", website["id"], "accept")
    assert late["sla"]["first_response"] == "breached" and late["sla"]["outcome"] == "breached"


def test_r_s4_urban_arrive_by_24h_resolve_by_72h(desk, clock):
    t = desk.onsite()
    body = desk.ticket(t)
    start = clock.now()
    assert iso(body["sla"]["arrive_by"]) == start + dt.timedelta(hours=24)
    assert iso(body["sla"]["resolve_by"]) == start + dt.timedelta(hours=72)
    assert iso(body["due_at"]) == start + dt.timedelta(hours=24)


def test_r_s4_suburban_arrive_by_48h(desk, clock):
    t = desk.create("l2", channel="hotline_400", enterprise_id=desk.suburban_eid, phone=None)
    desk.act("l2", t["id"], "accept")
    body = desk.act("l2", t["id"], "assign", {})
    assert iso(body["sla"]["arrive_by"]) == clock.now() + dt.timedelta(hours=48)
    assert iso(body["sla"]["resolve_by"]) == clock.now() + dt.timedelta(hours=72)


def test_r_s4_waiting_on_the_customer_pauses_the_clocks(desk, clock):
    t = desk.onsite()
    start = clock.now()
    desk.act("l2", t, "dispatch", {"engineer_id": desk.uid("eng_a")})
    clock.advance(hours=10)
    held = desk.act("eng_a", t, "hold", {"note": "客户出差"})
    assert held["status"] == "pending" and held["sla"]["paused"] is True
    clock.advance(hours=30)  # would have breached the 24 h arrival had the clock run
    assert watch(desk).breaches == []
    resumed = desk.act("eng_a", t, "resume")
    assert resumed["status"] == "dispatched" and resumed["sla"]["paused_seconds"] == 30 * 3600
    assert iso(resumed["sla"]["arrive_by"]) == start + dt.timedelta(hours=24 + 30)
    assert iso(resumed["sla"]["resolve_by"]) == start + dt.timedelta(hours=72 + 30)
    assert resumed["history"][-1]["data"] == {"seconds": 30 * 3600}
    desk.act("eng_a", t, "appoint", {"at": (clock.now() + dt.timedelta(hours=1)).isoformat()})
    clock.advance(hours=13)  # 10 + 13 = 23 running hours
    assert desk.act("eng_a", t, "arrive")["sla"]["arrive"] == "met"


def test_r_s4_a_warning_goes_out_once_before_the_breach_and_the_breach_once(desk, clock):
    t = desk.onsite()
    desk.act("l2", t, "dispatch", {"engineer_id": desk.uid("eng_a")})
    clock.advance(hours=21)
    assert watch(desk).warnings == []
    clock.advance(hours=1, minutes=30)  # 22.5 h: within the 2 h lead of arrive-by
    assert watch(desk).warnings == [(t, "arrive")]
    assert watch(desk).warnings == []  # once
    assert [e["clock"] for e in events(desk, "ticket.sla_warning")] == ["arrive"]
    clock.advance(hours=2)  # 24.5 h
    result = watch(desk)
    assert result.breaches == [(t, "arrive")]
    assert watch(desk).breaches == []
    assert [e["ticket_id"] for e in events(desk, "ticket.sla_breached")] == [t]
    body = desk.ticket(t)
    assert body["sla"]["arrive"] == "breached" and body["sla"]["outcome"] == "breached"
    assert [(f["clock"], f["kind"]) for f in body["sla"]["flags"]] == [("arrive", "warning"), ("arrive", "breach")]
    with desk.database.read() as s:
        engineer_phone = s.get(Engineer, desk.uid("eng_a")).phone
        texts = list(s.scalars(select(SmsMessage.text).where(SmsMessage.phone == engineer_phone,
                                                             SmsMessage.purpose == "ticket.sla_warning")))
    assert len(texts) == 1 and "上门到场" in texts[0]
    # Arriving late later keeps the recorded breach.
    desk.act("eng_a", t, "appoint", {"at": (clock.now() + dt.timedelta(hours=1)).isoformat()})
    assert desk.act("eng_a", t, "arrive")["sla"]["arrive"] == "breached"
    with desk.database.read() as s:
        flags = [(f.clock, f.kind) for f in desk_service.flags(s, ticket_id=t)]
    assert flags == [("arrive", "warning"), ("arrive", "breach")]


def test_r_s4_the_warning_lead_is_configurable(desk, clock):
    t = desk.onsite()
    clock.advance(hours=19)
    assert watch(desk, lead_hours=2).warnings == []
    assert watch(desk, lead_hours=6).warnings == [(t, "arrive")]


def test_r_s4_resolve_by_72h_breach_is_recorded(desk, clock):
    t = desk.onsite()
    desk.act("l2", t, "dispatch", {"engineer_id": desk.uid("eng_a")})
    desk.act("eng_a", t, "appoint", {"at": (clock.now() + dt.timedelta(hours=2)).isoformat()})
    clock.advance(hours=3)
    desk.act("eng_a", t, "arrive")
    clock.advance(hours=70)
    assert watch(desk).breaches == [(t, "resolve")]
    body = desk.act("eng_a", t, "resolve", {"resolution": "更换主板"})
    assert (body["sla"]["arrive"], body["sla"]["resolve"]) == ("met", "breached")


def test_r_s4_first_response_breach_without_an_enterprise_is_flagged_without_event(desk, clock):
    t = desk.create("l1", enterprise_id=None, phone=None)
    clock.advance(minutes=11)
    assert watch(desk).breaches == [(t["id"], "first_response")]
    assert events(desk, "ticket.sla_breached") == []
    assert desk.ticket(t["id"])["sla"]["first_response"] == "breached"


def test_r_s4_cli_runs_the_watch(desk, clock, monkeypatch):
    from typer.testing import CliRunner

    from yikatong import cli
    from yikatong.config import Settings

    desk.create("l1")
    clock.advance(minutes=11)
    monkeypatch.setattr(cli, "get_settings", lambda: Settings(database_url=desk.database.url))
    result = CliRunner().invoke(cli.app, ["servicedesk", "sla"])
    assert result.exit_code == 0, result.output
    assert "1 breach" in result.output
