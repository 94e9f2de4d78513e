"""The issue's parity scenarios, each written once as a neutral spec and sent the way each dialect's
documentation says (field names from the seeds). A scenario function creates (and pays, sends,
cancels, ...) through one dialect, checks parity at every step and returns the invoice id."""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable

from core.handlers.lines import totals_of
from tests.parity.harness import Wire

BUYER = {"name": "Klient1 Sp. z o.o.", "street": "Korfantego 100", "post_code": "40-154", "city": "Katowice",
         "tax_no": "5252445767"}
INVO_TYPE2 = {"vat": "+FV", "proforma": "+PRO", "correction": "+KOR"}


def line(name: str, quantity: str, price: str, tax: str = "25", unit: str = "szt.",
         discount: str | None = None) -> dict[str, Any]:
    return {"name": name, "quantity": quantity, "price": price, "tax": tax, "unit": unit, "discount": discount}


def io_payload(spec: dict[str, Any]) -> dict[str, Any]:
    gross = spec.get("gross", False)
    buyer = spec.get("buyer", BUYER)
    invoice: dict[str, Any] = {
        "kind": spec.get("kind", "vat"), "issue_date": spec.get("issue_date", "2024-03-05"),
        "sell_date": spec.get("sell_date", "2024-03-04"), "buyer_name": buyer["name"],
        "buyer_street": buyer["street"], "buyer_post_code": buyer["post_code"], "buyer_city": buyer["city"],
        "buyer_tax_no": buyer["tax_no"],
        "positions": [{"name": ln["name"], "quantity": ln["quantity"], "quantity_unit": ln["unit"], "tax": ln["tax"],
                       "price_gross" if gross else "price_net": ln["price"],
                       **({"discount_percent": ln["discount"]} if ln["discount"] else {})}
                      for ln in spec["lines"]]}
    if gross:
        invoice["calculating_strategy"] = {"invoice_form_price_kind": "gross"}
    if any(ln["discount"] for ln in spec["lines"]):
        invoice["show_discount"] = True
    for key in ("currency", "exchange_rate", "exchange_currency", "description", "place", "client_id",
                "from_invoice_id"):
        if key in spec:
            invoice[key] = spec[key]
    return {"invoice": invoice}


def invo_query(spec: dict[str, Any]) -> dict[str, Any]:
    gross = spec.get("gross", False)
    buyer = spec.get("buyer", BUYER)
    q: dict[str, Any] = {
        "action": "add", "type2": INVO_TYPE2[spec.get("kind", "vat")], "mdate": spec.get("issue_date", "2024-03-05"),
        "sdate": spec.get("sell_date", "2024-03-04"), "c1name": buyer["name"], "c1street": buyer["street"],
        "c1code": buyer["post_code"], "c1city": buyer["city"], "c1taxid": buyer["tax_no"],
        "items": [{"product": ln["name"], "count": ln["quantity"], "unitsm": ln["unit"],
                   "vatsm": ln["tax"] if not ln["tax"].isdigit() else ln["tax"] + "%",
                   "pbrutto" if gross else "pnetto": ln["price"],
                   **({"discount": ln["discount"]} if ln["discount"] else {})} for ln in spec["lines"]]}
    if gross:
        q["brutto"] = 1
    for key, name in (("currency", "currency"), ("exchange_rate", "currval"), ("description", "notices"),
                      ("place", "place"), ("client_id", "c1id"), ("from_invoice_id", "kid")):
        if key in spec:
            q[name] = spec[key]
    return q


def fakturan_body(spec: dict[str, Any]) -> dict[str, Any]:
    buyer = spec.get("buyer", BUYER)
    body: dict[str, Any] = {
        "date": spec.get("issue_date", "2024-03-05"),
        "rows": [{"product_name": ln["name"], "amount": ln["quantity"], "product_unit": ln["unit"],
                  "product_tax": int(ln["tax"]), "product_price": ln["price"],
                  **({"discount": ln["discount"]} if ln["discount"] else {})} for ln in spec["lines"]]}
    if "client_id" in spec:
        body["client_id"] = spec["client_id"]
    else:
        body["client"] = {"company": buyer["name"], "org_number": buyer["tax_no"], "email": spec.get("email", ""),
                          "address": {"street_address": buyer["street"], "zip_code": buyer["post_code"],
                                      "city": buyer["city"], "country": "PL"}}
        if not body["client"]["email"]:
            del body["client"]["email"]
    if spec.get("gross"):
        body["settings"] = {"prices_inc_tax": "yes"}
    if "currency" in spec:
        body["currency"] = spec["currency"]
    return body


