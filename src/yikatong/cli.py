"""`ykt`: the platform's command line (Typer)."""

from __future__ import annotations

import secrets
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select

from yikatong import migrate
from yikatong.config import get_settings
from yikatong.core.actor import SYSTEM, Role
from yikatong.core.errors import YktError
from yikatong.db import Database

app = typer.Typer(help="Yikatong (一卡通) platform", no_args_is_help=True, add_completion=False)
user_app = typer.Typer(help="Manage staff logins", no_args_is_help=True)
app.add_typer(user_app, name="user")
console = Console()


def _database() -> Database:
    return Database(get_settings().database_url)


@app.command()
def init() -> None:
    """Create or upgrade the database; create the operator `admin` if there is none."""
    from yikatong.auth import service as auth

    settings = get_settings()
    migrate.upgrade(settings.database_url)
    db = _database()
    with db.write() as session:
        if auth.find_user(session, username="admin") is None:
            password = settings.admin_password or secrets.token_urlsafe(12)
            auth.create_user(session, actor=SYSTEM, username="admin", password=password, role=Role.operator,
                             display_name="平台管理员")
            if settings.admin_password:
                console.print("created operator [bold]admin[/] with the password from YKT_ADMIN_PASSWORD")
            else:
                console.print(f"created operator [bold]admin[/] with password [bold]{password}[/] (shown once)")
    with db.write() as session:
        from yikatong.knowledge import service as knowledge

        if added := knowledge.seed_faq(session):
            console.print(f"knowledge base: {added} starting articles loaded")
    db.dispose()
    console.print(f"database ready: {settings.database_url}")


@app.command()
def serve(host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="port")] = 8000,
          no_worker: Annotated[bool, typer.Option("--no-worker", help="no notifications or periodic jobs in this "
                                                  "process (run `ykt worker` and cron jobs instead)")] = False) -> None:
    """Serve the API and the web console (with the notification worker and the periodic jobs, such
    as the SLA watch, unless --no-worker)."""
    import uvicorn

    from yikatong.app import create_app

    uvicorn.run(create_app(start_worker=not no_worker), host=host, port=port, log_level="info", access_log=False)


@app.command()
def worker(batch: Annotated[int, typer.Option(min=1, max=500, help="deliveries (and SMS) claimed per round")] = 32,
           poll: Annotated[float, typer.Option(min=0.01, help="seconds to wait when idle")] = 1.0,
           max_attempts: Annotated[int, typer.Option(min=1, help="attempts before dead-lettering")] = 15,
           backoff: Annotated[float, typer.Option(min=0.0, help="first retry delay in seconds (doubles)")] = 2.0,
           lease: Annotated[float, typer.Option(min=0.1, help="seconds a claim is held before another "
                                                              "worker may retry it")] = 60.0,
           timeout: Annotated[float, typer.Option(min=0.1, help="HTTP timeout in seconds")] = 5.0) -> None:
    """Deliver webhooks and SMS from the outbox until Ctrl-C or SIGTERM. Run several on PostgreSQL."""
    import signal
    import threading

    from yikatong.core import clock
    from yikatong.notify.claims import Backoff
    from yikatong.notify.runner import worker_from_settings

    stop = threading.Event()
    # Both signals finish the round in progress instead of abandoning its claims to their lease.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    db = _database()
    try:
        runner = worker_from_settings(db, get_settings(), batch=batch, poll_s=poll, max_attempts=max_attempts,
                                      backoff=Backoff(base_s=backoff), lease_s=lease, timeout_s=timeout,
                                      report=lambda done: console.print(
                                          f"[dim]{clock.local(clock.now()):%H:%M:%S}[/] {done.summary()}",
                                          highlight=False, soft_wrap=True))
    except ValueError as exc:  # a gateway configured without its URL
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from None
    console.print(f"worker started (sms gateway: {runner.sms_gateway.name}); Ctrl-C to stop")
    try:
        runner.run_forever(stop)
    finally:
        runner.close()
        db.dispose()
    console.print("worker stopped")


@app.command()
def demo(if_empty: Annotated[bool, typer.Option("--if-empty", help="do nothing when enterprises exist")] = False) -> None:
    """Load demo enterprises, admins and about 200 members; prints the demo logins."""
    from yikatong import demo as demo_data
    from yikatong.enterprises.models import Enterprise

    db = _database()
    with db.write() as session:
        existing = session.scalar(select(func.count()).select_from(Enterprise)) or 0
        if existing and if_empty:
            console.print(f"{existing} enterprises exist; demo data not loaded")
            return
        try:
            logins = demo_data.seed(session)
        except YktError as exc:
            console.print(f"[red]demo data not loaded:[/] {exc.message}")
            raise typer.Exit(1) from None
    db.dispose()
    table = Table(title="Demo logins (演示账号)")
    for column in ("role", "username", "password"):
        table.add_column(column)
    table.add_row("operator", "admin", "(YKT_ADMIN_PASSWORD)")
    for row in logins:
        table.add_row(*row)
    console.print(table)


