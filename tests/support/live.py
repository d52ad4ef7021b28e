"""A real server for tests that need one: the app behind uvicorn on a free 127.0.0.1 port in a
thread of the test process (concurrency tests, browser tests), and simultaneous clients."""

from __future__ import annotations

import itertools
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import httpx
import uvicorn

API = "/api/v1"
START_TIMEOUT_S = 15
REQUEST_TIMEOUT_S = 60
_keys = itertools.count(1)


@contextmanager
def served(app) -> Iterator[str]:
    """The app behind a real uvicorn server on a free local port, for the length of the block."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    # Clients connect first and then wait for each other; on a loaded machine that wait can pass
    # uvicorn's 5 s keep-alive timeout, which would close the idle connections under them.
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                                           timeout_keep_alive=REQUEST_TIMEOUT_S))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="uvicorn", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.02)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=START_TIMEOUT_S)
        sock.close()
        assert not thread.is_alive(), "the server did not stop"


def all_at_once(url: str, requests: list[tuple[str, dict[str, str], dict]]) -> list[httpx.Response]:
    """POST every (path, headers, body) from its own thread and connection, all released together."""
    start = threading.Barrier(len(requests))

    def send(request: tuple[str, dict[str, str], dict]) -> httpx.Response:
        path, headers, body = request
        with httpx.Client(base_url=url, timeout=REQUEST_TIMEOUT_S) as http:
            http.get("/healthz")  # connect first, so that the posts really leave together
            start.wait(timeout=REQUEST_TIMEOUT_S)
            return http.post(API + path, headers=headers | {"Idempotency-Key": f"conc-{next(_keys)}"}, json=body)

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        futures = [pool.submit(send, r) for r in requests]
        return [f.result(timeout=3 * REQUEST_TIMEOUT_S) for f in futures]
