"""Caps: body size, XML and JSON depth, list page sizes, and slow clients (body and head timeouts)."""
from __future__ import annotations

import base64
import json
import socket
import threading
import time
import urllib.request
from dataclasses import replace
from typing import Any

import pytest
from starlette.testclient import TestClient

from core.accounts import create_account
from core.commands import CreateRecord
from core.ledger import Ledger
from dialects.kit.http import MAX_JSON_DEPTH, loads_json
from gateway.app import create_app
from gateway.db import make_engine
from gateway.settings import Settings


def open_account(database_url: str, name: str) -> dict[str, Any]:
    """An account in a live server's database, without the cost of a CLI process."""
    engine = make_engine(database_url)
    try:
        return Ledger(engine).write(create_account, name).as_dict()
    finally:
        engine.dispose()


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def nested(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


@pytest.mark.parametrize("text", [str, bytes])
@pytest.mark.parametrize("depth", [1, 2, MAX_JSON_DEPTH - 1, MAX_JSON_DEPTH, MAX_JSON_DEPTH + 1])
@pytest.mark.parametrize("siblings", [0, 3, MAX_JSON_DEPTH * 2])
def test_json_is_refused_by_its_depth_alone_whatever_number_of_brackets_it_has(text: type, depth: int,
                                                                               siblings: int) -> None:
    """A body with no more brackets than the depth cap skips the depth walk (a create's always does); brackets
    side by side, or inside strings, are not depth and must not refuse it."""
    body = '{"a":' * depth + '[' + ', '.join(['{}', '"[[{{"'] * siblings) + ']' + '}' * depth
    raw = body if text is str else body.encode()
    levels = depth + 1 + (1 if siblings else 0)  # the objects, the list, the empty objects in it
    if levels <= MAX_JSON_DEPTH:
        assert loads_json(raw) == json.loads(body)
    else:
        with pytest.raises(ValueError, match=f"nested deeper than {MAX_JSON_DEPTH} levels"):
            loads_json(raw)


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 5_000])  # over the cap; past Python's recursion limit (1,000)
def test_deeply_nested_json_is_a_malformed_request_in_each_dialect(client: TestClient, account: dict[str, Any],
                                                                   depth: int) -> None:
    token = account["invoiceocean"]["api_token"]
    io = client.post(f"/invoices.json?api_token={token}", content=nested(depth),
                     headers={"Content-Type": "application/json"})
    assert io.status_code == 400
    assert io.json() == {"code": "error", "message": f"Malformed JSON: JSON nested deeper than {MAX_JSON_DEPTH} levels"}

    invo_auth = basic(account["invo"]["login"], account["invo"]["password"])
    as_body = client.post("/api.json", content=nested(depth), headers={**invo_auth, "Content-Type": "application/json"})
    as_q = client.post("/api.json", data={"r": "customers", "q": nested(depth).decode()}, headers=invo_auth)
    for answer in (as_body, as_q):
        assert (answer.status_code, answer.json()) == (200, {"error": 3, "message": "invalid JSON format"})

    fakturan = client.post("/api/v2/clients", content=nested(depth), headers={
        **basic(account["fakturan"]["key_id"], account["fakturan"]["password"]), "Content-Type": "application/json"})
    assert (fakturan.status_code, fakturan.json()) == (400, {"error": "400 Bad request"})


def test_json_at_the_depth_cap_is_still_read(client: TestClient, account: dict[str, Any]) -> None:
    body = {"api_token": account["invoiceocean"]["api_token"], "client": {"name": "Deep"}}
    deep: Any = 1
    for _ in range(MAX_JSON_DEPTH - 3):
        deep = [deep]
    body["client"]["x_deep"] = deep  # an unknown key: kept, not an error
    answer = client.post("/clients.json", json=body)
    assert answer.status_code == 201, answer.text


def test_deep_xml_is_refused_with_400_in_xml(client: TestClient, account: dict[str, Any]) -> None:
    token = account["invoiceocean"]["api_token"]
    xml = b"<client>" + b"<a>" * 40 + b"x" + b"</a>" * 40 + b"</client>"
    answer = client.post(f"/clients.xml?api_token={token}", content=xml, headers={"Content-Type": "application/xml"})
    assert answer.status_code == 400 and "nested deeper than 32 levels" in answer.text
    assert answer.headers["content-type"].startswith("application/xml")


def test_bodies_over_the_limit_get_413_in_each_dialect(settings: Settings, account: dict[str, Any]) -> None:
    small = TestClient(create_app(replace(settings, max_body_bytes=1000)))
    big = b'{"x":"' + b"a" * 2000 + b'"}'
    io = small.post(f"/clients.json?api_token={account['invoiceocean']['api_token']}", content=big,
                    headers={"Content-Type": "application/json"})
    assert io.status_code == 413 and io.json()["code"] == "error"
    invo = small.post("/api.json", content=big, headers=basic(account["invo"]["login"], account["invo"]["password"]))
    assert (invo.status_code, invo.json()["error"]) == (413, 11)
    fakturan = small.post("/api/v2/clients", content=big,
                          headers=basic(account["fakturan"]["key_id"], account["fakturan"]["password"]))
    assert fakturan.status_code == 413 and fakturan.json() == {"error": "413 Request Entity Too Large"}


