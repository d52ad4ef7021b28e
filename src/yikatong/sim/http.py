"""The simulator's HTTP client."""

from __future__ import annotations

import httpx

TIMEOUT_S = 60
# Below uvicorn's 5 s keep-alive timeout: a connection idle that long is closed by the client first,
# never reused just as the server closes it.
KEEPALIVE_EXPIRY_S = 2.0


class SimClient(httpx.Client):
    """An httpx client that sends a request once more when the connection breaks under it. Every
    request of the simulator is safe to repeat: money moves carry an Idempotency-Key, offline
    uploads are deduplicated by the platform, a repeated loss report is refused (409)."""

    def __init__(self, base_url: str):
        super().__init__(base_url=base_url, timeout=TIMEOUT_S,
                         limits=httpx.Limits(max_keepalive_connections=4, keepalive_expiry=KEEPALIVE_EXPIRY_S))

    def request(self, *args, **kwargs) -> httpx.Response:
        try:
            return super().request(*args, **kwargs)
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError):
            return super().request(*args, **kwargs)
