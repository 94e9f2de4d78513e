"""Seed 000/001, "Examples of use - purchase of training", through the InvoiceOcean API (httpx):

1. the client fills in details in the Portal, which creates a proforma for the training;
2. the Portal sends the proforma PDF to the client, with the payment link;
3. the client pays the proforma (here: a PayPal payment recorded through /banking/payments);
4. the VAT invoice is issued from the proforma and sent to the client by e-mail;
5. the Portal sees the payment through the API, downloads the invoice PDF and sends the ticket.

Run with BASE_URL and IO_TOKEN (or the demo credentials file); exits non-zero on any unexpected answer.
"""
from __future__ import annotations

import random
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from flowlib import InvoiceOcean, check, step  # noqa: E402

io = InvoiceOcean()
attendee = f"anna.nowak+{random.randrange(10**6)}@example.com"

step("1. The Portal creates a proforma from the form the client filled in (a new client: client_id -1)")
proforma = io.send("POST", "/invoices.json", {"invoice": {
    "kind": "proforma", "client_id": -1, "payment_to_kind": 7, "lang": "pl",
    "buyer_name": "Anna Nowak Szkolenia", "buyer_tax_no": "5252445767", "buyer_email": attendee,
    "buyer_street": "Nowa 44", "buyer_post_code": "30-314", "buyer_city": "Kraków",
    "oid": f"portal-{random.randrange(10**9)}",
    "positions": [{"name": "Szkolenie: API InvoiceOcean (1 dzień)", "tax": 23, "total_price_gross": "1230.00",
                   "quantity": 1}]}}, expect=201)
check(proforma["kind"] == "proforma", "the document is a proforma")
check(proforma["number"].startswith("P"), f"proforma number {proforma['number']}")
check(proforma["price_gross"] == "1230.00" and proforma["price_net"] == "1000.00", "1000.00 net + 23% = 1230.00")
check(proforma["client_id"] > 0, f"the client was created (id {proforma['client_id']})")
client = io.get(f"/clients/{proforma['client_id']}.json")
check(client["email"] == attendee, "the new client keeps the attendee's e-mail")

step("2. The Portal sends the proforma PDF to the client, with the payment link")
sent = io.send("POST", f"/invoices/{proforma['id']}/send_by_email.json", {})
check(sent == {"status": "ok"}, "send_by_email answers ok")
payment_page = io.call("GET", proforma["payment_url"], 200)
check("1230" in payment_page.text.replace(" ", "").replace("\u00a0", ""),
      "the public payment page shows the amount due")
check(io.get(f"/invoices/{proforma['id']}.json")["status"] == "sent", "the proforma is marked sent")

step("3. The client pays the proforma (PayPal); the payment is recorded against it")
payment = io.send("POST", "/banking/payments.json", {"banking_payment": {
    "name": "PayPal: Anna Nowak", "price": proforma["price_gross"], "invoice_id": proforma["id"], "paid": True,
    "currency": "PLN", "provider": "paypal", "kind": "api", "email": attendee}}, expect=201)
check(Decimal(payment["price"]) == Decimal("1230.00"), "payment of 1230.00")
paid_proforma = io.get(f"/invoices/{proforma['id']}.json")
check(paid_proforma["status"] == "paid", "the proforma is paid")
check(Decimal(paid_proforma["paid"]) == Decimal("1230.00"), "paid amount 1230.00")

step("4. The VAT invoice is issued from the proforma, paid, and sent to the client by e-mail")
vat = io.send("POST", "/invoices.json", {"invoice": {"copy_invoice_from": proforma["id"], "kind": "vat"}},
              expect=201)
check(vat["kind"] == "vat" and vat["from_invoice_id"] == proforma["id"], "a VAT invoice made from the proforma")
check(vat["price_gross"] == "1230.00" and vat["client_id"] == proforma["client_id"], "same client, same 1230.00")
check([p["name"] for p in vat["positions"]] == [p["name"] for p in proforma["positions"]], "same positions")
changed = io.call("POST", f"/invoices/{vat['id']}/change_status.json", 200,
                  params={"api_token": io.token, "status": "paid"}).json()
check(changed["code"] == "success", "the VAT invoice is marked paid (the money came with the proforma)")
sent = io.send("POST", f"/invoices/{vat['id']}/send_by_email.json", {"email_to": attendee})
check(sent == {"status": "ok"}, "the VAT invoice is sent to the attendee")

step("5. The Portal checks the payment through the API, downloads the PDF and sends the ticket")
final = io.get(f"/invoices/{vat['id']}.json")
check(final["status"] == "paid", "the VAT invoice is paid")
pdf = io.call("GET", f"/invoices/{vat['id']}.pdf", 200, params={"api_token": io.token})
check(pdf.content.startswith(b"%PDF-") and pdf.headers["content-type"].startswith("application/pdf"),
      f"the invoice PDF ({len(pdf.content)} bytes)")
public = io.call("GET", f"/invoice/{final['token']}.pdf", 200)
check(public.content.startswith(b"%PDF-"), "the public PDF link works without a token")
print(f"\nticket for {attendee}: invoice {final['number']} paid; proforma {proforma['number']}")
print("invoiceocean/training_flow ok")
