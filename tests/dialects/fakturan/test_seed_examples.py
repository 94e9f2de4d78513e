"""Every request/response example of the fakturan.nu API v2 docs (seed 004), run against the app.
Bodies are compared whole; only ids (and today's date where the request gives none) are filled in."""
from __future__ import annotations

from typing import Any

from tests.dialects.fakturan.conftest import GOOGLE, Api, without_ids

SEED_CLIENT_SETTINGS = {"currency": "USD", "discount": 0, "email_attach_pdf": False, "invoice_days": 30,
                        "invoice_delivery_method": "email", "invoice_template": "croatia", "locale": "sv",
                        "prices_inc_tax": "no", "show_product_code": False, "tax": 25}
SEED_GOOGLE = {"id": 4, "number": 1, "name": "Google Inc", "first_name": "", "last_name": "", "email": "", "fax": "",
               "phone": "", "home_phone": "", "mobile_phone": "", "client_type": "company",
               "org_number": "556677-8899", "settings": SEED_CLIENT_SETTINGS,
               "address": {"street_address": "1600 Amphitheatre Parkway", "care_of": "", "zip_code": "94043",
                           "city": "Mountain View", "country": "SE"}}
INVOICE_SETTINGS = {"invoice_template": "croatia", "prices_inc_tax": "no", "show_product_code": False}
GOOGLE_ADDRESS = {"name": "Google Inc", "street_address": "1600 Amphitheatre Parkway", "care_of": "",
                  "zip_code": "940 43", "city": "Mountain View", "country": "SE"}


def row(product_name: str, price: str, tax: int, amount: str, sort_order: int, unit: str = "",
        text: str = "", text_row: bool = False) -> dict[str, Any]:
    return {"id": None, "product_id": 0, "discount": 0, "amount": amount, "text": text, "product_code": None,
            "product_name": product_name, "product_unit": unit, "product_price": price, "product_tax": tax,
            "text_row": text_row, "sort_order": sort_order, "tax_deductible": False}


def invoice(date: str, client_id: int, sums: tuple[str, str, str], tax_details: dict[str, str],
            address: dict[str, str], rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"data": {"id": None, "number": 1, "date": date, "client_id": client_id, "days": 30,
                     "our_reference": "", "your_reference": "", "sent": False, "paid_at": None, "locale": "sv",
                     "currency": "SEK", "settings": INVOICE_SETTINGS, "sum": sums[0], "net": sums[1], "tax": sums[2],
                     "tax_details": tax_details, "address": address, "rows": rows}}


def _usd_google(api: Api) -> dict[str, Any]:
    return api.created("/api/v2/clients", {**GOOGLE, "settings": {"currency": "USD"}})


def test_show_client_answers_the_seed_body(api: Api) -> None:
    created = _usd_google(api)
    response = api.get(f"/api/v2/clients/{created['id']}")
    assert response.status_code == 200
    assert response.json() == {"data": {**SEED_GOOGLE, "id": created["id"]}}


def test_list_clients_answers_the_seed_body(api: Api) -> None:
    created = _usd_google(api)
    response = api.get("/api/v2/clients")
    assert response.status_code == 200
    assert response.json() == {"data": [{**SEED_GOOGLE, "id": created["id"]}],
                               "paging": {"total_pages": 1, "current_page": 1, "next": None, "previous": None}}


def test_create_individual_client_derives_name_and_account_settings(api: Api) -> None:
    response = api.post("/api/v2/clients", {
        "first_name": "Nils", "last_name": "Eriksson",
        "address": {"street_address": "Testvägen", "care_of": "Någon", "zip_code": "12345", "city": "Karlstad",
                    "country": "SE"},
        "mobile_phone": "46701234567", "email": "test@test.com", "fax": "", "phone": "070 751 51 66",
        "home_phone": "46701234567", "client_type": "individual", "org_number": "8001010043"})
    assert response.status_code == 201
    body = response.json()
    assert response.headers["location"] == f"http://testserver/api/v2/clients/{body['data']['id']}"
    assert body == {"data": {
        "id": body["data"]["id"], "number": 1, "name": "Nils Eriksson", "first_name": "Nils",
        "last_name": "Eriksson", "email": "test@test.com", "fax": "", "phone": "070 751 51 66",
        "home_phone": "46701234567", "mobile_phone": "46701234567", "client_type": "individual",
        "org_number": "8001010043", "settings": {**SEED_CLIENT_SETTINGS, "currency": "SEK"},
        "address": {"street_address": "Testvägen", "care_of": "Någon", "zip_code": "12345", "city": "Karlstad",
                    "country": "SE"}}}


def test_create_client_with_blank_company_is_422(api: Api) -> None:
    response = api.post("/api/v2/clients", {"company": ""})
    assert response.status_code == 422
    assert response.json() == {"errors": {"company": [{"error": "blank"}]}}
    assert api.get("/api/v2/clients").json()["data"] == []


def test_update_client_answers_204_and_renames(api: Api, google: dict[str, Any]) -> None:
    response = api.put(f"/api/v2/clients/{google['id']}", {"company": "After"})
    assert response.status_code == 204
    assert response.content == b""
    assert api.get(f"/api/v2/clients/{google['id']}").json()["data"]["name"] == "After"


