"""Issue 24 items 3-5 and issue 18 item 10: payments and the paid status mean what an accountant reads, the same
in every dialect. Each case is driven through every dialect that can cause it and read back through all three."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from starlette.testclient import TestClient

from core.ledger import Ledger
from tests.parity.harness import Wire
from tests.parity.scenarios import create, line

B = {"lines": [line("Projekt", "1", "80.00", "25")]}  # 100.00 gross
C = {"lines": [line("Drift", "1", "40.00", "25")]}  # 50.00 gross


@pytest.fixture
def wire(client: TestClient, ledger: Ledger, account: dict[str, Any]) -> Wire:
    return Wire(client, ledger, account)


def today() -> str:
    return datetime.now(ZoneInfo("Europe/Warsaw")).date().isoformat()


def mark_paid(w: Wire, via: str, invoice_id: int) -> None:
    if via == "invoiceocean":
        w.io("POST", f"/invoices/{invoice_id}/change_status.json?status=paid")
    elif via == "invo":
        w.invo("invoices", {"action": "status", "id": invoice_id, "value": 3})
    else:  # fakturan.nu has no status: a payment without an amount pays the remainder
        w.fk("POST", f"/invoices/{invoice_id}/payments", {}, status=201)


def mark_issued(w: Wire, via: str, invoice_id: int) -> None:
    if via == "invoiceocean":
        w.io("POST", f"/invoices/{invoice_id}/change_status.json?status=issued")
    else:
        w.invo("invoices", {"action": "status", "id": invoice_id, "value": 4})


def fakturan_payments(w: Wire, invoice_id: int) -> list[tuple[str, Decimal]]:
    return [(p["paid_at"], Decimal(p["amount"])) for p in w.fk("GET", f"/invoices/{invoice_id}/payments")["data"]]


def io_payment(w: Wire, invoice_id: int, price: str, paid_date: str = "2024-03-10") -> dict[str, Any]:
    body = {"name": "Payment 001", "price": price, "invoice_id": invoice_id, "kind": "api", "paid_date": paid_date}
    return w.io("POST", "/banking/payments.json", {"banking_payment": body}, status=201)  # type: ignore[no-any-return]


# -- issue 24 item 3: one payment split across two invoices ---------------------------------------
def test_fakturan_shows_each_invoice_its_share_of_a_split_payment(wire: Wire) -> None:
    b, c = create(wire, "invoiceocean", B), create(wire, "fakturan", C)
    body = {"name": "Payment 001", "price": "120.00", "invoice_ids": [b, c], "kind": "api", "paid_date": "2024-03-10"}
    wire.io("POST", "/banking/payments.json", {"banking_payment": body}, status=201)
    assert fakturan_payments(wire, b) == [("2024-03-10", Decimal("100.00"))]
    assert fakturan_payments(wire, c) == [("2024-03-10", Decimal("20.00"))]
    assert (wire.truth(b).invoice.status, wire.truth(c).invoice.status) == ("paid", "partial")
    for invoice_id, paid in ((b, "100.00"), (c, "20.00")):
        truth = wire.assert_equivalent(invoice_id)  # InvoiceOcean's and INVO's paid equal fakturan's sum
        assert truth.invoice.paid == Decimal(paid)


# -- issue 18 item 10: marking paid records a payment of the balance, reverting removes it ---------
@pytest.mark.parametrize("via", ["invoiceocean", "invo", "fakturan"])
def test_marking_paid_after_a_partial_payment_records_the_balance_dated_that_day(wire: Wire, via: str) -> None:
    invoice_id = create(wire, "invoiceocean", B)
    wire.fk("POST", f"/invoices/{invoice_id}/payments", {"paid_at": "2024-03-10", "amount": "30.00"}, status=201)
    mark_paid(wire, via, invoice_id)
    truth = wire.assert_equivalent(invoice_id)
    assert (truth.invoice.status, truth.invoice.paid) == ("paid", Decimal("100.00"))
    assert fakturan_payments(wire, invoice_id) == [("2024-03-10", Decimal("30.0")), (today(), Decimal("70.0"))]
    listed = wire.io("GET", "/banking/payments.json?include=invoices")
    assert sorted(Decimal(p["price"]) for p in listed if invoice_id in p["invoice_ids"]) == [Decimal(30), Decimal(70)]


@pytest.mark.parametrize("via", ["invoiceocean", "invo"])
def test_reverting_paid_removes_only_the_payment_marking_recorded(wire: Wire, via: str) -> None:
    invoice_id = create(wire, "invoiceocean", B)
    wire.fk("POST", f"/invoices/{invoice_id}/payments", {"paid_at": "2024-03-10", "amount": "30.00"}, status=201)
    mark_paid(wire, via, invoice_id)
    mark_issued(wire, via, invoice_id)
    truth = wire.assert_equivalent(invoice_id)
    assert (truth.invoice.status, truth.invoice.paid) == ("partial", Decimal("30.00"))
    assert fakturan_payments(wire, invoice_id) == [("2024-03-10", Decimal("30.0"))]


def test_paid_set_by_an_invoiceocean_update_records_and_an_update_back_removes_the_balance(wire: Wire) -> None:
    invoice_id = create(wire, "invoiceocean", B)
    wire.io("PUT", f"/invoices/{invoice_id}.json", {"invoice": {"status": "paid"}})
    assert fakturan_payments(wire, invoice_id) == [(today(), Decimal("100.0"))]
    wire.io("PUT", f"/invoices/{invoice_id}.json", {"invoice": {"status": "issued"}})
    truth = wire.assert_equivalent(invoice_id)
    assert (truth.invoice.status, truth.invoice.paid, truth.invoice.paid_date) == ("issued", Decimal(0), None)
    assert fakturan_payments(wire, invoice_id) == []


def test_an_invoice_created_paid_has_its_payment_in_every_dialect(wire: Wire) -> None:
    payload = {"invoice": {"kind": "vat", "status": "paid", "issue_date": "2024-03-05", "buyer_name": "Klient1",
                           "positions": [{"name": "A", "quantity": 1, "tax": 25, "price_net": "80.00"}]}}
    invoice_id = int(wire.io("POST", "/invoices.json", payload, status=201)["id"])
    assert fakturan_payments(wire, invoice_id) == [("2024-03-05", Decimal("100.0"))]
    assert wire.assert_equivalent(invoice_id).invoice.paid_date.isoformat() == "2024-03-05"  # type: ignore[union-attr]


def test_an_invoice_created_paid_on_a_given_day_has_its_payment_dated_that_day(wire: Wire) -> None:
    invoice_id = wire.invo("invoices", {"action": "add", "type2": "+FV", "mdate": "2024-03-05", "c1name": "Klient1",
                                        "status": 3, "pdate": "2024-03-07",
                                        "items": [{"product": "A", "count": 1, "vatsm": "25%",
                                                   "pnetto": "80.00"}]})["id"]
    assert fakturan_payments(wire, invoice_id) == [("2024-03-07", Decimal("100.0"))]
    assert wire.assert_equivalent(invoice_id).invoice.status == "paid"


def test_a_client_cannot_record_a_payment_of_the_kind_marking_paid_records(wire: Wire) -> None:
    invoice_id = create(wire, "invoiceocean", B)
    body = {"name": "x", "price": "10.00", "invoice_id": invoice_id, "kind": "marked_paid"}
    answer = wire.io("POST", "/banking/payments.json", {"banking_payment": body}, status=422)
    assert "kind" in answer["message"]


# -- issue 24 item 4: a payment named for a paid invoice stays on it, as an over-payment -----------
@pytest.mark.parametrize("via", ["invoiceocean", "invo", "fakturan"])
def test_a_payment_named_for_an_invoice_marked_paid_is_an_over_payment_of_it(wire: Wire, via: str) -> None:
    invoice_id = create(wire, "invoiceocean", B)
    mark_paid(wire, via, invoice_id)
    assert io_payment(wire, invoice_id, "30.00")["invoice_id"] == invoice_id
    posted = wire.fk("POST", f"/invoices/{invoice_id}/payments", {"paid_at": "2024-03-11", "amount": "5.00"},
                     status=201)["data"]
    assert (posted["invoice_id"], Decimal(posted["amount"])) == (invoice_id, Decimal(5))
    truth = wire.assert_equivalent(invoice_id)
    assert (truth.invoice.status, truth.invoice.paid) == ("paid", Decimal("135.00"))
    assert sum(amount for _day, amount in fakturan_payments(wire, invoice_id)) == Decimal("135.00")


def test_a_payment_larger_than_the_invoices_it_names_keeps_the_surplus_on_the_last(wire: Wire) -> None:
    b, c = create(wire, "invoiceocean", B), create(wire, "invoiceocean", C)
    body = {"name": "Payment 001", "price": "200.00", "invoice_ids": [b, c], "kind": "api"}
    wire.io("POST", "/banking/payments.json", {"banking_payment": body}, status=201)
    assert (wire.assert_equivalent(b).invoice.paid, wire.assert_equivalent(c).invoice.paid) == (
        Decimal("100.00"), Decimal("100.00"))
    assert fakturan_payments(wire, c)[0][1] == Decimal(100)


# -- issue 24 item 5: an unpaid document carries no payment date -----------------------------------
@pytest.mark.parametrize("via", ["invoiceocean", "invo"])
def test_paid_then_back_to_issued_shows_no_paid_date_anywhere(wire: Wire, via: str) -> None:
    invoice_id = create(wire, via, B)
    mark_paid(wire, via, invoice_id)
    assert wire.io("GET", f"/invoices/{invoice_id}.json")["paid_date"] == today()
    mark_issued(wire, via, invoice_id)
    assert wire.io("GET", f"/invoices/{invoice_id}.json")["paid_date"] is None
    assert wire.invo("invoices", {"action": "list", "id": invoice_id})["rows"][0]["pdate"] in (None, "")
    truth = wire.assert_equivalent(invoice_id)
    assert (truth.invoice.status, truth.invoice.paid, truth.invoice.paid_date) == ("issued", Decimal(0), None)


def test_paid_by_payments_then_status_issued_keeps_the_payments_and_their_date(wire: Wire) -> None:
    invoice_id = create(wire, "invoiceocean", B)
    io_payment(wire, invoice_id, "100.00", "2024-03-12")
    mark_issued(wire, "invo", invoice_id)  # real money stays: the status follows it
    truth = wire.assert_equivalent(invoice_id)
    assert (truth.invoice.status, truth.invoice.paid_date.isoformat()) == ("paid", "2024-03-12")  # type: ignore[union-attr]


def test_deleting_an_invoice_marked_paid_deletes_the_payment_marking_recorded(wire: Wire) -> None:
    invoice_id = create(wire, "invoiceocean", B)
    io_payment(wire, invoice_id, "30.00")
    mark_paid(wire, "invo", invoice_id)
    wire.invo("invoices", {"action": "delete", "id": invoice_id})
    assert [Decimal(p["price"]) for p in wire.io("GET", "/banking/payments.json")] == [Decimal("30.00")]
