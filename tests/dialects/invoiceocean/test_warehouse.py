"""Categories, warehouses, warehouse documents and stock over HTTP, with the reference's example payloads
(../shared/reference/fakturownia-api/README.md: "Kategorie", "Magazyny", "Dokumenty magazynowe", "Akcje
magazynowe", products "ze stanem magazynowym"). The payloads below are the reference's -d bodies verbatim;
only API_TOKEN and the ids the reference writes as placeholders ("1", "13", "333", "222", "111") are replaced
by the records this account really has."""
from __future__ import annotations

import json
import threading
from decimal import Decimal
from typing import Any

import pytest
from starlette.testclient import TestClient

from core.stock import set_negative_stock
from tests.dialects.invoiceocean.conftest import post_json
from tests.dialects.invoiceocean.warehouse_payloads import (
    CATEGORY_CREATE,
    CATEGORY_UPDATE,
    DOCUMENT_LINK,
    DOCUMENT_MM,
    DOCUMENT_PZ,
    DOCUMENT_PZ_EXISTING,
    DOCUMENT_UPDATE,
    DOCUMENT_WZ,
    WAREHOUSE_CREATE,
    WAREHOUSE_UPDATE,
)


def body(text: str, token: str, **ids: Any) -> bytes:
    """The reference's payload with the token and the placeholders named in `ids` (old text -> new text)."""
    out = text.replace("API_TOKEN", token)
    for old, new in ids.items():
        out = out.replace(old.replace("__", '"'), str(new))
    json.loads(out)
    return out.encode()


def get(client: TestClient, path: str, token: str) -> Any:
    response = client.get(f"{path}{'&' if '?' in path else '?'}api_token={token}")
    assert response.status_code == 200, response.text
    return response.json()


def _warehouse(client: TestClient, token: str, name: str = "my_warehouse") -> int:
    made = post_json(client, "/warehouses.json", body(WAREHOUSE_CREATE.replace("my_warehouse", name), token))
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


def _product(client: TestClient, token: str, name: str = "PoroductAA") -> int:
    made = post_json(client, "/products.json", {"api_token": token, "product": {
        "name": name, "code": "A001", "price_net": "100", "tax": "23"}})
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


def _stock(client: TestClient, token: str, product_id: int, warehouse_id: int) -> Any:
    return get(client, f"/products/{product_id}.json?warehouse_id={warehouse_id}", token)["warehouse_quantity"]


def _document(client: TestClient, token: str, warehouse_id: int, kind: str, product_id: int, quantity: str,
              **extra: Any) -> Any:
    action = {"product_id": product_id, "quantity": quantity, **extra}
    return post_json(client, "/warehouse_documents.json", {"api_token": token, "warehouse_document": {
        "kind": kind, "number": None, "warehouse_id": warehouse_id, "issue_date": "2026-03-02",
        "warehouse_actions": [action]}})


# --- categories and warehouses ------------------------------------------------------------------

def test_category_crud_with_the_reference_payloads(client: TestClient, token: str) -> None:
    created = post_json(client, "/categories.json", body(CATEGORY_CREATE, token))
    assert created.status_code == 201, created.text
    category = created.json()
    assert {k: category[k] for k in ("name", "description")} == {"name": "my_category", "description": None}
    assert set(category) == {"id", "name", "description", "created_at", "updated_at"}
    assert get(client, f"/categories/{category['id']}.json", token) == category
    assert get(client, "/categories.json", token) == [category]
    updated = post_json(client, f"/categories/{category['id']}.json", body(CATEGORY_UPDATE, token), "PUT").json()
    assert (updated["name"], updated["description"]) == ("my_category", "new_description")
    deleted = client.delete(f"/categories/{category['id']}.json?api_token={token}")
    assert deleted.json() == {"code": "success", "message": "Category deleted"}
    assert client.get(f"/categories/{category['id']}.json?api_token={token}").status_code == 404


