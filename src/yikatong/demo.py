"""Demo data for `ykt demo`: two enterprises (urban and suburban), their admins and about 200
members with realistic Chinese names, departments and China Mobile numbers; cards, purses and POS
terminals; door access and attendance with two months of swipes and clock records (demo_access.py);
the service desk's people and a month of work orders (demo_desk.py)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy.orm import Session

from yikatong.auth import service as auth
from yikatong.cards import service as cards
from yikatong.cards.models import AppMode, AppType, CardKind
from yikatong.core import clock
from yikatong.core.actor import SYSTEM, Role
from yikatong.enterprises import flows as enterprise_flows
from yikatong.core.actor import Channel
from yikatong.demo_access import backdated, seed_access_attendance, signed_up_at
from yikatong.demo_desk import seed_service_desk
from yikatong.members import service as members
from yikatong.purse import service as purse
from yikatong.terminals import service as terminals

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = ("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华志强海燕晓东婷玉兰"
         "鹏辉宇浩然子涵欣怡梓萱一诺雨桐思远俊杰嘉怡晨曦佳琪文博雅琴春梅丹丹凯瑞")
DEPARTMENTS = ["行政部", "财务部", "人力资源部", "技术研发部", "市场营销部", "生产部", "后勤保障部", "安全保卫部"]
# China Mobile number blocks: the operator's own subscribers.
MOBILE_PREFIXES = ["134", "135", "136", "137", "138", "139", "147", "150", "151", "152", "157", "158", "159",
                   "172", "178", "182", "183", "184", "187", "188", "195", "198"]

ACCOUNT_MANAGER = ("am_zhang", "Demo@2026")
# A person who works at the first enterprise and lives near the second: one card, both enterprises.
SHARED_PERSON = ("周晓梅", "13957100001")
PORTAL_PASSWORD = "Demo@2026"


@dataclass(frozen=True)
class DemoEnterprise:
    code: str
    name: str
    city: str
    zone: str
    address: str
    admin: tuple[str, str]
    members: int
    staff_prefix: str


ENTERPRISES = [
    DemoEnterprise("GC5710001", "杭州西湖数智科技有限公司", "杭州", "urban", "杭州市西湖区文三路 478 号",
                   ("xihu_admin", "Demo@2026"), 120, "XH"),
    DemoEnterprise("GC5710002", "临安青山湖精密制造厂", "杭州", "suburban", "杭州市临安区青山湖街道科技大道 88 号",
                   ("qsh_admin", "Demo@2026"), 80, "QS"),
]


def _name(rng: random.Random) -> str:
    surname = rng.choice(SURNAMES)
    if rng.random() < 0.45:
        return surname + rng.choice(GIVEN)
    return surname + rng.choice(GIVEN) + rng.choice(GIVEN)


def _new_hire(n: int) -> bool:
    """Every tenth member joined today and has no card yet."""
    return n % 10 == 9


def _phone(rng: random.Random, used: set[str]) -> str:
    while True:
        phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        if phone not in used:
            used.add(phone)
            return phone


def seed(db: Session, *, seed_value: int = 2009) -> list[tuple[str, str, str]]:
    """Create the demo data — enterprises, members, cards with their sub-applications (one of them
    lost), a person in both enterprises with one card — and return the logins (role, username, password)."""
    rng = random.Random(seed_value)
    logins = [("account_manager", *ACCOUNT_MANAGER)]
    manager = auth.create_user(db, actor=SYSTEM, username=ACCOUNT_MANAGER[0], password=ACCOUNT_MANAGER[1],
                               role=Role.account_manager, display_name="张经理")
    actor = auth.actor_for(manager, SYSTEM.channel)
    used: set[str] = {SHARED_PERSON[1]}
    first_card = None
    phones: dict[int, list[str]] = {}
    # The enterprises signed up, with their staff and cards, before the months the attendance demo
    # shows (the sheet skips the days before a member joined), but for the new hires.
    signed_up, now = signed_up_at(), clock.now()
    for spec in ENTERPRISES:
        with backdated(signed_up):
            enterprise = enterprise_flows.register_enterprise(
                db, actor=actor, code=spec.code, name=spec.name, city=spec.city, zone=spec.zone,
                address=spec.address, admin_username=spec.admin[0], admin_password=spec.admin[1],
                service_fee_fen=300)
            shared = members.add_member(db, actor=SYSTEM, enterprise_id=enterprise.id, name=SHARED_PERSON[0],
                                        phone=SHARED_PERSON[1], staff_no=f"{spec.staff_prefix}0000",
                                        department=DEPARTMENTS[0])
        people = [shared]
        for i in range(spec.members - 1):
            with backdated(now if _new_hire(i + 1) else signed_up):
                people.append(members.add_member(db, actor=SYSTEM, enterprise_id=enterprise.id, name=_name(rng),
                                                 phone=_phone(rng, used), staff_no=f"{spec.staff_prefix}{i + 1:04d}",
                                                 department=rng.choice(DEPARTMENTS)))
        with backdated(signed_up):
            for n, member in enumerate(people):
                if member is shared and first_card is not None:
                    card = first_card
                elif _new_hire(n):
                    continue  # not every member has a card yet
                else:
                    kind = CardKind.ic if n % 7 == 6 else CardKind.rfid_sim
                    card = cards.issue_card(db, actor=SYSTEM, member_id=member.id, kind=kind)
                    first_card = first_card or card
                mode = AppMode.ota if card.kind == CardKind.rfid_sim.value else AppMode.local
                for app_type in AppType:
                    cards.open_application(db, actor=SYSTEM, card_id=card.id, enterprise_id=enterprise.id,
                                           type=app_type, mode=mode)
                if n == 5:
                    cards.report_loss(db, actor=SYSTEM, card_id=card.id)
        phones[enterprise.id] = [m.phone for m in people[1:40]]
        logins.append(("enterprise_admin", *spec.admin))
        logins.append(("POS terminal token", f"{spec.name[:4]}·第一食堂", _seed_purse(db, enterprise.id, people)))
    auth.create_user(db, actor=SYSTEM, username=SHARED_PERSON[1], password=PORTAL_PASSWORD, role=Role.member,
                     display_name=SHARED_PERSON[0])
    logins.append(("member (portal)", SHARED_PERSON[1], PORTAL_PASSWORD))
    logins += seed_access_attendance(db, enterprise_ids=list(phones), seed_value=seed_value)
    logins += seed_service_desk(db, enterprise_ids=list(phones), phones=phones, seed_value=seed_value)
    return logins


def _seed_purse(db: Session, enterprise_id: int, people: list) -> str:
    """Merchants, a POS per merchant and a top-up machine; 200 yuan for every purse, a few meals
    bought. Returns the canteen POS's token, for trying the terminal API."""
    canteen, token = terminals.register_terminal(db, actor=SYSTEM, enterprise_id=enterprise_id, type="pos",
                                                 name="食堂一号窗口", merchant="第一食堂")
    shop, _ = terminals.register_terminal(db, actor=SYSTEM, enterprise_id=enterprise_id, type="pos",
                                          name="超市收银台", merchant="员工超市")
    terminals.register_terminal(db, actor=SYSTEM, enterprise_id=enterprise_id, type="topup", name="大厅充值机")
    pos_actors = [auth.actor_for(auth.get_user(db, user_id=t.user_id), Channel.terminal) for t in (canteen, shop)]
    for n, member in enumerate(people):
        card = cards.live_card_of_phone(db, phone=member.phone)
        if card is None or card.status != "active":
            continue
        purse.topup_member(db, actor=SYSTEM, member_id=member.id, amount_fen=20000)
        if n % 3 == 0:
            purse.purchase(db, actor=pos_actors[n % 2], card_no=card.card_no, amount_fen=1250 + 50 * (n % 7))
    return token