def create(w: Wire, via: str, spec: dict[str, Any]) -> int:
    if via == "invoiceocean":
        return int(w.io("POST", "/invoices.json", io_payload(spec), status=201)["id"])
    if via == "invo":
        return int(w.invo("invoices", invo_query(spec))["id"])
    return int(w.fk("POST", "/invoices", fakturan_body(spec), status=201)["data"]["id"])


SIMPLE = {"lines": [line("Konsultacja", "2", "100.00")]}


def simple_vat(w: Wire, via: str) -> int:
    invoice_id = create(w, via, SIMPLE)
    truth = w.assert_equivalent(invoice_id)
    assert (truth.invoice.price_net, truth.invoice.price_gross) == (Decimal("200.00"), Decimal("250.00"))
    return invoice_id


def tax_rates(w: Wire, via: str) -> int:
    spec = {"lines": [line("A", "1", "100.00", "23"), line("B", "3", "10.50", "8"), line("C", "1", "40.00", "zw"),
                      line("D", "2", "15.00", "np"), line("E", "1", "9.99", "0")]}
    invoice_id = create(w, via, spec)
    truth = w.assert_equivalent(invoice_id)
    assert [r.tax.code for r in totals_of(truth.invoice, truth.lines).per_rate] == ["23", "8", "0", "zw", "np"]
    assert truth.invoice.price_tax == Decimal("23.00") + Decimal("2.52")
    return invoice_id


def gross_prices(w: Wire, via: str) -> int:
    invoice_id = create(w, via, {"gross": True, "lines": [line("Bok", "3", "123.45", "6"),
                                                          line("Kurs", "1", "999.99", "25")]})
    truth = w.assert_equivalent(invoice_id)
    assert truth.invoice.prices_gross and truth.invoice.price_gross == Decimal("1370.34")
    return invoice_id


def discounts(w: Wire, via: str) -> int:
    invoice_id = create(w, via, {"lines": [line("Licencja", "16", "348.35", "25", discount="4"),
                                           line("Wsparcie", "1", "200.00", "12")]})
    truth = w.assert_equivalent(invoice_id)
    assert truth.lines[0].discount_percent == Decimal(4) and truth.lines[0].discount > 0
    return invoice_id


def proforma_to_vat(w: Wire, via: str) -> int:
    spec = {"kind": "proforma", "lines": [line("Projekt", "1", "1000.00", "23")]}
    proforma = create(w, via, spec)
    w.assert_equivalent(proforma)
    if via == "invoiceocean":
        vat = int(w.io("POST", "/invoices.json", {"invoice": {"kind": "vat", "copy_invoice_from": proforma}},
                       status=201)["id"])
    else:  # INVO has no copy: the VAT invoice repeats the items and names its source in kid
        vat = create(w, via, {**spec, "kind": "vat", "from_invoice_id": proforma})
    truth = w.assert_equivalent(vat)
    assert truth.invoice.kind == "vat" and truth.invoice.price_gross == Decimal("1230.00")
    assert truth.invoice.number != w.truth(proforma).invoice.number
    if via == "invoiceocean":
        assert truth.invoice.from_invoice_id == proforma
    return vat