def test_category_without_a_name_is_refused_in_invoiceoceans_words(client: TestClient, token: str) -> None:
    refused = post_json(client, "/categories.json", {"api_token": token, "category": {"description": "x"}})
    assert refused.status_code == 422
    assert refused.json() == {"code": "error", "message": {"name": ["can't be blank"]}}


def test_category_id_on_invoices_and_products_is_a_reference_and_filters_lists(client: TestClient,
                                                                                token: str) -> None:
    category = post_json(client, "/categories.json", body(CATEGORY_CREATE, token)).json()["id"]
    product = post_json(client, "/products.json", {"api_token": token, "product": {
        "name": "Categorised", "price_net": "10", "tax": "23", "category_id": str(category)}}).json()
    _product(client, token, "Plain")
    assert product["category_id"] == category
    assert [p["id"] for p in get(client, f"/products.json?category_id={category}", token)] == [product["id"]]
    invoice = post_json(client, "/invoices.json", {"api_token": token, "invoice": {
        "kind": "vat", "buyer_name": "B", "category_id": category,
        "positions": [{"name": "x", "tax": 23, "total_price_gross": "12.30", "quantity": 1}]}}).json()
    post_json(client, "/invoices.json", {"api_token": token, "invoice": {
        "kind": "vat", "buyer_name": "B", "positions": [{"name": "y", "tax": 23, "total_price_gross": "1",
                                                         "quantity": 1}]}})
    listed = get(client, f"/invoices.json?category_id={category}&period=all", token)
    assert [i["id"] for i in listed] == [invoice["id"]]
    unknown = post_json(client, "/products.json", {"api_token": token, "product": {
        "name": "Lost", "price_net": "1", "tax": "23", "category_id": 987654}})
    assert unknown.status_code == 422 and "category_id" in unknown.json()["message"]
    # deleting the category leaves the invoice and the product without one
    client.delete(f"/categories/{category}.json?api_token={token}")
    assert get(client, f"/invoices/{invoice['id']}.json", token)["category_id"] is None
    assert get(client, f"/products/{product['id']}.json", token)["category_id"] is None


def test_warehouse_crud_with_the_reference_payloads(client: TestClient, token: str) -> None:
    created = post_json(client, "/warehouses.json", body(WAREHOUSE_CREATE, token))
    assert created.status_code == 201, created.text
    warehouse = created.json()
    assert set(warehouse) == {"id", "name", "kind", "description", "created_at", "updated_at"}
    assert (warehouse["name"], warehouse["kind"], warehouse["description"]) == ("my_warehouse", None, None)
    assert get(client, f"/warehouses/{warehouse['id']}.json", token) == warehouse
    assert get(client, "/warehouses.json", token) == [warehouse]
    updated = post_json(client, f"/warehouses/{warehouse['id']}.json", body(WAREHOUSE_UPDATE, token), "PUT").json()
    assert (updated["name"], updated["kind"], updated["description"]) == ("my_category", None, "new_description")
    xml = client.get(f"/warehouses/{warehouse['id']}.xml?api_token={token}")
    assert "<name>my_category</name>" in xml.text and '<kind nil="true"/>' in xml.text
    assert client.delete(f"/warehouses/{warehouse['id']}.json?api_token={token}").status_code == 200
    assert get(client, "/warehouses.json", token) == []


def test_a_warehouse_with_documents_cannot_be_deleted(client: TestClient, token: str) -> None:
    warehouse, product = _warehouse(client, token), _product(client, token)
    assert _document(client, token, warehouse, "pz", product, "2").status_code == 201
    refused = client.delete(f"/warehouses/{warehouse}.json?api_token={token}")
    assert refused.status_code == 422 and refused.json()["code"] == "error"
    assert _stock(client, token, product, warehouse) == "2.0"


# --- warehouse documents -------------------------------------------------------------------------

