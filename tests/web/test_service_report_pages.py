"""The service dashboard (S9): the figures, Chinese labels, charts, grouping, the .xlsx, and that
an enterprise admin sees only their own enterprise (X5)."""

from __future__ import annotations

import io
import re

from factories import make_user
from openpyxl import load_workbook
from support.service_desk import seed_report_tickets
from web_helpers import logged_in
from yikatong.core.actor import Role

PAGE = "/console/service-reports"
MARCH = {"start": "2026-03-01", "end": "2026-03-07"}


def _cells(html: str, row_id: str) -> list[str]:
    row = re.search(rf'<tr id="{row_id}">(.*?)</tr>', html, re.S)
    assert row, f"no row {row_id}"
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)]


def test_r_s9_dashboard_by_channel_in_chinese_with_charts(client, database):
    eid, team_id, _ = seed_report_tickets(database)
    logged_in(client, make_user(database, role=Role.agent_l2))
    r = client.get(PAGE, params=MARCH | {"enterprise_id": eid})
    assert r.status_code == 200, r.text
    assert "服务报表 · 西湖科技" in r.text and 'href="/console/service-reports" class="active"' in r.text
    assert _cells(r.text, "group-hotline_10086") == ["10086 热线", "3", "66.7%", "60.0%", "2", "4.00", "66.7%"]
    assert _cells(r.text, "group-portal") == ["个人服务门户", "1", "100.0%", "100.0%", "0", "—", "—"]
    assert r.text.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 3
    assert "4 次评价" not in r.text and "3 次评价，平均 4.0 分" in r.text


def test_r_s9_dashboard_by_team_and_week_and_its_xlsx(client, database):
    eid, team_id, _ = seed_report_tickets(database)
    logged_in(client, make_user(database, role=Role.operator))
    by_team = client.get(PAGE, params={"start": "2026-03-01", "end": "2026-03-31", "group_by": "team"}).text
    assert _cells(by_team, f"group-{team_id}")[:2] == ["杭州厂家驻地组", "1"]
    assert _cells(by_team, "group-none")[:2] == ["未派团队", "5"]
    by_week = client.get(PAGE, params={"start": "2026-03-01", "end": "2026-03-31", "group_by": "week"}).text
    assert _cells(by_week, "group-2026-W10")[:2] == ["2026-W10", "5"]
    xlsx = client.get(f"{PAGE}.xlsx", params=MARCH | {"group_by": "category"})
    assert xlsx.status_code == 200
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert [(row[0], row[1]) for row in rows[1:]] == [("业务类", 4), ("终端故障", 1), ("合计", 5)]


def test_r_s9_x5_enterprise_admin_sees_only_their_enterprise(client, database):
    eid, team_id, admin = seed_report_tickets(database)
    logged_in(client, admin)
    own = client.get(PAGE, params=MARCH)
    assert own.status_code == 200 and "服务报表 · 西湖科技" in own.text
    assert 'id="f-enterprise"' not in own.text and 'id="group-website"' not in own.text
    other = client.get(PAGE, params=MARCH | {"enterprise_id": eid + 1})
    assert other.status_code == 404


def test_r_s9_bad_dates_are_explained_not_failed(client, database):
    seed_report_tickets(database)
    logged_in(client, make_user(database, role=Role.operator))
    r = client.get(PAGE, params={"start": "2026-03-09", "end": "2026-03-01"})
    assert r.status_code == 422 and "notice-error" in r.text
    r = client.get(PAGE, params={"start": "03/01/2026"})
    assert r.status_code == 422
    assert client.get(PAGE, params={"group_by": "astrology"}).status_code == 200
    engineer = make_user(database, role=Role.field_engineer)
    client.cookies.clear()
    logged_in(client, engineer)
    assert client.get(PAGE).status_code == 403