def correction(w: Wire, via: str) -> int:
    original = create(w, via, {"lines": [line("Product A1", "2", "10.00", "23"), line("Product B", "1", "5.00", "23")]})
    if via == "invoiceocean":
        state = {"name": "Product A1", "tax": "23", "price_net": "10.00"}
        payload = {"invoice": {"kind": "correction", "from_invoice_id": original, "correction_reason": "one returned",
                               "positions": [{"name": "Product A1", "quantity": "-1", "tax": "23",
                                              "correction_before_attributes": {**state, "quantity": "2",
                                                                               "kind": "correction_before"},
                                              "correction_after_attributes": {**state, "quantity": "1",
                                                                              "kind": "correction_after"}}]}}
        fixed = int(w.io("POST", "/invoices.json", payload, status=201)["id"])
    else:
        item = {"product": "Product A1", "vatsm": "23%", "pnetto": "10.00", "unitsm": "szt."}
        fixed = int(w.invo("invoices", {"action": "add", "type2": "+KOR", "kid": original, "mdate": "2024-03-06",
                                        "items": [{**item, "count": 1, "before": {**item, "count": 2}}]})["id"])
    truth = w.assert_equivalent(fixed)
    assert truth.invoice.kind == "correction" and truth.invoice.from_invoice_id == original
    assert truth.invoice.price_net == Decimal("-10.00") and truth.invoice.price_gross == Decimal("-12.30")
    return fixed


def foreign_currency(w: Wire, via: str) -> int:
    spec = {"currency": "EUR", "exchange_rate": "4.3012", "lines": [line("Service", "10", "80.00", "23")]}
    if via == "invoiceocean":
        spec["exchange_currency"] = "PLN"
    invoice_id = create(w, via, spec)
    truth = w.assert_equivalent(invoice_id)
    assert truth.invoice.currency == "EUR" and truth.invoice.exchange_rate == Decimal("4.3012")
    return invoice_id


def sek_cash_rounding(w: Wire, via: str) -> int:
    # fakturan.nu's recorded example: 765.0 + 191.25 tax -> 956.0 payable.
    invoice_id = create(w, via, {"currency": "SEK", "lines": [line("Timme", "1", "765.00", "25")]})
    truth = w.assert_equivalent(invoice_id)
    assert (truth.invoice.price_gross, truth.invoice.cash_rounding, truth.invoice.payable) == (
        Decimal("956.25"), Decimal("-0.25"), Decimal("956.00"))
    return invoice_id


def partial_payment(w: Wire, via: str) -> int:
    invoice_id = create(w, via, SIMPLE)
    for amount, status in (("100.00", "partial"), (None, "paid")):
        if via == "invoiceocean":
            body = {"invoice_id": invoice_id, "paid_date": "2024-03-10", "name": "transfer",
                    "price": amount or str(w.truth(invoice_id).invoice.payable - w.truth(invoice_id).invoice.paid)}
            w.io("POST", "/banking/payments.json", {"banking_payment": body}, status=201)
        else:
            w.fk("POST", f"/invoices/{invoice_id}/payments",
                 {"paid_at": "2024-03-10", **({"amount": amount} if amount else {})}, status=201)
        truth = w.assert_equivalent(invoice_id)
        assert truth.invoice.status == status
    assert truth.invoice.paid == Decimal("250.00")
    return invoice_id


def _pay_part(w: Wire, via: str, invoice_id: int, amount: str) -> None:
    """A payment of `amount` for one invoice, through `via` (InvoiceOcean for INVO, which has no payments)."""
    if via == "fakturan":
        w.fk("POST", f"/invoices/{invoice_id}/payments", {"paid_at": "2024-03-10", "amount": amount}, status=201)
    else:
        body = {"invoice_id": invoice_id, "paid_date": "2024-03-10", "name": "transfer", "price": amount}
        w.io("POST", "/banking/payments.json", {"banking_payment": body}, status=201)


def _mark_paid(w: Wire, via: str, invoice_id: int) -> None:
    if via == "invoiceocean":
        w.io("POST", f"/invoices/{invoice_id}/change_status.json?status=paid")
    elif via == "invo":
        w.invo("invoices", {"action": "status", "id": invoice_id, "value": 3})
    else:  # fakturan.nu marks an invoice paid with a payment of the unpaid remainder
        w.fk("POST", f"/invoices/{invoice_id}/payments", {}, status=201)


def marked_paid_after_partial(w: Wire, via: str) -> int:
    invoice_id = create(w, via, SIMPLE)
    _pay_part(w, via, invoice_id, "100.00")
    assert w.assert_equivalent(invoice_id).invoice.status == "partial"
    _mark_paid(w, via, invoice_id)
    truth = w.assert_equivalent(invoice_id)  # fakturan's payments add up to what the others call paid
    assert (truth.invoice.status, truth.invoice.paid) == ("paid", Decimal("250.00"))
    assert sorted(share for _payment, share in truth.payments) == [Decimal("100.00"), Decimal("150.00")]
    return invoice_id


