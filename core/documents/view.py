"""What the PDF renderer reads: plain frozen snapshots of one invoice, money as Decimal.

The core builds these from its invoices, so the renderer never sees the database, a dialect
or a session, and a test can render a document from literals alone.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

# Line kinds. Correction invoices carry the state before and after as their own lines, and
# may carry the difference lines ("correction") the core stores for them as well.
LINE_KINDS: frozenset[str] = frozenset({"normal", "text", "correction", "correction_before", "correction_after"})


@dataclass(frozen=True)
class PartyView:
    name: str
    tax_no: str = ""
    street: str = ""
    post_code: str = ""
    city: str = ""
    country: str = ""
    email: str = ""
    phone: str = ""
    bank: str = ""
    bank_account: str = ""


@dataclass(frozen=True)
class LineView:
    no: int
    name: str
    quantity: Decimal
    unit: str
    price_net: Decimal
    price_gross: Decimal
    tax_code: str  # "23", "8", "0", "zw", "np", ...: a number prints as a percentage
    total_net: Decimal
    total_tax: Decimal
    total_gross: Decimal
    code: str = ""
    additional_info: str = ""
    discount_percent: Decimal | None = None
    discount: Decimal = Decimal(0)
    kind: str = "normal"  # one of LINE_KINDS


@dataclass(frozen=True)
class RateTotalView:
    tax_code: str
    net: Decimal
    tax: Decimal
    gross: Decimal


@dataclass(frozen=True)
class KsefMarks:
    """What a printout carries of KSeF: the KSeF number and KOD I; an offline invoice also KOD II."""

    number: str  # empty until KSeF has given one (an offline invoice prints "OFFLINE" under KOD I)
    verification_link: str  # KOD I
    certificate_link: str = ""  # KOD II


@dataclass(frozen=True)
class DocumentView:
    kind: str  # vat, proforma, correction, receipt, bill, advance, final, estimate, invoice_other, ...
    number: str
    issue_date: date
    sell_date: date | None
    payment_to: date | None
    payment_type: str  # transfer, card, cash, or free text printed as given
    place: str
    currency: str
    lang: str  # "pl", "en", ..., or bilingual "pl/en"
    seller: PartyView
    buyer: PartyView
    lines: tuple[LineView, ...]
    rate_totals: tuple[RateTotalView, ...]
    total_net: Decimal
    total_tax: Decimal
    total_gross: Decimal
    cash_rounding: Decimal = Decimal(0)
    payable: Decimal | None = None  # None means total_gross + cash_rounding
    paid: Decimal = Decimal(0)
    status: str = "issued"  # issued | sent | paid | partial | cancelled
    income: bool = True
    description: str = ""
    bank_account: str = ""  # overrides the seller's account when set
    bank: str = ""
    corrected_number: str = ""
    correction_reason: str = ""
    exchange_currency: str = ""
    exchange_rate: Decimal | None = None
    public_url: str = ""
    show_discount: bool = False
    ksef: KsefMarks | None = None  # production-mode KSeF marks (QR codes and number), see core.documents.pdf_ksef

    @property
    def amount_due(self) -> Decimal:
        return self.payable if self.payable is not None else self.total_gross + self.cash_rounding
