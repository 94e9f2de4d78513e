"""Webhook tests: a real HTTP receiver on a free local port, and the gateway allowed to call 127.0.0.1 with
retries shortened (GATEWAY_WEBHOOK_RETRY_BASE), as the issue asks."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Iterator

import orjson
import pytest
from standardwebhooks.webhooks import Webhook as Verifier
from starlette.testclient import TestClient

from gateway.settings import Settings

RECEIVER_TOKEN = "RECEIVER_TOKEN"
WAIT_S = 20.0  # how long a test waits for deliveries before it fails (never a timing assertion)


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float  # time.time() on receipt (the lag benchmark's clock)

    @property
    def json(self) -> Any:
        return orjson.loads(self.body)


class Receiver:
    """Records every POST; answers the statuses queued in `answers` first, then 200."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.answers: list[int] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802  (the http.server name)
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                with receiver._lock:
                    receiver.requests.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()},
                                                      body, time.time()))
                    status = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def wait_for(self, count: int, timeout: float = WAIT_S) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.requests)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.stop()


@pytest.fixture
def other_receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.stop()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=database_url, outbox_dir=tmp_path / "outbox",
                    allowed_hosts=Settings().allowed_hosts + ", testserver",
                    webhook_allow_hosts="127.0.0.1", webhook_retry_base=0.05, public_base_url="http://testserver")


def subscribe(client: TestClient, token: str, kind: str, url: str, api_token: str = RECEIVER_TOKEN) -> dict[str, Any]:
    response = client.post("/webhooks.json", json={"api_token": token, "webhook": {
        "kind": kind, "url": url, "api_token": api_token, "active": True}})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def verified(received: Received, secret: str) -> Any:
    """The body, once the Standard Webhooks reference implementation accepts its signature."""
    return Verifier(secret).verify(received.body, received.headers)


def wait_until(condition: Callable[[], Any], timeout: float = WAIT_S) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.02)
    return condition()
