"""Invoices made through INVO and fakturan.nu go to KSeF too: send_to_ksef=yes on InvoiceOcean's GET."""
from __future__ import annotations

import json
from typing import Any

import pytest
from ksef_client.documents.fa3.xml import validate_fa3_xml_xsd
from ksef_client.utils.ksef_number import validate_ksef_number
from starlette.testclient import TestClient

from tests.einvoice.conftest import post, settled, wait_for


@pytest.fixture
def seller(client: TestClient, token: str) -> dict[str, Any]:
    """The account's main department, made KSeF-ready: the seller every dialect's invoice takes."""
    main = client.get("/departments.json", params={"api_token": token}).json()[0]
    answer = post(client, f"/departments/{main['id']}.json", {"api_token": token, "department": {
        "name": "Moja Firma Sp. z o.o.", "tax_no": "5252445767", "street": "ul. Przykładowa 10",
        "post_code": "00-001", "city": "Warszawa"}}, method="PUT")
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def sent_through_invoiceocean(client: TestClient, token: str, invoice_id: int) -> dict[str, Any]:
    asked = client.get(f"/invoices/{invoice_id}.json", params={"api_token": token, "send_to_ksef": "yes"})
    assert asked.status_code == 200, asked.text
    body = wait_for(client, token, invoice_id, settled)
    assert body["gov_status"] == "demo_ok", body["gov_error_messages"]
    assert validate_ksef_number(body["gov_id"]).is_valid
    xml = client.get(f"/invoices/{invoice_id}/attachment", params={"kind": "gov", "api_token": token}).content
    validate_fa3_xml_xsd(xml)
    return body


def test_an_invo_invoice_is_sent_to_ksef(client: TestClient, token: str, account: dict[str, Any],
                                         seller: dict[str, Any]) -> None:
    auth = (account["invo"]["login"], account["invo"]["password"])

    def invo(resource: str, q: dict[str, Any]) -> Any:
        answer = client.post("/api.json", data={"r": resource, "q": json.dumps(q)}, auth=auth)
        assert answer.status_code == 200, answer.text
        return answer.json()

    customer = invo("customers", {"action": "add", "symbol": "K1", "name": "Klient ABC Sp. z o.o.",
                                  "street": "Korfantego 100", "code": "40-154", "city": "Katowice",
                                  "taxid": "645-123-45-67"})
    invoice = invo("invoices", {"action": "add", "type2": "+FV", "c1id": int(customer["id"]), "items": [
        {"product": "Drukarka HP", "count": 1, "unit": "szt.", "pnetto": "400.00", "vatsm": "23%"}]})
    body = sent_through_invoiceocean(client, token, int(invoice["id"]))
    assert body["seller_tax_no"] == "5252445767"


def test_a_fakturan_invoice_is_sent_to_ksef(client: TestClient, token: str, account: dict[str, Any],
                                            seller: dict[str, Any]) -> None:
    auth = (account["fakturan"]["key_id"], account["fakturan"]["password"])
    customer = client.post("/api/v2/clients", json={"company": "Klient ABC Sp. z o.o.", "org_number": "9876543210",
                                                    "address": {"street_address": "ul. Testowa 5",
                                                                "zip_code": "00-002", "city": "Kraków",
                                                                "country": "PL"}}, auth=auth)
    assert customer.status_code == 201, customer.text
    invoice = client.post("/api/v2/invoices", json={"client_id": customer.json()["data"]["id"], "rows": [
        {"product_name": "Usługa", "product_unit": "st", "product_tax": 0, "product_price": "100",
         "amount": "2"}]}, auth=auth)
    assert invoice.status_code == 201, invoice.text
    body = sent_through_invoiceocean(client, token, int(invoice.json()["data"]["id"]))
    assert body["buyer_tax_no"] == "9876543210"
    # fakturan.nu's rates are Swedish; its 0 % is the one KSeF also knows (0 KR, domestic 0 %)
    xml = client.get(f"/invoices/{body['id']}/attachment", params={"kind": "gov", "api_token": token}).content
    assert b"<P_12>0 KR</P_12>" in xml
