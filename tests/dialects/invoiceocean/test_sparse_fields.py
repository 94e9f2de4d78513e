"""fields[invoice]=a,b,c answers only those keys; additional_fields[invoice]=... adds the README's extra keys
(connected_payments, cancel_reason, corrected_content_before/after); without them the answer is unchanged."""
from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from tests.dialects.invoiceocean.conftest import create_invoice, post_json


def get(client: TestClient, path: str, token: str, query: str = "") -> Any:
    response = client.get(f"{path}?api_token={token}{query}")
    assert response.status_code == 200, response.text
    return response


def test_fields_answer_only_the_named_keys_in_json_and_xml(client: TestClient, token: str) -> None:
    invoice = create_invoice(client, token)
    one = get(client, f"/invoices/{invoice['id']}.json", token, "&fields[invoice]=id,number,price_gross").json()
    assert one == {"id": invoice["id"], "number": invoice["number"], "price_gross": invoice["price_gross"]}
    listed = get(client, "/invoices.json", token, "&period=all&fields[invoice]=id,buyer_name,no_such_key").json()
    assert listed == [{"id": invoice["id"], "buyer_name": "Klient1 Sp. z o.o."}]
    xml = get(client, f"/invoices/{invoice['id']}.xml", token, "&fields[invoice]=id,number").text
    assert xml == ('<?xml version="1.0" encoding="UTF-8"?>\n<invoice>\n'
                   f'  <id type="integer">{invoice["id"]}</id>\n  <number>{invoice["number"]}</number>\n</invoice>\n')


def test_without_sparse_parameters_the_answer_is_byte_for_byte_the_same(client: TestClient, token: str) -> None:
    invoice = create_invoice(client, token)
    plain = get(client, f"/invoices/{invoice['id']}.json", token)
    other_resource = get(client, f"/invoices/{invoice['id']}.json", token, "&fields[client]=id")
    assert other_resource.content == plain.content
    xml = get(client, "/invoices.xml", token, "&period=all")
    assert get(client, "/invoices.xml", token, "&period=all&additional_fields[client]=x").content == xml.content


def test_additional_fields_add_connected_payments_and_the_cancel_reason(client: TestClient, token: str) -> None:
    invoice = create_invoice(client, token)
    paid = post_json(client, "/banking/payments.json", {"api_token": token, "banking_payment": {
        "name": "Wpłata", "price": "5.00", "invoice_id": invoice["id"], "paid": True}})
    assert paid.status_code == 201, paid.text
    post_json(client, "/invoices/cancel.json", {"api_token": token, "cancel_invoice_id": invoice["id"],
                                                "cancel_reason": "Powód anulowania (opcjonalnie)"})
    # README: ...?api_token=API_TOKEN&additional_fields[invoice]=connected_payments
    one = get(client, f"/invoices/{invoice['id']}.json", token, "&additional_fields[invoice]=connected_payments").json()
    (payment,) = one["connected_payments"]
    assert (payment["id"], payment["price"], payment["invoice_price"]) == (paid.json()["id"], "5.00", "5.00")
    reason = get(client, f"/invoices/{invoice['id']}.json", token,
                 "&fields[invoice]=id&additional_fields[invoice]=cancel_reason").json()
    assert reason == {"id": invoice["id"], "cancel_reason": "Powód anulowania (opcjonalnie)"}
    listed = get(client, "/invoices.json", token, "&period=all&fields[invoice]=id"
                 "&additional_fields[invoice]=connected_payments").json()
    assert listed == [{"id": invoice["id"], "connected_payments": one["connected_payments"]}]


def test_additional_fields_name_a_corrections_before_and_after_texts(client: TestClient, token: str) -> None:
    invoice = create_invoice(client, token, corrected_content_before="Nabywca: Jan",
                             corrected_content_after="Nabywca: Anna")
    plain = create_invoice(client, token)
    # README "Faktura korekta" 1.
    query = "&additional_fields[invoice]=corrected_content_before,corrected_content_after&fields[invoice]=id"
    assert get(client, f"/invoices/{invoice['id']}.json", token, query).json() == {
        "id": invoice["id"], "corrected_content_before": "Nabywca: Jan", "corrected_content_after": "Nabywca: Anna"}
    assert get(client, f"/invoices/{plain['id']}.json", token, query).json() == {
        "id": plain["id"], "corrected_content_before": None, "corrected_content_after": None}


def test_fields_work_on_the_other_resources(client: TestClient, token: str) -> None:
    made = post_json(client, "/clients.json", {"api_token": token, "client": {"name": "Klient1", "tax_no": "1"}})
    client_id = made.json()["id"]
    assert get(client, f"/clients/{client_id}.json", token, "&fields[client]=id,name").json() == {
        "id": client_id, "name": "Klient1"}
    assert get(client, "/departments.json", token, "&fields[department]=name").json() == [{"name": "Acme"}]
    issuer = post_json(client, "/issuers.json", {"api_token": token, "issuer": {"name": "Issuer"}}).json()
    assert get(client, "/issuers.json", token, "&fields[issuer]=id").json() == [{"id": issuer["id"]}]
    assert get(client, "/account.json", token, "&fields[account]=prefix").json() == {"prefix": "acme"}
    payment = post_json(client, "/banking/payments.json", {"api_token": token, "banking_payment": {
        "name": "P", "price": "1.00"}}).json()
    assert get(client, f"/banking/payments/{payment['id']}.json", token, "&fields[payment]=id,price").json() == {
        "id": payment["id"], "price": "1.00"}
