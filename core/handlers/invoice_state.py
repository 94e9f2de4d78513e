"""What an invoice looks like to readers, and the rules that keep its derived state right."""
from __future__ import annotations

import secrets
import string
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from core.errors import Invalid, NotFound
from core.handlers.lines import totals_of
from core.models import Account, Invoice, InvoiceBankAccount, InvoiceLine, Payment, PaymentAllocation
from core.storage import storage_of

KINDS = ("vat", "proforma", "bill", "receipt", "advance", "final", "correction", "vat_mp", "invoice_other",
         "vat_margin", "kp", "kw", "estimate", "vat_rr", "correction_note", "accounting_note", "client_order",
         "dw", "wnt", "wdt", "import_service", "import_service_eu", "import_products", "export_products")
STATUSES = ("draft", "issued", "sent", "printed", "partial", "paid", "rejected", "cancelled")
PAYMENT_STATUSES = ("issued", "partial", "paid")  # the statuses payments move between
_TOKEN_ALPHABET = string.ascii_letters + string.digits


# A random byte below 248 (4 x 62) is uniform over the alphabet by its value mod 62; translate() maps those bytes
# to their letters and deletes the rest in one C call. 28 bytes leave fewer than 22 once in ~30,000 draws.
_TOKEN_LENGTH = 22
_TOKEN_KEPT = 4 * len(_TOKEN_ALPHABET)
_TOKEN_TABLE = (bytes(ord(_TOKEN_ALPHABET[i % len(_TOKEN_ALPHABET)]) for i in range(_TOKEN_KEPT))
                + bytes(256 - _TOKEN_KEPT))
_TOKEN_REFUSED = bytes(range(_TOKEN_KEPT, 256))


def new_token() -> str:
    """22 base-62 characters, each uniform and independent: about 131 random bits (the 22 base-62 choices
    secrets.choice would make; 0.6 µs where dividing one 17-byte draw by 62 22 times took 2.6)."""
    while True:
        letters = secrets.token_bytes(_TOKEN_LENGTH + 6).translate(_TOKEN_TABLE, _TOKEN_REFUSED)
        if len(letters) >= _TOKEN_LENGTH:
            return letters[:_TOKEN_LENGTH].decode("ascii")


@dataclass
class InvoiceView:
    invoice: Invoice
    lines: list[InvoiceLine]
    payments: list[tuple[Payment, Decimal]] = field(default_factory=list)
    bank_accounts: list[Any] = field(default_factory=list)  # InvoiceBankAccount rows or records, in order

    def lines_of(self, *kinds: str) -> list[InvoiceLine]:
        return [line for line in self.lines if line.kind in kinds]


def load_invoice(session: Session, account_id: int, invoice_id: int, *, lock: bool = False) -> Invoice:
    stmt = select(Invoice).where(Invoice.id == invoice_id, Invoice.account_id == account_id)
    if lock:
        stmt = storage_of(session).for_update(stmt)
    invoice: Invoice | None = session.execute(stmt).scalars().first()
    if invoice is None:
        raise NotFound("invoice", invoice_id)
    return invoice


def load_lines(session: Session, invoice_ids: list[int]) -> dict[int, list[InvoiceLine]]:
    result: dict[int, list[InvoiceLine]] = {i: [] for i in invoice_ids}
    if not invoice_ids:
        return result
    stmt = (select(InvoiceLine).where(InvoiceLine.invoice_id.in_(invoice_ids))  # type: ignore[attr-defined]
            .order_by(col(InvoiceLine.invoice_id), col(InvoiceLine.position), col(InvoiceLine.id)))
    for line in session.execute(stmt).scalars():
        result[line.invoice_id].append(line)
    return result


def load_payments(session: Session, invoice_id: int) -> list[tuple[Payment, Decimal]]:
    stmt = (select(Payment, col(PaymentAllocation.amount)).join(PaymentAllocation,
                                                                col(PaymentAllocation.payment_id) == Payment.id)
            .where(PaymentAllocation.invoice_id == invoice_id).order_by(col(Payment.id)))
    return [(p, a) for p, a in session.execute(stmt).all()]


def view_of(session: Session, account_id: int, invoice_id: int) -> InvoiceView:
    invoice = load_invoice(session, account_id, invoice_id)
    banks = session.execute(select(InvoiceBankAccount).where(InvoiceBankAccount.invoice_id == invoice_id)
                            .order_by(col(InvoiceBankAccount.position))).scalars()
    return InvoiceView(invoice, load_lines(session, [invoice_id])[invoice_id], load_payments(session, invoice_id),
                       list(banks))


def recompute_totals(invoice: Invoice, lines: list[InvoiceLine]) -> None:
    totals = totals_of(invoice, lines)
    invoice.price_net, invoice.price_tax, invoice.price_gross = totals.net, totals.tax, totals.gross
    invoice.cash_rounding = totals.cash_rounding
    settle_status(invoice)


def settle_status(invoice: Invoice, on: date | None = None) -> None:
    """Status follows the paid amount, unless the invoice left the payment cycle (cancelled, draft)."""
    if invoice.status not in ("issued", "sent", "printed", "partial", "paid"):
        return
    payable = invoice.payable
    if invoice.paid and payable > 0 and invoice.paid >= payable:
        invoice.status = "paid"
        invoice.paid_date = invoice.paid_date or on
    elif invoice.paid and invoice.paid > 0:
        invoice.status = "partial"
        invoice.paid_date = None
    elif invoice.status in ("partial", "paid"):
        invoice.status = "sent" if invoice.sent_at else "issued"
        invoice.paid_date = None


def due_date(issue: date, payment_to_kind: str, explicit: date | None) -> date | None:
    if payment_to_kind.isdigit():
        try:
            return issue + timedelta(days=int(payment_to_kind))
        except OverflowError:  # past year 9999: not a due date anyone can be given
            raise Invalid.one("payment_to_kind", "invalid", "is too far in the future") from None
    if payment_to_kind == "off":
        return None
    return explicit


def check_kind_and_status(invoice: Invoice) -> None:
    if invoice.kind not in KINDS:
        raise Invalid.one("kind", "inclusion", f"must be one of {', '.join(KINDS)}", value=invoice.kind)
    if invoice.status not in STATUSES:
        raise Invalid.one("status", "inclusion", f"must be one of {', '.join(STATUSES)}", value=invoice.status)


def account_of(session: Session, account_id: int) -> Account:
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound("account", account_id)
    return account