def test_pz_from_the_reference_receives_named_products_and_makes_the_ones_it_does_not_know(
        client: TestClient, token: str) -> None:
    warehouse = _warehouse(client, token)
    known = _product(client, token, "Produkt A1")
    created = post_json(client, "/warehouse_documents.json", body(DOCUMENT_PZ, token, __1__=f'"{warehouse}"'))
    assert created.status_code == 201, created.text
    document = created.json()
    assert (document["kind"], document["number"], document["warehouse_id"], document["issue_date"]) == (
        "pz", "PZ 1/2017", warehouse, "2017-10-23")
    assert (document["department_name"], document["client_name"]) == ("Department1 SA", "Client1 SA")
    actions = document["warehouse_actions"]
    assert [(a["product_name"], a["quantity"], a["purchase_tax"], a["purchase_price_net"]) for a in actions] == [
        ("Produkt A1", "1.0", "23", "10.23"), ("Produkt A2", "2.0", "0", "50.00")]
    assert actions[0]["product_id"] == known
    made = get(client, f"/products/{actions[1]['product_id']}.json", token)
    assert (made["name"], made["tax"], made["price_net"]) == ("Produkt A2", "0", "50.00")
    assert _stock(client, token, known, warehouse) == "1.0"
    assert _stock(client, token, made["id"], warehouse) == "2.0"
    assert get(client, f"/warehouse_documents/{document['id']}.json", token) == document
    assert get(client, "/warehouse_documents.json", token) == [document]


def test_wz_and_pz_for_existing_records_from_the_reference(client: TestClient, token: str) -> None:
    warehouse, product = _warehouse(client, token), _product(client, token)
    department = post_json(client, "/departments.json", {"api_token": token, "department": {
        "name": "Dział 1", "shortcut": "D1"}}).json()["id"]
    customer = post_json(client, "/clients.json", {"api_token": token, "client": {"name": "Klient 1"}}).json()["id"]
    received = post_json(client, "/warehouse_documents.json", body(
        DOCUMENT_PZ_EXISTING, token, __1__=f'"{warehouse}"', __333__=f'"{product}"', __222__=f'"{department}"',
        __111__=f'"{customer}"'))
    assert received.status_code == 201, received.text
    assert (received.json()["department_name"], received.json()["client_name"]) == ("Dział 1", "Klient 1")
    assert _stock(client, token, product, warehouse) == "3.0"
    issued = post_json(client, "/warehouse_documents.json", body(DOCUMENT_WZ, token, __1__=f'"{warehouse}"',
                                                                 __333__=f'"{product}"'))
    assert issued.status_code == 201, issued.text
    assert issued.json()["number"] == "WZ 1/2017"
    assert [(a["price_net"], a["tax"]) for a in issued.json()["warehouse_actions"]] == [("10.23", "23"), ("50.00", "0")]
    assert _stock(client, token, product, warehouse) == "0.0"


def test_mm_from_the_reference_moves_stock_between_warehouses(client: TestClient, token: str) -> None:
    source, target = _warehouse(client, token, "Główny"), _warehouse(client, token, "Sklep")
    product = _product(client, token, "Produkt A1")
    assert _document(client, token, source, "pz", product, "5").status_code == 201
    moved = post_json(client, "/warehouse_documents.json", body(DOCUMENT_MM, token, __1__=f'"{source}"',
                                                                **{":13": f":{target}"}))
    assert moved.status_code == 201, moved.text
    assert moved.json()["warehouse_actions"][0]["warehouse2_id"] == target
    assert (_stock(client, token, product, source), _stock(client, token, product, target)) == ("4.0", "1.0")
    without_target = _document(client, token, source, "mm", product, "1")
    assert without_target.status_code == 422
    assert "warehouse_actions.0.warehouse2_id" in without_target.json()["message"]


