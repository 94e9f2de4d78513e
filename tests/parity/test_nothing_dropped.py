"""Nothing is silently dropped: a value written through one dialect that another dialect cannot show
(fidelity "absent" or "approximate") survives an update through that other dialect, and reads back
unchanged through the dialect that wrote it."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from starlette.testclient import TestClient

from core.ledger import Ledger
from gateway.fidelity import BY_NAME
from tests.parity.harness import Wire


@pytest.fixture
def wire(client: TestClient, ledger: Ledger, account: dict[str, Any]) -> Wire:
    return Wire(client, ledger, account)


IO_ONLY = {  # fields fakturan (and partly INVO) cannot show, as InvoiceOcean writes them
    "kind": "proforma", "sell_date": "2024-02-29", "issue_date": "2024-03-05", "place": "Kraków",
    "description": "Umowa 7/2024", "internal_note": "VIP", "seller_name": "Wystawca Sp. z o.o.",
    "seller_tax_no": "5252445767", "buyer_name": "Klient1 Sp. z o.o.", "buyer_tax_no": "5252445767",
    "buyer_email": "k1@example.com", "buyer_country": "PL", "payment_type": "transfer", "currency": "EUR",
    "exchange_currency": "PLN", "exchange_rate": "4.3012", "show_discount": True, "my_tag": "from-crm",
}
IO_POSITIONS = [{"name": "Licencja", "code": "LIC-1", "description": "roczna", "quantity": 16, "price_net": "348.35",
                 "tax": 23, "discount_percent": 4, "warehouse_note": "A3"},
                {"name": "Wsparcie", "quantity": 1, "price_net": "200", "tax": "zw"}]


def _io_invoice(w: Wire) -> dict[str, Any]:
    created = w.io("POST", "/invoices.json", {"invoice": {**IO_ONLY, "positions": IO_POSITIONS}}, status=201)
    return created  # type: ignore[no-any-return]


def _io_survivors(io: dict[str, Any]) -> dict[str, Any]:
    kept = {k: io[k] for k in IO_ONLY if k not in ("issue_date",)}
    kept["positions"] = [{k: p[k] for k in ("name", "code", "description", "discount_percent", "tax",
                                            "total_price_net", "total_price_gross", "warehouse_note")
                          if k in p} for p in io["positions"]]
    return kept


def test_fields_fakturan_cannot_show_survive_a_fakturan_update(wire: Wire) -> None:
    assert BY_NAME["sell_date"].fidelity["fakturan"] == BY_NAME["kind"].fidelity["fakturan"] == "absent"
    created = _io_invoice(wire)
    invoice_id = created["id"]
    before = _io_survivors(created)
    row_id = wire.fk("GET", f"/invoices/{invoice_id}")["data"]["rows"][0]["id"]
    wire.fk("PUT", f"/invoices/{invoice_id}", {"our_reference": "PO-17", "days": 14, "date": "2024-03-06"},
            status=204)
    wire.fk("PUT", f"/invoices/{invoice_id}", {"rows": [{"id": row_id, "product_name": "Licencja Pro"}]},
            status=204)
    after = wire.io("GET", f"/invoices/{invoice_id}.json")
    before["positions"][0]["name"] = "Licencja Pro"
    assert _io_survivors(after) == before
    assert (after["issue_date"], after["payment_to"], after["our_reference"]) == ("2024-03-06", "2024-03-20", "PO-17")
    wire.assert_equivalent(invoice_id)


def test_a_fakturan_row_update_keeps_the_discount_fakturan_shows_as_a_percent(wire: Wire) -> None:
    invoice_id = _io_invoice(wire)["id"]
    row = wire.fk("GET", f"/invoices/{invoice_id}")["data"]["rows"][0]
    assert (row["discount"], row["product_price"]) == (4, "348.35")  # the price before the discount
    wire.fk("PUT", f"/invoices/{invoice_id}", {"rows": [{"id": row["id"], "amount": "8"}]}, status=204)
    position = wire.io("GET", f"/invoices/{invoice_id}.json")["positions"][0]
    assert (position["discount_percent"], position["code"], position["description"]) == ("4", "LIC-1", "roczna")
    assert Decimal(position["total_price_net"]) == Decimal("2675.36")  # 8 x (348.35 - 4 %) = 8 x 334.42


def test_fields_invo_cannot_show_survive_an_invo_edit(wire: Wire) -> None:
    assert BY_NAME["seller"].fidelity["invo"] == "absent"
    created = _io_invoice(wire)
    invoice_id = created["id"]
    before = _io_survivors(created)
    wire.invo("invoices", {"action": "edit", "id": invoice_id, "notices": "Umowa 8/2024", "tdate": "2024-04-30"})
    after = wire.io("GET", f"/invoices/{invoice_id}.json")
    before["description"] = "Umowa 8/2024"
    assert _io_survivors(after) == before
    assert after["payment_to"] == "2024-04-30"
    wire.assert_equivalent(invoice_id)


def test_fakturan_references_and_template_survive_invoiceocean_and_invo_updates(wire: Wire) -> None:
    body = {"date": "2024-03-05", "our_reference": "Anna", "your_reference": "PO-9",
            "settings": {"invoice_template": "foxy", "show_product_code": True},
            "client": {"company": "Google", "address": {"city": "Mountain View", "zip_code": "94043"}},
            "rows": [{"product_name": "Drift", "product_code": "D-1", "product_price": "100", "amount": "2",
                      "product_tax": 25}]}
    invoice_id = wire.fk("POST", "/invoices", body, status=201)["data"]["id"]
    wire.io("PUT", f"/invoices/{invoice_id}.json", {"invoice": {"description": "moved", "place": "Lund"}})
    wire.invo("invoices", {"action": "edit", "id": invoice_id, "notices_priv": "checked"})
    data = wire.fk("GET", f"/invoices/{invoice_id}")["data"]
    assert (data["our_reference"], data["your_reference"]) == ("Anna", "PO-9")
    assert data["settings"] == {"invoice_template": "foxy", "prices_inc_tax": "no", "show_product_code": True}
    assert data["rows"][0]["product_code"] == "D-1"
    wire.assert_equivalent(invoice_id)


def test_invo_only_fields_survive_invoiceocean_and_fakturan_updates(wire: Wire) -> None:
    customer = wire.invo("customers", {"action": "add", "name": "Odbiorca Sp. z o.o.", "city": "Gdańsk"})["id"]
    q = {"action": "add", "type2": "+FV", "mdate": "2024-03-05", "c1name": "Jan Kowalski", "c1city": "Katowice",
         "c2id": customer, "title": "Faktura nr", "cdesc": "opis", "delivery": "kurier", "netweight": "12.5",
         "items": [{"product": "cos tam", "count": 4, "unit": "szt.", "pnetto": "100.00", "vatsm": "23%",
                    "cartons": 2}]}
    invoice_id = wire.invo("invoices", q)["id"]
    before = wire.invo("invoices", {"action": "list", "id": invoice_id, "items": 1})["rows"][0]
    wire.io("PUT", f"/invoices/{invoice_id}.json", {"invoice": {"buyer_street": "Korfantego 100"}})
    wire.fk("PUT", f"/invoices/{invoice_id}", {"your_reference": "ZK-1"}, status=204)
    after = wire.invo("invoices", {"action": "list", "id": invoice_id, "items": 1})["rows"][0]
    for key in ("title", "cdesc", "delivery", "netweight", "c2id", "c2name", "c2city"):
        assert after[key] == before[key], key
    assert after["items"][0]["cartons"] == 2 and after["c1street"] == "Korfantego 100"
    wire.assert_equivalent(invoice_id)


def test_a_cancelled_invoice_stays_cancelled_through_a_fakturan_update(wire: Wire) -> None:
    assert "cancelled" in BY_NAME["status"].note["fakturan"]
    invoice_id = _io_invoice(wire)["id"]
    wire.io("POST", f"/invoices/{invoice_id}/cancel.json", {"cancel_reason": "duplicate"})
    wire.fk("PUT", f"/invoices/{invoice_id}", {"our_reference": "x"}, status=204)
    after = wire.io("GET", f"/invoices/{invoice_id}.json")
    assert (after["status"], after["cancelled"], after["cancel_reason"]) == ("cancelled", True, "duplicate")
    assert wire.invo("invoices", {"action": "list", "id": invoice_id})["rows"][0]["status"] == 5
