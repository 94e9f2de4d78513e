"""Requests leave no reference cycle behind, in any dialect, answered or refused.

Whatever a request makes is freed by reference counting the moment the request ends, so the cyclic collector
finds nothing of it to free. That is what lets the serving process run the collector rarely (gateway/memory.py:
it walked every in-flight request's objects ~150 times a second under a create load, ~8 % of the server's CPU,
and its full passes stalled every request for 10-30 ms): with no cycles made, collecting rarely costs no memory.
A credential's lookup (dialects.kit.context.SignIn) used to hold the request's state, which held it back: four
objects of cyclic garbage per request.

Each request is sent to the ASGI app as uvicorn sends it (no HTTP client, whose own objects would count), once to
warm what it caches, then three times with the collector told to keep whatever it finds unreachable. That runs in
a fresh interpreter with one app: in the suite's worker, what other tests left running (their apps' threads) makes
and drops objects of its own at any time.
"""
from __future__ import annotations

import asyncio
import base64
import gc
import json
import os
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from starlette.testclient import TestClient

from tests.gateway.test_read_hops import POSITIONS

FK_ROWS = [{"product_name": "Tjänst", "amount": "3", "product_price": "100.00", "product_tax": 25}]


def _basic(user: str, password: str) -> tuple[bytes, bytes]:
    return b"authorization", b"Basic " + base64.b64encode(f"{user}:{password}".encode())


async def _send(app: Any, method: str, path: str, headers: list[tuple[bytes, bytes]], body: bytes) -> int:
    path, _, query = path.partition("?")
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
             "headers": [(b"host", b"testserver"), (b"content-length", str(len(body)).encode()), *headers],
             "client": ("127.0.0.1", 50000), "server": ("testserver", 80)}
    sent = False
    status: list[int] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)  # the client stays connected
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    await app(scope, receive, send)
    return status[0]


def _cyclic_garbage(app: Any, request: tuple[str, str, list[tuple[bytes, bytes]], bytes], status: int) -> Counter[str]:
    """What the collector finds unreachable after three of the request, by type."""
    assert asyncio.run(_send(app, *request)) == status  # warm: caches filled, and the answer the one expected
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for _ in range(3):
            assert asyncio.run(_send(app, *request)) == status
        gc.collect()
        found = Counter(type(thing).__qualname__ for thing in gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    return found


def leftover_cycles(client: TestClient, account: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Per request: what the collector found unreachable after it, by type (nothing, for every request)."""
    token = account["invoiceocean"]["api_token"]
    invo = _basic(account["invo"]["login"], account["invo"]["password"])
    fk = _basic(account["fakturan"]["key_id"], account["fakturan"]["password"])
    io_id = client.post(f"/invoices.json?api_token={token}", json={"invoice": {
        "kind": "vat", "buyer_name": "Kowalski", "positions": POSITIONS}}).json()["id"]
    buyer = client.post("/api/v2/clients", auth=(account["fakturan"]["key_id"], account["fakturan"]["password"]),
                        json={"company": "Kund AB"}).json()["data"]["id"]
    io_client = client.post(f"/clients.json?api_token={token}", json={"client": {"name": "Klient"}}).json()["id"]
    json_body = (b"content-type", b"application/json")
    form_body = (b"content-type", b"application/x-www-form-urlencoded")

    def invo_call(q: dict[str, Any], auth: tuple[bytes, bytes] = invo) -> tuple[str, str, list[Any], bytes]:
        return "POST", "/api.json", [auth, form_body], urlencode({"r": "invoices", "q": json.dumps(q)}).encode()

    io_create = json.dumps({"invoice": {"kind": "vat", "buyer_name": "Kowalski", "positions": POSITIONS}}).encode()
    requests: dict[str, tuple[tuple[str, str, list[Any], bytes], int]] = {
        "invoiceocean get": (("GET", f"/invoices/{io_id}.json?api_token={token}", [], b""), 200),
        "invoiceocean xml get": (("GET", f"/invoices/{io_id}.xml?api_token={token}", [], b""), 200),
        "invoiceocean list": (("GET", f"/invoices.json?api_token={token}&include_positions=true", [], b""), 200),
        "invoiceocean create": (("POST", f"/invoices.json?api_token={token}", [json_body], io_create), 201),
        "invoiceocean unknown id": (("GET", f"/invoices/99999999.json?api_token={token}", [], b""), 404),
        "invoiceocean bad token": (("GET", "/invoices.json?api_token=nope", [], b""), 401),
        "invoiceocean create for no such client": (("POST", f"/invoices.json?api_token={token}", [json_body],
                                                     json.dumps({"invoice": {"kind": "vat", "client_id": 99999999,
                                                                             "positions": POSITIONS}}).encode()), 422),
        "invoiceocean create with a bad token": (("POST", "/invoices.json?api_token=nope", [json_body], io_create),
                                                 401),
        "invoiceocean malformed body": (("POST", f"/invoices.json?api_token={token}", [json_body], b"{\"invoice\":"),
                                        400),
        "invo get": (invo_call({"action": "list", "id": io_id, "items": 1}), 200),
        "invo list": (invo_call({"action": "list", "page": 1, "cpp": 25}), 200),
        "invo create": (invo_call({"action": "add", "c1id": io_client, "items": [
            {"product": "Usługa", "count": 3, "pnetto": "100.00", "vatsm": "23%", "unitsm": "szt."}]}), 200),
        "invo bad password": (invo_call({"action": "list"}, _basic(account["invo"]["login"], "wrong")), 200),
        "fakturan get": (("GET", f"/api/v2/invoices/{io_id}", [fk], b""), 200),
        "fakturan list": (("GET", "/api/v2/invoices?per_page=25", [fk], b""), 200),
        "fakturan create": (("POST", "/api/v2/invoices", [fk, json_body],
                             json.dumps({"client_id": buyer, "rows": FK_ROWS}).encode()), 201),
        "fakturan unknown id": (("GET", "/api/v2/invoices/99999999", [fk], b""), 404),
        "fakturan wrong types": (("POST", "/api/v2/invoices", [fk, json_body], b"{\"client_id\": [], \"rows\": 3}"),
                                 422),
    }
    return {name: dict(found) for name, (request, status) in requests.items()
            if (found := _cyclic_garbage(client.app, request, status))}


ALONE = textwrap.dedent("""
    import json, os, tempfile
    os.environ["GATEWAY_ARGON2_PROFILE"] = "test"
    from pathlib import Path
    from starlette.testclient import TestClient
    from core.accounts import create_account
    from gateway.app import create_app
    from gateway.migrations import upgrade
    from gateway.settings import Settings
    from tests.gateway.test_reference_cycles import leftover_cycles
    folder = Path(tempfile.mkdtemp())
    url = f"sqlite:///{folder / 'gateway.sqlite3'}"
    upgrade(url)
    app = create_app(Settings(database_url=url, outbox_dir=folder / "outbox",
                              allowed_hosts=Settings().allowed_hosts + ", testserver"))
    with TestClient(app, base_url="http://testserver") as client:
        account = app.state.ledger.write(create_account, "Acme", profile="invoiceocean").as_dict()
        print(json.dumps(leftover_cycles(client, account)))
""")


def test_requests_in_every_dialect_answered_or_refused_leave_no_reference_cycle() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")}
    done = subprocess.run([sys.executable, "-c", ALONE], capture_output=True, text=True, timeout=300, env=env,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.splitlines()[-1]) == {}