def split_payment(w: Wire, via: str) -> int:
    first = create(w, via, SIMPLE)
    second = create(w, via, {"lines": [line("Wsparcie", "1", "100.00")]})
    body = {"invoice_ids": [first, second], "paid_date": "2024-03-10", "name": "transfer", "price": "300.00"}
    w.io("POST", "/banking/payments.json", {"banking_payment": body}, status=201)
    whole, part = w.assert_equivalent(first), w.assert_equivalent(second)
    assert (whole.invoice.status, whole.invoice.paid) == ("paid", Decimal("250.00"))
    assert (part.invoice.status, part.invoice.paid) == ("partial", Decimal("50.00"))
    return second


def paid_then_payment(w: Wire, via: str) -> int:
    invoice_id = create(w, via, SIMPLE)
    _mark_paid(w, via, invoice_id)
    _pay_part(w, via, invoice_id, "20.00")
    truth = w.assert_equivalent(invoice_id)
    assert (truth.invoice.status, truth.invoice.paid) == ("paid", Decimal("270.00"))
    return invoice_id


def sent(w: Wire, via: str) -> int:
    invoice_id = create(w, via, {**SIMPLE, "email": "buyer@example.com"})
    if via == "invoiceocean":
        w.io("POST", f"/invoices/{invoice_id}/change_status.json?status=sent")
    elif via == "invo":
        w.invo("invoices", {"action": "status", "id": invoice_id, "value": 1})
    else:
        w.fk("POST", f"/invoices/{invoice_id}/send", {"delivery_method": "email"})
    truth = w.assert_equivalent(invoice_id)
    assert truth.invoice.status == "sent" and truth.invoice.sent_at is not None
    return invoice_id


def cancelled(w: Wire, via: str) -> int:
    invoice_id = create(w, via, SIMPLE)
    if via == "invoiceocean":
        w.io("POST", f"/invoices/{invoice_id}/cancel.json", {"cancel_reason": "wrong buyer"})
    else:
        w.invo("invoices", {"action": "status", "id": invoice_id, "value": 5})
    truth = w.assert_equivalent(invoice_id)
    assert truth.invoice.status == "cancelled"
    return invoice_id


def deleted(w: Wire, via: str) -> int:
    invoice_id = create(w, via, SIMPLE)
    w.assert_equivalent(invoice_id)
    if via == "invoiceocean":
        w.io("DELETE", f"/invoices/{invoice_id}.json")
    else:
        w.invo("invoices", {"action": "delete", "id": invoice_id})
    w.assert_gone(invoice_id)
    return invoice_id


def inline_client(w: Wire, via: str) -> int:
    buyer = {"name": "Nowy Klient SA", "street": "Długa 1", "post_code": "00-950", "city": "Warszawa",
             "tax_no": "1234563218"}
    spec: dict[str, Any] = {"buyer": buyer, "lines": [line("Abonament", "1", "49.00")]}
    if via == "invoiceocean":
        spec["client_id"] = -1  # InvoiceOcean's "create the client from the buyer fields"
    invoice_id = create(w, via, spec)
    truth = w.assert_equivalent(invoice_id)
    client_id = truth.invoice.client_id
    assert client_id
    assert w.io("GET", f"/clients/{client_id}.json")["name"] == buyer["name"]
    assert w.invo("customers", {"action": "list", "id": client_id})["rows"][0]["name"] == buyer["name"]
    assert w.fk("GET", f"/clients/{client_id}")["data"]["name"] == buyer["name"]
    return invoice_id


RUN: dict[str, Callable[[Wire, str], int]] = {
    "simple_vat": simple_vat, "tax_rates": tax_rates, "gross_prices": gross_prices, "discounts": discounts,
    "proforma_to_vat": proforma_to_vat, "correction": correction, "foreign_currency": foreign_currency,
    "sek_cash_rounding": sek_cash_rounding, "partial_payment": partial_payment,
    "marked_paid_after_partial": marked_paid_after_partial, "split_payment": split_payment,
    "paid_then_payment": paid_then_payment, "sent": sent,
    "cancelled": cancelled, "deleted": deleted, "inline_client": inline_client,
}
