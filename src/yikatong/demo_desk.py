"""Demo data of the service desk for `ykt demo`: the desk's logins, a vendor and an integrator team
with engineers, dispatch rules for the urban enterprise, and a month of work orders replayed
through the desk's own services (so the dashboard has history), plus open orders in every stage
for the workbench, the engineer's list and the portal.

The month is replayed with a fixed clock moved by hand: the services stamp every step with
``clock.now()``, so each order's history and SLA outcomes are what they would have been."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from sqlalchemy.orm import Session

from yikatong.auth import service as auth
from yikatong.core import clock
from yikatong.core.actor import SYSTEM, Actor, Channel, Role
from yikatong.servicedesk import service as desk

PASSWORD = "Demo@2026"
STAFF = (("kf_10086", "李晓燕", Role.agent_l1, Channel.hotline), ("kf_400", "王建军", Role.agent_l2, Channel.hotline),
         ("jszc_chen", "陈工", Role.tech_support, Channel.website))
ENGINEERS = (("gcs_zhao", "赵师傅", ("door", "pos", "attendance"), "vendor"),
             ("gcs_qian", "钱师傅", ("door", "pos"), "vendor"),
             ("gcs_sun", "孙工", ("construction", "network"), "integrator"))

QUESTIONS = (
    ("consultation", "business", "如何给RFID-SIM卡充值", "员工询问可以在哪里充值、多久到账。", "空中充值即时到账，也可在大厅充值机充值。"),
    ("consultation", "business", "换手机号码后卡还能用吗", "员工更换了手机号码。", "在营业厅办理换号后，原卡的子应用和余额随卡迁移。"),
    ("complaint", "business", "食堂消费短信没有收到", "最近三天消费后没有收到账单短信。", "企业设置为每日汇总账单，已为客户说明。"),
    ("consultation", "business", "余额有效期是多久", "员工询问余额是否会过期。", "有效期由企业设定，过期余额可由管理员退回。"),
)
FAULTS = (
    ("fault", "terminal", "食堂POS机刷卡无反应", "二号窗口POS机刷卡没有任何提示。", "读卡模块松动，已紧固并测试消费正常。"),
    ("fault", "terminal", "三号门禁读头不亮", "东门门禁读头指示灯不亮，员工无法刷卡进门。", "读头电源适配器损坏，已更换。"),
    ("fault", "engineering", "新办公楼门禁布线验收", "二期办公楼需要门禁布线和验收。", "完成布线、安装和联调，已出具验收单。"),
)


@dataclass
class Desk:
    staff: dict[str, Actor]
    engineers: dict[str, Actor]


def _people(db: Session) -> Desk:
    staff, engineers = {}, {}
    for username, name, role, channel in STAFF:
        user = auth.create_user(db, actor=SYSTEM, username=username, password=PASSWORD, role=role,
                                display_name=name)
        staff[username] = auth.actor_for(user, channel)
    teams = {"vendor": desk.create_team(db, actor=SYSTEM, name="杭州门禁设备厂家驻地组", kind="vendor", city="杭州",
                                        zones=["urban", "suburban"]),
             "integrator": desk.create_team(db, actor=SYSTEM, name="浙江智联系统集成施工队", kind="integrator",
                                            city="杭州", zones=["urban", "suburban"])}
    for n, (username, name, skills, team) in enumerate(ENGINEERS):
        user = auth.create_user(db, actor=SYSTEM, username=username, password=PASSWORD, role=Role.field_engineer,
                                display_name=name)
        desk.set_engineer(db, actor=SYSTEM, user_id=user.id, team_id=teams[team].id, skills=list(skills),
                          on_duty=True, phone=f"1398800{n:04d}")
        engineers[username] = auth.actor_for(user, Channel.website)
    return Desk(staff=staff, engineers=engineers)


def _answered(db: Session, d: Desk, rng: random.Random, enterprise_id: int, phone: str, tick) -> None:
    kind, category, title, description, answer = rng.choice(QUESTIONS)
    l1, l2 = d.staff["kf_10086"], d.staff["kf_400"]
    first_line = rng.random() < 0.7
    agent, channel = (l1, "hotline_10086") if first_line else (l2, "hotline_400")
    ticket = desk.create_ticket(db, actor=agent, type=kind, category=category, title=title, description=description,
                                channel=channel, enterprise_id=enterprise_id, phone=phone)
    tick(minutes=rng.choice((2, 4, 8, 25)))  # now and then the first response is late
    desk.accept(db, actor=agent, ticket_id=ticket.id)
    tick(minutes=rng.randrange(3, 20))
    desk.answer(db, actor=agent, ticket_id=ticket.id, answer=answer)
    tick(minutes=30)
    desk.rate(db, actor=agent, ticket_id=ticket.id, rating=rng.choice((5, 5, 5, 4, 4, 3, 2)))
    desk.close(db, actor=agent, ticket_id=ticket.id)


def _on_site(db: Session, d: Desk, rng: random.Random, enterprise_id: int, phone: str, tick, *,
             stop_after: str | None = None) -> None:
    kind, category, title, description, resolution = rng.choice(FAULTS)
    l2 = d.staff["kf_400"]
    engineer = d.engineers["gcs_sun" if category == "engineering" else rng.choice(("gcs_zhao", "gcs_qian"))]
    ticket = desk.create_ticket(db, actor=l2, type=kind, category=category, title=title, description=description,
                                channel="hotline_400", enterprise_id=enterprise_id, phone=phone)
    tick(minutes=5)
    desk.accept(db, actor=l2, ticket_id=ticket.id)
    desk.assign(db, actor=l2, ticket_id=ticket.id)
    if stop_after == "assign":
        return
    desk.dispatch(db, actor=l2, ticket_id=ticket.id, engineer_id=engineer.user_id)
    if stop_after == "dispatch":
        return
    tick(hours=1)
    visit = clock.now() + dt.timedelta(hours=rng.choice((3, 20, 30, 50)))  # some visits come too late
    desk.appoint(db, actor=engineer, ticket_id=ticket.id, at=visit)
    if stop_after == "appoint":
        return
    tick(hours=(visit - clock.now()).total_seconds() / 3600)
    desk.arrive(db, actor=engineer, ticket_id=ticket.id)
    tick(hours=rng.choice((1, 2, 4)))
    desk.resolve(db, actor=engineer, ticket_id=ticket.id, resolution=resolution)
    tick(minutes=40)
    desk.reply(db, actor=l2, ticket_id=ticket.id, note="已电话告知客户处理结果。")
    desk.rate(db, actor=l2, ticket_id=ticket.id, rating=rng.choice((5, 4, 4, 3)))
    desk.close(db, actor=l2, ticket_id=ticket.id)


def seed_service_desk(db: Session, *, enterprise_ids: list[int], phones: dict[int, list[str]],
                      seed_value: int = 2009) -> list[tuple[str, str, str]]:
    """The desk's demo data (see the module docstring); returns the logins (role, username, password)."""
    rng = random.Random(seed_value)
    d = _people(db)
    desk.set_rules(db, actor=SYSTEM, enterprise_id=enterprise_ids[0], enabled=True, require_on_duty=True,
                   category_skills={"terminal": "pos"}, max_open_per_engineer=None)
    real = clock.now()
    start = real - dt.timedelta(days=30)
    fixed = clock.FixedClock(start)
    previous = clock.set_clock(fixed)
    try:
        for day in range(29):
            fixed.set(start + dt.timedelta(days=day, hours=1.5))  # 09:30 Beijing
            for _ in range(rng.randrange(2, 6)):
                eid = rng.choice(enterprise_ids)
                phone = rng.choice(phones[eid])
                if rng.random() < 0.7:
                    _answered(db, d, rng, eid, phone, fixed.advance)
                else:
                    _on_site(db, d, rng, eid, phone, fixed.advance)
                fixed.advance(minutes=rng.randrange(10, 90))
    finally:
        clock.set_clock(previous)
    # Open orders now, one at each stage an agent or engineer acts on next.
    now = clock.FixedClock(real)
    for stage in ("assign", "dispatch", "appoint"):
        _on_site(db, d, rng, enterprise_ids[0], phones[enterprise_ids[0]][1], now.advance, stop_after=stage)
    desk.create_ticket(db, actor=d.staff["kf_10086"], type="consultation", category="business",
                       title="POS机提示IC卡无应用", description="员工在超市消费时提示无应用。", channel="hotline_10086",
                       enterprise_id=enterprise_ids[1], phone=phones[enterprise_ids[1]][2])
    return [(role.value, username, PASSWORD) for username, _, role, _ in STAFF] + \
        [("field_engineer", username, PASSWORD) for username, *_ in ENGINEERS]
