"""Every curl example of the seed documents, payloads verbatim, responses asserted field by field."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from starlette.testclient import TestClient

from tests.dialects.invoiceocean import seed_payloads as seed
from tests.dialects.invoiceocean.conftest import create_invoice, post_json, seed_body


def _get(client: TestClient, path: str, token: str) -> Any:
    sep = "&" if "?" in path else "?"
    response = client.get(f"{path}{sep}api_token={token}")
    assert response.status_code == 200, response.text
    return response.json()


def _main_department_id(client: TestClient, token: str) -> int:
    return int(_get(client, "/departments.json", token)[0]["id"])


def _product(client: TestClient, token: str) -> dict[str, Any]:
    response = post_json(client, "/products.json", seed_body(seed.PRODUCT, token))
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


# Verbatim, including the seed's e-mail "bank1": InvoiceOcean stores what its own example sends.
CLIENT = seed.CLIENT
CLIENT_UPDATE = seed.CLIENT_UPDATE


def _client(client: TestClient, token: str) -> dict[str, Any]:
    response = post_json(client, "/clients.json", seed_body(CLIENT, token))
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def test_seed_invoice_is_created_with_documented_totals(client: TestClient, token: str) -> None:
    response = post_json(client, "/invoices.json", seed_body(seed.INVOICE, token))
    assert response.status_code == 201
    body = response.json()
    assert (body["price_net"], body["price_tax"], body["price_gross"]) == ("58.32", "1.91", "60.23")
    assert body["kind"] == "vat" and body["status"] == "issued" and body["number"] == "1/01/2013"
    assert (body["sell_date"], body["issue_date"], body["payment_to"]) == ("2013-01-16", "2013-01-16", "2013-01-23")
    assert body["payment_to_kind"] == "other_date"
    assert (body["seller_name"], body["seller_tax_no"]) == ("Wystawca Sp. z o.o.", "5252445767")
    assert (body["buyer_name"], body["buyer_tax_no"]) == ("Klient1 Sp. z o.o.", "5252445767")
    assert isinstance(body["id"], int) and isinstance(body["client_id"], int)
    assert body["paid"] == "0.00" and body["currency"] == "PLN" and body["cancelled"] is False
    assert body["paid_date"] is None
    assert body["view_url"] == f"http://testserver/f/1-01-2013/{body['token']}"
    assert body["payment_url"] == f"http://testserver/invoice/payment/{body['token']}"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0[12]:00", body["created_at"])
    first, second = body["positions"]
    assert (first["name"], first["tax"], first["quantity"], first["total_price_gross"], first["total_price_net"]) == (
        "Produkt A1", "23", "1.0", "10.23", "8.32")
    assert (second["name"], second["tax"], second["quantity"], second["total_price_gross"], second["price_gross"]) == (
        "Produkt A2", "0", "3.0", "50.00", "16.67")
    assert _get(client, f"/invoices/{body['id']}.json", token) == body


def test_minimal_invoice_is_vat_dated_today_due_in_five_days(client: TestClient, token: str) -> None:
    product, buyer = _product(client, token), _client(client, token)
    department_id = _main_department_id(client, token)
    payload = seed_body(seed.MINIMAL_INVOICE, token, department_id=department_id, client_id=buyer["id"],
                        product_id=product["id"])
    response = post_json(client, "/invoices.json", payload)
    assert response.status_code == 201, response.text
    body = response.json()
    today = datetime.now(ZoneInfo("Europe/Warsaw")).date()
    assert (body["kind"], body["issue_date"], body["payment_to"]) == (
        "vat", today.isoformat(), (today + timedelta(days=5)).isoformat())
    assert body["payment_to_kind"] == 5
    assert (body["department_id"], body["seller_name"]) == (department_id, "Acme")
    assert (body["client_id"], body["buyer_name"], body["buyer_tax_no"]) == (buyer["id"], "Klient1", "5252445767")
    [line] = body["positions"]
    assert (line["product_id"], line["name"], line["quantity"], line["total_price_net"], line["total_price_gross"]) == (
        product["id"], "PoroductAA", "2.0", "200.00", "246.00")
    assert (body["price_net"], body["price_tax"], body["price_gross"]) == ("200.00", "46.00", "246.00")


def test_correction_invoice_reverses_quantity(client: TestClient, token: str) -> None:
    original = create_invoice(client, token)
    buyer = _client(client, token)
    payload = seed_body(seed.CORRECTION.replace("2432393", str(original["id"])), token, client_id=buyer["id"])
    response = post_json(client, "/invoices.json", payload)
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["kind"], body["from_invoice_id"], body["correction"]) == ("correction", original["id"], True)
    [line] = body["positions"]
    assert (line["kind"], line["quantity"], line["total_price_gross"], line["tax"]) == (
        "correction", "-1.0", "-10.00", "23")
    assert line["correction_before_attributes"]["quantity"] == "2.0"
    assert line["correction_before_attributes"]["total_price_gross"] == "20.00"
    assert line["correction_after_attributes"]["quantity"] == "1.0"
    assert line["correction_after_attributes"]["kind"] == "correction_after"
    assert (body["price_net"], body["price_tax"], body["price_gross"]) == ("-8.13", "-1.87", "-10.00")


def test_invoice_update_changes_buyer_name(client: TestClient, token: str) -> None:
    invoice = create_invoice(client, token)
    response = post_json(client, f"/invoices/{invoice['id']}.json", seed_body(seed.INVOICE_UPDATE, token), "PUT")
    assert response.status_code == 200
    body = response.json()
    assert body["buyer_name"] == "New client name Ltd."
    assert {k: v for k, v in body.items() if k not in ("buyer_name", "updated_at")} == {
        k: v for k, v in invoice.items() if k not in ("buyer_name", "updated_at")}


def test_position_update_by_id_leaves_other_positions_unchanged(client: TestClient, token: str) -> None:
    invoice = post_json(client, "/invoices.json", seed_body(seed.INVOICE, token)).json()
    first, second = invoice["positions"]
    payload = seed_body(seed.POSITION_UPDATE.replace("32649087", str(first["id"])), token)
    body = post_json(client, f"/invoices/{invoice['id']}.json", payload, "PUT").json()
    assert body["positions"][0] == {**first, "name": "test"}
    assert body["positions"][1] == second
    assert body["price_gross"] == "60.23"


def test_position_destroy_removes_it_and_reprices(client: TestClient, token: str) -> None:
    invoice = post_json(client, "/invoices.json", seed_body(seed.INVOICE, token)).json()
    first, second = invoice["positions"]
    payload = seed_body(seed.POSITION_DELETE.replace("32649087", str(first["id"])), token)
    body = post_json(client, f"/invoices/{invoice['id']}.json", payload, "PUT").json()
    assert body["positions"] == [second]
    assert (body["price_net"], body["price_tax"], body["price_gross"]) == ("50.00", "0.00", "50.00")


def test_position_without_id_is_added(client: TestClient, token: str) -> None:
    invoice = create_invoice(client, token)
    body = post_json(client, f"/invoices/{invoice['id']}.json", {"api_token": token, "invoice": {"positions": [
        {"name": "Extra", "tax": "zw", "total_price_gross": "5,50", "quantity": "1"}]}}, "PUT").json()
    assert [p["name"] for p in body["positions"]] == ["Produkt A1", "Extra"]
    assert (body["positions"][1]["tax"], body["price_gross"]) == ("zw", "15.73")


def test_change_status_by_query_marks_paid(client: TestClient, token: str) -> None:
    invoice = create_invoice(client, token)
    response = client.post(f"/invoices/{invoice['id']}/change_status.json?api_token={token}&status=paid")
    assert response.json() == {"code": "success", "message": "Status changed to paid"}
    body = _get(client, f"/invoices/{invoice['id']}.json", token)
    assert (body["status"], body["paid"]) == ("paid", "10.23")


def test_list_of_current_month_and_client_filter(client: TestClient, token: str) -> None:
    mine = create_invoice(client, token)
    other = create_invoice(client, token, buyer_name="Somebody Else", buyer_tax_no="")
    assert [i["id"] for i in _get(client, "/invoices.json?period=this_month", token)] == [mine["id"], other["id"]]
    by_client = _get(client, f"/invoices.json?client_id={mine['client_id']}&page=1", token)
    assert [i["id"] for i in by_client] == [mine["id"]]
    assert "positions" not in by_client[0]


def test_send_by_email_queues_and_marks_sent(client: TestClient, token: str) -> None:
    invoice = create_invoice(client, token, buyer_email="buyer@example.com")
    response = client.post(f"/invoices/{invoice['id']}/send_by_email.json?api_token={token}")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert _get(client, f"/invoices/{invoice['id']}.json", token)["status"] == "sent"
    again = client.post(f"/invoices/{invoice['id']}/send_by_email.json?api_token={token}")
    assert again.json()["status"] == "error"


def test_delete_invoice_then_it_is_gone(client: TestClient, token: str) -> None:
    invoice = create_invoice(client, token)
    response = client.delete(f"/invoices/{invoice['id']}.json?api_token={token}")
    assert (response.status_code, response.json()) == (200, {"code": "success", "message": "Invoice deleted"})
    assert client.get(f"/invoices/{invoice['id']}.json?api_token={token}").status_code == 404


def test_recurring_definition_create_list_update(client: TestClient, token: str) -> None:
    invoice = create_invoice(client, token)
    response = post_json(client, "/recurrings.json", seed_body(seed.RECURRING, token, invoice_id=invoice["id"]))
    assert response.status_code == 201, response.text
    created = response.json()
    assert (created["name"], created["invoice_id"], created["start_date"], created["every"]) == (
        "Nazwa cyklicznosci", invoice["id"], "2016-01-01", "1m")
    assert (created["issue_working_day_only"], created["send_email"], created["end_date"]) == (False, True, None)
    assert created["buyer_email"] == "mail1@mail.pl, mail2@mail.pl"
    assert created["next_invoice_date"] == "2016-01-01"
    assert _get(client, "/recurrings.json", token) == [created]
    updated = post_json(client, f"/recurrings/{created['id']}.json", seed_body(seed.RECURRING_UPDATE, token), "PUT")
    assert updated.json()["next_invoice_date"] == "2016-02-01"


def test_clients_create_search_get_update(client: TestClient, token: str) -> None:
    created = _client(client, token)
    expected = {"name": "Klient1", "tax_no": "5252445767", "bank": "bank1", "bank_account": "bank_account1",
                "city": "city1", "country": "", "email": "bank1", "person": "person1", "post_code": "post-code1",
                "phone": "phone1", "street": "street1", "street_no": "street-no1"}
    assert {k: created[k] for k in expected} == expected
    for query in ("name=Klient1", "email=bank1", "tax_no=525-244-57-67", "tax_no=PL5252445767"):
        assert [c["id"] for c in _get(client, f"/clients.json?{query}", token)] == [created["id"]], query
    assert _get(client, "/clients.json?name=Nobody", token) == []
    assert _get(client, f"/clients/{created['id']}.json", token) == created
    updated = post_json(client, f"/clients/{created['id']}.json", seed_body(CLIENT_UPDATE, token), "PUT").json()
    assert (updated["name"], updated["tax_no"], updated["country"], updated["street_no"]) == (
        "Klient2", "52524457672", "PL", "street-no2")


def test_products_create_get_update_derives_net_from_gross(client: TestClient, token: str) -> None:
    created = _product(client, token)
    assert (created["name"], created["code"], created["price_net"], created["tax"], created["price_gross"]) == (
        "PoroductAA", "A001", "100.00", "23", "123.00")
    assert "stock_level" not in created
    assert _get(client, f"/products/{created['id']}.json", token) == created
    with_stock = _get(client, "/products.json?warehouse_id=1&page=1", token)
    assert with_stock[0]["stock_level"] is None
    updated = post_json(client, f"/products/{created['id']}.json", seed_body(seed.PRODUCT_UPDATE, token), "PUT").json()
    assert (updated["name"], updated["code"], updated["price_gross"], updated["price_net"]) == (
        "PoroductAA2", "A0012", "102.00", "82.93")
    assert [p["id"] for p in _get(client, f"/products.json?date_from={date.today().isoformat()}", token)] == [
        created["id"]]


def test_price_list_create_update_delete(client: TestClient, token: str) -> None:
    product = _product(client, token)
    payload = seed_body(seed.PRICE_LIST.replace('"Product ID"', str(product["id"])), token)
    response = post_json(client, "/price_lists.json", payload)
    assert response.status_code == 201, response.text
    created = response.json()
    assert (created["name"], created["description"], created["currency"]) == ("Price list name", "Description", "EUR")
    [item] = created["price_list_positions"]
    assert (item["priceable_id"], item["priceable_name"], item["priceable_type"]) == (
        product["id"], "Product name", "Product")
    assert (item["price_net"], item["price_gross"], item["tax"], item["use_tax"], item["use_percentage"]) == (
        "111.00", "136.53", "23", True, False)
    updated = post_json(client, f"/price_lists/{created['id']}.json", seed_body(seed.PRICE_LIST_UPDATE, token), "PUT")
    assert updated.status_code == 200 and updated.json()["price_list_positions"] == [item]
    priced = create_invoice(client, token, use_prices_from_price_lists=True, price_list_id=created["id"],
                            positions=[{"product_id": product["id"], "quantity": 1}])
    assert priced["positions"][0]["total_price_net"] == "111.00"
    assert client.delete(f"/price_lists/{created['id']}.json?api_token={token}").status_code == 200
    assert _get(client, "/price_lists.json", token) == []


def test_minimal_payment_without_invoice(client: TestClient, token: str) -> None:
    response = post_json(client, "/banking/payments.json", seed_body(seed.PAYMENT_MINIMAL, token))
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["name"], body["price"], body["paid"], body["kind"], body["invoice_id"]) == (
        "Payment 001", "100.05", True, "api", None)
    assert _get(client, f"/banking/payment/{body['id']}.json", token) == body
    assert _get(client, f"/banking/payments/{body['id']}.json", token) == body
    assert _get(client, "/banking/payments.json", token) == [body]


def test_full_payment_generates_an_invoice(client: TestClient, token: str) -> None:
    product = _product(client, token)
    response = post_json(client, "/banking/payments.json", seed_body(seed.PAYMENT_FULL, token,
                                                                       product_id=product["id"]))
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["price"], body["currency"], body["email"], body["first_name"], body["provider"]) == (
        "100.00", "PLN", "email@email.pl", "Jan", "transfer")
    invoice = _get(client, f"/invoices/{body['invoice_id']}.json", token)
    assert (invoice["buyer_name"], invoice["buyer_tax_no"], invoice["buyer_city"], invoice["buyer_street"]) == (
        "Company name", "5252445767", "Warszawa", "street 52")
    assert (invoice["price_gross"], invoice["status"], invoice["paid"]) == ("100.00", "paid", "100.00")


def test_payment_with_invoice_ids_settles_in_order(client: TestClient, token: str) -> None:
    first = create_invoice(client, token, positions=[{"name": "A", "tax": "23", "total_price_gross": "100"}])
    second = create_invoice(client, token, positions=[{"name": "B", "tax": "23", "total_price_gross": "200"}])
    response = post_json(client, "/banking/payments.json", {"api_token": token, "banking_payment": {
        "name": "P", "price": "200", "invoice_ids": [first["id"], second["id"]], "paid": "1"}})
    assert response.json()["invoice_ids"] == [first["id"], second["id"]]
    shown = [_get(client, f"/invoices/{i['id']}.json", token) for i in (first, second)]
    assert [invoice[k] for invoice in shown for k in ("status", "paid")] == ["paid", "100.00", "partial", "100.00"]
    payment_id = response.json()["id"]
    assert client.delete(f"/banking/payments/{payment_id}.json?api_token={token}").status_code == 200
    assert _get(client, f"/invoices/{second['id']}.json", token)["status"] == "issued"


def test_department_create_get_delete(client: TestClient, token: str) -> None:
    response = post_json(client, "/departments.json", seed_body(seed.DEPARTMENT, token))
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["name"], body["shortcut"], body["tax_no"], body["main"]) == ("my_warehouse", "short_name", "-", False)
    assert _get(client, f"/departments/{body['id']}.json", token) == body
    assert client.delete(f"/departments/{body['id']}.json?api_token={token}").json()["code"] == "success"
    assert len(_get(client, "/departments.json", token)) == 1


def test_seed_002_invoice_with_department_and_client_ids(client: TestClient, token: str) -> None:
    _client(client, token)
    second = post_json(client, "/clients.json", {"api_token": token, "client": {"name": "Second"}}).json()
    department_id = _main_department_id(client, token)
    payload = seed_body(seed.INVOICE_BY_IDS, token, department_id=department_id, client_id=second["id"])
    body = post_json(client, "/invoices.json", payload).json()
    assert (body["client_id"], body["department_id"], body["seller_name"]) == (second["id"], department_id, "Acme")
    assert (body["buyer_name"], body["price_gross"]) == ("Klient1 Sp. z o.o.", "60.23")


def test_seed_002_payment_wrapper_and_basic_auth(client: TestClient, account: dict[str, Any], token: str) -> None:
    product = _product(client, token)
    body = seed_body(seed.PAYMENT_002, token, product_id=product["id"])
    response = post_json(client, "/banking/payments.json", body)
    assert response.status_code == 201, response.text
    assert response.json()["deleted"] is False  # an unknown key comes back as sent
    login, password = account["invo"]["login"], account["invo"]["password"]
    xml = client.post("/invoices.xml", content=seed.INVOICE_XML.encode(), auth=(login, password),
                      headers={"Accept": "application/xml", "Content-Type": "application/xml"})
    assert xml.status_code == 201, xml.text
    assert "<price-gross type=\"decimal\">30.00</price-gross>" in xml.text
    assert "<status>issued</status>" in xml.text and "<buyer-name>Klient1 Sp. z o.o.</buyer-name>" in xml.text


def test_clients_check_by_email_and_password(client: TestClient, token: str, ledger: Any) -> None:
    from core.models import Client
    from core.security import hash_password

    created = post_json(client, "/clients.json", {"api_token": token, "client": {
        "name": "Panel", "email": "panel@example.com"}}).json()

    def set_password(session: Any) -> None:
        session.get(Client, created["id"]).password_hash = hash_password("s3cret")
    ledger.write(set_password)
    found = client.get(f"/clients/check?api_token={token}&email=panel@example.com&password=s3cret")
    assert found.json()["id"] == created["id"]
    missing = client.get(f"/clients/check?api_token={token}&email=panel@example.com&password=wrong")
    assert missing.text == "brak klienta"