def test_create_invoice_to_existing_client_answers_the_seed_body(api: Api, google: dict[str, Any],
                                                                 today: str) -> None:
    response = api.post("/api/v2/invoices", {"client_id": google["id"], "rows": [
        {"product_name": "My product", "product_tax": 25, "product_price": "100", "amount": "10"},
        {"product_name": "My product 2", "product_tax": 12, "product_price": "100", "amount": "10 st"},
        {"text": "Some arbitrary text", "text_row": True}]})
    assert response.status_code == 201
    body = response.json()
    assert response.headers["location"] == f"http://testserver/api/v2/invoices/{body['data']['id']}"
    assert without_ids(body) == invoice(today, google["id"], ("2370.0", "2000.0", "370.0"),
                                        {"25": "250.0", "12": "120.0"}, GOOGLE_ADDRESS, [
        row("My product", "100.0", 25, "10.0", 0), row("My product 2", "100.0", 12, "10.0", 1),
        row("", "0.0", 0, "0.0", 2, text="Some arbitrary text", text_row=True)])
    assert len({r["id"] for r in body["data"]["rows"]}) == 3


def test_invalid_invoice_reports_client_and_row_errors_together(api: Api) -> None:
    response = api.post("/api/v2/invoices", {"client_id": 0, "date": "", "rows": [
        {"product_code": "ABCD-ABCD-ABCD-ABCD-ABCD-ABCD-ABCD-"}]})
    assert response.status_code == 422
    assert response.json() == {"errors": {"client_id": [{"error": "blank"}], "rows": [
        {"0": {"rows.product_code": [{"error": "too_long", "count": 30}]}}]}}
    assert api.get("/api/v2/invoices").json()["data"] == []


def test_create_invoice_to_new_client_creates_the_client(api: Api) -> None:
    response = api.post("/api/v2/invoices", {
        "date": "2021-01-25",
        "client": {"company": "Google", "address": {"street_address": "1600 Amphitheatre Parkway",
                                                    "zip_code": "94043", "city": "Mountain View", "country": "SE"}},
        "rows": [{"product_name": "My product", "product_tax": 25, "product_price": "100", "amount": "10"}]})
    assert response.status_code == 201
    body = response.json()
    clients = api.get("/api/v2/clients").json()["data"]
    assert [c["name"] for c in clients] == ["Google"]
    assert without_ids(body) == invoice("2021-01-25", clients[0]["id"], ("1250.0", "1000.0", "250.0"),
                                        {"25": "250.0"}, {**GOOGLE_ADDRESS, "name": "Google"},
                                        [row("My product", "100.0", 25, "10.0", 0)])


def _show_example(api: Api, google: dict[str, Any]) -> dict[str, Any]:
    return api.created("/api/v2/invoices", {"client_id": google["id"], "date": "2021-01-25", "rows": [
        {"product_name": "product", "product_unit": "st", "product_tax": 25, "product_price": "200",
         "amount": "5"}]})


def test_update_invoice_answers_204_and_changes_only_given_values(api: Api, google: dict[str, Any]) -> None:
    created = _show_example(api, google)
    row_id = created["rows"][0]["id"]
    response = api.put(f"/api/v2/invoices/{created['id']}", {"date": "2021-01-26", "rows": [
        {"id": row_id, "product_name": "Updated name"}]})
    assert response.status_code == 204
    assert response.content == b""
    shown = api.get(f"/api/v2/invoices/{created['id']}").json()["data"]
    assert (shown["date"], shown["sum"]) == ("2021-01-26", "1250.0")
    assert [(r["id"], r["product_name"], r["amount"]) for r in shown["rows"]] == [(row_id, "Updated name", "5.0")]


def test_show_invoice_answers_the_seed_body(api: Api, google: dict[str, Any]) -> None:
    created = _show_example(api, google)
    response = api.get(f"/api/v2/invoices/{created['id']}")
    assert response.status_code == 200
    assert without_ids(response.json()) == invoice("2021-01-25", google["id"], ("1250.0", "1000.0", "250.0"),
                                                   {"25": "250.0"}, GOOGLE_ADDRESS,
                                                   [row("product", "200.0", 25, "5.0", 0, unit="st")])


def test_send_without_recipient_is_422_and_leaves_invoice_unsent(api: Api, google: dict[str, Any]) -> None:
    created = _show_example(api, google)
    response = api.post(f"/api/v2/invoices/{created['id']}/send")
    assert response.status_code == 422
    assert response.json() == {"error": "You must select at least one recipient."}
    assert api.get(f"/api/v2/invoices/{created['id']}").json()["data"]["sent"] is False


def test_add_payment_defaults_to_the_invoice_sum(api: Api, google: dict[str, Any]) -> None:
    created = _show_example(api, google)
    response = api.post(f"/api/v2/invoices/{created['id']}/payments", {"paid_at": "2021-01-25"})
    assert response.status_code == 201
    body = response.json()
    assert body == {"data": {"id": body["data"]["id"], "paid_at": "2021-01-25", "amount": "1250.0",
                             "invoice_id": created["id"]}}
    assert api.get(f"/api/v2/invoices/{created['id']}").json()["data"]["paid_at"] == "2021-01-25"


def test_list_payments_answers_the_seed_body(api: Api, google: dict[str, Any]) -> None:
    created = _show_example(api, google)
    path = f"/api/v2/invoices/{created['id']}/payments"
    first = api.created(path, {"paid_at": "2021-01-25", "amount": "100"})
    second = api.created(path, {"paid_at": "2021-01-25", "amount": "200"})
    response = api.get(path)
    assert response.status_code == 200
    assert response.json() == {"data": [
        {"id": first["id"], "paid_at": "2021-01-25", "amount": "100.0", "invoice_id": created["id"]},
        {"id": second["id"], "paid_at": "2021-01-25", "amount": "200.0", "invoice_id": created["id"]}],
        "paging": {"total_pages": 1, "current_page": 1, "next": None, "previous": None}}
    assert api.get(f"/api/v2/invoices/{created['id']}").json()["data"]["paid_at"] is None
