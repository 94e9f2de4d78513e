"""A realistic demo account for `make run`: departments, clients, products, a dozen invoices of
several kinds and statuses, and payments, created through the same commands the dialects use."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from core.accounts import create_account
from core.clock import today_in
from core.commands import CancelInvoice, ChangeInvoiceStatus, CreateInvoice, CreateRecord, LineSpec, RecordPayment
from core.ledger import Ledger
from core.models import Account

DEMO_NAME = "Demo"

CLIENTS: list[dict[str, Any]] = [
    {"name": "Zażółć Gęślą Jaźń Sp. z o.o.", "tax_no": "5252445767", "street": "Marszałkowska 1",
     "post_code": "00-001", "city": "Warszawa", "country": "PL", "email": "faktury@zazolc.example"},
    {"name": "Klient1 Sp. z o.o.", "tax_no": "1234563218", "street": "Nowa 44", "post_code": "30-314",
     "city": "Kraków", "country": "PL", "email": "biuro@klient1.example"},
    {"name": "Google Inc", "tax_no": "556677-8899", "street": "1600 Amphitheatre Parkway", "post_code": "94043",
     "city": "Mountain View", "country": "SE", "email": "ap@google.example", "settings": {"currency": "SEK"}},
]
PRODUCTS = [
    {"name": "Szkolenie z API", "code": "TRAIN-1", "price_net": Decimal("1000.00"), "tax": "23", "unit": "szt."},
    {"name": "Godzina konsultacji", "code": "CONS-H", "price_net": Decimal("250.00"), "tax": "23", "unit": "h"},
    {"name": "Książka", "code": "BOOK", "price_net": Decimal("59.00"), "tax": "5", "unit": "szt."},
]


def seed_demo(ledger: Ledger, *, only_if_empty: bool = False) -> dict[str, Any] | None:
    if only_if_empty and ledger.read(lambda s: s.execute(select(func.count()).select_from(Account)).scalar_one()):
        return None
    secrets = ledger.write(create_account, DEMO_NAME)
    account_id = secrets.account_id
    today = ledger.read(lambda s: today_in(s.get(Account, account_id).timezone))
    clients = [ledger.execute(CreateRecord("client", account_id, c)) for c in CLIENTS]
    products = [ledger.execute(CreateRecord("product", account_id, p)) for p in PRODUCTS]
    ledger.execute(CreateRecord("department", account_id, {"name": "Oddział Kraków", "shortcut": "KRK",
                                                           "tax_no": "5252445767", "city": "Kraków"}))
    invoices = []
    for i in range(12):
        client = clients[i % 2]
        kind = "proforma" if i in (3, 7) else "vat"
        lines = (LineSpec(product_id=products[i % 3].id, quantity=Decimal(1 + i % 4)),
                 LineSpec(name="Dojazd", price_net=Decimal("120.00"), tax="23", quantity=Decimal(1)))
        view = ledger.execute(CreateInvoice(account_id, "demo", {
            "kind": kind, "client_id": client.id, "issue_date": today - timedelta(days=3 * (11 - i))}, lines))
        invoices.append(view.invoice)
    sek = ledger.execute(CreateInvoice(account_id, "demo", {"client_id": clients[2].id, "currency": "SEK",
                                                           "lang": "sv", "issue_date": today},
                                       (LineSpec(name="Konsulttimme", price_net=Decimal("765.00"), tax="25"),)))
    invoices.append(sek.invoice)
    ledger.execute(RecordPayment(account_id, "demo", invoice_ids=(invoices[0].id,)))
    ledger.execute(RecordPayment(account_id, "demo", amount=Decimal("100.00"), invoice_ids=(invoices[1].id,)))
    ledger.execute(ChangeInvoiceStatus(account_id, invoices[2].id, "sent"))
    ledger.execute(CancelInvoice(account_id, invoices[4].id, "Wystawiona omyłkowo"))
    ledger.execute(CreateInvoice(account_id, "demo", {"kind": "vat", "issue_date": today},
                                 copy_from=invoices[3].id))
    return secrets.as_dict()