def test_update_and_link_invoices_with_the_reference_payloads(client: TestClient, token: str) -> None:
    warehouse, product = _warehouse(client, token), _product(client, token)
    document = _document(client, token, warehouse, "pz", product, "4").json()
    updated = post_json(client, f"/warehouse_documents/{document['id']}.json", body(DOCUMENT_UPDATE, token), "PUT")
    assert updated.status_code == 200, updated.text
    assert updated.json()["client_name"] == "New client name SA"
    assert _stock(client, token, product, warehouse) == "4.0"
    line = {"name": "x", "tax": 23, "total_price_gross": "1", "quantity": 1}
    first, second = (post_json(client, "/invoices.json", {"api_token": token, "invoice": {
        "kind": "vat", "buyer_name": "B", "positions": [line]}}).json()["id"] for _ in range(2))
    linked = post_json(client, f"/warehouse_documents/{document['id']}.json",
                       body(DOCUMENT_LINK, token, **{"100,": f"{first},", "111\n": f"{second}\n"}), "PUT")
    assert linked.status_code == 200, linked.text
    assert linked.json()["invoice_ids"] == [first, second]
    assert get(client, f"/invoices/{first}.json", token)["warehouse_document_id"] == document["id"]
    assert client.delete(f"/warehouse_documents/{document['id']}.json?api_token={token}").json() == {
        "code": "success", "message": "Warehouse document deleted"}
    assert _stock(client, token, product, warehouse) == "0.0"
    assert get(client, f"/invoices/{first}.json", token)["warehouse_document_id"] is None


def test_stock_arithmetic_is_exact_under_receipts_issues_transfers_changes_and_deletes(
        client: TestClient, token: str) -> None:
    a, b = _warehouse(client, token, "A"), _warehouse(client, token, "B")
    product = _product(client, token)
    receipt = _document(client, token, a, "pz", product, "10.125").json()
    issue = _document(client, token, a, "wz", product, "0.1").json()
    _document(client, token, a, "wz", product, "0.2")
    transfer = _document(client, token, a, "mm", product, "3.3", warehouse2_id=b).json()
    assert (_stock(client, token, product, a), _stock(client, token, product, b)) == ("6.525", "3.3")
    # a document's actions replaced: stock moves by the difference only
    changed = post_json(client, f"/warehouse_documents/{issue['id']}.json", {"api_token": token,
                        "warehouse_document": {"warehouse_actions": [{"product_id": product, "quantity": "1.1"}]}},
                        "PUT")
    assert changed.status_code == 200, changed.text
    assert _stock(client, token, product, a) == "5.525"
    client.delete(f"/warehouse_documents/{transfer['id']}.json?api_token={token}")
    assert (_stock(client, token, product, a), _stock(client, token, product, b)) == ("8.825", "0.0")
    client.delete(f"/warehouse_documents/{receipt['id']}.json?api_token={token}")
    assert _stock(client, token, product, a) == "-1.300"


def test_an_unchanged_document_sent_back_moves_no_stock(client: TestClient, token: str) -> None:
    warehouse, product = _warehouse(client, token), _product(client, token)
    document = _document(client, token, warehouse, "pz", product, "7").json()
    for fmt in ("json", "xml"):
        read = client.get(f"/warehouse_documents/{document['id']}.{fmt}?api_token={token}")
        if fmt == "json":
            sent = post_json(client, f"/warehouse_documents/{document['id']}.json",
                             {"api_token": token, "warehouse_document": read.json()}, "PUT")
        else:
            sent = client.put(f"/warehouse_documents/{document['id']}.xml?api_token={token}", content=read.content,
                              headers={"Content-Type": "application/xml"})
        assert sent.status_code == 200, sent.text
        assert _stock(client, token, product, warehouse) == "7.0"
    actions = get(client, f"/warehouse_actions.json?warehouse_document_id={document['id']}", token)
    assert len(actions) == 1


