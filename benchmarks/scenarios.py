"""Issue 11's scenarios, per dialect, as the requests wrk sends; and the data they need, made over HTTP.

Two accounts: an InvoiceOcean-profile one (used by InvoiceOcean and INVO) and a fakturan-profile one.
Every write goes to one client per account, by id, so no request creates clients as a side effect.
"""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import urlencode

import httpx

from benchmarks.harness import HarnessError, Request

LINES = 5
PREPARED_INVOICES = 40  # per dialect: more than one page of 25, and a pool of ids to read


@dataclass
class Scenario:
    name: str
    dialect: str
    requests: list[Request]
    connections: int | None = None  # None: the run's default; PDF latency is measured one at a time
    endpoint: str = ""  # the traffic log's endpoint name, for server-side latency


@dataclass
class Fixture:
    """Credentials, client ids and invoice ids the scenarios refer to."""
    io_token: str
    invo_auth: str
    fk_auth: str
    io_client: int = 0
    fk_client: int = 0
    ids: dict[str, list[int]] = field(default_factory=dict)


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def fixture_from(io_account: dict[str, Any], fk_account: dict[str, Any]) -> Fixture:
    return Fixture(io_token=io_account["invoiceocean"]["api_token"],
                   invo_auth=basic(io_account["invo"]["login"], io_account["invo"]["password"]),
                   fk_auth=basic(fk_account["fakturan"]["key_id"], fk_account["fakturan"]["password"]))


# -- one request of each kind ------------------------------------------------------------------------

def io_create(fx: Fixture) -> Request:
    positions = [{"name": f"Usługa {i}", "tax": 23, "price_net": "100.00", "quantity": 3, "quantity_unit": "szt."}
                 for i in range(LINES)]
    body = {"invoice": {"kind": "vat", "client_id": fx.io_client, "positions": positions}}
    return Request("POST", f"/invoices.json?api_token={fx.io_token}", {"Content-Type": "application/json"},
                   json.dumps(body))


def invo(fx: Fixture, resource: str, q: dict[str, Any]) -> Request:
    body = urlencode({"r": resource, "q": json.dumps(q)})
    return Request("POST", "/api.json", {"Authorization": fx.invo_auth,
                                         "Content-Type": "application/x-www-form-urlencoded"}, body)


def invo_create(fx: Fixture) -> Request:
    items = [{"product": f"Usługa {i}", "count": 3, "pnetto": "100.00", "vatsm": "23%", "unitsm": "szt."}
             for i in range(LINES)]
    return invo(fx, "invoices", {"action": "add", "c1id": fx.io_client, "items": items})


def fk_create(fx: Fixture) -> Request:
    rows = [{"product_name": f"Tjänst {i}", "product_unit": "st", "product_tax": 25, "product_price": "100.00",
             "amount": "3"} for i in range(LINES)]
    return Request("POST", "/api/v2/invoices", {"Authorization": fx.fk_auth, "Content-Type": "application/json"},
                   json.dumps({"client_id": fx.fk_client, "rows": rows}))


def io_get(fx: Fixture, invoice_id: int, fmt: str = "json") -> Request:
    return Request("GET", f"/invoices/{invoice_id}.{fmt}?api_token={fx.io_token}")


def invo_get(fx: Fixture, invoice_id: int) -> Request:
    return invo(fx, "invoices", {"action": "list", "id": invoice_id, "items": 1})


def fk_get(fx: Fixture, invoice_id: int) -> Request:
    return Request("GET", f"/api/v2/invoices/{invoice_id}", {"Authorization": fx.fk_auth})


def io_list(fx: Fixture, query: str = "") -> Request:
    return Request("GET", f"/invoices.json?api_token={fx.io_token}&per_page=25&page=1{query}")


def invo_list(fx: Fixture, **q: Any) -> Request:
    return invo(fx, "invoices", {"action": "list", "page": 1, "cpp": 25, **q})


def fk_list(fx: Fixture, query: str = "") -> Request:
    return Request("GET", f"/api/v2/invoices?per_page=25{query}", {"Authorization": fx.fk_auth})


# -- data -------------------------------------------------------------------------------------------

