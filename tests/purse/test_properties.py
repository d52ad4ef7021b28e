"""P8 as properties, with P1, P3, P4, P5, C7 and C9: hypothesis drives random sequences of over-the-air
and terminal top-ups, purchases at several POS terminals, undos, expiries and their reversals, card
replacements and cancellations, and repeats of earlier requests with the same Idempotency-Key —
all through the HTTP API, as admins and terminals call it — and after every step checks the ledger
against itself and against a model of what each request should have done:

(a) the sum of all account balances is 0, and the purses of the enterprise hold exactly what the
    succeeded requests put in and took out (top-ups − purchases + undos − expiries + expiry
    reversals − refunds), which is also what the transfers of those kinds say;
(b) no purse, merchant or expired-balance account (nor any other that must not) is negative;
(c) a repeated request changes nothing and answers with the first response; the same key with
    another body is refused;
(d) every balance equals its credits minus its debits, and every transfer's balance-after figures
    equal the running sums of its accounts;
and every member's purse holds what the model says, while a closed purse (of a replaced or
cancelled card) holds nothing.

One enterprise, admin and set of terminals per test (their passwords cost an argon2 hash each);
every example gets fresh members and cards, fresh tokens, its own purse settings and POS terminals
whose last sale cannot be undone any more, so that examples do not depend on each other."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule, run_state_machine_as_test
from sqlalchemy import text

from factories import login, make_card, make_enterprise, make_member, make_terminal
from yikatong.auth import service as auth
from yikatong.core.actor import SYSTEM
from yikatong.purse import ledger
from yikatong.purse import service as purse

API = "/api/v1"
POS_TERMINALS = 2
MEMBERS = 3
_keys = itertools.count(1)

amounts = st.integers(min_value=1, max_value=5_000)
shares = st.integers(min_value=1, max_value=120)  # a sale's amount: per cent of the balance (over 100: too much)
old_card = st.sampled_from([False, False, False, True])  # now and then the card a replacement superseded


@dataclass
class World:
    """What every example of one test shares: the database, the HTTP client and one enterprise
    with its admin, POS terminals (each its own merchant) and a top-up terminal."""

    database: object
    client: object
    clock: object
    eid: int
    admin_username: str
    pos: list[dict[str, str]]
    topup: dict[str, str]
    started_at: dt.datetime
    admin_headers: dict[str, str] = field(default_factory=dict)
    admin_issued_at: dt.datetime | None = None

    def admin(self) -> dict[str, str]:
        """The admin's headers: a new token (as a login issues one) unless the last was issued within
        the hour before the clock's now (the clock jumps forward, and back at each example)."""
        now = self.clock.now()
        if self.admin_issued_at is None or not self.admin_issued_at <= now < self.admin_issued_at + dt.timedelta(hours=1):
            with self.database.write() as s:
                token = auth.issue_token(s, user=auth.find_user(s, username=self.admin_username))
            self.admin_headers = {"Authorization": f"Bearer {token}"}
            self.admin_issued_at = now
        return self.admin_headers

    def scalar(self, sql: str, **params):
        with self.database.read() as s:
            return s.execute(text(sql), params).scalar()

    def rows(self, sql: str, **params) -> list:
        with self.database.read() as s:
            return list(s.execute(text(sql), params).all())


def make_world(database, client, clock) -> World:
    eid, admin_username = make_enterprise(database)
    headers = login(client, admin_username)
    pos = [make_terminal(client, headers, eid, name=f"{n + 1}号窗口", merchant=f"第{n + 1}食堂")
           for n in range(POS_TERMINALS)]
    topup = make_terminal(client, headers, eid, type="topup", name="充值机")
    return World(database, client, clock, eid, admin_username, pos, topup, started_at=clock.now())


@dataclass
class Member:
    id: int
    card_id: int
    card_no: str
    has_purse: bool
    balance: int = 0
    expires_at: dt.datetime | None = None
    alive: bool = True  # False once the card is cancelled: the member then has no card
    old_card_nos: list[str] = field(default_factory=list)


@dataclass
class Sale:
    member: int
    card_no: str
    amount: int
    transfer_id: int
    undone: bool = False


@dataclass
class Expiry:
    transfer_id: int
    member: int
    card_no: str
    amount: int
    reversed: bool = False