def test_products_show_their_stock_in_the_asked_warehouse(client: TestClient, token: str) -> None:
    a, b = _warehouse(client, token, "A"), _warehouse(client, token, "B")
    product, other = _product(client, token, "P1"), _product(client, token, "P2")
    _document(client, token, a, "pz", product, "3")
    listed = {p["id"]: p for p in get(client, f"/products.json?warehouse_id={a}&page=1", token)}
    assert (listed[product]["warehouse_quantity"], listed[product]["stock_level"]) == ("3.0", "3.0")
    assert listed[other]["warehouse_quantity"] is None  # never in that warehouse
    assert get(client, f"/products/{product}.json?warehouse_id={b}", token)["warehouse_quantity"] is None
    assert "warehouse_quantity" not in get(client, f"/products/{product}.json", token)


def test_warehouse_actions_list_with_every_documented_filter(client: TestClient, token: str) -> None:
    a, b = _warehouse(client, token, "A"), _warehouse(client, token, "B")
    p1, p2 = _product(client, token, "P1"), _product(client, token, "P2")
    pz = _document(client, token, a, "pz", p1, "5").json()
    wz = _document(client, token, a, "wz", p1, "1").json()
    mm = _document(client, token, a, "mm", p1, "2", warehouse2_id=b).json()
    pz2 = _document(client, token, b, "pz", p2, "1").json()

    def ids(query: str) -> list[int]:
        return [x["warehouse_document_id"] for x in get(client, f"/warehouse_actions.json?{query}", token)]

    every = [pz["id"], wz["id"], mm["id"], pz2["id"]]
    assert ids("") == every
    assert ids(f"warehouse_id={b}") == [mm["id"], pz2["id"]]
    assert ids("kind=wz") == [wz["id"]]
    assert ids(f"product_id={p2}") == [pz2["id"]]
    assert ids(f"from_warehouse_document={wz['id']}") == [wz["id"]]
    assert ids(f"from_warehouse_document={pz['id']}") == []
    assert ids(f"to_warehouse_document={pz['id']}") == [pz["id"]]
    assert ids(f"to_warehouse_document={mm['id']}") == ids(f"from_warehouse_document={mm['id']}") == [mm["id"]]
    assert ids(f"warehouse_document_id={pz2['id']}") == [pz2["id"]]
    assert ids("date_from=2000-01-01&date_to=2100-01-01") == every
    assert ids("date_to=2000-01-01") == []
    assert ids("per_page=2&page=2") == every[2:]
    assert client.get(f"/warehouse_actions.json?api_token={token}&date_from=nope").status_code == 422


# --- invoices that move stock -------------------------------------------------------------------

def _invoice(client: TestClient, token: str, warehouse: int, product: int, quantity: str, **fields: Any) -> Any:
    return post_json(client, "/invoices.json", {"api_token": token, "invoice": {
        "kind": "vat", "buyer_name": "Klient1 Sp. z o.o.", "warehouse_id": warehouse, **fields,
        "positions": [{"product_id": product, "name": "P", "tax": 23, "total_price_gross": "12.30",
                       "quantity": quantity}, {"name": "no product", "tax": 23, "total_price_gross": "1",
                                               "quantity": 5}]}})


def test_an_invoice_with_a_warehouse_issues_a_wz_that_follows_the_invoice(client: TestClient, token: str) -> None:
    warehouse, product = _warehouse(client, token), _product(client, token)
    _document(client, token, warehouse, "pz", product, "10")
    created = _invoice(client, token, warehouse, product, "3")
    assert created.status_code == 201, created.text
    invoice = created.json()
    document = get(client, f"/warehouse_documents/{invoice['warehouse_document_id']}.json", token)
    assert (document["kind"], document["invoice_id"], document["invoice_ids"]) == ("wz", invoice["id"],
                                                                                   [invoice["id"]])
    assert [(a["product_id"], a["quantity"]) for a in document["warehouse_actions"]] == [(product, "3.0")]
    assert _stock(client, token, product, warehouse) == "7.0"
    position = invoice["positions"][0]["id"]
    post_json(client, f"/invoices/{invoice['id']}.json", {"api_token": token, "invoice": {
        "positions": [{"id": position, "quantity": 4}]}}, "PUT")
    assert _stock(client, token, product, warehouse) == "6.0"
    unchanged = post_json(client, f"/invoices/{invoice['id']}.json", {"api_token": token, "invoice": get(
        client, f"/invoices/{invoice['id']}.json", token)}, "PUT")
    assert unchanged.status_code == 200, unchanged.text
    assert _stock(client, token, product, warehouse) == "6.0"
    assert len(get(client, "/warehouse_documents.json", token)) == 2
    client.delete(f"/invoices/{invoice['id']}.json?api_token={token}")
    assert _stock(client, token, product, warehouse) == "10.0"
    assert len(get(client, "/warehouse_documents.json", token)) == 1


