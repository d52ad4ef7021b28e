"""S7: `ykt init` loads the starting FAQ once; running it again adds nothing."""

from __future__ import annotations

from sqlalchemy import func, select
from typer.testing import CliRunner

from yikatong.cli import app
from yikatong.config import get_settings
from yikatong.db import Database
from yikatong.knowledge.faq import ARTICLES
from yikatong.knowledge.models import Article


def _init(monkeypatch, url):
    monkeypatch.setenv("YKT_DATABASE_URL", url)
    monkeypatch.setenv("YKT_ADMIN_PASSWORD", "admin-pass-1")
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(app, ["init"])
    finally:
        get_settings.cache_clear()


def test_r_s7_init_seeds_the_faq_once(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path / 'kb.db'}"
    first = _init(monkeypatch, url)
    assert first.exit_code == 0, first.output
    assert f"{len(ARTICLES)} starting articles" in first.output
    second = _init(monkeypatch, url)
    assert second.exit_code == 0 and "starting articles" not in second.output
    db = Database(url)
    try:
        with db.read() as s:
            assert s.scalar(select(func.count()).select_from(Article)) == len(ARTICLES)
            assert s.scalar(select(func.count()).select_from(Article).where(Article.status != "published")) == 0
    finally:
        db.dispose()
