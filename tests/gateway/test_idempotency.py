"""Idempotency-Key on every create of every dialect, and InvoiceOcean's oid_unique on the same machinery."""
from __future__ import annotations

import json
import threading
import urllib.request
from datetime import timedelta
from typing import Any, Callable

import pytest
from sqlalchemy import func, select, update
from starlette.testclient import TestClient

from core.clock import now_utc
from core.ledger import Ledger
from core.models import Client, IdempotencyKey, Invoice, Payment, Product
from tests.gateway.test_caps import open_account

INVOICE = {"buyer_name": "Klient1 Sp. z o.o.", "buyer_tax_no": "5252445767",
           "positions": [{"name": "Produkt A1", "tax": 23, "total_price_gross": "10.23", "quantity": 1}]}
FAKTURAN_ROW = {"product_name": "A simple product", "product_unit": "ST", "product_tax": 25, "product_price": "153",
                "amount": "5"}
INVO_ITEM = {"product": "cos tam", "count": 4, "unit": "szt.", "pnetto": "100.00", "vatsm": "23%"}
FAKTURAN_CLIENT = {"company": "Google Inc", "org_number": "556677-8899",
                   "address": {"street_address": "1600 Amphitheatre Parkway", "zip_code": "94043",
                               "city": "Mountain View", "country": "SE"}}


def count(ledger: Ledger, model: type, account_id: int) -> int:
    return ledger.read(lambda s: s.execute(select(func.count()).select_from(model).where(
        model.account_id == account_id)).scalar_one())  # type: ignore[attr-defined]


def keys(ledger: Ledger) -> list[IdempotencyKey]:
    return ledger.read(lambda s: list(s.execute(select(IdempotencyKey).order_by(IdempotencyKey.id)).scalars()))


def same_answer(first: Any, second: Any) -> None:
    assert second.status_code == first.status_code
    assert second.content == first.content
    for header in ("content-type", "location"):
        assert second.headers.get(header) == first.headers.get(header)
    assert second.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers


# -- one sender per dialect and create: (client, account, key, variant) -> response --------------------------
def io_invoice_json(client: TestClient, account: dict[str, Any], key: str, variant: str = "") -> Any:
    body = {"api_token": account["invoiceocean"]["api_token"], "invoice": {**INVOICE, "buyer_name": "K" + variant}}
    return client.post("/invoices.json", json=body, headers={"Idempotency-Key": key})


def io_invoice_xml(client: TestClient, account: dict[str, Any], key: str, variant: str = "") -> Any:
    xml = (f"<invoice><api-token>{account['invoiceocean']['api_token']}</api-token><buyer-name>K{variant}</buyer-name>"
           "<positions type=\"array\"><position><name>A</name><tax>23</tax><total-price-gross>10.23</total-price-gross>"
           "<quantity>1</quantity></position></positions></invoice>")
    return client.post("/invoices.xml", content=xml.encode(),
                       headers={"Idempotency-Key": key, "Content-Type": "application/xml"})


def io_client(client: TestClient, account: dict[str, Any], key: str, variant: str = "") -> Any:
    return client.post("/clients.json", headers={"Idempotency-Key": key}, json={
        "api_token": account["invoiceocean"]["api_token"], "client": {"name": "Client" + variant}})


def io_payment(client: TestClient, account: dict[str, Any], key: str, variant: str = "") -> Any:
    return client.post("/banking/payments.json", headers={"Idempotency-Key": key}, json={
        "api_token": account["invoiceocean"]["api_token"], "banking_payment": {"name": "P" + variant, "price": "10.00",
                                                                              "paid": True}})


def _invo(client: TestClient, account: dict[str, Any], key: str, resource: str, q: dict[str, Any]) -> Any:
    return client.post("/api.json", data={"r": resource, "q": json.dumps(q)}, headers={"Idempotency-Key": key},
                       auth=(account["invo"]["login"], account["invo"]["password"]))


def invo_invoice(client: TestClient, account: dict[str, Any], key: str, variant: str = "") -> Any:
    return _invo(client, account, key, "invoices", {"action": "add", "type2": "+FV", "c1name": "Drutex" + variant,
                                                     "items": [INVO_ITEM]})


def invo_customer(client: TestClient, account: dict[str, Any], key: str, variant: str = "") -> Any:
    return _invo(client, account, key, "customers", {"action": "add", "name": "Jan Kowalski" + variant})


def invo_product(client: TestClient, account: dict[str, Any], key: str, variant: str = "") -> Any:
    return _invo(client, account, key, "products", {"action": "add", "name": "Drukarka" + variant, "pnetto": 500,
                                                     "vatsm": "23%"})


def fakturan_client(client: TestClient, account: dict[str, Any], key: str, variant: str = "") -> Any:
    return client.post("/api/v2/clients", json={**FAKTURAN_CLIENT, "company": "Google" + variant},
                       headers={"Idempotency-Key": key},
                       auth=(account["fakturan"]["key_id"], account["fakturan"]["password"]))


