"""P7 verified offline purchases, T2 (a POS acts for its own enterprise only), X5: records a washed
virtual card and a SAM loaded with the enterprise's keys really made, uploaded through the API."""

from __future__ import annotations

import datetime as dt

import pytest

from factories import login, make_card, make_enterprise, make_member, make_terminal
from yikatong.core.actor import SYSTEM
from yikatong.keys import service as keys

from .conftest import WHEN, make_shop, sam_of, washed_card

URL = "/api/v1/terminal/offline-records"


def upload(client, shop, records, **headers):
    r = client.post(URL, headers=shop.pos | headers, json={"records": records})
    assert r.status_code == 200, r.text
    return r.json()


def test_r_p7_genuine_records_are_accepted_and_posted_once_to_the_merchant(client, database, kek):
    shop = make_shop(client, database)
    records = [shop.pay(1200), shop.pay(800, when=WHEN + dt.timedelta(minutes=1))]
    assert [r["offline_counter"] for r in records] == [0, 1]
    out = upload(client, shop, records)
    assert out == {"accepted": 2, "duplicates": 0, "rejected": [], "flagged": []}
    assert shop.purse_fen(client) == 10000 - 2000
    assert shop.merchant_fen(database) == 2000
    purse = client.get(f"/api/v1/members/{shop.mid}/purse", headers=shop.admin).json()
    assert purse["transactions"][0]["reference"] == f"offline:{shop.card_no}:1"
    # The whole batch re-sent after a timeout: duplicates, nothing posted twice.
    again = upload(client, shop, records)
    assert again == {"accepted": 0, "duplicates": 2, "rejected": [], "flagged": []}
    assert shop.purse_fen(client) == 8000 and shop.merchant_fen(database) == 2000
    listed = client.get(f"/api/v1/enterprises/{shop.eid}/offline-records", headers=shop.admin).json()
    assert listed["total"] == 2 and all(item["transfer_id"] for item in listed["items"])
    assert listed["items"][0]["at"].startswith("2026-03-02T03:31:00")  # stored in UTC


@pytest.mark.parametrize("algorithm", ["sm4"])
def test_r_p7_records_of_an_sm4_enterprise_verify(client, database, kek, algorithm):
    shop = make_shop(client, database, algorithm=algorithm)
    genuine = shop.pay(700)
    out = upload(client, shop, [genuine, genuine | {"amount_fen": 70}])
    assert out["accepted"] == 1 and out["rejected"] == [{"index": 1, "code": "bad_tac"}]
    assert shop.purse_fen(client) == 9300


def test_r_p7_records_of_cards_on_an_older_key_version_verify_after_rotation(client, database, kek):
    shop = make_shop(client, database)
    with database.write() as s:
        keys.rotate_enterprise_keys(s, actor=SYSTEM, enterprise_id=shop.eid)
    # The card and the SAM still hold version 1: the platform tries every version, newest first.
    assert upload(client, shop, [shop.pay(400)])["accepted"] == 1 and shop.purse_fen(client) == 9600


def test_r_p7_idempotency_key_replays_the_first_answer(client, database, kek):
    shop = make_shop(client, database)
    records = [shop.pay(300)]
    first = client.post(URL, headers=shop.pos | {"Idempotency-Key": "b-1"}, json={"records": records})
    second = client.post(URL, headers=shop.pos | {"Idempotency-Key": "b-1"}, json={"records": records})
    assert first.json()["accepted"] == 1 and second.json() == first.json()
    assert second.headers.get("Idempotent-Replayed") == "true" and shop.purse_fen(client) == 9700
    # The same record twice in one batch: stored and posted once.
    twice = shop.pay(200)
    assert upload(client, shop, [twice, twice]) == {"accepted": 1, "duplicates": 1, "rejected": [], "flagged": []}
    assert shop.purse_fen(client) == 9500