def test_invoices_that_move_no_goods_make_no_document(client: TestClient, token: str) -> None:
    warehouse, product = _warehouse(client, token), _product(client, token)
    proforma = _invoice(client, token, warehouse, product, "1", kind="proforma").json()
    excluded = _invoice(client, token, warehouse, product, "1", exclude_from_stock_level=True).json()
    assert proforma["warehouse_document_id"] is None and excluded["warehouse_document_id"] is None
    assert get(client, "/warehouse_documents.json", token) == []


def test_an_unknown_warehouse_on_an_invoice_is_refused(client: TestClient, token: str, other_token: str) -> None:
    theirs = _warehouse(client, other_token)
    refused = _invoice(client, token, theirs, _product(client, token), "1")
    assert refused.status_code == 422 and "warehouse_id" in refused.json()["message"]


# --- negative stock and concurrency ---------------------------------------------------------------

def test_an_account_that_forbids_negative_stock_refuses_issuing_more_than_there_is(
        client: TestClient, token: str, ledger: Any, account: dict[str, Any]) -> None:
    ledger.write(set_negative_stock, account["account_id"], False)
    warehouse, product = _warehouse(client, token), _product(client, token)
    receipt = _document(client, token, warehouse, "pz", product, "2").json()
    refused = _document(client, token, warehouse, "wz", product, "3")
    assert refused.status_code == 422
    assert "warehouse_actions" in refused.json()["message"]
    assert _invoice(client, token, warehouse, product, "5").status_code == 422
    assert _document(client, token, warehouse, "wz", product, "2").status_code == 201
    gone = client.delete(f"/warehouse_documents/{receipt['id']}.json?api_token={token}")
    assert gone.status_code == 422  # its goods were issued: taking them back would go below zero
    assert _stock(client, token, product, warehouse) == "0.0"
    assert len(get(client, "/warehouse_documents.json", token)) == 2


