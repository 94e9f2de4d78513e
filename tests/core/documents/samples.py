"""Documents built from literals, for the renderer's tests and its benchmark."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from core.documents.view import DocumentView, LineView, PartyView, RateTotalView

SELLER = PartyView(
    name="Wystawca Sp. z o.o.", tax_no="5252445767", street="ul. Prosta 1", post_code="00-001",
    city="Warszawa", country="PL", email="biuro@wystawca.pl", bank="mBank",
    bank_account="PL61 1090 1014 0000 0712 1981 2874",
)
BUYER = PartyView(
    name="Zażółć gęślą jaźń Sp. z o.o.", tax_no="5213017228", street="ul. Długa 5", post_code="80-001",
    city="Gdańsk", country="PL",
)


def line(no: int, net: str = "100.00", rate: str = "23", quantity: str = "1", **fields: Any) -> LineView:
    """A line whose totals are consistent: quantity x net, tax at `rate` percent, rounded to cents."""
    qty, price = Decimal(quantity), Decimal(net)
    total_net = (qty * price).quantize(Decimal("0.01"))
    tax = (total_net * Decimal(rate) / 100).quantize(Decimal("0.01"))
    values: dict[str, Any] = dict(
        no=no, name=f"Produkt {no}", quantity=qty, unit="szt.", price_net=price,
        price_gross=(price * (1 + Decimal(rate) / 100)).quantize(Decimal("0.01")), tax_code=rate,
        total_net=total_net, total_tax=tax, total_gross=total_net + tax,
    )
    values.update(fields)
    return LineView(**values)


def document(count: int = 10, **fields: Any) -> DocumentView:
    """A Polish VAT invoice with `count` lines of 100.00 net at 23%, or with the given `lines`;
    totals and rate totals are summed from the lines that count (normal and correction)."""
    items: tuple[LineView, ...] = fields.pop("lines", None) or tuple(line(no) for no in range(1, count + 1))
    rates: dict[str, list[Decimal]] = {}
    for item in items:
        if item.kind in ("normal", "correction"):
            sums = rates.setdefault(item.tax_code, [Decimal(0)] * 3)
            for index, value in enumerate((item.total_net, item.total_tax, item.total_gross)):
                sums[index] += value
    net, tax, gross = (sum((sums[i] for sums in rates.values()), Decimal(0)) for i in range(3))
    doc = DocumentView(
        kind="vat", number="FV 1/01/2024", issue_date=date(2024, 1, 15), sell_date=date(2024, 1, 14),
        payment_to=date(2024, 1, 29), payment_type="transfer", place="Warszawa", currency="PLN", lang="pl",
        seller=SELLER, buyer=BUYER, lines=items,
        rate_totals=tuple(RateTotalView(code, *sums) for code, sums in rates.items()),
        total_net=net, total_tax=tax, total_gross=gross,
    )
    return replace(doc, **fields)
