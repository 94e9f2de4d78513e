"""A fakturan.nu API v2 integration (httpx): create a client, invoice it, page through the invoice list,
send the invoice by e-mail, and record the payment.

Run with BASE_URL, FK_KEY and FK_PASSWORD (or the demo credentials file); exits non-zero on any
unexpected answer.
"""
from __future__ import annotations

import random
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from flowlib import Fakturan, check, step  # noqa: E402

fk = Fakturan()
email = f"ekonomi+{random.randrange(10**6)}@lindqvist.example"

step("A client")
created = fk.call("POST", "/api/v2/clients", 201, json={
    "company": "Lindqvist Bygg AB", "org_number": "556036-0793", "email": email,
    "settings": {"invoice_days": 20, "invoice_delivery_method": "email", "locale": "sv"},
    "address": {"street_address": "Storgatan 1", "zip_code": "65224", "city": "Karlstad", "country": "SE"}})
client = created.json()["data"]
check(client["name"] == "Lindqvist Bygg AB" and client["settings"]["invoice_days"] == 20, f"client {client['id']}")
check(created.headers["location"].endswith(f"/api/v2/clients/{client['id']}"), "Location points at it")

step("An invoice: 8 hours at 650.00 and material at 1 234.56, 25 %")
invoice = fk.call("POST", "/api/v2/invoices", 201, json={
    "client_id": client["id"], "date": "2025-05-02", "your_reference": "Karin Lindqvist",
    "rows": [{"product_name": "Snickeri, timme", "product_unit": "tim", "product_price": "650", "amount": "8",
              "product_tax": 25},
             {"product_name": "Material", "product_price": "1234.56", "amount": "1", "product_tax": 25},
             {"text": "Arbete utfört 28-30 april", "text_row": True}]}).json()["data"]
check((invoice["net"], invoice["tax"]) == ("6434.56", "1608.64"), "net 6434.56, tax 1608.64")
check(invoice["days"] == 20 and invoice["locale"] == "sv", "days and locale from the client's settings")
check(invoice["address"]["zip_code"] == "652 24", "Swedish zip code as printed: 652 24")
check(invoice["sent"] is False and invoice["paid_at"] is None, "neither sent nor paid yet")

step("Paging through the invoices, 5 per page, newest number first")
seen: list[int] = []
path: str | None = "/api/v2/invoices?per_page=5&sort=-number"
pages = 0
while path is not None:
    page = fk.call("GET", path, 200).json()
    pages += 1
    check(len(page["data"]) <= 5 and page["paging"]["current_page"] == pages, f"page {pages} of "
          f"{page['paging']['total_pages']}")
    seen += [i["id"] for i in page["data"]]
    following = page["paging"]["next"]
    if following is not None:
        check(parse_qs(urlsplit(following).query).get("sort") == ["-number"], "next keeps the sort")
    path = following
    if pages > 1000:
        check(False, "paging ends")
check(invoice["id"] in seen and len(seen) == len(set(seen)), f"{len(seen)} invoices, each once")
numbers = fk.call("GET", "/api/v2/invoices?per_page=100&sort=-number", 200).json()["data"]
check([n["number"] for n in numbers] == sorted((n["number"] for n in numbers), reverse=True), "sorted by number")

step("Sending it (delivery_method auto: the client's e-mail setting)")
sent = fk.call("POST", f"/api/v2/invoices/{invoice['id']}/send", 200, json={}).json()["data"]
check(sent["sent"] is True, "the invoice is sent")

step("A payment: paid_at only records the whole sum")
payment = fk.call("POST", f"/api/v2/invoices/{invoice['id']}/payments", 201,
                  json={"paid_at": "2025-05-20"}).json()["data"]
check(payment["amount"] == invoice["sum"] and payment["invoice_id"] == invoice["id"], f"paid {payment['amount']}")
after = fk.call("GET", f"/api/v2/invoices/{invoice['id']}", 200).json()["data"]
check(after["paid_at"] == "2025-05-20", "the invoice is paid on 2025-05-20")
listed = fk.call("GET", f"/api/v2/invoices/{invoice['id']}/payments", 200).json()
check([p["id"] for p in listed["data"]] == [payment["id"]], "its payments list shows the payment")
print("fakturan/flow ok")
