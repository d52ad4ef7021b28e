"""``ykt sim lunch-rush`` (issue 6): POS terminals with SAMs sell to the members' chips online and
offline, upload, sync, while the admin tops up over the air and reports cards lost — against a real
server — and at the end every card's chip balance equals its ledger balance (P7, P1, P8, T3)."""

from __future__ import annotations

import re

from support.live import served
from typer.testing import CliRunner

from yikatong.config import get_settings
from yikatong.ota import channel as ota_channel
from yikatong.sim import service as sim
from yikatong.sim.lunch_rush import Plan

# A busy little canteen: networks drop often, cards get lost often, so a short rush sees everything.
BUSY = Plan(topup_share=0.1, loss_share=0.06, sync_share=0.08, network_flip_share=0.12)


def test_r_p7_lunch_rush_ends_with_card_balances_equal_to_ledger_balances(app, database):
    with served(app) as url:
        result = sim.simulate_lunch_rush(database, base_url=url, channel=ota_channel.current(), members=10, pos=3,
                                         minutes=None, operations=150, seed=20261204, account_only_share=0.2,
                                         plan=BUSY)
    c, rec = result.tally.counts, result.reconciliation
    assert rec.ok, sim.report_lines(result)
    assert rec.cards_on_chip + rec.cards_account_only == 10 and rec.cards_on_chip >= 1
    assert rec.sum_of_all_balances_fen == 0 and rec.chip_total_fen > 0
    # Every sale the chips made reached the ledger exactly once, and nothing was refused.
    chip_sales = c["sale_chip_online"] + c["sale_chip_offline"]
    assert chip_sales > 0 and c["records_accepted"] == chip_sales
    assert not result.tally.rejected
    assert c["topup_ok"] > 0 and c["sync_ok"] >= 3
    lines = sim.report_lines(result)
    assert lines[-1].startswith("结论：卡内余额与账本一致")


def test_r_p7_ykt_sim_lunch_rush_command_reports_a_reconciled_rush(app, database, monkeypatch):
    with served(app) as url:
        monkeypatch.setenv("YKT_DATABASE_URL", database.url)
        get_settings.cache_clear()
        try:
            out = CliRunner().invoke(app_cli(), ["sim", "lunch-rush", "--members", "4", "--pos", "2",
                                                 "--operations", "40", "--url", url, "--seed", "7"])
        finally:
            get_settings.cache_clear()
    assert out.exit_code == 0, out.output
    assert "card balances = ledger balances" in out.output
    assert re.search(r"4 名成员，2 台 POS", out.output)


def test_ykt_sim_lunch_rush_says_when_the_server_does_not_answer(database, monkeypatch):
    monkeypatch.setenv("YKT_DATABASE_URL", database.url)
    get_settings.cache_clear()
    try:
        out = CliRunner().invoke(app_cli(), ["sim", "lunch-rush", "--members", "1", "--pos", "1", "--operations", "1",
                                             "--url", "http://127.0.0.1:9"])
    finally:
        get_settings.cache_clear()
    assert out.exit_code == 2
    assert "did not answer" in out.output


def app_cli():
    from yikatong.cli import app

    return app