def test_list_page_sizes_are_capped_in_each_dialect(client: TestClient, ledger: Ledger,
                                                    account: dict[str, Any]) -> None:
    for i in range(101):
        ledger.execute(CreateRecord("client", account["account_id"], {"name": f"Client {i:03}"}))
    token = account["invoiceocean"]["api_token"]
    assert len(client.get("/clients.json", params={"api_token": token, "per_page": 1000}).json()) == 100

    fakturan_auth = basic(account["fakturan"]["key_id"], account["fakturan"]["password"])
    page = client.get("/api/v2/clients?per_page=1000", headers=fakturan_auth).json()
    assert len(page["data"]) == 100

    invo_auth = basic(account["invo"]["login"], account["invo"]["password"])

    def invo(q: dict[str, Any]) -> Any:
        return client.post("/api.json", data={"r": "customers", "q": json.dumps({"action": "list", **q})},
                           headers=invo_auth).json()
    assert invo({})["count"] == 100  # the default without limit/cpp
    assert invo({"limit": 1000})["count"] == 101
    for q in ({"limit": 1001}, {"cpp": 1001}, {"cpp": 0}):
        assert invo(q)["error"] == 8


# -- slow clients, against a real server ---------------------------------------------------------------------
def _healthy(base_url: str) -> float:
    started = time.monotonic()
    with urllib.request.urlopen(f"{base_url}/healthz", timeout=5) as response:
        assert response.status == 200
    return time.monotonic() - started


def _connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.settimeout(10)
    return sock


def _read_all(sock: socket.socket) -> bytes:
    chunks = []
    while True:
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, TimeoutError):
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def _trickle(sock: socket.socket, data: bytes, stop: threading.Event, interval: float = 0.2) -> None:
    for byte in data:
        if stop.is_set():
            return
        try:
            sock.sendall(bytes([byte]))
        except OSError:  # the server hung up: what the test waits for
            return
        time.sleep(interval)


def test_slow_clients_are_cut_off_while_other_requests_are_served(live_server_factory: Any) -> None:
    server = live_server_factory(env={"GATEWAY_HEADER_TIMEOUT": "1.5", "GATEWAY_BODY_TIMEOUT": "1.5"})
    made = open_account(server.database_url, "Slow")
    port = server.port
    stop = threading.Event()

    # 1. A head trickled one byte per 0.2 s never completes: 408 and the connection is closed.
    head = _connect(port)
    head_started = time.monotonic()
    head_thread = threading.Thread(target=_trickle,
                                   args=(head, b"GET /healthz HTTP/1.1\r\nX-Slow: " + b"a" * 200, stop))
    head_thread.start()

    # 2. A body trickled after a complete head: 408 in the dialect's own format (INVO's envelope here).
    auth = base64.b64encode(f"{made['invo']['login']}:{made['invo']['password']}".encode()).decode()
    body = _connect(port)
    body.sendall(f"POST /api.json HTTP/1.1\r\nHost: x\r\nAuthorization: Basic {auth}\r\n"
                 "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 500\r\n\r\n".encode())
    body_started = time.monotonic()
    body_thread = threading.Thread(target=_trickle, args=(body, b"r=login&q=" + b"x" * 490, stop))
    body_thread.start()

    try:
        # Meanwhile the server answers everyone else promptly.
        latencies = [_healthy(server.base_url) for _ in range(5)]
        assert max(latencies) < 1.0, latencies

        head_answer = _read_all(head)
        head_seconds = time.monotonic() - head_started
        body_answer = _read_all(body)
        body_seconds = time.monotonic() - body_started
    finally:
        stop.set()
        head_thread.join(5)
        body_thread.join(5)
        head.close()
        body.close()

    assert head_answer.startswith(b"HTTP/1.1 408 "), head_answer
    assert 1.0 < head_seconds < 6, head_seconds
    status_line, _, rest = body_answer.partition(b"\r\n")
    assert status_line.startswith(b"HTTP/1.1 408"), body_answer
    assert rest.endswith(b'{"error":15,"message":"request timeout"}'), body_answer
    assert 1.0 < body_seconds < 6, body_seconds

    # 3. An idle connection that never sends a byte is released too.
    idle = _connect(port)
    idle_started = time.monotonic()
    assert _read_all(idle).startswith(b"HTTP/1.1 408 ")
    assert time.monotonic() - idle_started < 6
    idle.close()
    _healthy(server.base_url)
