from __future__ import annotations

import pytest

from yikatong.ota import channel
from yikatong.ota.devcards import DevCardStore


@pytest.fixture
def store(tmp_path):
    """The development card store in this test's directory, installed as the process's channel
    (after the app, whose factory installs the configured one)."""
    dev = DevCardStore(tmp_path / "dev-cards")
    previous = channel.install(dev)
    yield dev
    channel.install(previous)


@pytest.fixture
def api(client, store):
    return client
