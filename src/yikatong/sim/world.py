"""The simulated enterprise of a run: built through the services on the platform's own database,
as an operator's issuing desk would — members with cards washed over the air, POS terminals with
SAMs personalised by the key service (a key-injection step that only runs on the platform host, so
the simulator runs there too) — and then driven only through the live server's HTTP API."""

from __future__ import annotations

import dataclasses
import random
import secrets
from dataclasses import dataclass, field

from yikatong.cardos import SamKey, VirtualSAM
from yikatong.cards import flows as card_flows
from yikatong.cards import service as cards
from yikatong.cards.models import AppMode, AppType, CardKind
from yikatong.core import clock
from yikatong.core.actor import SYSTEM
from yikatong.db import Database
from yikatong.enterprises import flows as enterprise_flows
from yikatong.keys import provisioning
from yikatong.members import service as members
from yikatong.ota import service as ota
from yikatong.purse import service as purse
from yikatong.terminals import service as terminals

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
DEPARTMENTS = ("研发部", "生产部", "财务部", "行政部", "销售部")


@dataclass
class SimMember:
    member_id: int
    name: str
    card_id: int
    card_no: str
    chip: bool  # the card carries the enterprise's purse on its chip (else the purse is account-only)


@dataclass
class SimPos:
    number: int
    terminal_id: int
    token: str
    sam: VirtualSAM
    merchant: str


@dataclass
class World:
    enterprise_id: int
    enterprise_name: str
    admin_username: str
    admin_password: str
    members: list[SimMember]
    pos: list[SimPos]
    topup_token: str
    notes: list[str] = field(default_factory=list)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def build(database: Database, *, members: int, pos: int, account_only_share: float, rng: random.Random,
          on_member=None) -> World:
    """A fresh enterprise (its own code, so runs never collide) with ``members`` members, each with a
    card; about ``account_only_share`` of them hold a card that was never personalised (the purse
    lives in the ledger only and is paid for online); ``pos`` POS terminals in canteen windows."""
    stamp = clock.now().strftime("%Y%m%d%H%M%S") + secrets.token_hex(2)
    password = "Sim@" + secrets.token_hex(6)
    with database.write() as s:
        enterprise = enterprise_flows.register_enterprise(
            s, actor=SYSTEM, code=f"SIM{stamp}", name=f"午餐高峰模拟企业{stamp[-6:]}", city="杭州", zone="urban",
            admin_username=f"sim{stamp}", admin_password=password, key_algorithm="3des")
        eid, ename = enterprise.id, enterprise.name
        purse.set_settings(s, actor=SYSTEM, enterprise_id=eid, validity_days=None, expiry_rule="to_enterprise",
                           bill_mode="none")
        devices = []
        for n in range(1, pos + 1):
            merchant = f"第{(n - 1) // 4 + 1}食堂{(n - 1) % 4 + 1}号窗口"
            terminal, token = terminals.register_terminal(s, actor=SYSTEM, enterprise_id=eid, type="pos",
                                                          name=f"POS-{n:03d}", merchant=merchant)
            devices.append((n, terminal.id, token, merchant))
        _, topup_token = terminals.register_terminal(s, actor=SYSTEM, enterprise_id=eid, type="topup",
                                                     name="自助充值机")
        loads = provisioning.sam_keys(s, actor=SYSTEM, enterprise_id=eid)
    sams = [SamKey(**dataclasses.asdict(k)) for k in loads]
    pos_list = [SimPos(n, tid, token, VirtualSAM(bytes.fromhex(f"{eid % 0xFFFFFF:06X}{n:06X}"), list(sams)), merchant)
                for n, tid, token, merchant in devices]
    people: list[SimMember] = []
    for i in range(members):
        chip = rng.random() >= account_only_share
        with database.write() as s:
            name = _name(rng)
            member = members_add(s, eid, name, i, rng)
            # A card never personalised (cards.service, not cards.flows): its purse is account-only.
            issue = card_flows.issue_card if chip else cards.issue_card
            card = issue(s, actor=SYSTEM, member_id=member.id, kind=CardKind.rfid_sim)
            card_flows.open_application(s, actor=SYSTEM, card_id=card.id, enterprise_id=eid, type=AppType.purse,
                                        mode=AppMode.ota)
            has_chip = ota.has_chip_purse(s, card=cards.load_card(s, card.id), enterprise_id=eid)
            people.append(SimMember(member.id, name, card.id, card.card_no, has_chip))
        if on_member:
            on_member()
    return World(eid, ename, f"sim{stamp}", password, people, pos_list, topup_token)


def members_add(s, eid: int, name: str, i: int, rng: random.Random):
    phone = f"19{rng.randrange(10**9):09d}"
    while members.phone_is_member(s, phone=phone):
        phone = f"19{rng.randrange(10**9):09d}"
    return members.add_member(s, actor=SYSTEM, enterprise_id=eid, name=name, phone=phone, staff_no=f"S{i + 1:05d}",
                              department=rng.choice(DEPARTMENTS))

