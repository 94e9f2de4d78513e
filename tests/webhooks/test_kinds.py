"""One test per webhook kind and per dialect that can make the change: a webhook registered through
InvoiceOcean receives the change whichever dialect made it, shaped as the recorded deliveries, with the
receiver's token and a Standard Webhooks signature."""
from __future__ import annotations

import json
from typing import Any, Callable

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from core.models import WebhookDelivery
from tests.webhooks.conftest import RECEIVER_TOKEN, Receiver, subscribe, verified

Make = Callable[["Dialects"], tuple[str, int]]  # performs the change; (entity, id of the changed record)


class Dialects:
    """The three wire APIs of one account, called as their clients call them."""

    def __init__(self, client: TestClient, account: dict[str, Any]) -> None:
        self.client, self.token = client, account["invoiceocean"]["api_token"]
        self.invo_auth = (account["invo"]["login"], account["invo"]["password"])
        self.fakturan_auth = (account["fakturan"]["key_id"], account["fakturan"]["password"])

    def io(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        path += ("&" if "?" in path else "?") + f"api_token={self.token}"
        response = self.client.request(method, path,
                                       content=json.dumps(body or {}), headers={"Content-Type": "application/json"})
        assert response.status_code in (200, 201), response.text
        return response.json()

    def invo(self, resource: str, q: dict[str, Any]) -> Any:
        response = self.client.post("/api.json", data={"r": resource, "q": json.dumps(q)}, auth=self.invo_auth)
        answer = response.json()
        assert response.status_code == 200 and "error" not in answer, response.text
        return answer

    def fakturan(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self.client.request(method, f"/api/v2{path}", json=body, auth=self.fakturan_auth)
        assert response.status_code in (200, 201, 204), response.text
        return response.json()["data"] if response.content else None

    # --- records each case starts from ------------------------------------------------------------

    def io_invoice(self) -> int:
        return int(self.io("POST", "/invoices.json", {"invoice": {
            "kind": "vat", "buyer_name": "Klient1 Sp. z o.o.", "buyer_tax_no": "5252445767",
            "positions": [{"name": "Produkt A1", "tax": 23, "total_price_gross": "10.23", "quantity": 1}]}})["id"])

    def io_record(self, plural: str, root: str, fields: dict[str, Any]) -> int:
        return int(self.io("POST", f"/{plural}.json", {root: fields})["id"])

    def io_payment(self) -> int:
        return int(self.io("POST", "/banking/payments.json", {"banking_payment": {
            "name": "Payment 001", "price": "10.23", "invoice_id": self.io_invoice(), "paid": True,
            "kind": "api"}})["id"])

    def invo_customer(self) -> int:
        return int(self.invo("customers", {"action": "add", "symbol": "K1", "name": "Jan Kowalski",
                                           "city": "Katowice", "taxid": "645-123-45-67"})["id"])

    def invo_invoice(self) -> int:
        return int(self.invo("invoices", {"action": "add", "type2": "+FV", "c1id": self.invo_customer(), "items": [
            {"product": "Usługa", "count": 2, "pnetto": 50, "vatsm": "23%"}]})["id"])

    def invo_product(self) -> int:
        return int(self.invo("products", {"action": "add", "type": 0, "symbol": "D1", "name": "Laptop",
                                          "vatsm": "23%", "unitsm": "szt.", "brutto": "1500.00"})["id"])

    def fakturan_client(self) -> int:
        return int(self.fakturan("POST", "/clients", {"company": "Google Inc", "org_number": "556677-8899"})["id"])

    def fakturan_invoice(self) -> int:
        return int(self.fakturan("POST", "/invoices", {"client_id": self.fakturan_client(), "rows": [
            {"product_name": "A simple product", "product_tax": 25, "product_price": "100", "amount": "1"}]})["id"])

    def fakturan_product(self) -> int:
        return int(self.fakturan("POST", "/products", {"name": "Test", "price": "100"})["id"])


IO_CLIENT = {"name": "Klient1 Sp. z o.o.", "tax_no": "5252445767", "city": "Warszawa"}
IO_PRODUCT = {"name": "Produkt A1", "code": "A001", "price_net": "100", "tax": "23"}


def _io_updated(d: Dialects, plural: str, root: str, fields: dict[str, Any], change: dict[str, Any]) -> int:
    made = d.io_record(plural, root, fields)
    d.io("PUT", f"/{plural}/{made}.json", {root: change})
    return made


def _io_deleted(d: Dialects, plural: str, root: str, fields: dict[str, Any]) -> int:
    made = d.io_record(plural, root, fields)
    d.io("DELETE", f"/{plural}/{made}.json")
    return made


def _io_invoice_changed(d: Dialects, how: str) -> int:
    made = d.io_invoice()
    if how == "update":
        d.io("PUT", f"/invoices/{made}.json", {"invoice": {"description": "Zmieniony opis"}})
    elif how == "destroy":
        d.io("DELETE", f"/invoices/{made}.json")
    else:
        d.io("POST", f"/invoices/{made}/change_status.json?status=paid")
    return made


def _io_payment_changed(d: Dialects, how: str) -> int:
    made = d.io_payment()
    if how == "update":
        d.io("PUT", f"/banking/payments/{made}.json", {"banking_payment": {"name": "Payment 002"}})
    else:
        d.io("DELETE", f"/banking/payments/{made}.json")
    return made


def _invo(d: Dialects, resource: str, made: int, q: dict[str, Any]) -> int:
    d.invo(resource, {"id": made, **q})
    return made


def _invo_marked_paid(d: Dialects) -> tuple[int, int]:
    """INVO's status 3: the invoice is paid, by a payment the ledger records for it."""
    made = d.invo_invoice()
    d.invo("invoices", {"action": "status", "id": made, "value": 3})
    [payment] = d.io("GET", f"/banking/payments.json?invoice_id={made}")
    return made, int(payment["id"])


def _fakturan_paid(d: Dialects) -> tuple[int, int]:
    made = d.fakturan_invoice()
    payment = d.fakturan("POST", f"/invoices/{made}/payments", {"paid_at": "2021-02-03"})
    return made, int(payment["id"])


def _fakturan_deleted_product(d: Dialects) -> int:
    made = d.fakturan_product()
    d.fakturan("DELETE", f"/products/{made}")
    return made


def _invo_payment_dropped(d: Dialects) -> int:
    """Back to unpaid (status 4): the payment status 3 recorded is deleted."""
    _invoice, payment = _invo_marked_paid(d)
    d.invo("invoices", {"action": "status", "id": _invoice, "value": 4})
    return payment


CASES: dict[tuple[str, str], Callable[[Dialects], int]] = {
    ("invoice:create", "invoiceocean"): lambda d: d.io_invoice(),
    ("invoice:create", "invo"): lambda d: d.invo_invoice(),
    ("invoice:create", "fakturan"): lambda d: d.fakturan_invoice(),
    ("invoice:update", "invoiceocean"): lambda d: _io_invoice_changed(d, "update"),
    ("invoice:update", "invo"): lambda d: _invo(d, "invoices", d.invo_invoice(), {"action": "edit", "notices": "N"}),
    ("invoice:update", "fakturan"): lambda d: (lambda i: d.fakturan("PUT", f"/invoices/{i}", {
        "our_reference": "Anna"}) or i)(d.fakturan_invoice()),
    ("invoice:destroy", "invoiceocean"): lambda d: _io_invoice_changed(d, "destroy"),
    ("invoice:destroy", "invo"): lambda d: _invo(d, "invoices", d.invo_invoice(), {"action": "delete"}),
    ("invoice:paid", "invoiceocean"): lambda d: _io_invoice_changed(d, "paid"),
    ("invoice:paid", "invo"): lambda d: _invo_marked_paid(d)[0],
    ("invoice:paid", "fakturan"): lambda d: _fakturan_paid(d)[0],
    ("client:create", "invoiceocean"): lambda d: d.io_record("clients", "client", IO_CLIENT),
    ("client:create", "invo"): lambda d: d.invo_customer(),
    ("client:create", "fakturan"): lambda d: d.fakturan_client(),
    ("client:update", "invoiceocean"): lambda d: _io_updated(d, "clients", "client", IO_CLIENT, {"city": "Kraków"}),
    ("client:update", "invo"): lambda d: _invo(d, "customers", d.invo_customer(), {"action": "edit", "city": "Łódź"}),
    ("client:update", "fakturan"): lambda d: (lambda i: d.fakturan("PUT", f"/clients/{i}", {
        "company": "Alphabet Inc"}) or i)(d.fakturan_client()),
    ("client:destroy", "invoiceocean"): lambda d: _io_deleted(d, "clients", "client", IO_CLIENT),
    ("client:destroy", "invo"): lambda d: _invo(d, "customers", d.invo_customer(), {"action": "delete"}),
    ("product:create", "invoiceocean"): lambda d: d.io_record("products", "product", IO_PRODUCT),
    ("product:create", "invo"): lambda d: d.invo_product(),
    ("product:create", "fakturan"): lambda d: d.fakturan_product(),
    ("product:update", "invoiceocean"): lambda d: _io_updated(d, "products", "product", IO_PRODUCT, {"code": "A2"}),
    ("product:update", "invo"): lambda d: _invo(d, "products", d.invo_product(), {"action": "edit", "name": "PC"}),
    ("product:update", "fakturan"): lambda d: (lambda i: d.fakturan("PUT", f"/products/{i}", {
        "price": "200"}) or i)(d.fakturan_product()),
    ("product:destroy", "invoiceocean"): lambda d: _io_deleted(d, "products", "product", IO_PRODUCT),
    ("product:destroy", "invo"): lambda d: _invo(d, "products", d.invo_product(), {"action": "delete"}),
    ("product:destroy", "fakturan"): _fakturan_deleted_product,
    ("payment:create", "invoiceocean"): lambda d: d.io_payment(),
    ("payment:create", "invo"): lambda d: _invo_marked_paid(d)[1],
    ("payment:create", "fakturan"): lambda d: _fakturan_paid(d)[1],
    ("payment:update", "invoiceocean"): lambda d: _io_payment_changed(d, "update"),
    ("payment:destroy", "invoiceocean"): lambda d: _io_payment_changed(d, "destroy"),
    ("payment:destroy", "invo"): _invo_payment_dropped,
}


@pytest.mark.parametrize(("kind", "dialect"), list(CASES), ids=[f"{k}-{d}" for k, d in CASES])
def test_each_kind_is_delivered_whichever_dialect_made_the_change(kind: str, dialect: str, client: TestClient,
                                                                  account: dict[str, Any], receiver: Receiver,
                                                                  ledger: Any) -> None:
    dialects = Dialects(client, account)
    hook = subscribe(client, dialects.token, kind, receiver.url)
    record_id = CASES[(kind, dialect)](dialects)

    # The deliveries were queued with the changes: exactly one for this webhook, whatever else happened.
    queued = ledger.read(lambda s: list(s.execute(select(WebhookDelivery)).scalars()))
    entity = kind.split(":")[0]
    assert [d.resource for d in queued] == [f"{entity}:{record_id}"]
    [received] = receiver.wait_for(1)
    body = verified(received, hook["secret"])
    assert json.loads(received.body) == body
    assert list(body) == [entity, *(["deal"] if entity == "invoice" else []), "app_name", "api_token", "locale"]
    assert (body["app_name"], body["api_token"], body["locale"]) == ("fakturownia", RECEIVER_TOKEN, "pl")
    resource = body[entity]
    assert (resource["id"], resource["external_ids"]) == (record_id, {"fakturownia": record_id})
    if kind.endswith(":destroy") or entity in ("client", "product"):
        return
    shown = dialects.io("GET", f"/{'banking/payments' if entity == 'payment' else entity + 's'}/{record_id}.json")
    assert resource == {**shown, "external_ids": {"fakturownia": record_id}}  # as GET shows it
    if entity == "invoice":
        assert body["deal"]["invoice_no"] == shown["number"] and body["deal"]["url"] == shown["view_url"]
        assert body["deal"]["external_ids"] == {"fakturownia": record_id}
