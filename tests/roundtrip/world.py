"""The records a round trip is tried on: the demo account (gateway/demo.py), plus records created
through each of the three dialects in it and in an account with fakturan's defaults (SEK), with the
seed documents' payloads where they apply: discounts, gross prices, corrections, several rates."""
from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from starlette.testclient import TestClient

from core.accounts import create_account
from gateway.demo import seed_demo
from tests.dialects.fakturan.conftest import GOOGLE
from tests.dialects.invoiceocean import seed_payloads as seed
from tests.dialects.invoiceocean import warehouse_payloads as warehouse
from tests.dialects.invoiceocean.conftest import seed_body
from tests.dialects.invoiceocean.test_warehouse import body


@dataclass
class Account:
    """One account's credentials for the three dialects, and calls in each dialect's own way."""

    client: TestClient
    secrets: dict[str, Any]

    @property
    def token(self) -> str:
        return str(self.secrets["invoiceocean"]["api_token"])

    def io(self, method: str, path: str, body: bytes | None = None, xml: bool = False,
           **params: Any) -> Any:
        kind = "application/xml" if xml else "application/json"
        return self.client.request(method, path, params={"api_token": self.token, **params}, content=body,
                                   headers={"Accept": kind, "Content-Type": kind})

    def io_created(self, path: str, body: bytes) -> dict[str, Any]:
        response = self.client.post(path, content=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    @property
    def fakturan_auth(self) -> tuple[str, str]:
        return self.secrets["fakturan"]["key_id"], self.secrets["fakturan"]["password"]

    def fakturan(self, method: str, path: str, body: Any = None) -> Any:
        return self.client.request(method, f"/api/v2/{path}", json=body, auth=self.fakturan_auth)

    def fakturan_created(self, path: str, body: Any) -> dict[str, Any]:
        response = self.fakturan("POST", path, body)
        assert response.status_code == 201, response.text
        return response.json()["data"]  # type: ignore[no-any-return]

    def invo(self, resource: str, q: dict[str, Any]) -> Any:
        response = self.client.post("/api.json", data={"r": resource, "q": json.dumps(q, default=str)},
                                    auth=(self.secrets["invo"]["login"], self.secrets["invo"]["password"]))
        assert response.status_code == 200, response.text
        return json.loads(response.text, parse_float=Decimal)

    def invo_added(self, resource: str, q: dict[str, Any]) -> int:
        answer = self.invo(resource, {"action": "add", **q})
        assert "error" not in answer, answer
        return int(answer["id"])


@dataclass
class World:
    accounts: list[Account]


def _through_invoiceocean(account: Account) -> None:
    token = account.token
    # A bank account the main department shows on invoices, so the invoices below carry one
    # (API_RACHUNKI_BANKOWE.md section 4's payload, linked to the account's own main department).
    main = account.io("GET", "/departments.json").json()[0]["id"]
    account.io_created("/bank_accounts.json", json.dumps({"api_token": token, "bank_account": {
        "name": "Rachunek główny PLN", "bank_account_number": "PL61 1090 1014 0000 0712 1981 2874",
        "bank_name": "Santander Bank Polska", "bank_account_version_departments": [
            {"department_id": main, "show_on_invoice": True, "main_on_department": True}]}}).encode())
    account.io_created("/issuers.json", json.dumps({"api_token": token, "issuer": {
        "name": "Issuer", "tax_no": "4170106662"}}).encode())
    invoice = account.io_created("/invoices.json", seed_body(seed.INVOICE, token))
    account.io_created("/invoices.json", json.dumps({"api_token": token, "invoice": {
        "kind": "vat", "buyer_name": "Rabat Sp. z o.o.", "show_discount": True,
        "calculating_strategy": {"invoice_form_price_kind": "gross"},
        "positions": [{"name": "Gross, discounted", "tax": 8, "price_gross": "99.99", "quantity": 3,
                       "discount_percent": 15},
                      {"name": "Exempt", "tax": "zw", "price_net": 40, "quantity": "2.5"}]}}).encode())
    account.io_created("/invoices.json", seed_body(seed.CORRECTION, token).replace(
        b'"2432393"', str(invoice["id"]).encode()).replace(b'"client_id": 1', b'"client_id": null'))
    account.io_created("/clients.json", seed_body(seed.CLIENT, token))
    product = account.io_created("/products.json", seed_body(seed.PRODUCT, token))
    account.io_created("/departments.json", seed_body(seed.DEPARTMENT, token))
    account.io_created("/price_lists.json", seed_body(seed.PRICE_LIST.replace('"Product ID"', str(product["id"])),
                                                      token))
    recurring = json.loads(seed_body(seed.RECURRING, token))
    recurring["recurring"]["invoice_id"] = invoice["id"]
    account.io_created("/recurrings.json", json.dumps(recurring).encode())
    account.io_created("/banking/payments.json", seed_body(seed.PAYMENT_MINIMAL, token))
    account.io_created("/banking/payments.json", json.dumps({"api_token": token, "banking_payment": {
        "name": "Part", "price": "10.00", "invoice_id": invoice["id"], "paid": True}}).encode())
    # Inactive, so the round trips' changes queue no delivery to this (public, unreachable) address.
    account.io_created("/webhooks.json", json.dumps({"api_token": token, "webhook": {
        "kind": "invoice:update", "url": "https://192.0.32.10/hook", "api_token": "RECEIVER",
        "active": False}}).encode())
    _warehouses_through_invoiceocean(account, product["id"])


def _warehouses_through_invoiceocean(account: Account, product_id: int) -> None:
    """The reference's category, warehouse and PZ/MM/WZ payloads, and an invoice that issues from stock."""
    token = account.token
    account.io_created("/categories.json", body(warehouse.CATEGORY_CREATE, token))
    main = account.io_created("/warehouses.json", body(warehouse.WAREHOUSE_CREATE, token))["id"]
    shop = account.io_created("/warehouses.json", body(warehouse.WAREHOUSE_UPDATE, token))["id"]
    account.io_created("/warehouse_documents.json", body(warehouse.DOCUMENT_PZ, token, __1__=f'"{main}"'))
    account.io_created("/warehouse_documents.json", body(warehouse.DOCUMENT_MM, token, __1__=f'"{main}"',
                                                         **{":13": f":{shop}"}))
    account.io_created("/warehouse_documents.json", body(warehouse.DOCUMENT_WZ, token, __1__=f'"{main}"',
                                                         __333__=f'"{product_id}"'))
    account.io_created("/invoices.json", json.dumps({"api_token": token, "invoice": {
        "kind": "vat", "buyer_name": "Magazyn Sp. z o.o.", "warehouse_id": main, "positions": [
            {"product_id": product_id, "name": "PoroductAA", "tax": 23, "price_net": "100", "quantity": 2}]}}
        ).encode())


def _through_fakturan(account: Account) -> None:
    client = account.fakturan_created("clients", GOOGLE)
    account.fakturan_created("clients", {"client_type": "individual", "first_name": "Nils", "last_name": "Eriksson",
                                         "email": "nils@example.com",
                                         "settings": {"locale": "en", "invoice_days": 10, "currency": "EUR"},
                                         "address": {"street_address": "Testvägen", "city": "Karlstad"}})
    account.fakturan_created("products", {"name": "Konsult", "product_code": "K1", "unit": "h", "price": "750",
                                          "tax": 25})
    account.fakturan_created("invoices", {"client_id": client["id"], "rows": [
        {"product_name": "My product", "product_tax": 25, "product_price": "100", "amount": "10"},
        {"product_name": "My product 2", "product_tax": 12, "product_price": "100", "amount": "10 st",
         "discount": 10},
        {"text": "Some arbitrary text", "text_row": True}]})
    account.fakturan_created("invoices", {"client_id": client["id"], "settings": {"prices_inc_tax": "yes"},
                                          "rows": [{"product_name": "Inklusive moms", "product_tax": 6,
                                                    "product_price": "106", "amount": "3", "discount": "5"}]})


SEED_ITEM = {"product": "cos tam", "pkwiu": "72/20", "count": 4, "unit": "szt.", "pnetto": "100.00", "vatsm": "23%"}


def _through_invo(account: Account) -> None:
    customer = account.invo_added("customers", {
        "symbol": "K1", "name": "Jan Kowalski", "street": "Korfantego 100", "code": "40-154", "city": "Katowice",
        "taxid": "645-123-45-67", "bname": "mBank", "baccount": "00 1111 2222 3333 4444 5555"})
    account.invo_added("products", {"name": "Drukarka HP", "symbol": "D3531", "pbrutto": "1249.00", "vatsm": "23%"})
    fv = account.invo_added("invoices", {"type2": "+FV", "c1id": customer, "mdate": "2014-10-21",
                                         "items": [SEED_ITEM, {**SEED_ITEM, "product": "z rabatem", "discount": 10,
                                                               "count": 3, "vatsm": "7%"}]})
    account.invo_added("invoices", {"type2": "+KOR", "kid": fv, "c1id": customer, "mdate": "2014-10-25",
                                    "items": [{**SEED_ITEM, "before": {**SEED_ITEM, "count": 3}}]})
    account.invo_added("invoices", {"type2": "+PRO", "c1id": customer, "brutto": 1,
                                    "items": [{"product": "brutto", "count": 2, "pbrutto": "61.50", "vatsm": "23%",
                                               "discount": 5}]})
    account.invo_added("invoices", {"type2": "+FV", "buy": 1, "c1id": customer, "nrdoc": "FZ/1/2014",
                                    "items": [{**SEED_ITEM, "product": "zakup"}]})
    account.invo_added("dictionaries", {"what": "units", "c3": "pal."})


def fill(app: Any, client: TestClient) -> World:
    demo = Account(client, seed_demo(app.state.ledger) or {})
    swedish = Account(client, app.state.ledger.write(create_account, "Svensk AB", profile="fakturan").as_dict())
    for account in (demo, swedish):
        _through_invoiceocean(account)
        _through_fakturan(account)
        _through_invo(account)
    return World([demo, swedish])
