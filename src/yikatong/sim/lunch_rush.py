"""``ykt sim lunch-rush``: the canteen at noon. POS terminals (one thread each, each with its own SAM)
sell to the members' cards; now and then a terminal loses its network and keeps selling offline,
then uploads what its SAM recorded; purses are topped up over the air by the admin or at the
self-service machine; the admin reports cards lost (and finds them again); terminals sync their
blacklist. Everything goes through the live server's
HTTP API, and every card through its chip (the development card store the server uses too).
At the end every terminal comes back online, uploads and syncs, and ``reconcile`` compares each
card's chip balance with its ledger balance (docs/simulator.md).

A card-present sale to a card whose purse is on its chip is a purse debit by the SAM (P7), uploaded
at once when the terminal is online, later when not; a card whose purse lives only in the ledger
(never personalised) pays online through ``POST /terminal/purchases`` and not at all offline."""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from yikatong.cardos import terminal as T
from yikatong.cardproto.apdu import CardError
from yikatong.core import clock
from yikatong.ota.channel import CardUnreachable, OtaChannel
from yikatong.sim.http import SimClient
from yikatong.sim.world import SimMember, SimPos, World

API = "/api/v1"
UPLOAD_BATCH = 500  # the API's largest batch


@dataclass
class Plan:
    """How a rush behaves: what share of the steps does what."""

    topup_share: float = 0.08
    loss_share: float = 0.02
    sync_share: float = 0.05
    network_flip_share: float = 0.03
    meal_fen: tuple[int, int] = (600, 2500)
    topup_fen: tuple[int, int] = (5000, 20000)


@dataclass
class Tally:
    """What happened, counted from every thread."""

    counts: Counter = field(default_factory=Counter)
    flagged: Counter = field(default_factory=Counter)
    rejected: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, key: str, n: int = 1) -> None:
        with self.lock:
            self.counts[key] += n


class Budget:
    """Steps left: a number of operations, a deadline, or both (whichever ends first)."""

    def __init__(self, *, operations: int | None, seconds: float | None):
        self._left = operations
        self._deadline = time.monotonic() + seconds if seconds else None
        self._lock = threading.Lock()

    def take(self) -> bool:
        if self._deadline is not None and time.monotonic() >= self._deadline:
            return False
        if self._left is None:
            return True
        with self._lock:
            if self._left <= 0:
                return False
            self._left -= 1
            return True


class Office:
    """The enterprise admin's side: over-the-air top-ups, losses and unfreezing."""

    def __init__(self, world: World, http: httpx.Client, headers: dict, tally: Tally):
        self.world, self.http, self.headers, self.tally = world, http, headers, tally
        self.lost: set[int] = set()
        self.lock = threading.Lock()
        self._keys = itertools.count(1)

    def topup(self, member: SimMember, amount: int, *, at_machine: bool) -> None:
        """Over the air by the admin, or by the member at the self-service top-up machine."""
        key = {"Idempotency-Key": f"sim-topup-{member.member_id}-{next(self._keys)}"}
        if at_machine:
            r = self.http.post(f"{API}/terminal/topups", json={"card_no": member.card_no, "amount_fen": amount},
                               headers={"Authorization": f"Bearer {self.world.topup_token}"} | key)
        else:
            r = self.http.post(f"{API}/members/{member.member_id}/topups", json={"amount_fen": amount},
                               headers=self.headers | key)
        self.tally.add("topup_ok" if r.status_code == 201 else f"topup_{_code(r)}")

    def loss_or_found(self, member: SimMember) -> None:
        with self.lock:
            found = member.card_id in self.lost
            (self.lost.discard if found else self.lost.add)(member.card_id)
        action = "unfreeze" if found else "loss"
        r = self.http.post(f"{API}/cards/{member.card_id}/{action}", json={}, headers=self.headers)
        if r.status_code != 200:
            with self.lock:  # nothing changed: undo the bookkeeping
                (self.lost.add if found else self.lost.discard)(member.card_id)
        self.tally.add(f"{action}_ok" if r.status_code == 200 else f"{action}_{_code(r)}")

    def find_all(self) -> None:
        """End of the rush: every card found again, so the books close with every card usable."""
        for card_id in sorted(self.lost):
            r = self.http.post(f"{API}/cards/{card_id}/unfreeze", json={}, headers=self.headers)
            self.tally.add("unfreeze_ok" if r.status_code == 200 else f"unfreeze_{_code(r)}")
        self.lost.clear()