@dataclass
class Sent:
    """A request that succeeded, to be sent again by the same caller with the same key."""

    path: str
    body: dict
    caller: dict[str, str] | None  # a terminal's credential; None: the admin (whose token is renewed)
    key: str
    status: int
    answer: dict


def ledger_machine(world: World) -> type[RuleBasedStateMachine]:
    class Ledger(RuleBasedStateMachine):
        @initialize(validity=st.one_of(st.none(), st.integers(1, 10), st.integers(11, 60)),
                    bill_mode=st.sampled_from(["per_transaction", "daily_digest", "none"]),
                    last_has_purse=st.booleans())
        def start(self, validity, bill_mode, last_has_purse):
            self.validity = validity
            # Each example starts at the same moment and moves on at most 30 × 60 days, so the
            # terminals' ten-year credentials outlive every example.
            world.clock.set(world.started_at)
            with world.database.write() as s:
                purse.set_settings(s, actor=SYSTEM, enterprise_id=world.eid, validity_days=validity,
                                   expiry_rule="to_enterprise", bill_mode=bill_mode)
            self.sent: list[Sent] = []
            # A sale of an earlier example may still be undoable: undo it now, so that every POS
            # starts with nothing this example could undo.
            for pos in world.pos:
                self.post("/terminal/purchases/undo-last", pos, {}, remember=False)
            self.members = []
            for has_purse in [True] * (MEMBERS - 1) + [last_has_purse]:
                mid = make_member(world.database, enterprise_id=world.eid)
                card_id = make_card(world.database, member_id=mid, apps=("purse",) if has_purse else ("access",))
                card_no = world.client.get(f"{API}/cards/{card_id}", headers=world.admin()).json()["card_no"]
                self.members.append(Member(mid, card_id, card_no, has_purse))
            self.sales: dict[int, Sale | None] = {n: None for n in range(POS_TERMINALS)}
            self.expiries: list[Expiry] = []
            self.purses_at_start = self.purse_total()
            self.expected_change = 0

        # --- helpers ---------------------------------------------------------------------------

        def post(self, path: str, caller: dict[str, str] | None, body: dict, *, key: str | None = None,
                 remember: bool = True):
            """POST as a terminal (its credential) or as the admin (None) with an Idempotency-Key."""
            key = key or f"prop-{next(_keys)}"
            headers = (caller or world.admin()) | {"Idempotency-Key": key}
            r = world.client.post(API + path, headers=headers, json=body)
            if remember and r.status_code < 300:
                self.sent.append(Sent(path, body, caller, key, r.status_code, r.json()))
            return r

        def purse_total(self) -> int:
            return world.scalar("SELECT COALESCE(SUM(balance_fen), 0) FROM accounts WHERE kind = 'purse' "
                                "AND enterprise_id = :e", e=world.eid)

        def usable(self, m: Member, card_no: str) -> bool:
            return m.alive and m.has_purse and card_no == m.card_no

        def expired(self, m: Member) -> bool:
            return m.expires_at is not None and m.expires_at <= world.clock.now()

        def topped_up(self, r, m: Member, amount: int) -> None:
            assert r.status_code == 201, r.text
            m.balance += amount
            if self.validity:
                m.expires_at = world.clock.now() + dt.timedelta(days=self.validity)
            self.expected_change += amount
            assert r.json()["balance_fen"] == m.balance

        @staticmethod
        def refused(r, *codes: str) -> None:
            assert r.status_code == 409 and (not codes or r.json()["error"]["code"] in codes), r.text

        def card_of(self, m: Member, old: bool) -> str:
            return m.old_card_nos[-1] if old and m.old_card_nos else m.card_no

        # --- P1 top-ups ------------------------------------------------------------------------

        @rule(n=st.integers(0, MEMBERS - 1), amount=amounts)
        def topup_over_the_air(self, n, amount):
            m = self.members[n]
            r = self.post(f"/members/{m.id}/topups", None, {"amount_fen": amount})
            if m.alive and m.has_purse:
                self.topped_up(r, m, amount)
            else:
                self.refused(r, "no_application" if m.alive else "no_card")

        @rule(n=st.integers(0, MEMBERS - 1), amount=amounts, old=old_card)
        def topup_at_terminal(self, n, amount, old):
            m = self.members[n]
            card_no = self.card_of(m, old)
            r = self.post("/terminal/topups", world.topup, {"card_no": card_no, "amount_fen": amount})
            if self.usable(m, card_no):
                self.topped_up(r, m, amount)
            else:
                self.refused(r, "card_inactive", "no_application")

        # --- P3 purchases, P4 undo -------------------------------------------------------------

        @rule(pos=st.integers(0, POS_TERMINALS - 1), n=st.integers(0, MEMBERS - 1), share=shares)
        def purchase(self, pos, n, share):
            self.sell(pos, n, share, self.members[n].card_no)

        @precondition(lambda self: any(m.old_card_nos for m in self.members))
        @rule(pos=st.integers(0, POS_TERMINALS - 1), n=st.integers(0, MEMBERS - 1), share=shares)
        def purchase_with_a_superseded_card(self, pos, n, share):
            self.sell(pos, n, share, self.card_of(self.members[n], old=True))

        def sell(self, pos: int, n: int, share: int, card_no: str) -> None:
            m = self.members[n]
            amount = max(1, m.balance * share // 100) if m.balance else share
            r = self.post("/terminal/purchases", world.pos[pos], {"card_no": card_no, "amount_fen": amount})
            if not self.usable(m, card_no):
                self.refused(r, "card_inactive", "no_application")
            elif self.expired(m):
                self.refused(r, "balance_expired")
            elif m.balance < amount:
                self.refused(r, "insufficient_funds")
            else:
                assert r.status_code == 201, r.text
                m.balance -= amount
                self.expected_change -= amount
                assert r.json()["balance_fen"] == m.balance and r.json()["amount_fen"] == amount
                self.sales[pos] = Sale(n, card_no, amount, r.json()["transfer_id"])

        @rule(pos=st.integers(0, POS_TERMINALS - 1))
        def undo_last(self, pos):
            sale = self.sales[pos]
            r = self.post("/terminal/purchases/undo-last", world.pos[pos], {})
            if sale is None or sale.undone:
                self.refused(r)
                return
            m = self.members[sale.member]
            if not self.usable(m, sale.card_no):
                # The purse of that sale was carried over or refunded with its card: it is closed.
                self.refused(r, "purse_closed")
                return
            assert r.status_code == 201, r.text
            assert r.json()["reversed_transfer_id"] == sale.transfer_id and r.json()["amount_fen"] == sale.amount
            sale.undone = True
            m.balance += sale.amount
            self.expected_change += sale.amount
            assert r.json()["balance_fen"] == m.balance

        # --- P5 expiry and its reversal ------------------------------------------------------

        @rule(days=st.integers(1, 45))
        def time_passes_and_balances_expire(self, days):
            world.clock.advance(days=days)
            self.run_the_expiry_job()

        def expiring(self) -> list[int]:
            return [n for n, m in enumerate(self.members) if m.balance > 0 and m.expires_at is not None]

        @precondition(lambda self: self.expiring())
        @rule(i=st.integers(0, MEMBERS - 1), hours=st.integers(0, 48))
        def a_validity_runs_out(self, i, hours):
            m = self.members[self.expiring()[i % len(self.expiring())]]
            world.clock.set(max(world.clock.now(), m.expires_at + dt.timedelta(hours=hours)))
            self.run_the_expiry_job()

        def run_the_expiry_job(self) -> None:
            due = [n for n, m in enumerate(self.members) if m.balance > 0 and self.expired(m)]
            r = world.client.post(f"{API}/enterprises/{world.eid}/purse/expire", headers=world.admin())
            assert r.status_code == 200, r.text
            # Purses of earlier examples may expire too; ours are known to the fen.
            assert r.json()["amount_fen"] >= sum(self.members[n].balance for n in due)
            self.expected_change -= r.json()["amount_fen"]
            for n in due:
                m = self.members[n]
                latest = world.client.get(f"{API}/members/{m.id}/purse", headers=world.admin()).json()["transactions"][0]
                assert latest["kind"] == "expiry" and latest["amount_fen"] == -m.balance, latest
                self.expiries.append(Expiry(latest["id"], n, m.card_no, m.balance))
                m.balance = 0

        @precondition(lambda self: self.expiries)
        @rule(i=st.integers(0, 50))
        def give_expired_balance_back(self, i):
            e = self.expiries[i % len(self.expiries)]
            m = self.members[e.member]
            r = self.post(f"/transfers/{e.transfer_id}/reverse-expiry", None, {})
            if e.reversed:
                self.refused(r, "already_reversed")
            elif not self.usable(m, e.card_no):
                self.refused(r, "purse_closed")
            else:
                assert r.status_code == 201, r.text
                e.reversed = True
                m.balance += e.amount
                m.expires_at = world.clock.now() + dt.timedelta(days=30)
                self.expected_change += e.amount
                assert r.json()["balance_fen"] == m.balance

        # --- C7 replacement, C9 cancellation ----------------------------------------------------

        @rule(n=st.integers(0, MEMBERS - 1), readable=st.booleans())
        def replace_card(self, n, readable):
            m = self.members[n]
            r = self.post(f"/cards/{m.card_id}/replace", None, {"kind": "rfid_sim", "old_card_readable": readable})
            if not m.alive:
                self.refused(r)
                return
            assert r.status_code == 201, r.text
            m.old_card_nos.append(m.card_no)
            m.card_id, m.card_no = r.json()["id"], r.json()["card_no"]
            if m.balance == 0:
                m.expires_at = None  # a new, empty purse; a balance moves over with its validity date

        @precondition(lambda self: sum(m.alive for m in self.members) > 1)  # keep someone to sell to
        @rule(n=st.integers(0, MEMBERS - 1), refund=st.sampled_from(["cash", "transfer"]))
        def cancel_card(self, n, refund):
            m = self.members[n]
            r = self.post(f"/cards/{m.card_id}/cancel", None, {"refund": refund})
            if not m.alive:
                self.refused(r)
                return
            assert r.status_code == 200 and r.json()["refunded_fen"] == m.balance, r.text
            self.expected_change -= m.balance
            m.balance, m.alive = 0, False

        # --- (c) repeats ----------------------------------------------------------------------

        def snapshot(self) -> tuple:
            return (world.rows("SELECT id, balance_fen FROM accounts ORDER BY id"),
                    world.scalar("SELECT COUNT(*) FROM transfers"))

        @precondition(lambda self: self.sent)
        @rule(i=st.integers(0, 1_000))
        def repeat_a_request(self, i):
            earlier = self.sent[i % len(self.sent)]
            before = self.snapshot()
            r = self.post(earlier.path, earlier.caller, earlier.body, key=earlier.key, remember=False)
            assert r.status_code == earlier.status and r.json() == earlier.answer, r.text
            assert r.headers.get("Idempotent-Replayed") == "true"
            assert self.snapshot() == before

        @precondition(lambda self: self.sent)
        @rule(i=st.integers(0, 1_000))
        def reuse_a_key_for_another_request(self, i):
            earlier = self.sent[i % len(self.sent)]
            before = self.snapshot()
            other = earlier.body | {"amount_fen": earlier.body.get("amount_fen", 0) + 1}
            r = self.post(earlier.path, earlier.caller, other, key=earlier.key, remember=False)
            assert r.status_code == 422 and r.json()["error"]["code"] == "idempotency_key_reused", r.text
            assert self.snapshot() == before

        # --- after every step ---------------------------------------------------------------

        @invariant()
        def money_is_neither_created_nor_lost(self):  # (a)
            with world.database.read() as s:
                assert ledger.total_of_all_balances(s) == 0
            purses = self.purse_total()
            assert purses == self.purses_at_start + self.expected_change
            by_kind = dict(world.rows("SELECT kind, SUM(amount_fen) FROM transfers WHERE enterprise_id = :e "
                                      "GROUP BY kind", e=world.eid))
            recorded = (by_kind.get("topup", 0) - by_kind.get("purchase", 0) + by_kind.get("undo", 0)
                        - by_kind.get("expiry", 0) + by_kind.get("expiry_reversal", 0) - by_kind.get("refund", 0))
            assert purses == recorded, by_kind

        @invariant()
        def no_guarded_balance_is_negative(self):  # (b)
            assert world.rows("SELECT id, kind, balance_fen FROM accounts WHERE balance_fen < 0 "
                              "AND (NOT allow_negative OR kind IN ('purse', 'merchant', 'expired'))") == []

        @invariant()
        def balances_are_the_sums_of_their_transfers(self):  # (d)
            assert world.rows("""
                SELECT a.id, a.balance_fen, COALESCE(c.fen, 0) - COALESCE(d.fen, 0) FROM accounts a
                LEFT JOIN (SELECT credit_account_id AS id, SUM(amount_fen) AS fen FROM transfers
                           GROUP BY credit_account_id) c ON c.id = a.id
                LEFT JOIN (SELECT debit_account_id AS id, SUM(amount_fen) AS fen FROM transfers
                           GROUP BY debit_account_id) d ON d.id = a.id
                WHERE a.balance_fen != COALESCE(c.fen, 0) - COALESCE(d.fen, 0)""") == []
            assert world.rows("""
                WITH legs AS (
                    SELECT id, debit_account_id AS account_id, -amount_fen AS delta, debit_balance_after_fen AS after
                    FROM transfers
                    UNION ALL
                    SELECT id, credit_account_id, amount_fen, credit_balance_after_fen FROM transfers)
                SELECT id, account_id, after, running FROM (
                    SELECT id, account_id, after, SUM(delta) OVER (PARTITION BY account_id ORDER BY id) AS running
                    FROM legs) steps
                WHERE after != running""") == []

        @invariant()
        def every_purse_holds_what_it_should(self):
            for m in self.members:
                held = world.scalar("""
                    SELECT COALESCE(SUM(a.balance_fen), 0) FROM accounts a
                    JOIN card_applications ca ON ca.id = a.owner_id AND a.kind = 'purse'
                    JOIN cards c ON c.id = ca.card_id
                    WHERE c.card_no = :no AND ca.status = 'active' AND a.enterprise_id = :e""",
                                    no=m.card_no, e=world.eid)
                assert held == (m.balance if m.alive else 0), (m, held)
                # A purse whose card was replaced or cancelled is closed: it holds nothing.
                for old in m.old_card_nos + ([] if m.alive else [m.card_no]):
                    assert world.scalar("""
                        SELECT COALESCE(SUM(a.balance_fen), 0) FROM accounts a
                        JOIN card_applications ca ON ca.id = a.owner_id AND a.kind = 'purse'
                        JOIN cards c ON c.id = ca.card_id WHERE c.card_no = :no""", no=old) == 0, (m, old)

    return Ledger


def test_r_p8_r_p4_r_p5_r_c7_r_c9_ledger_properties_over_random_operations(database, client, clock):
    world = make_world(database, client, clock)
    # No shrinking: examples share one database, so a failure is best read as it was generated.
    run_state_machine_as_test(ledger_machine(world), settings=settings(
        max_examples=60, stateful_step_count=30, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))


def test_r_p8_amounts_that_are_not_whole_positive_fen_move_nothing(database, client, clock):
    """Whatever a client sends as an amount, either it is a whole number of fen in range and moves
    exactly that, or it is refused with 422 and moves nothing."""
    eid, admin = make_enterprise(database)
    headers = login(client, admin)
    pos = make_terminal(client, headers, eid)
    mid = make_member(database, enterprise_id=eid)
    card_id = make_card(database, member_id=mid, apps=("purse",))
    card_no = client.get(f"{API}/cards/{card_id}", headers=headers).json()["card_no"]
    assert client.post(f"{API}/members/{mid}/topups", headers=headers, json={"amount_fen": 1_000_000}).status_code == 201

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(amount=st.one_of(st.integers(min_value=-10, max_value=ledger.MAX_AMOUNT_FEN + 10),
                            st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=5),
                            st.booleans(), st.none(), st.just(10 ** 30)))
    def check(amount):
        before = client.get(f"{API}/members/{mid}/purse", headers=headers).json()["balance_fen"]
        r = client.post(f"{API}/terminal/purchases", headers=pos | {"Idempotency-Key": f"amt-{next(_keys)}"},
                        json={"card_no": card_no, "amount_fen": amount})
        after = client.get(f"{API}/members/{mid}/purse", headers=headers).json()["balance_fen"]
        with database.read() as s:
            assert ledger.total_of_all_balances(s) == 0
        if type(amount) is int and 0 < amount <= ledger.MAX_AMOUNT_FEN:
            if amount <= before:
                assert r.status_code == 201 and after == before - amount, r.text
            else:
                assert r.status_code == 409 and after == before, r.text
        else:
            assert r.status_code == 422 and after == before, r.text

    check()