@user_app.command("create")
def user_create(role: Annotated[Role, typer.Option(help="role (SPEC §2)")],
                username: Annotated[str, typer.Option()],
                password: Annotated[str, typer.Option(prompt=True, hide_input=True)],
                enterprise: Annotated[int | None, typer.Option(help="enterprise id, for enterprise roles")] = None) -> None:
    """Add a user."""
    from yikatong.auth import service as auth

    db = _database()
    try:
        with db.write() as session:
            user = auth.create_user(session, actor=SYSTEM, username=username, password=password, role=role,
                                    enterprise_id=enterprise)
            console.print(f"created {role.value} [bold]{user.username}[/] (id {user.id})")
    except YktError as exc:
        console.print(f"[red]{exc.code}:[/] {exc.message}")
        raise typer.Exit(2) from None
    finally:
        db.dispose()


purse_app = typer.Typer(help="Purse jobs (run them daily, e.g. from cron)", no_args_is_help=True)
app.add_typer(purse_app, name="purse")


@purse_app.command("expire")
def purse_expire() -> None:
    """P5: move every expired purse balance to its enterprise's expired-balance account."""
    from yikatong.purse import expiry

    db = _database()
    with db.write() as session:
        purses, fen = expiry.expire_balances(session, actor=SYSTEM)
    db.dispose()
    console.print(f"expired {purses} purse(s), {fen / 100:.2f} yuan")


@purse_app.command("digests")
def purse_digests(day: Annotated[str | None, typer.Option(help="YYYY-MM-DD, Beijing; default yesterday")] = None) -> None:
    """P6: send the daily consumption digests (once per member and day)."""
    import datetime as dt

    from yikatong.core import clock
    from yikatong.purse import bills

    try:
        target = dt.date.fromisoformat(day) if day else clock.local(clock.now()).date() - dt.timedelta(days=1)
    except ValueError:
        console.print(f"[red]invalid_day:[/] '{day}' is not a date YYYY-MM-DD")
        raise typer.Exit(2) from None
    db = _database()
    with db.write() as session:
        queued = bills.send_daily_digests(session, day=target)
    db.dispose()
    console.print(f"queued {queued} digest SMS for {target.isoformat()}")


servicedesk_app = typer.Typer(help="Service-desk jobs", no_args_is_help=True)
app.add_typer(servicedesk_app, name="servicedesk")


@servicedesk_app.command("sla")
def servicedesk_sla() -> None:
    """S4: warn before SLA deadlines and record breaches (each once); run every few minutes."""
    import datetime as dt

    from yikatong.servicedesk import service as desk

    settings = get_settings()
    db = _database()
    with db.write() as session:
        result = desk.check_sla(session, lead=dt.timedelta(minutes=settings.sla_warning_lead_minutes))
    db.dispose()
    console.print(f"{len(result.warnings)} SLA warning(s), {len(result.breaches)} breach(es) recorded")


keys_app = typer.Typer(help="Key service (E2, T1)", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


@keys_app.command("new-kek")
def keys_new_kek() -> None:
    """Print a fresh key-encryption key for YKT_KEY_ENCRYPTION_KEY (base64 of 32 random bytes)."""
    import base64

    typer.echo(base64.b64encode(secrets.token_bytes(32)).decode())


@keys_app.command("ensure")
def keys_ensure(enterprise_id: Annotated[int, typer.Argument(min=1, help="the enterprise's id")],
                algorithm: Annotated[str, typer.Option(help="3des or sm4")] = "3des") -> None:
    """E2: create the enterprise's key set if it has none (idempotent)."""
    from yikatong.keys import service as keys

    db = _database()
    try:
        with db.write() as session:
            profile = keys.ensure_enterprise_keys(session, actor=SYSTEM, enterprise_id=enterprise_id,
                                                  algorithm=algorithm)
            console.print(f"enterprise {enterprise_id}: keys version {profile.current_version}, "
                          f"algorithm id {profile.algorithm_id:02X}")
    except YktError as exc:
        console.print(f"[red]{exc.code}:[/] {exc.message}")
        raise typer.Exit(2) from None
    finally:
        db.dispose()


sim_app = typer.Typer(help="Simulators: terminals and cards against a live server (docs/simulator.md)",
                      no_args_is_help=True)
app.add_typer(sim_app, name="sim")


@sim_app.command("lunch-rush")
def sim_lunch_rush(
    members: Annotated[int, typer.Option(min=1, max=100_000, help="members, each with a card")] = 300,
    pos: Annotated[int, typer.Option(min=1, max=500, help="POS terminals, each with its SAM")] = 8,
    minutes: Annotated[float, typer.Option(min=0.01, max=600, help="how long the rush lasts")] = 1.0,
    operations: Annotated[int | None, typer.Option(min=1, help="stop after this many steps (whichever first)")] = None,
    url: Annotated[str, typer.Option(help="the live server")] = "http://127.0.0.1:8000",
    seed: Annotated[int | None, typer.Option(help="random seed, to replay a rush")] = None,
) -> None:
    """P7/P1/T3: POS terminals sell online and offline, upload, sync; the admin tops up over the air and
    reports losses; then card balances are reconciled with ledger balances (exit 1 when they differ).
    Runs on the platform host: it builds its enterprise in the database and personalises the SAMs."""
    import time

    import httpx
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from yikatong.ota import channel as ota_channel
    from yikatong.sim import service as sim

    db = _database()
    try:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      console=console) as progress:
            building = progress.add_task("发卡 issuing cards", total=members)
            rush = progress.add_task("午餐高峰 lunch rush", total=operations or int(minutes * 60), visible=False)
            started: float | None = None  # the rush's first step: the issuing before it is not timed

            def on_step() -> None:
                nonlocal started
                if operations:
                    progress.advance(rush)
                else:  # a timed rush: the bar is the clock
                    started = started or time.monotonic()
                    progress.update(rush, completed=min(time.monotonic() - started, minutes * 60))

            def on_member() -> None:
                progress.advance(building)
                if progress.tasks[building].finished:
                    progress.update(rush, visible=True)

            result = sim.simulate_lunch_rush(db, base_url=url.rstrip("/"), channel=ota_channel.current(),
                                             members=members, pos=pos, minutes=minutes,
                                             operations=operations, seed=seed, on_member=on_member, step=on_step)
            progress.update(rush, completed=progress.tasks[rush].total)
    except httpx.HTTPError as exc:
        console.print(f"[red]the server at {url} did not answer:[/] {exc}")
        raise typer.Exit(2) from None
    finally:
        db.dispose()
    for line in sim.report_lines(result):
        console.print(line)
    if not result.reconciliation.ok:
        raise typer.Exit(1)



