"""The simulator's use cases: build the world, run the rush, reconcile (docs/simulator.md)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from yikatong.cardos import terminal as T
from yikatong.db import Database
from yikatong.ota.channel import CardUnreachable, OtaChannel
from yikatong.purse import ledger
from yikatong.sim import lunch_rush, world as sim_world
from yikatong.sim.http import SimClient
from yikatong.sim.lunch_rush import API, Tally
from yikatong.sim.world import World


@dataclass
class Mismatch:
    member_id: int
    card_no: str
    chip_fen: int | None
    ledger_fen: int


@dataclass
class Reconciliation:
    """Card balances against ledger balances, card by card, and the ledger against itself (P8)."""

    cards_on_chip: int = 0
    cards_account_only: int = 0
    chip_total_fen: int = 0
    ledger_total_fen: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    sum_of_all_balances_fen: int = 0

    @property
    def ok(self) -> bool:
        return not self.mismatches and not self.unreadable and self.sum_of_all_balances_fen == 0


@dataclass
class RushResult:
    world: World
    tally: Tally
    seconds: float
    reconciliation: Reconciliation


def reconcile(world: World, *, base_url: str, admin_token: str, channel: OtaChannel,
              database: Database) -> Reconciliation:
    """Each card's chip purse (GET BALANCE through the card) against its ledger purse (the API),
    after every terminal has uploaded; and the sum of every balance of the platform, which is 0."""
    out = Reconciliation()
    headers = {"Authorization": f"Bearer {admin_token}"}
    with SimClient(base_url) as http:
        for m in world.members:
            r = http.get(f"{API}/members/{m.member_id}/purse", headers=headers, params={"limit": 1})
            r.raise_for_status()
            ledger_fen = r.json()["balance_fen"]
            out.ledger_total_fen += ledger_fen
            if not m.chip:
                out.cards_account_only += 1
                continue
            out.cards_on_chip += 1
            try:
                with channel.session(m.card_no) as card:
                    chip_fen = T.get_balance(card)
            except CardUnreachable:
                out.unreadable.append(m.card_no)
                continue
            out.chip_total_fen += chip_fen
            if chip_fen != ledger_fen:
                out.mismatches.append(Mismatch(m.member_id, m.card_no, chip_fen, ledger_fen))
    with database.read() as s:
        out.sum_of_all_balances_fen = ledger.total_of_all_balances(s)
    return out


def simulate_lunch_rush(database: Database, *, base_url: str, channel: OtaChannel, members: int, pos: int,
                        minutes: float | None, operations: int | None = None, seed: int | None = None,
                        account_only_share: float = 0.1, opening_topup_fen: int = 20_000,
                        plan: lunch_rush.Plan | None = None, on_member: Callable[[], None] | None = None,
                        step: Callable[[], None] = lambda: None) -> RushResult:
    """Build a fresh enterprise, top every purse up before noon, run the rush for ``minutes`` (or
    ``operations`` steps, whichever ends first) and reconcile."""
    rng = random.Random(seed)
    world = sim_world.build(database, members=members, pos=pos, account_only_share=account_only_share, rng=rng,
                            on_member=on_member)
    with SimClient(base_url) as http:
        r = http.post(f"{API}/auth/token", json={"username": world.admin_username, "password": world.admin_password})
        r.raise_for_status()
        token = r.json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        for m in world.members:  # the morning's top-ups: every purse starts with money on card and ledger
            r = http.post(f"{API}/members/{m.member_id}/topups", json={"amount_fen": opening_topup_fen},
                          headers=headers | {"Idempotency-Key": f"sim-opening-{world.enterprise_id}-{m.member_id}"})
            r.raise_for_status()
    started = time.monotonic()
    tally = lunch_rush.run(world, base_url=base_url, channel=channel, admin_token=token,
                           seconds=minutes * 60 if minutes else None, operations=operations, rng=rng, plan=plan,
                           step=step)
    seconds = time.monotonic() - started
    return RushResult(world, tally, seconds, reconcile(world, base_url=base_url, admin_token=token, channel=channel,
                                                       database=database))


_REPORTED = {"sale_chip_online", "sale_chip_offline", "sale_account_ok", "sale_card_9401",
             "sale_account_insufficient_funds", "sale_refused_blacklisted", "sale_account_card_lost", "topup_ok",
             "loss_ok", "unfreeze_ok", "sync_ok", "network_lost", "network_back", "upload_batches",
             "records_accepted", "records_duplicate"}


def report_lines(result: RushResult) -> list[str]:
    """The closing report, Chinese first."""
    c, rec = result.tally.counts, result.reconciliation
    sales = sum(v for k, v in c.items() if k.startswith("sale_"))
    lines = [
        f"企业 {result.world.enterprise_name}（id {result.world.enterprise_id}）：{len(result.world.members)} 名成员，"
        f"{len(result.world.pos)} 台 POS，用时 {result.seconds:.1f} 秒",
        f"刷卡 sales: {sales}（芯片在线 {c['sale_chip_online']}，芯片离线 {c['sale_chip_offline']}，"
        f"账户在线 {c['sale_account_ok']}，余额不足 {c['sale_card_9401'] + c['sale_account_insufficient_funds']}，"
        f"黑名单拒绝 {c['sale_refused_blacklisted'] + c['sale_account_card_lost']}）",
        f"充值 top-ups: {c['topup_ok']} 成功，挂失 {c['loss_ok']}，解挂 {c['unfreeze_ok']}，同步 {c['sync_ok']}，"
        f"断网 {c['network_lost']} 次",
        f"上传 uploads: {c['upload_batches']} 批，接收 {c['records_accepted']} 条，重复 {c['records_duplicate']} 条，"
        f"拒绝 {dict(result.tally.rejected) or 0}，标记 {dict(result.tally.flagged) or 0}",
        f"对账 reconciliation: 芯片卡 {rec.cards_on_chip} 张，卡内合计 {rec.chip_total_fen / 100:.2f} 元；"
        f"账户卡 {rec.cards_account_only} 张；账本合计 {rec.ledger_total_fen / 100:.2f} 元；"
        f"全平台余额之和 {rec.sum_of_all_balances_fen} 分",
    ]
    others = {k: v for k, v in sorted(c.items()) if k not in _REPORTED}
    if others:
        lines.append(f"其他结果 other outcomes: {others}")
    for m in rec.mismatches[:10]:
        lines.append(f"  不一致 mismatch: 成员 {m.member_id} 卡 {m.card_no} 卡内 {m.chip_fen} 分，账本 {m.ledger_fen} 分")
    if rec.unreadable:
        lines.append(f"  读不到的卡 unreadable: {', '.join(rec.unreadable[:10])}")
    lines.append("结论：卡内余额与账本一致 card balances = ledger balances" if rec.ok
                 else f"结论：对账不一致 NOT reconciled（{len(rec.mismatches)} 张卡不一致）")
    return lines