def _send(client: httpx.Client, request: Request) -> dict[str, Any]:
    answer = client.request(request.method, request.path, headers=request.headers, content=request.body)
    if not 200 <= answer.status_code < 300:
        raise HarnessError(f"{request.method} {request.path}: {answer.status_code} {answer.text[:300]}")
    if "json" not in answer.headers.get("content-type", ""):
        return {}
    data: dict[str, Any] = answer.json()
    if isinstance(data, dict) and "error" in data:  # INVO answers its errors with 200
        raise HarnessError(f"{request.method} {request.path}: {answer.text[:300]}")
    return data


def prepare(base_url: str, fx: Fixture) -> Fixture:
    with httpx.Client(base_url=base_url, timeout=60) as client:
        fx.io_client = _send(client, Request(
            "POST", f"/clients.json?api_token={fx.io_token}", {"Content-Type": "application/json"},
            json.dumps({"client": {"name": "Klient Benchmark Sp. z o.o.", "tax_no": "5252445767",
                                   "city": "Warszawa"}})))["id"]
        fx.fk_client = _send(client, Request(
            "POST", "/api/v2/clients", {"Authorization": fx.fk_auth, "Content-Type": "application/json"},
            json.dumps({"company": "Kund Benchmark AB", "org_number": "556677-8899"})))["data"]["id"]
        makers: dict[str, tuple[Callable[[Fixture], Request], Callable[[dict[str, Any]], int]]] = {
            "invoiceocean": (io_create, lambda d: int(d["id"])),
            "invo": (invo_create, lambda d: int(d["id"])),
            "fakturan": (fk_create, lambda d: int(d["data"]["id"])),
        }
        for dialect, (make, id_of) in makers.items():
            fx.ids[dialect] = [id_of(_send(client, make(fx))) for _ in range(PREPARED_INVOICES)]
    return fx


def check(base_url: str, request: Request) -> None:
    """One request of a scenario, answered 2xx (and no INVO error): the part of a run that is judged."""
    with httpx.Client(base_url=base_url, timeout=120) as client:
        _send(client, request)


# -- the scenario table -----------------------------------------------------------------------------

def scenarios(fx: Fixture) -> list[Scenario]:
    io_ids, invo_ids, fk_ids = fx.ids["invoiceocean"], fx.ids["invo"], fx.ids["fakturan"]
    reads = [
        *(io_get(fx, i) for i in io_ids[:10]), *(invo_get(fx, i) for i in invo_ids[:10]),
        *(fk_get(fx, i) for i in fk_ids[:10]), *(io_list(fx) for _ in range(10)),
        *(invo_list(fx) for _ in range(10)), *(fk_list(fx) for _ in range(10)), *(io_get(fx, i) for i in io_ids[10:20]),
    ]
    writes = [*(io_create(fx) for _ in range(10)), *(invo_create(fx) for _ in range(10)),
              *(fk_create(fx) for _ in range(10))]
    return [
        Scenario("create", "invoiceocean", [io_create(fx)], endpoint="invoices.create"),
        Scenario("create", "invo", [invo_create(fx)]),
        Scenario("create", "fakturan", [fk_create(fx)], endpoint="invoices.create"),
        # Issue 20: creates at 64 connections, judged by their p99 (group commit's queueing shows here).
        Scenario("create @64", "invoiceocean", [io_create(fx)], connections=64, endpoint="invoices.create"),
        Scenario("get", "invoiceocean", [io_get(fx, i) for i in io_ids]),
        Scenario("get xml", "invoiceocean", [io_get(fx, i, "xml") for i in io_ids]),
        Scenario("get", "invo", [invo_get(fx, i) for i in invo_ids]),
        Scenario("get", "fakturan", [fk_get(fx, i) for i in fk_ids]),
        Scenario("list 25", "invoiceocean", [io_list(fx)]),
        Scenario("list 25", "invo", [invo_list(fx)]),
        Scenario("list 25", "fakturan", [fk_list(fx)]),
        Scenario("search", "invo", [invo_list(fx, search="Benchmark")]),
        Scenario("pdf", "invoiceocean", [io_get(fx, i, "pdf") for i in io_ids], connections=1),
        Scenario("mixed 70/30", "all", [*reads, *writes]),
    ]
