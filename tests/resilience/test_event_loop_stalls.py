"""One request must never stall every tenant (issue 17, item 1).

Each attack is a single request (or two at once) within the body limit, sent to a live `invoice-gateway serve`
while another client keeps asking `/healthz`. The attack must get the dialect's own answer quickly, and
`/healthz` must keep answering within HEALTHZ_BOUND: about ten times what a loaded machine needs, and the one
timing assertion of this kind in `make test`. Before the fixes each of these held the event loop for seconds.
"""
from __future__ import annotations

import base64
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson
import pytest

from dialects.kit.http import MAX_JSON_VALUES
from tests.gateway.test_caps import open_account
from tests.support.live_server import LiveServer

HEALTHZ_BOUND = 0.5
# A quadratic or exponential parse of these bodies takes minutes; a linear one well under a second.
ATTACK_BOUND = 5.0


@dataclass(frozen=True)
class Target:
    base_url: str
    invo: dict[str, str]
    fakturan: dict[str, str]


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def post(target: Target, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    request = urllib.request.Request(target.base_url + path, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read()


def invo(target: Target, r: str, q: dict[str, Any]) -> Any:
    body = orjson.dumps({"r": r, "q": q})
    status, answer = post(target, "/api.json", body, {**target.invo, "Content-Type": "application/json"})
    assert status == 200, answer
    return orjson.loads(answer)


@pytest.fixture(scope="module")
def target() -> Iterator[Target]:
    with LiveServer() as server:
        made = open_account(server.database_url, "Stalls")
        found = Target(server.base_url, basic(made["invo"]["login"], made["invo"]["password"]),
                       basic(made["fakturan"]["key_id"], made["fakturan"]["password"]))
        # The name the wildcard attack is matched against: 45 a's, then b.
        for resource in ("customers", "products"):
            assert "id" in invo(found, resource, {"action": "add", "name": "a" * 45 + "b"})
        yield found


def healthz_latencies_during(target: Target, attack: Callable[[], tuple[int, bytes]],
                             parallel: int = 1) -> tuple[list[float], list[tuple[int, bytes]], float]:
    """(healthz latencies while the attack ran, its answers, how long the slowest took)."""
    answers: list[tuple[int, bytes]] = []
    latencies: list[float] = []
    done = threading.Event()

    def run() -> None:
        answers.append(attack())

    attackers = [threading.Thread(target=run) for _ in range(parallel)]
    started = time.monotonic()
    for thread in attackers:
        thread.start()
    watcher = threading.Thread(target=lambda: [thread.join() for thread in attackers] and done.set())
    watcher.start()
    while not done.is_set() or len(latencies) < 5:
        asked = time.monotonic()
        with urllib.request.urlopen(f"{target.base_url}/healthz", timeout=30) as response:
            assert response.status == 200
        latencies.append(time.monotonic() - asked)
        time.sleep(0.01)
    watcher.join()
    return latencies, answers, time.monotonic() - started


FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON = {"Content-Type": "application/json"}
XML = {"Content-Type": "application/xml"}
INVO_MALFORMED = (200, b'{"error":3,"message":"invalid JSON format"}')
TOO_MANY_VALUES = f"JSON with more than {MAX_JSON_VALUES} values"


def _io_json_error(message: str) -> tuple[int, bytes]:
    return 400, orjson.dumps({"code": "error", "message": f"Malformed JSON: {message}"})


ATTACKS: dict[str, tuple[Callable[[Target], tuple[int, bytes]], int, Callable[[Target], tuple[int, bytes]]]] = {
    # name: (attack, how many at once, expected answer)
    "invo_q_with_many_ampersands": (
        lambda t: post(t, "/api.json", b"r=invoices&q={" + b"&x" * 200_000, {**t.invo, **FORM}), 1,
        lambda t: INVO_MALFORMED),
    "invo_form_of_nine_million_fields": (
        lambda t: post(t, "/api.json", b"&" * 9_000_000, {**t.invo, **FORM}), 1, lambda t: INVO_MALFORMED),
    "invo_customer_name_wildcards": (
        lambda t: post(t, "/api.json",
                       orjson.dumps({"r": "customers", "q": {"action": "list", "name": "%a" * 12 + "%B"}}),
                       {**t.invo, **JSON}), 1,
        lambda t: (200, b'{"count":0,"total":0,"rows":[]}')),
    "invo_product_name_wildcards": (
        lambda t: post(t, "/api.json",
                       orjson.dumps({"r": "products", "q": {"action": "list", "name": "%a" * 12 + "%B"}}),
                       {**t.invo, **JSON}), 1,
        lambda t: (200, b'{"count":0,"total":0,"rows":[]}')),
    "invoiceocean_anonymous_xml_of_a_million_elements": (
        lambda t: post(t, "/invoices.xml", b"<invoice>" + b"<a>1</a>" * 1_000_000 + b"</invoice>", XML), 2,
        lambda t: (400, b'<?xml version="1.0" encoding="UTF-8"?>\n<hash>\n  <code>error</code>\n'
                        b'  <message>XML with more than 20000 elements or attributes</message>\n</hash>\n')),
    "invoiceocean_json_of_four_million_values": (
        lambda t: post(t, "/invoices.json", b"[" + b"1," * 4_000_000 + b"1]", JSON), 2,
        lambda t: _io_json_error(TOO_MANY_VALUES)),
    "invoiceocean_json_number_of_nine_million_digits": (
        lambda t: post(t, "/invoices.json", b'{"invoice":{"price_net":' + b"1" * 9_000_000 + b"}}", JSON), 2,
        lambda t: _io_json_error("a number longer than 400 characters")),
    "invo_json_of_four_million_values": (
        lambda t: post(t, "/api.json", b'{"r":"invoices","q":[' + b"1," * 4_000_000 + b"1]}", {**t.invo, **JSON}), 2,
        lambda t: INVO_MALFORMED),
    "fakturan_json_of_four_million_values": (
        lambda t: post(t, "/api/v2/clients", b"[" + b"1," * 4_000_000 + b"1]", {**t.fakturan, **JSON}), 2,
        lambda t: (400, b'{"error":"400 Bad request"}')),
}


@pytest.mark.parametrize("name", list(ATTACKS))
def test_one_request_never_stalls_other_tenants(target: Target, name: str) -> None:
    attack, parallel, expected = ATTACKS[name]
    latencies, answers, seconds = healthz_latencies_during(target, lambda: attack(target), parallel)
    assert answers == [expected(target)] * parallel
    assert max(latencies) < HEALTHZ_BOUND, (name, sorted(latencies)[-3:])
    assert seconds < ATTACK_BOUND, (name, seconds)
