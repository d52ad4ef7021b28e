"""C11: ``emit`` writes the event and its deliveries in the caller's transaction; sequences per card."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from factories import make_enterprise
from notify.helpers import emit, subscribe
from yikatong.core.errors import InvalidInput
from yikatong.notify import service
from yikatong.notify.models import Delivery, OutboxEvent, SmsMessage


def _count(database, model) -> int:
    with database.read() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_r_c11_emit_commits_with_the_change_and_a_rollback_leaves_nothing(database):
    eid, _ = make_enterprise(database)
    subscribe(database, eid, "http://127.0.0.1:9/a")
    subscribe(database, eid, "http://127.0.0.1:9/b")

    class StateChangeFailed(Exception):
        pass

    with pytest.raises(StateChangeFailed):
        with database.write() as s:
            service.emit(s, kind="card.lost", enterprise_id=eid, card_id=7, payload={"card_no": "C7"})
            service.send_sms(s, phone="13900000001", text="您的卡已挂失", purpose="card.lost", enterprise_id=eid)
            raise StateChangeFailed  # the caller's change fails after emitting
    assert (_count(database, OutboxEvent), _count(database, Delivery), _count(database, SmsMessage)) == (0, 0, 0)

    with database.write() as s:
        event = service.emit(s, kind="card.lost", enterprise_id=eid, card_id=7, payload={"card_no": "C7"})
    with database.read() as s:
        deliveries = [(d.status, d.ordering_key) for d in s.scalars(select(Delivery).where(Delivery.event_id == event.id))]
    assert deliveries == [("pending", "card:7"), ("pending", "card:7")]


def test_r_c11_deliveries_only_for_active_matching_subscriptions_of_that_enterprise(database):
    eid, _ = make_enterprise(database)
    other, _ = make_enterprise(database)
    everything = subscribe(database, eid, "http://127.0.0.1:9/all")
    losses = subscribe(database, eid, "http://127.0.0.1:9/lost", kinds=["card.lost"])
    subscribe(database, other, "http://127.0.0.1:9/other")
    lost, issued = emit(database, eid, (1, "card.lost"), (1, "card.issued"))
    with database.read() as s:
        targets = {(d.event_id, d.subscription_id) for d in s.scalars(select(Delivery))}
    assert targets == {(lost, everything), (lost, losses), (issued, everything)}


def test_r_c11_sequence_counts_per_card_and_per_enterprise(database):
    eid, _ = make_enterprise(database)
    other, _ = make_enterprise(database)
    emit(database, eid, (1, "card.issued"), (2, "card.issued"), (1, "card.lost"), (None, "blacklist.changed"),
         (1, "card.unfrozen"), (None, "blacklist.changed"))
    emit(database, other, (1, "card.issued"))
    with database.read() as s:
        rows = [(e.enterprise_id, e.ordering_key, e.sequence) for e in s.scalars(select(OutboxEvent).order_by(OutboxEvent.id))]
    assert rows == [(eid, "card:1", 1), (eid, "card:2", 1), (eid, "card:1", 2), (eid, f"enterprise:{eid}", 1),
                    (eid, "card:1", 3), (eid, f"enterprise:{eid}", 2), (other, "card:1", 1)]


def test_r_c11_envelope_carries_id_kind_time_enterprise_and_sequence(database, clock):
    eid, _ = make_enterprise(database)
    with database.write() as s:
        event = service.emit(s, kind="card.replaced", enterprise_id=eid, card_id=3,
                             payload={"card_no": "C3", "replaced_at": clock.now(), "sequence": "ignored"})
        body = service.envelope(event)
    assert body == {"card_no": "C3", "replaced_at": "2026-03-02T02:00:00+00:00", "event_id": event.id,
                    "kind": "card.replaced", "occurred_at": "2026-03-02T02:00:00+00:00", "enterprise_id": eid,
                    "sequence": 1}


def test_unknown_kind_is_refused(database):
    eid, _ = make_enterprise(database)
    with pytest.raises(ValueError, match="unknown event kind"):
        with database.write() as s:
            service.emit(s, kind="card.teleported", enterprise_id=eid, payload={})


def test_send_sms_validates_and_queues(database):
    with pytest.raises(InvalidInput):
        with database.write() as s:
            service.send_sms(s, phone="not a phone", text="x", purpose="bill")
    with database.write() as s:
        message = s.get(SmsMessage, service.send_sms(s, phone=" 13900000002 ", text="消费 12.50 元",
                                                      purpose="purse.bill"))
    assert (message.phone, message.status, message.attempts, message.gateway) == ("13900000002", "queued", 0, None)