@keys_app.command("rekey")
def keys_rekey(
    new_kek_file: Annotated[typer.FileText, typer.Option(help="a file holding the new KEK (base64 of 32 bytes)")],
    yes: Annotated[bool, typer.Option("--yes", help="do not ask for confirmation")] = False,
) -> None:
    """T1: re-seal every stored key under a new key-encryption key, in one transaction. Stop the servers
    first; afterwards start every process with YKT_KEY_ENCRYPTION_KEY set to the new key."""
    from yikatong.keys import rekey, vault

    try:
        new_kek = vault.parse_kek(new_kek_file.read())
    except ValueError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from None
    if not yes and not typer.confirm("Re-seal every stored key under the new key-encryption key?"):
        raise typer.Exit(1)
    db = _database()
    try:
        with db.write() as session:
            done = rekey.rekey(session, actor=SYSTEM, new_kek=new_kek)
    except YktError as exc:
        console.print(f"[red]{exc.code}:[/] {exc.message} — nothing was changed")
        raise typer.Exit(2) from None
    finally:
        db.dispose()
    console.print(f"re-sealed {done.root_keys} root key(s), {done.enterprise_keys} enterprise key(s), "
                  f"{done.mother_cards} mother card(s). Restart every process with the new YKT_KEY_ENCRYPTION_KEY.")


ota_app = typer.Typer(help="The chips over the air (C3, C4, P1)", no_args_is_help=True)
app.add_typer(ota_app, name="ota")


@ota_app.command("recover")
def ota_recover(enterprise: Annotated[int | None, typer.Option(min=1, help="one enterprise (default: all)")] = None
                ) -> None:
    """P1/P8: read every chip purse over the air and settle the loads in doubt — a load the card made
    whose answer was lost is credited to the ledger once the card proves it; an older one is listed
    for a person (exit 1). Run it nightly, e.g. from cron (docs/ota.md)."""
    from yikatong.enterprises.models import Enterprise
    from yikatong.purse import flows

    db = _database()
    follow_up = False
    try:
        with db.read() as session:
            ids = [enterprise] if enterprise else list(session.scalars(select(Enterprise.id).order_by(Enterprise.id)))
        for eid in ids:
            with db.write() as session:
                run = flows.recover_chip_loads(session, actor=SYSTEM, enterprise_id=eid)
            fen = sum(a for _, _, a in run.recovered)
            console.print(f"企业 {eid}：检查 {run.cards_checked} 张芯片卡，补记 {len(run.recovered)} 笔（{fen / 100:.2f} 元），"
                          f"无法证明 {len(run.unproven)} 笔，读不到 {len(run.unreachable)} 张")
            for card_no, counter, amount in run.recovered:
                console.print(f"  补记 recovered: 卡 {card_no} 联机序号 {counter} 金额 {amount / 100:.2f} 元")
            for card_no, counter, amount in run.unproven:
                console.print(f"  [yellow]待人工核对 unproven:[/] 卡 {card_no} 联机序号 {counter} 金额 {amount / 100:.2f} 元")
            follow_up = follow_up or bool(run.unproven)
    except YktError as exc:
        console.print(f"[red]{exc.code}:[/] {exc.message}")
        raise typer.Exit(2) from None
    finally:
        db.dispose()
    if follow_up:
        raise typer.Exit(1)