def race_for_the_last_unit(client: TestClient, token: str) -> tuple[list[int], Any]:
    warehouse, product = _warehouse(client, token), _product(client, token)
    assert _document(client, token, warehouse, "pz", product, "1").status_code == 201
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def issue() -> None:
        barrier.wait()
        statuses.append(_document(client, token, warehouse, "wz", product, "1").status_code)

    threads = [threading.Thread(target=issue) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(statuses), _stock(client, token, product, warehouse)


def test_two_issues_of_the_last_unit_at_once_cannot_both_succeed_on_sqlite(
        client: TestClient, token: str, ledger: Any, account: dict[str, Any]) -> None:
    ledger.write(set_negative_stock, account["account_id"], False)
    assert race_for_the_last_unit(client, token) == ([201, 422], "0.0")


@pytest.mark.postgres
def test_stock_and_the_race_for_the_last_unit_on_postgresql(postgres_url: str, tmp_path: Any) -> None:
    from core.accounts import create_account
    from gateway.app import create_app
    from gateway.migrations import upgrade
    from gateway.settings import Settings

    upgrade(postgres_url)
    app = create_app(Settings(database_url=postgres_url, outbox_dir=tmp_path / "outbox"))
    with TestClient(app, base_url="http://testserver") as client:
        account = app.state.ledger.write(create_account, "PG Stock").as_dict()
        token = account["invoiceocean"]["api_token"]
        app.state.ledger.write(set_negative_stock, account["account_id"], False)
        assert race_for_the_last_unit(client, token) == ([201, 422], "0.0")
        a, b = _warehouse(client, token, "A"), _warehouse(client, token, "B")
        product = _product(client, token, "PG")
        _document(client, token, a, "pz", product, "10.125")
        _document(client, token, a, "mm", product, "3.3", warehouse2_id=b)
        invoice = _invoice(client, token, a, product, "0.025").json()
        assert (_stock(client, token, product, a), _stock(client, token, product, b)) == ("6.800", "3.3")
        client.delete(f"/invoices/{invoice['id']}.json?api_token={token}")
        assert Decimal(_stock(client, token, product, a)) == Decimal("6.825")
    app.state.engine.dispose()


def test_an_invoice_with_a_warehouse_number_from_before_warehouses_updates_and_moves_nothing(
        client: TestClient, token: str, ledger: Any) -> None:
    from sqlalchemy import text

    product = _product(client, token)
    invoice = _invoice(client, token, _warehouse(client, token), product, "1").json()
    client.delete(f"/warehouse_documents/{invoice['warehouse_document_id']}.json?api_token={token}")
    ledger.write(lambda session: session.execute(text("UPDATE invoices SET warehouse_id = 1090 WHERE id = :id"),
                                                 {"id": invoice["id"]}))
    updated = post_json(client, f"/invoices/{invoice['id']}.json", {"api_token": token, "invoice": {
        "description": "po migracji"}}, "PUT")
    assert updated.status_code == 200, updated.text
    assert (updated.json()["warehouse_id"], updated.json()["warehouse_document_id"]) == (1090, None)
    assert get(client, "/warehouse_documents.json", token) == []


def test_a_document_keeps_the_client_name_it_was_given(client: TestClient, token: str) -> None:
    warehouse, product = _warehouse(client, token), _product(client, token)
    customer = post_json(client, "/clients.json", {"api_token": token, "client": {"name": "Klient 1"}}).json()["id"]
    made = _document(client, token, warehouse, "pz", product, "1").json()
    named = post_json(client, f"/warehouse_documents/{made['id']}.json", {"api_token": token, "warehouse_document": {
        "client_id": customer, "client_name": "Odbiorca"}}, "PUT").json()
    assert (named["client_id"], named["client_name"]) == (customer, "Odbiorca")
    again = post_json(client, f"/warehouse_documents/{made['id']}.json", {"api_token": token, "warehouse_document": {
        "description": "x"}}, "PUT").json()
    assert again["client_name"] == "Odbiorca"


def test_an_invoices_own_wz_stays_its_own_when_documents_are_linked(client: TestClient, token: str) -> None:
    warehouse, product = _warehouse(client, token), _product(client, token)
    _document(client, token, warehouse, "pz", product, "5")
    invoice = _invoice(client, token, warehouse, product, "2").json()
    own = invoice["warehouse_document_id"]
    other = _document(client, token, warehouse, "pz", product, "1").json()["id"]
    refused = post_json(client, f"/warehouse_documents/{other}.json", {"api_token": token, "warehouse_document": {
        "invoice_ids": [invoice["id"]]}}, "PUT")
    assert refused.status_code == 422 and "invoice_ids" in refused.json()["message"]
    unlinked = post_json(client, f"/warehouse_documents/{own}.json", {"api_token": token, "warehouse_document": {
        "invoice_ids": []}}, "PUT")
    assert unlinked.status_code == 200 and unlinked.json()["invoice_ids"] == [invoice["id"]]
    post_json(client, f"/invoices/{invoice['id']}.json", {"api_token": token, "invoice": {"description": "x"}}, "PUT")
    assert _stock(client, token, product, warehouse) == "4.0"
    client.delete(f"/invoices/{invoice['id']}.json?api_token={token}")
    assert _stock(client, token, product, warehouse) == "6.0"
