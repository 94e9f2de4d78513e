"""schemathesis against a live gateway (the installed CLI, real uvicorn), driven by the OpenAPI documents
the gateway serves itself: every operation of the InvoiceOcean and fakturan documents, with positive
(schema-conforming) and negative (schema-violating) data.

Checked on every response: no 5xx, the status code is one the document lists for the operation, the
content type is one it lists for that status, and the body validates against the documented schema.
Not checked: that negative data is refused. Both real services are lenient by design (unknown keys
are kept, unreadable list parameters fall back to defaults), and the documents say so.

Seeded records (clients, products, invoices, payments, ...) give path ids that hit real rows: half of
the positive cases are pointed at one of them. DELETE operations run last, so the rest meet data.

FUZZ_PROFILE=short (default, `make test`) runs a few hundred cases per dialect; FUZZ_PROFILE=long
(`make fuzz`) at least LONG_TARGET per dialect. Counts are recorded as the test's `fuzz_cases`
property and printed in the terminal summary (tests/fuzz/conftest.py).
"""
from __future__ import annotations

import json
import math
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support.live_server import REPO_ROOT, LiveServer

PROFILE = os.environ.get("FUZZ_PROFILE", "short")
SHORT_TARGET, LONG_TARGET = 100, 2200  # generated cases per dialect
TARGET = {"short": SHORT_TARGET, "long": LONG_TARGET}[PROFILE]
MAX_ROUNDS = 4  # small operations exhaust their input space; more rounds (new seeds) top the count up
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


# Issue 17's input classes, put into one value of every third case (schemathesis draws from the schema alone):
# digits that str.isdigit() or int() read but ASCII does not, NUL, lone surrogates (bodies only: a query string
# is UTF-8 on the wire), numbers past int()'s 4,300 digits, exponents whose int() or arithmetic explodes.
ODD_QUERY_VALUES = ["²", "¹", "٣", "３", "--5", "+-5", "1_0", "a\x00b", "\x00", "1e999999999", "9" * 5000]
ODD_BODY_VALUES = [*ODD_QUERY_VALUES, "\ud800", "x\udfffy", 10**4000, -(10**4000)]


