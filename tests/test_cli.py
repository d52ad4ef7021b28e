"""`ykt init`, `ykt demo`, `ykt user create` against a real database file."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from yikatong.cli import app
from yikatong.config import get_settings


def _run(monkeypatch, url, *args, password="admin-pass-1"):
    monkeypatch.setenv("YKT_DATABASE_URL", url)
    monkeypatch.setenv("YKT_ADMIN_PASSWORD", password)
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(app, list(args))
    finally:
        get_settings.cache_clear()


def test_init_creates_admin_and_is_repeatable(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    first = _run(monkeypatch, url, "init")
    assert first.exit_code == 0, first.output
    assert "admin" in first.output
    second = _run(monkeypatch, url, "init")
    assert second.exit_code == 0 and "created operator" not in second.output


def test_demo_loads_two_enterprises_and_about_200_members(monkeypatch, tmp_path):
    from fastapi.testclient import TestClient

    from yikatong.app import create_app
    from yikatong.config import Settings

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    assert _run(monkeypatch, url, "init").exit_code == 0
    out = _run(monkeypatch, url, "demo", "--if-empty")
    assert out.exit_code == 0, out.output
    from yikatong.demo import ENTERPRISES

    logins = [spec.admin for spec in ENTERPRISES]
    assert all(username in out.output for username, _ in logins)  # the demo logins are printed
    with TestClient(create_app(Settings(database_url=url))) as c:
        total = 0
        zones = set()
        for username, password in logins:
            token = c.post("/api/v1/auth/token", json={"username": username, "password": password}).json()
            h = {"Authorization": f"Bearer {token['access_token']}"}
            zones.add(c.get(f"/api/v1/enterprises/{token['enterprise_id']}", headers=h).json()["zone"])
            members = c.get(f"/api/v1/enterprises/{token['enterprise_id']}/members", headers=h, params={"limit": 500})
            total += members.json()["total"]
            assert all(re.fullmatch(r"1[3-9]\d{9}", m["phone"]) for m in members.json()["items"])
            assert all(re.fullmatch(r"[\u4e00-\u9fff]{2,3}", m["name"]) for m in members.json()["items"])
    assert zones == {"urban", "suburban"}
    assert 180 <= total <= 220
    # The shared person holds one card carrying sub-applications of both enterprises.
    from yikatong.demo import PORTAL_PASSWORD, SHARED_PERSON

    with TestClient(create_app(Settings(database_url=url))) as c:
        token = c.post("/api/v1/auth/token", json={"username": SHARED_PERSON[1], "password": PORTAL_PASSWORD},
                       headers={"X-Channel": "portal"}).json()["access_token"]
        my = c.get("/api/v1/me/cards", headers={"Authorization": f"Bearer {token}"}).json()
    assert len(my) == 1 and len({a["enterprise_id"] for a in my[0]["applications"]}) == 2
    # The service desk: a month of orders for the dashboard, open orders for the engineer.
    with TestClient(create_app(Settings(database_url=url))) as c:
        def headers(username: str) -> dict[str, str]:
            token = c.post("/api/v1/auth/token", json={"username": username, "password": "Demo@2026"}).json()
            return {"Authorization": f"Bearer {token['access_token']}"}

        report = c.get("/api/v1/service-reports", headers=headers("kf_400")).json()
        assert report["total"]["volume"] >= 40 and report["total"]["ratings"] >= 30
        assert {row["key"] for row in report["rows"]} == {"hotline_10086", "hotline_400"}
        mine = c.get("/api/v1/tickets", headers=headers("gcs_zhao")).json()["items"]
        assert mine and all(t["engineer_id"] is not None or t["status"] == "waiting_grab" for t in mine)
    again = _run(monkeypatch, url, "demo", "--if-empty")
    assert again.exit_code == 0 and "not loaded" in again.output


def test_user_create_adds_a_login_and_reports_errors(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path / 'u.db'}"
    assert _run(monkeypatch, url, "init").exit_code == 0
    ok = _run(monkeypatch, url, "user", "create", "--role", "agent_l1", "--username", "hall01", "--password", "hall-pass-1")
    assert ok.exit_code == 0 and "hall01" in ok.output
    dup = _run(monkeypatch, url, "user", "create", "--role", "agent_l1", "--username", "hall01", "--password", "hall-pass-1")
    assert dup.exit_code == 2 and "duplicate_username" in dup.output


def test_purse_jobs_run_from_the_command_line(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    assert _run(monkeypatch, url, "init").exit_code == 0
    expire = _run(monkeypatch, url, "purse", "expire")
    assert expire.exit_code == 0 and "expired 0 purse(s)" in expire.output
    digests = _run(monkeypatch, url, "purse", "digests", "--day", "2026-03-02")
    assert digests.exit_code == 0 and "queued 0 digest SMS for 2026-03-02" in digests.output
    bad = _run(monkeypatch, url, "purse", "digests", "--day", "March")
    assert bad.exit_code == 2 and "invalid_day" in bad.output
