"""C11: a real receiver on 127.0.0.1 gets every event, signed, in order per card; failures retry with
backoff, end dead after the limit and can be replayed; claims expire; workers never share a claim."""

from __future__ import annotations

import socket
import threading
from collections import Counter

from sqlalchemy import select

from factories import login, make_enterprise
from notify.helpers import drain, emit, subscribe, wait_until
from yikatong.db import Database
from yikatong.notify import claims
from yikatong.notify.models import Delivery


def _deliveries(database) -> dict[int, tuple[str, int]]:
    """event id → (status, attempts)."""
    with database.read() as s:
        return {d.event_id: (d.status, d.attempts) for d in s.scalars(select(Delivery).order_by(Delivery.id))}


def _delivery_id(database, event_id: int) -> int:
    with database.read() as s:
        return s.scalar(select(Delivery.id).where(Delivery.event_id == event_id))


def _fail_events(receiver, failing: dict[int, int]) -> None:
    """The receiver answers 503 to the event ids in ``failing`` that many times, then 200."""
    def respond(hit):
        left = failing.get(hit.body["event_id"], 0)
        if left:
            failing[hit.body["event_id"]] = left - 1
            return 503
        return 200
    receiver.respond = respond


def test_r_c11_receiver_gets_every_event_signed_and_in_order_per_card(database, receiver, make_worker):
    eid, _ = make_enterprise(database)
    subscribe(database, eid, receiver.url)
    kinds = ["card.issued", "card.application_opened", "card.lost", "card.unfrozen", "card.cancelled"]
    ids = emit(database, eid, *[(card, kind) for kind in kinds for card in (11, 12, 13)])
    drain(make_worker())
    assert sorted(receiver.event_ids()) == sorted(ids)  # every event, once (nothing failed)
    assert all(hit.signature_ok for hit in receiver.hits)
    for card in (11, 12, 13):
        hits = [h for h in receiver.hits if h.body["card_no"] == f"C{card}"]
        assert [h.body["sequence"] for h in hits] == [1, 2, 3, 4, 5]
        assert [h.body["kind"] for h in hits] == kinds
    hit = receiver.hits[0]
    assert hit.headers["x-ykt-event"] == hit.body["kind"] and hit.headers["x-ykt-event-id"] == str(hit.body["event_id"])
    assert hit.headers["x-ykt-signature"].startswith("sha256=") and hit.headers["x-ykt-timestamp"].isdigit()
    assert hit.headers["content-type"].startswith("application/json")
    assert hit.body["enterprise_id"] == eid and hit.body["occurred_at"].endswith("+00:00")
    assert set(_deliveries(database).values()) == {("delivered", 1)}


def test_r_c11_a_wrong_secret_is_detected_by_the_receiver(database, receiver, make_worker):
    eid, _ = make_enterprise(database)
    subscribe(database, eid, receiver.url, secret="not-the-receivers-secret")
    emit(database, eid, (1, "card.lost"))
    make_worker().run_once()
    assert [h.signature_ok for h in receiver.hits] == [False]
    assert list(_deliveries(database).values()) == [("pending", 1)]  # 401 is a failure to retry


def test_r_c11_failures_retry_with_backoff_then_succeed(database, receiver, make_worker, clock):
    eid, _ = make_enterprise(database)
    subscribe(database, eid, receiver.url)
    [event] = emit(database, eid, (1, "card.lost"))
    _fail_events(receiver, {event: 2})
    worker = make_worker()
    assert worker.run_once() == 1 and _deliveries(database)[event] == ("pending", 1)
    assert worker.run_once() == 0  # the next attempt is 1 s away
    clock.advance(seconds=1)
    assert worker.run_once() == 1 and _deliveries(database)[event] == ("pending", 2)
    clock.advance(seconds=1.5)
    assert worker.run_once() == 0  # backoff doubled: 2 s
    clock.advance(seconds=0.5)
    worker.run_once()
    assert _deliveries(database)[event] == ("delivered", 3)
    assert receiver.event_ids() == [event] * 3
    assert {h.headers["x-ykt-timestamp"] for h in receiver.hits} == {
        str(int(clock.now().timestamp()) - 3), str(int(clock.now().timestamp()) - 2), str(int(clock.now().timestamp()))}


def test_r_c11_network_errors_and_timeouts_are_retried(database, receiver, make_worker):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    eid, _ = make_enterprise(database)
    subscribe(database, eid, f"http://127.0.0.1:{closed_port}/hook")
    slow_eid, _ = make_enterprise(database)
    subscribe(database, slow_eid, receiver.url)
    release = threading.Event()
    receiver.respond = lambda hit: 200 if release.wait(5) else 500
    [refused] = emit(database, eid, (1, "card.lost"))
    [slow] = emit(database, slow_eid, (1, "card.lost"))
    make_worker(timeout_s=0.3).run_once()
    release.set()
    with database.read() as s:
        errors = {d.event_id: (d.status, d.last_error) for d in s.scalars(select(Delivery))}
    assert errors[refused][0] == "pending" and "ConnectError" in errors[refused][1]
    assert errors[slow][0] == "pending" and errors[slow][1].startswith("timeout")