def fakturan_invoice(client: TestClient, account: dict[str, Any], key: str, variant: str = "") -> Any:
    auth = (account["fakturan"]["key_id"], account["fakturan"]["password"])
    return client.post("/api/v2/invoices", json={"client": FAKTURAN_CLIENT, "rows": [FAKTURAN_ROW],
                                                 "your_reference": "R" + variant},
                       headers={"Idempotency-Key": key}, auth=auth)


Sender = Callable[..., Any]
CREATES: list[tuple[Sender, type, int]] = [  # sender, the model it creates, the status of a create
    (io_invoice_json, Invoice, 201), (io_invoice_xml, Invoice, 201), (io_client, Client, 201),
    (io_payment, Payment, 201), (invo_invoice, Invoice, 200), (invo_customer, Client, 200),
    (invo_product, Product, 200), (fakturan_client, Client, 201), (fakturan_invoice, Invoice, 201),
]


@pytest.mark.parametrize(("send", "model", "status"), CREATES, ids=[c[0].__name__ for c in CREATES])
def test_replay_answers_the_original_response_and_creates_once(client: TestClient, ledger: Ledger,
                                                               account: dict[str, Any], send: Sender, model: type,
                                                               status: int) -> None:
    first = send(client, account, "key-1")
    assert first.status_code == status, first.text
    created = count(ledger, model, account["account_id"])
    replay = send(client, account, "key-1")
    same_answer(first, replay)
    assert count(ledger, model, account["account_id"]) == created
    fresh = send(client, account, "key-2")  # another key is another create
    assert fresh.status_code == status and fresh.content != first.content
    assert count(ledger, model, account["account_id"]) == created + 1


def test_the_key_is_per_account_and_per_dialect(client: TestClient, ledger: Ledger, account: dict[str, Any],
                                                other_account: dict[str, Any]) -> None:
    assert io_invoice_json(client, account, "shared").status_code == 201
    assert io_invoice_json(client, other_account, "shared").status_code == 201  # B's key: no replay of A's
    assert invo_invoice(client, account, "shared").json()["id"]  # INVO has its own keys
    assert count(ledger, Invoice, account["account_id"]) == 2
    assert count(ledger, Invoice, other_account["account_id"]) == 1


def test_same_key_with_another_body_is_a_conflict_in_each_dialects_format(
        client: TestClient, ledger: Ledger, account: dict[str, Any], fakturan_account: dict[str, Any]) -> None:
    assert io_invoice_json(client, account, "k").status_code == 201
    io = io_invoice_json(client, account, "k", variant="other")
    assert io.status_code == 422
    assert io.json() == {"code": "error", "message": {"base": [
        "this Idempotency-Key was already used for a different request"]}}

    assert io_invoice_xml(client, account, "kx").status_code == 201
    xml = io_invoice_xml(client, account, "kx", variant="other")
    assert xml.status_code == 422 and xml.headers["content-type"].startswith("application/xml")
    assert "<error>base this Idempotency-Key was already used for a different request</error>" in xml.text

    assert "id" in invo_customer(client, account, "k").json()
    invo = invo_customer(client, account, "k", variant="other")
    assert invo.status_code == 200
    assert invo.json() == {"error": 16, "message": "idempotency key reused"}

    assert fakturan_client(client, fakturan_account, "k").status_code == 201
    fakturan = fakturan_client(client, fakturan_account, "k", variant="other")
    assert fakturan.status_code == 409
    assert fakturan.json() == {"errors": {"idempotency_key": [{"error": "taken"}]}}
    assert count(ledger, Invoice, account["account_id"]) == 2
    assert count(ledger, Client, fakturan_account["account_id"]) == 1


def test_a_malformed_key_is_refused_and_nothing_is_written(client: TestClient, ledger: Ledger,
                                                          account: dict[str, Any]) -> None:
    answer = io_invoice_json(client, account, "x" * 256)
    assert answer.status_code == 422
    assert "idempotency_key" in answer.json()["message"]
    assert count(ledger, Invoice, account["account_id"]) == 0


def test_a_failed_create_keeps_no_key_so_the_fixed_request_may_reuse_it(client: TestClient, ledger: Ledger,
                                                                       account: dict[str, Any]) -> None:
    bad = client.post("/invoices.json", headers={"Idempotency-Key": "retry-me"}, json={
        "api_token": account["invoiceocean"]["api_token"], "invoice": {"positions": []}})
    assert bad.status_code == 422
    assert keys(ledger) == []
    assert io_invoice_json(client, account, "retry-me").status_code == 201


def test_keys_expire_after_24_hours_and_are_pruned(client: TestClient, ledger: Ledger, app: Any,
                                                   account: dict[str, Any]) -> None:
    first = io_invoice_json(client, account, "daily")
    assert first.status_code == 201

    def backdate(hours: float) -> None:
        ledger.write(lambda s: s.execute(update(IdempotencyKey).values(created_at=now_utc() - timedelta(hours=hours))))

    backdate(23.9)
    assert io_invoice_json(client, account, "daily").headers.get("idempotent-replayed") == "true"
    backdate(24.1)
    again = io_invoice_json(client, account, "daily")
    assert again.status_code == 201 and "idempotent-replayed" not in again.headers
    assert again.json()["id"] != first.json()["id"]
    assert count(ledger, Invoice, account["account_id"]) == 2
    assert len(keys(ledger)) == 1  # the expired row made way for the new one

    backdate(25)
    app.state.idempotency_pruned_at = float("-inf")  # the sweep runs at most every 10 minutes per worker
    assert io_invoice_json(client, account, "another").status_code == 201
    assert [row.key for row in keys(ledger)] == ["another"]


