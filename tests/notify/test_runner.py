"""Where the worker runs: a thread of the app under `ykt serve` (not with --no-worker), or `ykt worker`."""

from __future__ import annotations

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from factories import make_enterprise
from notify.helpers import emit, subscribe
from yikatong.cli import app as cli


def test_r_c11_serve_runs_the_worker_in_process(database, receiver):
    from yikatong.app import create_app
    from yikatong.config import Settings

    eid, _ = make_enterprise(database)
    subscribe(database, eid, receiver.url)
    [event] = emit(database, eid, (1, "card.lost"))
    app = create_app(Settings(database_url=database.url, secret_key="test-secret"), database=database,
                     start_worker=True)
    with TestClient(app):
        assert receiver.wait_for(lambda hits: len(hits) == 1, timeout=10)
    assert receiver.event_ids() == [event] and receiver.hits[0].signature_ok


def test_serve_starts_the_worker_unless_told_not_to(monkeypatch):
    import uvicorn

    import yikatong.app

    started: list[bool] = []
    monkeypatch.setattr(yikatong.app, "create_app", lambda **kw: started.append(kw["start_worker"]))
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: None)
    assert CliRunner().invoke(cli, ["serve"]).exit_code == 0
    assert CliRunner().invoke(cli, ["serve", "--no-worker"]).exit_code == 0
    assert started == [True, False]