def test_r_c11_dead_letter_after_the_limit_stops_blocking_and_can_be_replayed(database, receiver, make_worker,
                                                                            clock, client):
    eid, admin = make_enterprise(database)
    subscribe(database, eid, receiver.url)
    first, second = emit(database, eid, (5, "card.lost"), (5, "card.unfrozen"))
    _fail_events(receiver, {first: 99})
    worker = make_worker(max_attempts=3)
    for _ in range(3):
        worker.run_once()
        clock.advance(seconds=10)
    assert _deliveries(database)[first] == ("dead", 3)
    assert second not in receiver.event_ids()  # it waited while the first was still being retried
    worker.run_once()
    assert _deliveries(database)[second] == ("delivered", 1)  # dead no longer blocks the chain

    h = login(client, admin)
    dead = client.get(f"/api/v1/enterprises/{eid}/deliveries", params={"status": "dead"}, headers=h).json()
    assert dead["total"] == 1 and dead["items"][0]["event_id"] == first
    assert dead["items"][0]["last_status_code"] == 503 and dead["items"][0]["payload"]["kind"] == "card.lost"
    receiver.respond = lambda hit: 200
    r = client.post(f"/api/v1/deliveries/{dead['items'][0]['id']}/replay", headers=h)
    assert r.status_code == 200 and (r.json()["status"], r.json()["attempts"]) == ("pending", 0)
    worker.run_once()
    assert _deliveries(database)[first] == ("delivered", 1)
    assert receiver.event_ids()[-1] == first
    audit = client.get("/api/v1/audit", params={"action": "webhook.replay"}, headers=h).json()
    assert audit["items"][0]["before"]["status"] == "dead" and audit["items"][0]["after"]["status"] == "pending"


def test_r_c11_later_event_of_a_card_waits_while_an_earlier_one_fails(database, receiver, make_worker, clock):
    eid, _ = make_enterprise(database)
    subscribe(database, eid, receiver.url)
    lost, unfrozen, other_card = emit(database, eid, (1, "card.lost"), (1, "card.unfrozen"), (2, "card.lost"))
    _fail_events(receiver, {lost: 2})
    worker = make_worker()
    worker.run_once()
    assert receiver.event_ids() == [lost, other_card] or receiver.event_ids() == [other_card, lost]
    clock.advance(seconds=1)
    worker.run_once()
    assert unfrozen not in receiver.event_ids()
    clock.advance(seconds=2)
    drain(worker)
    card1 = [i for i in receiver.event_ids() if i in (lost, unfrozen)]
    assert card1 == [lost, lost, lost, unfrozen]
    assert _deliveries(database)[unfrozen] == ("delivered", 1)


def test_r_c11_an_expired_claim_is_sent_again_and_the_late_outcome_is_dropped(database, receiver, make_worker,
                                                                             clock):
    eid, _ = make_enterprise(database)
    subscribe(database, eid, receiver.url)
    [event] = emit(database, eid, (1, "card.lost"))
    [crashed] = claims.claim_deliveries(database, batch=10, lease_s=30)  # a worker that then died
    worker = make_worker()
    assert worker.run_once() == 0  # still leased
    clock.advance(seconds=31)
    worker.run_once()
    assert _deliveries(database)[event] == ("delivered", 2)
    # The dead worker's outcome, should it ever arrive, cannot overwrite the newer one.
    tally = claims.settle_deliveries(database, [(crashed, claims.Attempt(ok=False, error="late"))], max_attempts=5,
                                     backoff=claims.Backoff())
    assert tally.stale == 1 and _deliveries(database)[event] == ("delivered", 2)


def test_r_c11_concurrent_workers_never_send_the_same_delivery_twice(database, db_url, receiver, make_worker):
    eid, _ = make_enterprise(database)
    subscribe(database, eid, receiver.url)
    ids = emit(database, eid, *[(card, kind) for kind in ("card.issued", "card.lost") for card in range(1, 21)])
    # Two workers with their own engines, as two `ykt worker` processes would have.
    others = [Database(db_url) for _ in range(2)]
    workers = [make_worker(db, batch=3) for db in others]
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def run(worker):
        try:
            start.wait(5)
            wait_until(lambda: worker.run_once() == 0 and len(receiver.hits) >= len(ids), timeout=30, step=0)
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for db in others:
        db.dispose()
    assert failures == []
    counts = Counter(receiver.event_ids())
    assert sorted(counts) == sorted(ids) and set(counts.values()) == {1}
    assert set(_deliveries(database).values()) == {("delivered", 1)}
    for card in range(1, 21):
        assert [h.body["kind"] for h in receiver.hits if h.body["card_no"] == f"C{card}"] == ["card.issued", "card.lost"]