def test_a_replay_after_a_crash_before_the_response_was_stored_renders_the_record(
        client: TestClient, ledger: Ledger, account: dict[str, Any]) -> None:
    for send in (io_invoice_json, invo_invoice, fakturan_client):
        first = send(client, account, f"crash-{send.__name__}")
        assert first.status_code in (200, 201)
        # What a SIGKILL between the commit and storing the response leaves: the key and its record only.
        ledger.write(lambda s: s.execute(update(IdempotencyKey).values(status=0, response={})))
        replay = send(client, account, f"crash-{send.__name__}")
        same_answer(first, replay)
        stored = [row for row in keys(ledger) if row.key == f"crash-{send.__name__}"][0]
        assert stored.status == first.status_code and stored.record_id is not None
    assert count(ledger, Invoice, account["account_id"]) == 2


def test_oid_unique_refuses_a_second_invoice_with_the_same_oid_through_the_key_table(
        client: TestClient, ledger: Ledger, account: dict[str, Any]) -> None:
    body = {"api_token": account["invoiceocean"]["api_token"],
            "invoice": {**INVOICE, "oid": "zamowienie10021", "oid_unique": "yes"}}
    assert client.post("/invoices.json", json=body).status_code == 201
    [row] = keys(ledger)
    assert (row.dialect, row.key, row.record_id is not None) == ("oid", "zamowienie10021", True)
    second = client.post("/invoices.json", json=body)
    assert second.status_code == 422
    assert second.json() == {"code": "error", "message": {"oid": ["has already been taken"]}}
    # Without oid_unique the same oid is allowed, as InvoiceOcean documents.
    plain = {**body, "invoice": {**INVOICE, "oid": "zamowienie10021"}}
    assert client.post("/invoices.json", json=plain).status_code == 201
    # A replay of the first request (same Idempotency-Key) is a replay, not "taken".
    keyed = client.post("/invoices.json", json={**body, "invoice": {**body["invoice"], "oid": "o2"}},
                        headers={"Idempotency-Key": "o2"})
    assert keyed.status_code == 201
    same_answer(keyed, client.post("/invoices.json", json={**body, "invoice": {**body["invoice"], "oid": "o2"}},
                                   headers={"Idempotency-Key": "o2"}))
    assert count(ledger, Invoice, account["account_id"]) == 3


def test_oid_unique_frees_the_oid_when_its_invoice_was_deleted(client: TestClient, account: dict[str, Any]) -> None:
    token = account["invoiceocean"]["api_token"]
    body = {"api_token": token, "invoice": {**INVOICE, "oid": "z1", "oid_unique": "yes"}}
    first = client.post("/invoices.json", json=body)
    assert client.delete(f"/invoices/{first.json()['id']}.json", params={"api_token": token}).status_code == 200
    assert client.post("/invoices.json", json=body).status_code == 201


# -- concurrency against a real server ----------------------------------------------------------------------
def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _race(base_url: str, body: bytes, headers: dict[str, str], threads: int = 8) -> list[tuple[int, bytes]]:
    results: list[tuple[int, bytes]] = []
    barrier = threading.Barrier(threads)

    def one() -> None:
        barrier.wait()
        results.append(_post(f"{base_url}/invoices.json", body, headers))
    workers = [threading.Thread(target=one) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    return results


def _run_race(server: Any) -> None:
    token = open_account(server.database_url, "Racer")["invoiceocean"]["api_token"]
    body = json.dumps({"api_token": token, "invoice": INVOICE}).encode()
    results = _race(server.base_url, body, {"Content-Type": "application/json", "Idempotency-Key": "race"})
    assert [status for status, _ in results] == [201] * 8, server.log()
    assert len({json.loads(content)["id"] for _, content in results}) == 1  # every answer names one invoice

    oid_body = json.dumps({"api_token": token, "invoice": {**INVOICE, "oid": "race-oid", "oid_unique": True}}).encode()
    oid_results = _race(server.base_url, oid_body, {"Content-Type": "application/json"})
    assert sorted(status for status, _ in oid_results) == [201] + [422] * 7, server.log()

    with urllib.request.urlopen(f"{server.base_url}/invoices.json?api_token={token}&per_page=100") as listing:
        assert len(json.loads(listing.read())) == 2


def test_concurrent_duplicates_create_exactly_one_record_on_sqlite(live_server: Any) -> None:
    _run_race(live_server)


def test_concurrent_duplicates_create_exactly_one_record_on_postgresql(live_server_factory: Any,
                                                                       postgres_url: str) -> None:
    _run_race(live_server_factory(database_url=postgres_url))