class Pos:
    """One POS terminal with its SAM, its synced blacklist and the records it has not uploaded."""

    def __init__(self, spec: SimPos, http: httpx.Client, channel: OtaChannel, tally: Tally):
        self.spec, self.http, self.channel, self.tally = spec, http, channel, tally
        self.headers = {"Authorization": f"Bearer {spec.token}"}
        self.blacklist: set[str] = set()
        self.blacklist_version = 0
        self.pending: list[dict] = []
        self.online = True
        self._keys = itertools.count(1)

    def sync(self) -> None:
        r = self.http.get(f"{API}/terminal/sync", params={"blacklist_version": self.blacklist_version},
                          headers=self.headers)
        if r.status_code != 200:
            self.tally.add(f"sync_{_code(r)}")
            return
        delta = r.json()["blacklist"]
        self.blacklist |= set(delta["added"])
        self.blacklist -= set(delta["removed"])
        self.blacklist_version = delta["version"]
        self.tally.add("sync_ok")

    def upload(self) -> None:
        while self.pending:
            batch = self.pending[:UPLOAD_BATCH]
            r = self.http.post(f"{API}/terminal/offline-records", json={"records": batch}, headers=self.headers)
            if r.status_code != 200:
                self.tally.add(f"upload_{_code(r)}")
                return  # kept: the next upload sends them again
            out = r.json()
            del self.pending[:len(batch)]
            with self.tally.lock:
                self.tally.counts["upload_batches"] += 1
                self.tally.counts["records_accepted"] += out["accepted"]
                self.tally.counts["records_duplicate"] += out["duplicates"]
                self.tally.rejected.update(x["code"] for x in out["rejected"])
                self.tally.flagged.update(x["code"] for x in out["flagged"])

    def sell(self, member: SimMember, amount: int) -> None:
        if member.chip:
            self._sell_from_chip(member, amount)
        elif self.online:
            r = self.http.post(f"{API}/terminal/purchases", json={"card_no": member.card_no, "amount_fen": amount},
                               headers=self.headers | {"Idempotency-Key": f"sim-{self.spec.number}-{next(self._keys)}"})
            self.tally.add("sale_account_ok" if r.status_code == 201 else f"sale_account_{_code(r)}")
        else:
            self.tally.add("sale_account_no_network")  # a ledger-only purse cannot pay offline

    def _sell_from_chip(self, member: SimMember, amount: int) -> None:
        if member.card_no in self.blacklist:
            self.tally.add("sale_refused_blacklisted")
            return
        when = clock.local(clock.now()).replace(tzinfo=None, microsecond=0)  # the SAM keeps Beijing time
        try:
            with self.channel.session(member.card_no) as card:
                record = T.offline_purchase(card, self.spec.sam, amount=amount, when=when)
        except CardError as exc:
            self.tally.add(f"sale_card_{exc.sw:04X}")  # 9401: not enough on the card
            return
        except T.Mac2Mismatch as exc:  # the card did pay: its record goes up all the same
            record = exc.record
            self.tally.add("sale_mac2_mismatch")
        except CardUnreachable:
            self.tally.add("sale_card_unreachable")
            return
        self.pending.append(record.as_upload(member.card_no))
        if self.online:
            self.tally.add("sale_chip_online")
            self.upload()
        else:
            self.tally.add("sale_chip_offline")

    def flip_network(self) -> None:
        self.online = not self.online
        self.tally.add("network_back" if self.online else "network_lost")
        if self.online:
            self.sync()
            self.upload()


def _code(r: httpx.Response) -> str:
    """The API's error code (API.md: ``{"error": {"code", ...}}``), else the status."""
    try:
        return str(r.json()["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return str(r.status_code)


def run(world: World, *, base_url: str, channel: OtaChannel, admin_token: str, seconds: float | None,
        operations: int | None, rng: random.Random, plan: Plan | None = None,
        step: Callable[[], None] = lambda: None) -> Tally:
    """The rush: one thread per POS until the budget is spent, then the closing round (every
    terminal online, uploaded, synced; every lost card found). ``step`` is called after each step."""
    plan, tally = plan or Plan(), Tally()
    budget = Budget(operations=operations, seconds=seconds)
    seeds = [rng.randrange(2**32) for _ in world.pos]
    admin = {"Authorization": f"Bearer {admin_token}"}
    with SimClient(base_url) as office_http:
        office = Office(world, office_http, admin, tally)
        errors: list[BaseException] = []

        def work(spec: SimPos, seed: int) -> None:
            local = random.Random(seed)
            try:
                with SimClient(base_url) as http:
                    pos = Pos(spec, http, channel, tally)
                    pos.sync()
                    while budget.take():
                        _step(pos, office, world, plan, local)
                        step()
                    pos.online = True
                    pos.sync()
                    pos.upload()
            except BaseException as exc:  # reported after the join, not lost in a thread
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(spec, seed), name=f"pos-{spec.number}", daemon=True)
                   for spec, seed in zip(world.pos, seeds, strict=True)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]
        office.find_all()
    return tally


def _step(pos: Pos, office: Office, world: World, plan: Plan, rng: random.Random) -> None:
    member = rng.choice(world.members)
    roll = rng.random()
    if roll < plan.topup_share:
        office.topup(member, rng.randrange(*plan.topup_fen, 100), at_machine=rng.random() < 0.5)
    elif roll < plan.topup_share + plan.loss_share:
        office.loss_or_found(member)
    elif roll < plan.topup_share + plan.loss_share + plan.sync_share:
        if pos.online:
            pos.sync()
    elif roll < plan.topup_share + plan.loss_share + plan.sync_share + plan.network_flip_share:
        pos.flip_network()
    else:
        pos.sell(member, rng.randrange(*plan.meal_fen, 50))
