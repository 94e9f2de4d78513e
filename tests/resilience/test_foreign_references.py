"""Every reference column a dialect can write, generated from the models: account B sends account A's id,
then an id nobody has, and both are refused in the dialect's own words; A can then still delete its record
(nothing of B's points at it).

WRITES maps each reference column (core.references.REFERENCES: the foreign keys read from the metadata,
plus the references the schema does not enforce) to the write that sets it, or to the reason no dialect
can set it. A reference column added without an entry fails `test_every_reference_column_has_a_case`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable

import pytest
from sqlmodel import SQLModel
from starlette.testclient import TestClient

from core.references import NOT_REFERENCES, REFERENCES
from tests.resilience.test_isolation_matrix import World, build_world

UNKNOWN = 987_654_321
LINE = {"name": "B line", "tax": 23, "total_price_gross": "12.30", "quantity": 1}


def _io(world: World, method: str, path: str, body: dict[str, Any]) -> Any:
    token = world.b["invoiceocean"]["api_token"]
    return world.client.request(method, f"{path}?api_token={token}", content=json.dumps(body).encode(),
                                headers={"Content-Type": "application/json", "Accept": "application/json"})


def _invo(world: World, resource: str, q: dict[str, Any]) -> Any:
    creds = world.b["invo"]
    return world.client.post("/api.json", data={"r": resource, "q": json.dumps(q)},
                             auth=(creds["login"], creds["password"]))


def _fakturan(world: World, method: str, path: str, body: dict[str, Any]) -> Any:
    key = world.b["fakturan"]
    return world.client.request(method, path, json=body, auth=(key["key_id"], key["password"]))


def io_refused(response: Any) -> bool:
    return response.status_code in (404, 422) and response.json()["code"] == "error"


def invo_refused(response: Any) -> bool:
    return response.status_code == 200 and response.json().get("error") in (6, 8)


def fakturan_refused(response: Any) -> bool:
    return response.status_code in (404, 422)


def _b_invoice(world: World) -> int:
    made = _io(world, "POST", "/invoices.json", {"invoice": {"kind": "vat", "buyer_name": "B", "positions": [LINE]}})
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


def _b_warehouse(world: World) -> int:
    made = _io(world, "POST", "/warehouses.json", {"warehouse": {"name": "B store"}})
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


def _document(world: World, kind: str = "pz", actions: list[dict[str, Any]] | None = None, **fields: Any) -> Any:
    document = {"kind": kind, "warehouse_actions": actions or [{"product_name": "B goods", "quantity": 1}], **fields}
    document.setdefault("warehouse_id", _b_warehouse(world))
    return _io(world, "POST", "/warehouse_documents.json", {"warehouse_document": document})


def _b_document(world: World) -> int:
    made = _document(world)
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


@dataclass(frozen=True)
class Write:
    """B's write that stores `ref` in the column; `target` names A's record in World.ids."""

    target: str
    send: Callable[[World, int], Any]
    refused: Callable[[Any], bool]


WRITES: dict[tuple[str, str], Write | str] = {
    ("invoices", "client_id"): Write("client", lambda w, ref: _io(w, "POST", "/invoices.json", {"invoice": {
        "kind": "vat", "client_id": ref, "positions": [LINE]}}), io_refused),
    ("invoices", "recipient_id"): Write("client", lambda w, ref: _io(w, "PUT", f"/invoices/{_b_invoice(w)}.json", {
        "invoice": {"recipient_id": ref}}), io_refused),
    ("invoices", "department_id"): Write("department", lambda w, ref: _io(w, "POST", "/invoices.json", {"invoice": {
        "kind": "vat", "buyer_name": "B", "department_id": ref, "positions": [LINE]}}), io_refused),
    ("invoices", "from_invoice_id"): Write("invoice", lambda w, ref: _io(w, "POST", "/invoices.json", {"invoice": {
        "kind": "correction", "from_invoice_id": ref, "buyer_name": "B", "positions": [
            {**LINE, "correction_before_attributes": {**LINE, "quantity": 2}}]}}), io_refused),
    ("invoices", "invoice_id"): Write("invoice", lambda w, ref: _io(w, "POST", "/invoices.json", {"invoice": {
        "kind": "vat", "buyer_name": "B", "invoice_id": ref, "positions": [LINE]}}), io_refused),
    ("invoices", "recurring_id"): Write("recurring", lambda w, ref: _io(w, "PUT", f"/invoices/{_b_invoice(w)}.json", {
        "invoice": {"recurring_id": ref}}), io_refused),
    ("invoice_lines", "product_id"): Write("product", lambda w, ref: _io(w, "POST", "/invoices.json", {"invoice": {
        "kind": "vat", "buyer_name": "B", "positions": [{**LINE, "product_id": ref}]}}), io_refused),
    ("invoice_lines", "invoice_id"): "a position belongs to the invoice it is sent with; InvoiceOcean's "
                                     "positions[].invoice_id is read-only and no other dialect names it",
    ("invoice_lines", "parent_id"): "the ledger links a correction's before/after rows to their difference row",
    ("invoice_lines", "corrected_line_id"): "no dialect parses it; the ledger copies it between correction rows",
    ("price_list_items", "product_id"): Write("product", lambda w, ref: _io(w, "POST", "/price_lists.json", {
        "price_list": {"name": "B prices", "price_list_positions_attributes": [{
            "priceable_id": ref, "priceable_type": "Product", "price_net": "1", "tax": "23"}]}}), io_refused),
    ("price_list_items", "price_list_id"): "a position belongs to the price list it is sent with (protected field)",
    ("attachments", "invoice_id"): Write("invoice", lambda w, ref: _invo(w, "files", {
        "action": "cost", "id": ref, "fname": "b.pdf", "ftype": ".pdf", "file": "JVBERi0xLjQgYg=="}), invo_refused),
    ("payment_allocations", "invoice_id"): Write("invoice", lambda w, ref: _io(w, "POST", "/banking/payments.json", {
        "banking_payment": {"name": "B pay", "price": "1.00", "invoice_id": ref}}), io_refused),
    ("payment_allocations", "payment_id"): "the ledger writes a payment's allocations with the payment itself",
    ("payments", "client_id"): Write("client", lambda w, ref: _io(w, "POST", "/banking/payments.json", {
        "banking_payment": {"name": "B pay", "price": "1.00", "client_id": ref}}), io_refused),
    ("recurrings", "invoice_id"): Write("invoice", lambda w, ref: _io(w, "POST", "/recurrings.json", {"recurring": {
        "name": "B rec", "invoice_id": ref, "start_date": "2030-01-01", "every": "1m"}}), io_refused),
    ("recurring_runs", "recurring_id"): "written by the recurring scheduler, never from a request",
    ("recurring_runs", "invoice_id"): "written by the recurring scheduler with the invoice it issued",
    ("clients", "price_list_id"): Write("price_list", lambda w, ref: _io(w, "POST", "/clients.json", {"client": {
        "name": "B client", "price_list_id": ref}}), io_refused),
    ("clients", "group_id"): Write("customer_group", lambda w, ref: _invo(w, "customers", {
        "action": "add", "name": "B client", "group": ref}), invo_refused),
    ("invoices", "category_id"): Write("category", lambda w, ref: _io(w, "POST", "/invoices.json", {"invoice": {
        "kind": "vat", "buyer_name": "B", "category_id": ref, "positions": [LINE]}}), io_refused),
    ("invoices", "warehouse_id"): Write("warehouse", lambda w, ref: _io(w, "POST", "/invoices.json", {"invoice": {
        "kind": "vat", "buyer_name": "B", "warehouse_id": ref, "positions": [LINE]}}), io_refused),
    ("invoices", "warehouse_document_id"): Write("invoice", lambda w, ref: _io(
        w, "PUT", f"/warehouse_documents/{_b_document(w)}.json", {"warehouse_document": {"invoice_ids": [ref]}}),
        io_refused),
    ("products", "category_id"): Write("category", lambda w, ref: _io(w, "POST", "/products.json", {"product": {
        "name": "B product", "price_net": "1", "tax": "23", "category_id": ref}}), io_refused),
    ("warehouse_documents", "warehouse_id"): Write("warehouse", lambda w, ref: _document(w, warehouse_id=ref),
                                                   io_refused),
    ("warehouse_documents", "department_id"): Write("department", lambda w, ref: _document(w, department_id=ref),
                                                    io_refused),
    ("warehouse_documents", "client_id"): Write("client", lambda w, ref: _document(w, client_id=ref), io_refused),
    ("warehouse_documents", "invoice_id"): "the invoice that made the document, written by the ledger only",
    ("warehouse_actions", "warehouse_document_id"): "an action belongs to the document it is sent with",
    ("warehouse_actions", "warehouse_id"): "the action's document's warehouse_id (warehouse_documents.warehouse_id)",
    ("warehouse_actions", "product_id"): Write("product", lambda w, ref: _document(w, actions=[
        {"product_id": ref, "quantity": 1}]), io_refused),
    ("warehouse_actions", "warehouse2_id"): Write("warehouse", lambda w, ref: _document(w, kind="mm", actions=[
        {"product_name": "B goods", "quantity": 1, "warehouse2_id": ref}]), io_refused),
    ("stock", "product_id"): "written by core.stock from a document's checked actions, never from a request",
    ("stock", "warehouse_id"): "written by core.stock from a document's checked actions, never from a request",
    ("credentials", "user_id"): "no dialect writes credentials; the console and the CLI give them the account's "
                                "own owner",
    ("bank_account_departments", "department_id"): Write("department", lambda w, ref: _io(
        w, "POST", "/bank_accounts.json", {"bank_account": {"bank_account_number": "PL11111111111111111111111111",
                                                            "bank_account_version_departments": [
                                                                {"department_id": ref, "show_on_invoice": True}]}}),
        io_refused),
    ("bank_account_departments", "bank_account_id"): "a department link belongs to the bank account it is sent with",
    ("invoice_bank_accounts", "invoice_id"): "an invoice's bank accounts are written with the invoice itself",
    ("invoice_bank_accounts", "bank_account_id"): "no dialect names it: the ledger copies the account it found by "
                                                  "its number among the caller's own, or made",
    ("webhook_deliveries", "webhook_id"): "written by the ledger when an event of the webhook's own account is "
                                          "queued, never from input",
    ("webhook_deliveries", "event_id"): "written by the ledger with the event it delivers, never from input",
    ("ksef_documents", "invoice_id"): "written by the ledger for the invoice it sends, loaded within the caller's "
                                      "account (send_to_ksef names it in the path: another account's id is a 404)",
    ("ksef_outbox", "document_id"): "written by the ledger with the KSeF document it queues, never from a request",
}

# The same columns through the other dialects, where they name them.
OTHER_DIALECTS: list[tuple[str, Write]] = [
    ("fakturan invoices.client_id", Write("client", lambda w, ref: _fakturan(w, "POST", "/api/v2/invoices", {
        "invoice": {"client_id": ref, "rows": [{"product_name": "B", "product_price": 10, "amount": 1}]}}),
        fakturan_refused)),
    ("invo products.group (category_id)", Write("product_group", lambda w, ref: _invo(w, "products", {
        "action": "add", "name": "B product", "pnetto": 10, "group": ref}), invo_refused)),
    ("invo invoices.c2id", Write("client", lambda w, ref: _invo(w, "invoices", {
        "action": "add", "c1name": "B", "c2id": ref, "items": [{"product": "B", "count": 1, "pnetto": 10,
                                                                "vatsm": 23}]}), invo_refused)),
    ("invo invoices.kid", Write("invoice", lambda w, ref: _invo(w, "invoices", {
        "action": "add", "type2": "+KOR", "c1name": "B", "kid": ref, "items": [{"product": "B", "count": 1,
                                                                                "pnetto": 10, "vatsm": 23}]}),
        invo_refused)),
]


def _reference_columns() -> set[tuple[str, str]]:
    return {(model.__tablename__, column) for model, columns in REFERENCES.items() for column in columns}


def test_every_reference_column_has_a_case() -> None:
    foreign_keys = {(table.name, column.name) for table in SQLModel.metadata.tables.values()
                    for column in table.columns if column.foreign_keys and column.name != "account_id"}
    assert foreign_keys <= _reference_columns()  # every foreign key is checked by the guard
    assert set(WRITES) == _reference_columns()
    named_ids = {(table.name, column.name) for table in SQLModel.metadata.tables.values()
                 for column in table.columns if column.name.endswith("_id") and column.name != "account_id"}
    unexplained = named_ids - _reference_columns() - set(NOT_REFERENCES)
    assert not unexplained, f"say what these name: add them to core.references LOGICAL or NOT_REFERENCES: {unexplained}"


# A's records, deleted by A through InvoiceOcean (INVO for its dictionaries), dependants first.
DELETES = [("warehouse_document", "/warehouse_documents/{}.json"), ("warehouse", "/warehouses/{}.json"),
           ("category", "/categories/{}.json"), ("recurring", "/recurrings/{}.json"),
           ("payment", "/banking/payments/{}.json"), ("invoice", "/invoices/{}.json"),
           ("bank_account", "/bank_accounts/{}.json"), ("issuer", "/issuers/{}.json"),
           ("price_list", "/price_lists/{}.json"), ("product", "/products/{}.json"),
           ("client", "/clients/{}.json"), ("department", "/departments/{}.json")]


def _a_deletes_everything(world: World) -> None:
    token = world.a["invoiceocean"]["api_token"]
    for name, path in DELETES:
        response = world.client.delete(path.format(world.ids[name]) + f"?api_token={token}")
        assert response.status_code == 200, (name, response.text)
    creds = world.a["invo"]
    for what, name in (("groupcu", "customer_group"), ("groupgs", "product_group")):
        answer = world.client.post("/api.json", auth=(creds["login"], creds["password"]), data={
            "r": "dictionaries", "q": json.dumps({"action": "delete", "what": what, "id": world.ids[name]})}).json()
        assert "error" not in answer, (name, answer)


@pytest.fixture
def world(client: TestClient, account: dict[str, Any], other_account: dict[str, Any]) -> World:
    built = build_world(client, account, other_account)
    creds = account["invo"]
    for what, name in (("groupcu", "customer_group"), ("groupgs", "product_group")):
        answer = client.post("/api.json", auth=(creds["login"], creds["password"]), data={
            "r": "dictionaries", "q": json.dumps({"action": "add", "what": what, "c3": f"A {name}"})}).json()
        built.ids[name] = answer["id"]
    return built


CASES = [(f"{table}.{column}", case) for (table, column), case in WRITES.items() if isinstance(case, Write)]
CASES += OTHER_DIALECTS


@pytest.mark.parametrize(("name", "write"), CASES, ids=[name for name, _ in CASES])
def test_another_accounts_id_or_an_unknown_id_is_refused_and_pins_nothing(world: World, name: str,
                                                                          write: Write) -> None:
    theirs = world.ids[write.target]
    foreign = write.send(world, theirs)
    assert write.refused(foreign), (name, foreign.status_code, foreign.text)
    unknown = write.send(world, UNKNOWN)
    assert write.refused(unknown), (name, unknown.status_code, unknown.text)
    # Nothing tells B that A's id exists: the two answers differ at most by the id they echo.
    assert foreign.text.replace(str(theirs), "ID") == unknown.text.replace(str(UNKNOWN), "ID")
    _a_deletes_everything(world)