def test_r_p7_forged_tac_and_altered_amount_are_rejected_bad_tac(client, database, kek):
    shop = make_shop(client, database)
    genuine = shop.pay(500)
    forged_tac = genuine | {"tac": "00000000" if genuine["tac"] != "00000000" else "11111111"}
    altered = genuine | {"amount_fen": 5}
    out = upload(client, shop, [forged_tac, altered])
    assert out["accepted"] == 0 and out["rejected"] == [{"index": 0, "code": "bad_tac"}, {"index": 1, "code": "bad_tac"}]
    assert shop.purse_fen(client) == 10000 and shop.merchant_fen(database) == 0
    # The genuine one still goes through afterwards.
    assert upload(client, shop, [genuine])["accepted"] == 1 and shop.purse_fen(client) == 9500


def test_r_p7_same_counter_other_content_is_a_conflict_and_a_replayed_serial_is_refused(client, database, kek):
    shop = make_shop(client, database)
    first, second = shop.pay(100), shop.pay(200)
    assert upload(client, shop, [first])["accepted"] == 1
    # The genuine second record relabelled with the first one's counter (the TAC does not cover it).
    out = upload(client, shop, [second | {"offline_counter": 0}, first | {"offline_counter": 7}])
    assert out["rejected"] == [{"index": 0, "code": "conflicting_record"}, {"index": 1, "code": "replayed_record"}]
    assert shop.purse_fen(client) == 9900


def test_r_p7_gap_in_the_cards_offline_counter_is_flagged(client, database, kek):
    shop = make_shop(client, database)
    records = [shop.pay(100) for _ in range(4)]
    out = upload(client, shop, [records[0], records[3]])  # 1 and 2 not uploaded (yet)
    assert out["accepted"] == 2 and {"index": 1, "code": "counter_gap"} in out["flagged"]
    # A batch out of order has no gap of its own: the late ones fill the hole unflagged.
    out = upload(client, shop, [records[2], records[1]])
    assert out["accepted"] == 2 and out["flagged"] == []
    flagged = client.get(f"/api/v1/enterprises/{shop.eid}/offline-records?flagged=true", headers=shop.admin).json()
    assert flagged["total"] == 1 and flagged["items"][0]["offline_counter"] == 3
    assert "counter_gap" in flagged["items"][0]["flags"]
    assert shop.purse_fen(client) == 9600


def test_r_p7_gap_in_the_sams_serial_is_flagged(client, database, kek):
    shop = make_shop(client, database)
    first = shop.pay(100)
    shop.sam.serial += 3  # three transactions of this SAM never uploaded
    later = shop.pay(100)
    out = upload(client, shop, [first, later])
    assert out["flagged"] == [{"index": 1, "code": "serial_gap"}] and out["accepted"] == 2


def test_r_p7_record_after_blacklisting_is_accepted_and_flagged(client, database, kek, clock):
    shop = make_shop(client, database)
    before = shop.pay(100, when=WHEN)  # 11:30 Beijing; the loss is reported at 10:00 + 1h30m
    clock.advance(hours=1, minutes=45)
    r = client.post(f"/api/v1/cards/{shop.card_id}/loss", headers=shop.admin)
    assert r.status_code == 200, r.text
    after = shop.pay(200, when=WHEN + dt.timedelta(minutes=30))
    out = upload(client, shop, [before, after])
    assert out["accepted"] == 2 and out["flagged"] == [{"index": 1, "code": "after_blacklist"}]
    assert shop.purse_fen(client) == 9700 and shop.merchant_fen(database) == 300


def test_r_p7_ledger_short_record_is_kept_but_not_posted(client, database, kek):
    shop = make_shop(client, database, ledger_fen=500, card_fen=5000)
    out = upload(client, shop, [shop.pay(300), shop.pay(300)])
    assert out["accepted"] == 2 and out["flagged"] == [{"index": 1, "code": "ledger_short"}]
    assert shop.purse_fen(client) == 200 and shop.merchant_fen(database) == 300
    listed = client.get(f"/api/v1/enterprises/{shop.eid}/offline-records?flag=ledger_short",
                        headers=shop.admin).json()
    assert listed["total"] == 1 and listed["items"][0]["transfer_id"] is None


