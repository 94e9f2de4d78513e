"""GET /banking/payments.json?include=invoices (the Fakturownia docs' "payments with the data of their
invoices"): each payment lists the invoices it is allocated to, in JSON, in XML and through a real client."""
from __future__ import annotations

from typing import Any

from invoiceocean_client import InvoiceOceanClient
from starlette.testclient import TestClient

from dialects.invoiceocean.xml import parse_xml
from tests.dialects.invoiceocean.conftest import create_invoice, post_json, through_gateway

# The docs' "payment tied to existing invoices" example, verbatim but for the two invoice ids.
PAYMENT_003 = """{
					"api_token": "API_TOKEN",
					"banking_payment": {
						"name":"Payment 003",
						"price": 200,
						"invoice_ids": [555, 666],
						"paid":true,
						"kind": "api"
						}}"""


def _two_invoices_and_a_payment(client: TestClient, token: str) -> tuple[dict[str, Any], dict[str, Any], int]:
    first = create_invoice(client, token, positions=[{"name": "A", "tax": "23", "total_price_gross": "100"}])
    second = create_invoice(client, token, positions=[{"name": "B", "tax": "23", "total_price_gross": "200"}])
    body = (PAYMENT_003.replace("API_TOKEN", token).replace("555", str(first["id"]))
            .replace("666", str(second["id"])))
    response = post_json(client, "/banking/payments.json", body.encode())
    assert response.status_code == 201, response.text
    return first, second, response.json()["id"]


def _without_positions(client: TestClient, token: str, invoice_id: int) -> dict[str, Any]:
    shown = client.get(f"/invoices/{invoice_id}.json", params={"api_token": token}).json()
    shown.pop("positions")
    return shown  # type: ignore[no-any-return]


def test_payments_include_invoices_lists_each_payments_invoices_in_allocation_order(client: TestClient,
                                                                                      token: str) -> None:
    first, second, payment_id = _two_invoices_and_a_payment(client, token)
    unallocated = post_json(client, "/banking/payments.json", {"api_token": token, "banking_payment": {
        "name": "Payment 001", "price": 100.05, "invoice_id": None, "paid": True, "kind": "api"}}).json()

    listed = client.get("/banking/payments.json", params={"api_token": token, "include": "invoices"}).json()
    assert [p["id"] for p in listed] == [payment_id, unallocated["id"]]
    assert listed[0]["invoices"] == [_without_positions(client, token, first["id"]),
                                     _without_positions(client, token, second["id"])]
    assert [(i["status"], i["paid"]) for i in listed[0]["invoices"]] == [("paid", "100.00"), ("partial", "100.00")]
    assert listed[1]["invoices"] == []
    plain = client.get("/banking/payments.json", params={"api_token": token}).json()
    assert [{k: v for k, v in p.items() if k != "invoices"} for p in listed] == plain
    assert all("invoices" not in p for p in plain)


def test_payment_get_includes_invoices_on_request(client: TestClient, token: str) -> None:
    first, second, payment_id = _two_invoices_and_a_payment(client, token)
    one = client.get(f"/banking/payments/{payment_id}.json", params={"api_token": token, "include": "invoices"})
    assert [i["id"] for i in one.json()["invoices"]] == [first["id"], second["id"]]
    assert "invoices" not in client.get(f"/banking/payments/{payment_id}.json", params={"api_token": token}).json()


def test_payments_include_invoices_in_xml_nests_typed_invoice_elements(client: TestClient, token: str) -> None:
    first, second, payment_id = _two_invoices_and_a_payment(client, token)
    response = client.get("/banking/payments.xml", params={"api_token": token, "include": "invoices"})
    assert response.status_code == 200
    assert '<invoices type="array">\n      <invoice>\n        <id type="integer">' in response.text
    root, payments = parse_xml(response.content)
    assert root == "banking_payments"
    invoices = payments[0]["invoices"]
    assert [(i["id"], i["status"], str(i["price_gross"])) for i in invoices] == [
        (first["id"], "paid", "100.00"), (second["id"], "partial", "200.00")]
    assert payments[0]["paid"] is True and str(invoices[1]["paid"]) == "100.00"


def test_invoiceocean_client_library_reads_payments_with_their_invoices(client: TestClient, token: str) -> None:
    first, second, payment_id = _two_invoices_and_a_payment(client, token)
    secret, _, prefix = token.partition("/")
    with InvoiceOceanClient(f"{prefix}.invoiceocean.com", secret, transport=through_gateway(client)) as library:
        payments = library.list_payments(include_invoices=True)
        assert [p.id for p in payments] == [payment_id]
        assert payments[0].invoices is not None
        assert [(i.id, i.status, i.price_gross, i.paid) for i in payments[0].invoices] == [
            (first["id"], "paid", "100.00", "100.00"), (second["id"], "partial", "200.00", "100.00")]
        assert library.list_payments()[0].invoices is None
