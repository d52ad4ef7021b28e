"""S9 service reports: the measures, the groupings, the periods in Beijing days, the xlsx, and who
may read them. The work orders are written as rows with known outcomes, so each figure can be
checked by hand; the flows that produce those outcomes are tested in the other files here."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from factories import login, make_user
from support.service_desk import seed_report_tickets as seed
from yikatong.core.actor import Role

API = "/api/v1/service-reports"


def test_r_s9_measures_by_channel_for_one_enterprise(client, database):
    eid, team_id, _ = seed(database)
    staff = login(client, make_user(database, role=Role.agent_l2))
    r = client.get(API, headers=staff, params={"start": "2026-03-01", "end": "2026-03-07", "group_by": "channel",
                                               "enterprise_id": eid})
    assert r.status_code == 200, r.text
    report = r.json()
    rows = {row["key"]: row for row in report["rows"]}
    assert set(rows) == {"hotline_10086", "portal"}
    hotline = rows["hotline_10086"]
    assert (hotline["volume"], hotline["first_contact_resolved"], hotline["first_contact_rate"]) == (3, 2, 0.6667)
    assert (hotline["sla_met"], hotline["sla_breached"], hotline["sla_attainment"]) == (3, 2, 0.6)
    assert (hotline["ratings"], hotline["rating_average"], hotline["satisfied_rate"]) == (3, 4.0, 0.6667)
    # The portal reaches the second line, which answered it: a first-contact resolution too.
    assert rows["portal"]["first_contact_resolved"] == 1 and rows["portal"]["rating_average"] is None
    total = report["total"]
    assert (total["volume"], total["first_contact_resolved"], total["sla_met"], total["sla_breached"]) == (4, 3, 4, 2)


def test_r_s9_by_team_category_and_period_in_beijing_days(client, database):
    eid, team_id, _ = seed(database)
    staff = login(client, make_user(database, role=Role.operator))
    period = {"start": "2026-03-01", "end": "2026-03-31"}
    by_team = client.get(API, headers=staff, params=period | {"group_by": "team"}).json()
    labels = {row["key"]: (row["label"], row["volume"]) for row in by_team["rows"]}
    assert labels[str(team_id)] == ("杭州厂家驻地组", 1) and labels[""] == ("—", 5)
    by_category = {row["key"]: row["volume"] for row in
                   client.get(API, headers=staff, params=period | {"group_by": "category"}).json()["rows"]}
    assert by_category == {"business": 5, "terminal": 1}
    by_day = {row["key"]: row["volume"] for row in
              client.get(API, headers=staff, params=period | {"group_by": "day"}).json()["rows"]}
    assert by_day == {"2026-03-02": 4, "2026-03-03": 1, "2026-03-20": 1}
    by_week = {row["key"]: row["volume"] for row in
               client.get(API, headers=staff, params=period | {"group_by": "week"}).json()["rows"]}
    assert by_week == {"2026-W10": 5, "2026-W12": 1}
    by_month = client.get(API, headers=staff, params=period | {"group_by": "month"}).json()
    assert [(row["key"], row["volume"]) for row in by_month["rows"]] == [("2026-03", 6)]


def test_r_s9_xlsx_export_has_every_group_and_a_total(client, database):
    eid, team_id, _ = seed(database)
    staff = login(client, make_user(database, role=Role.agent_l1))
    r = client.get(API, headers=staff, params={"start": "2026-03-01", "end": "2026-03-07", "format": "xlsx",
                                               "enterprise_id": eid})
    assert r.status_code == 200 and "service-report-2026-03-01-2026-03-07.xlsx" in r.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(r.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:2] == ["分组", "工单量"] and [row[0] for row in rows[1:]] == ["hotline_10086", "portal", "合计"]
    assert rows[-1][1] == 4 and sheet["D2"].number_format == "0.0%"


def test_r_s9_x5_an_enterprise_admin_reads_only_their_own(client, database):
    eid, team_id, admin = seed(database)
    headers = login(client, admin)
    own = client.get(API, headers=headers, params={"start": "2026-03-01", "end": "2026-03-07"}).json()
    assert own["enterprise_id"] == eid and own["total"]["volume"] == 4
    other = client.get(API, headers=headers, params={"start": "2026-03-01", "end": "2026-03-07",
                                                     "enterprise_id": eid + 1})
    assert other.status_code == 404


def test_r_s9_refusals(client, database):
    seed(database)
    member_like = login(client, make_user(database, role=Role.field_engineer))
    assert client.get(API, headers=member_like).status_code == 403
    staff = login(client, make_user(database, role=Role.operator))
    backwards = client.get(API, headers=staff, params={"start": "2026-03-07", "end": "2026-03-01"})
    assert backwards.status_code == 422 and backwards.json()["error"]["code"] == "invalid_period"
    too_long = client.get(API, headers=staff, params={"start": "2025-01-01", "end": "2026-03-01"})
    assert too_long.status_code == 422 and too_long.json()["error"]["code"] == "period_too_long"
    wrong = client.get(API, headers=staff, params={"group_by": "astrology"})
    assert wrong.status_code == 422