def test_r_p7_unknown_card_and_card_without_this_purse_are_rejected(client, database, kek):
    from yikatong.cardos import terminal as T

    shop = make_shop(client, database)
    # Cards washed with this enterprise's keys (their TACs verify) that the ledger does not know as
    # one of its purses: a number never issued, and a card of the enterprise holding no purse.
    access_only = make_card(database, member_id=make_member(database, enterprise_id=shop.eid), apps=("access",))
    other_no = client.get(f"/api/v1/cards/{access_only}", headers=shop.admin).json()["card_no"]
    records = [T.offline_purchase(washed_card(database, shop.eid, no, load_fen=500).transmit, shop.sam, amount=100,
                                  when=WHEN).as_upload() for no in ("1" * 16, other_no)]
    out = upload(client, shop, records + [records[0]])
    assert out["rejected"] == [{"index": 0, "code": "unknown_card"}, {"index": 1, "code": "no_application"},
                               {"index": 2, "code": "unknown_card"}]
    assert out["accepted"] == 0 and out["duplicates"] == 0
    # A forged record naming an unknown card is a forgery first.
    assert upload(client, shop, [records[0] | {"amount_fen": 1}])["rejected"] == [{"index": 0, "code": "bad_tac"}]


def test_r_p7_t2_records_of_another_enterprises_sam_are_bad_tac(client, database, kek):
    shop = make_shop(client, database)
    other_eid, _ = make_enterprise(database)
    # A card and SAM of the other enterprise, numbered like this enterprise's card.
    foreign_card = washed_card(database, other_eid, shop.card_no, load_fen=1000)
    foreign = sam_of(database, other_eid)
    from yikatong.cardos import terminal as T
    record = T.offline_purchase(foreign_card.transmit, foreign, amount=100, when=WHEN).as_upload()
    out = upload(client, shop, [record])
    assert out["rejected"] == [{"index": 0, "code": "bad_tac"}] and shop.purse_fen(client) == 10000


def test_r_p7_t2_only_a_pos_uploads(client, database, kek):
    shop = make_shop(client, database)
    door = make_terminal(client, shop.admin, shop.eid, type="door", name="东门")
    body = {"records": [shop.pay(100)]}
    r = client.post(URL, headers=door, json=body)
    assert r.status_code == 403 and r.json()["error"]["code"] == "wrong_terminal_type"
    r = client.post(URL, headers=shop.admin, json=body)
    assert r.status_code == 403 and r.json()["error"]["code"] == "terminal_only"
    assert shop.purse_fen(client) == 10000


def test_r_p7_x5_another_enterprises_list_is_404(client, database, kek):
    shop = make_shop(client, database)
    _, intruder = make_enterprise(database)
    r = client.get(f"/api/v1/enterprises/{shop.eid}/offline-records", headers=login(client, intruder))
    assert r.status_code == 404


def test_r_p7_batch_over_the_limit_is_422(client, database, kek):
    shop = make_shop(client, database)
    record = shop.pay(1)
    r = client.post(URL, headers=shop.pos, json={"records": [record] * 501})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_input"
    assert shop.purse_fen(client) == 10000


def test_r_p7_malformed_record_is_422_naming_index_and_field(client, database, kek):
    shop = make_shop(client, database)
    good = shop.pay(100)
    for bad, field in [(good | {"tac": "XYZ"}, "tac"), (good | {"terminal_serial": "1"}, "terminal_serial"),
                       (good | {"at": "yesterday"}, "at"), (good | {"amount_fen": -5}, "amount_fen"),
                       (good | {"transaction_type": "02"}, "transaction_type"), (good | {"at": "1999-01-01T00:00"}, "at")]:
        r = client.post(URL, headers=shop.pos, json={"records": [good, bad]})
        assert r.status_code == 422, r.text
        fields = [e["field"] for e in r.json()["error"]["details"]["errors"]]
        assert fields == [f"records.1.{field}"], fields
    assert shop.purse_fen(client) == 10000  # nothing of a rejected batch was posted
