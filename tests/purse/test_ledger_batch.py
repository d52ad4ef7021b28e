"""P8 for a batch (P7's offline uploads): ``ledger.move_many`` posts many transfers into one account
with three statements, under the same rules as one ``ledger.move`` at a time."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from factories import make_card, make_enterprise, make_member
from yikatong.core.actor import SYSTEM
from yikatong.core.errors import InvalidInput
from yikatong.purse import ledger
from yikatong.purse import service as purse
from yikatong.purse.models import Account, AccountKind, Transfer, TransferKind


def _purses(database, count: int, topup_fen: int) -> tuple[int, list[int], int]:
    eid, _ = make_enterprise(database)
    members = [make_member(database, enterprise_id=eid) for _ in range(count)]
    for m in members:
        make_card(database, member_id=m, apps=("purse",))
    with database.write() as s:
        for m in members:
            purse.topup_member(s, actor=SYSTEM, member_id=m, amount_fen=topup_fen)
        ids = sorted(s.scalars(select(Account.id).where(Account.enterprise_id == eid,
                                                       Account.kind == AccountKind.purse.value)))
        merchant = ledger.account_id(s, enterprise_id=eid, kind=AccountKind.merchant, owner_id=0)
    return eid, ids, merchant


def test_r_p8_a_batch_posts_what_each_purse_covers_in_order_and_balances(database):
    eid, (a, b), merchant = _purses(database, 2, 1_000)
    debits = [(a, 600, "r1"), (b, 300, "r2"), (a, 500, "r3"), (a, 400, "r4"), (b, 700, "r5")]
    with database.write() as s:
        ids = ledger.move_many(s, actor=SYSTEM, enterprise_id=eid, kind=TransferKind.purchase, credit_id=merchant,
                               debits=debits)
    # a: 1000 − 600 = 400; 500 does not fit (nothing moved), 400 does; b: 300 then 700 exactly.
    assert [i is not None for i in ids] == [True, True, False, True, True]
    with database.read() as s:
        balances = dict(s.execute(select(Account.id, Account.balance_fen).where(Account.id.in_([a, b, merchant]))).all())
        transfers = s.execute(select(Transfer.id, Transfer.debit_account_id, Transfer.amount_fen, Transfer.reference,
                                     Transfer.debit_balance_after_fen, Transfer.credit_balance_after_fen)
                              .where(Transfer.id.in_([i for i in ids if i])).order_by(Transfer.id)).all()
        assert ledger.total_of_all_balances(s) == 0
    assert balances == {a: 0, b: 0, merchant: 2_000}
    assert [t.id for t in transfers] == [i for i in ids if i]  # ids in the order of the debits
    assert [(t.debit_account_id, t.amount_fen, t.reference) for t in transfers] == [
        (a, 600, "r1"), (b, 300, "r2"), (a, 400, "r4"), (b, 700, "r5")]
    # Each transfer's balance-after figures are the running balances of its two accounts.
    assert [t.debit_balance_after_fen for t in transfers] == [400, 700, 0, 0]
    assert [t.credit_balance_after_fen for t in transfers] == [600, 900, 1_300, 2_000]


def test_r_p8_a_batch_refuses_bad_amounts_and_changes_nothing(database):
    eid, (a,), merchant = _purses(database, 1, 1_000)
    for bad in (0, -5, 1.5, True, ledger.MAX_AMOUNT_FEN + 1):
        with pytest.raises(InvalidInput), database.write() as s:
            ledger.move_many(s, actor=SYSTEM, enterprise_id=eid, kind=TransferKind.purchase, credit_id=merchant,
                             debits=[(a, 100, "ok"), (a, bad, "bad")])
    with pytest.raises(InvalidInput), database.write() as s:
        ledger.move_many(s, actor=SYSTEM, enterprise_id=eid, kind=TransferKind.purchase, credit_id=merchant,
                         debits=[(merchant, 100, "self")])
    with pytest.raises(InvalidInput) as refused, database.write() as s:
        ledger.move_many(s, actor=SYSTEM, enterprise_id=eid, kind=TransferKind.purchase, credit_id=merchant,
                         debits=[(a, 100, "same"), (a, 200, "same")])
    assert refused.value.code == "duplicate_reference"
    with database.read() as s:
        assert ledger.balance(s, account_id=a) == 1_000
        assert s.scalar(select(Transfer.id).where(Transfer.kind == TransferKind.purchase.value,
                                                  Transfer.enterprise_id == eid)) is None


def test_r_p8_a_batch_nobody_can_cover_moves_nothing(database):
    eid, (a,), merchant = _purses(database, 1, 100)
    with database.write() as s:
        assert ledger.move_many(s, actor=SYSTEM, enterprise_id=eid, kind=TransferKind.purchase, credit_id=merchant,
                                debits=[(a, 101, "x"), (a, 500, "y")]) == [None, None]
        assert ledger.move_many(s, actor=SYSTEM, enterprise_id=eid, kind=TransferKind.purchase, credit_id=merchant,
                                debits=[]) == []
    with database.read() as s:
        assert ledger.balance(s, account_id=a) == 100
        assert ledger.balance(s, account_id=merchant) == 0