def oddify(case: Any, index: int) -> None:
    """Replace one query value or one scalar of the JSON body with an odd value, chosen by `index`."""
    if index % 3:
        return
    slots: list[tuple[Any, Any, list[Any]]] = []
    if isinstance(case.query, dict):
        slots.extend((case.query, key, ODD_QUERY_VALUES) for key in case.query)
    stack = [case.body] if isinstance(case.body, (dict, list)) else []
    while stack:
        container = stack.pop()
        for key in (container if isinstance(container, dict) else range(len(container))):
            value = container[key]
            if isinstance(value, (dict, list)):
                stack.append(value)
            else:
                slots.append((container, key, ODD_BODY_VALUES))
    if slots:
        container, key, values = slots[(index // 3) % len(slots)]
        container[key] = values[(index // 3) % len(values)]


@dataclass
class Tally:
    cases: int = 0
    by_mode: Counter[str] = field(default_factory=Counter)
    by_status: Counter[int] = field(default_factory=Counter)
    seeded_hits: int = 0
    failures: list[str] = field(default_factory=list)

    def summary(self, dialect: str) -> str:
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(self.by_status.items()))
        return (f"{dialect}: {self.cases} cases ({self.by_mode['positive']} positive, "
                f"{self.by_mode['negative']} negative; {self.seeded_hits} on seeded ids), statuses {statuses}, "
                f"{len(self.failures)} failures")


def _check(response: httpx.Response, expected: int) -> Any:
    assert response.status_code == expected, f"{response.request.method} {response.request.url}: {response.text}"
    return response.json() if response.content else None


# --- seeding ---------------------------------------------------------------------------------------

def seed_invoiceocean(base: str, token: str) -> dict[str, list[int]]:
    """A few of every resource, so ids in paths meet real rows. Returns path prefix -> ids."""
    with httpx.Client(base_url=base, params={"api_token": token}, timeout=30) as http:
        def create(path: str, body: dict[str, Any]) -> int:
            return int(_check(http.post(path, json=body), 201)["id"])

        clients = [create("/clients.json", {"client": {"name": f"Klient {i}", "tax_no": f"525244576{i}",
                                                       "email": f"k{i}@example.com"}}) for i in range(3)]
        products = [create("/products.json", {"product": {"name": f"Produkt {i}", "price_gross": "12.30",
                                                          "tax": 23}}) for i in range(2)]
        departments = [create("/departments.json", {"department": {"name": "Oddział", "tax_no": "5252445767"}})]
        invoices = [create("/invoices.json", {"invoice": {
            "kind": kind, "client_id": clients[i % 3], "buyer_name": f"Klient {i % 3}",
            "positions": [{"name": "Produkt A1", "tax": 23, "total_price_gross": "10.23", "quantity": 1},
                          {"name": "Produkt A2", "tax": 0, "total_price_gross": 50, "quantity": 3}]}})
            for i, kind in enumerate(("vat", "proforma", "vat", "vat"))]
        price_lists = [create("/price_lists.json", {"price_list": {
            "name": "Cennik", "currency": "PLN", "price_list_positions_attributes": [
                {"priceable_id": products[0], "price_net": "10.00", "price_gross": "12.30", "tax": "23"}]}})]
        payments = [create("/banking/payments.json", {"banking_payment": {
            "name": "Wpłata", "price": "10.23", "invoice_id": invoices[0], "paid_date": "2024-01-15"}})]
        recurrings = [create("/recurrings.json", {"recurring": {
            "name": "Abonament", "invoice_id": invoices[2], "start_date": "2030-01-01", "every": "1m"}})]
        issuers = [create("/issuers.json", {"issuer": {"name": "Issuer", "tax_no": "4170106662"}})]
        bank_accounts = [create("/bank_accounts.json", {"bank_account": {
            "name": "Rachunek główny PLN", "bank_account_number": "PL61 1090 1014 0000 0712 1981 2874",
            "bank_account_version_departments": [{"department_id": departments[0], "show_on_invoice": True}]}})]
        categories = [create("/categories.json", {"category": {"name": "Kategoria", "description": None}})]
        warehouses = [create("/warehouses.json", {"warehouse": {"name": f"Magazyn {i}"}}) for i in range(2)]
        documents = [create("/warehouse_documents.json", {"warehouse_document": {
            "kind": kind, "warehouse_id": warehouses[0], "issue_date": "2024-01-15", "warehouse_actions": [
                {"product_id": products[0], "quantity": 1, "warehouse2_id": warehouses[1] if kind == "mm" else None},
                {"product_name": "Produkt nowy", "purchase_price_net": "10.23", "purchase_tax": 23, "quantity": 2}
                if kind == "pz" else {"product_id": products[1], "quantity": 1,
                                      "warehouse2_id": warehouses[1] if kind == "mm" else None}]}})
            for kind in ("pz", "wz", "mm")]
    return {"/invoices": invoices, "/clients": clients, "/products": products, "/departments": departments,
            "/price_lists": price_lists, "/banking/payment": payments, "/recurrings": recurrings,
            "/issuers": issuers, "/bank_accounts": bank_accounts,
            "/categories": categories, "/warehouses": warehouses, "/warehouse_documents": documents}


def seed_fakturan(base: str, auth: tuple[str, str]) -> dict[str, list[int]]:
    with httpx.Client(base_url=base, auth=auth, timeout=30) as http:
        def create(path: str, body: dict[str, Any]) -> int:
            return int(_check(http.post(path, json=body), 201)["data"]["id"])

        clients = [create("/api/v2/clients", {"company": f"Kund {i} AB", "email": f"kund{i}@example.com",
                                              "address": {"street_address": "Gatan 1", "zip_code": "94043",
                                                          "city": "Stockholm", "country": "SE"}})
                   for i in range(3)]
        products = [create("/api/v2/products", {"name": f"Produkt {i}", "price": 100, "tax": 25}) for i in range(2)]
        invoices = [create("/api/v2/invoices", {"client_id": clients[i % 3], "rows": [
            {"product_name": "Konsulttimme", "amount": 2, "product_price": "1000", "product_tax": 25}]})
            for i in range(4)]
        create(f"/api/v2/invoices/{invoices[0]}/payments", {"paid_at": "2024-01-15", "amount": "500"})
    return {"/api/v2/invoices": invoices, "/api/v2/clients": clients, "/api/v2/products": products}


# --- the fuzzing loop ------------------------------------------------------------------------------

def _seeded_id(path: str, seeded: dict[str, list[int]], draw: int) -> int | None:
    for prefix, ids in seeded.items():
        if path.startswith(prefix) and ids:
            return ids[draw % len(ids)]
    return None


def fuzz(schema: Any, base: str, seeded: dict[str, list[int]], prepare: Callable[[Any], dict[str, str]],
         tally: Tally) -> None:
    operations = [result.ok() for result in schema.get_all_operations()]
    operations.sort(key=lambda op: op.method.upper() == "DELETE")  # stable: deletes last
    per_case = max(1, math.ceil(TARGET / (len(operations) * len(MODES))))
    session = requests.Session()
    for round_number in range(MAX_ROUNDS):
        for operation in operations:
            for mode in MODES:
                _fuzz_operation(operation, mode, per_case, base, seeded, prepare, tally, session, round_number)
        if tally.cases >= TARGET:
            break


def _fuzz_operation(operation: Any, mode: GenerationMode, examples: int, base: str, seeded: dict[str, list[int]],
                    prepare: Callable[[Any], dict[str, str]], tally: Tally, session: requests.Session,
                    round_number: int) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=examples, deadline=None, database=None, derandomize=PROFILE == "short",
              suppress_health_check=list(HealthCheck), phases=[Phase.generate], report_multiple_bugs=False)
    def run(case: Any) -> None:
        if mode.is_positive and "id" in (case.path_parameters or {}) and tally.cases % 4 != 0:
            hit = _seeded_id(operation.path, seeded, tally.cases + round_number)
            if hit is not None:
                case.path_parameters = {**case.path_parameters, "id": hit}
                tally.seeded_hits += 1
        oddify(case, tally.cases)
        headers = prepare(case)
        tally.cases += 1
        tally.by_mode[mode.value] += 1
        try:
            response = case.call_and_validate(base_url=base, session=session, headers=headers, checks=CHECKS,
                                              timeout=30)
        except (AssertionError, FailureGroup) as exc:
            status = getattr(getattr(exc, "response", None), "status_code", "?")
            tally.failures.append(f"{operation.method.upper()} {operation.path} [{mode.value}] -> {status}: "
                                  f"{str(exc)[:1500]}\n  reproduce: {case.as_curl_command(headers=headers)}")
            return
        tally.by_status[response.status_code] += 1

    try:
        run()
    except Unsatisfiable:
        pass  # e.g. no negative data exists for an operation without parameters or body


def _run(live_server: LiveServer, document: str, seeded: dict[str, list[int]],
         prepare: Callable[[Any], dict[str, str]], record_property: Callable[[str, Any], None]) -> Tally:
    schema = schemathesis.openapi.from_url(f"{live_server.base_url}/openapi/{document}.json")
    tally = Tally()
    started = time.monotonic()
    fuzz(schema, live_server.base_url, seeded, prepare, tally)
    line = f"{tally.summary(document)} in {time.monotonic() - started:.1f} s (profile {PROFILE})"
    record_property("fuzz_cases", line)
    print(line)
    return tally


def _crashes(log: str) -> str:
    """The distinct exceptions in the server log, each with the frame that raised it."""
    seen: dict[str, str] = {}
    for line in log.splitlines():  # structured JSON logs carry the traceback in "exc"
        if line.startswith("{") and '"exc"' in line:
            try:
                log += "\n" + str(json.loads(line)["exc"])
            except ValueError:
                pass
    for block in log.split("Traceback (most recent call last):")[1:]:
        lines = [line for line in block.strip().splitlines() if line.strip()]
        frames = [line for line in lines if line.strip().startswith("File ") and str(REPO_ROOT) in line
                  and "site-packages" not in line]
        exception = next((line for line in reversed(lines) if not line.startswith(" ")), lines[-1])
        seen.setdefault(exception[:300], frames[-1].strip() if frames else "")
    return "\n".join(f"{exc}\n    at {frame}" for exc, frame in seen.items())


def _assert_clean(live_server: LiveServer, tally: Tally) -> None:
    assert not tally.failures, (f"{len(tally.failures)} failures:\n" + "\n\n".join(tally.failures[:10])
                                + "\n\nserver exceptions:\n" + _crashes(live_server.log()))
    assert tally.cases >= TARGET * 0.9, f"only {tally.cases} cases ran (target {TARGET})"
    assert tally.by_mode["negative"] > 0 and tally.by_mode["positive"] > 0
    health = httpx.get(f"{live_server.base_url}/healthz", timeout=10)
    assert health.status_code == 200 and live_server.running, live_server.log()
    assert "unhandled error" not in live_server.log(), live_server.log()[-5000:]


def _account(live_server: LiveServer, name: str, *extra: str) -> dict[str, Any]:
    created = live_server.run_cli("accounts", "create", name, "--json", *extra)
    assert created.returncode == 0, created.stderr
    return json.loads(created.stdout)  # type: ignore[no-any-return]


@pytest.mark.slow
def test_invoiceocean_document_survives_schemathesis(module_live_server: LiveServer,
                                                     record_property: Callable[[str, Any], None]) -> None:
    live_server = module_live_server
    token = _account(live_server, "fuzz-io")["invoiceocean"]["api_token"]
    seeded = seed_invoiceocean(live_server.base_url, token)

    def prepare(case: Any) -> dict[str, str]:
        # The query token wins over any api_token the generator put in the body.
        case.query = {**(case.query if isinstance(case.query, dict) else {}), "api_token": token}
        return {}

    tally = _run(live_server, "invoiceocean", seeded, prepare, record_property)
    _assert_clean(live_server, tally)


@pytest.mark.slow
def test_fakturan_document_survives_schemathesis(module_live_server: LiveServer,
                                                 record_property: Callable[[str, Any], None]) -> None:
    live_server = module_live_server
    creds = _account(live_server, "fuzz-fakturan", "--profile", "fakturan")["fakturan"]
    auth = (creds["key_id"], creds["password"])
    seeded = seed_fakturan(live_server.base_url, auth)
    basic = httpx.BasicAuth(*auth)._auth_header

    def prepare(case: Any) -> dict[str, str]:
        case.headers = {**(case.headers or {}), "Authorization": basic}
        return {"Authorization": basic}

    tally = _run(live_server, "fakturan", seeded, prepare, record_property)
    _assert_clean(live_server, tally)
