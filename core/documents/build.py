"""From a stored invoice to the renderer's DocumentView: the one place that knows both."""
from __future__ import annotations

from dataclasses import replace

from sqlmodel import Session, select

from core.documents.labels import has_label
from core.documents.view import DocumentView, LineView, PartyView, RateTotalView
from core.einvoice.service import document_of, printed_marks
from core.handlers.invoice_state import InvoiceView, load_invoice, view_of
from core.handlers.lines import totals_of
from core.invoice_reads import invoice_view
from core.models import Invoice, KsefDocument
from core.reader import Reader

_PRINTED_LINES = ("normal", "text", "correction", "correction_before", "correction_after")


def _party(invoice: object, prefix: str) -> PartyView:
    def get(name: str) -> str:
        return str(getattr(invoice, f"{prefix}_{name}", "") or "")

    return PartyView(name=get("name"), tax_no=get("tax_no"), street=get("street"), post_code=get("post_code"),
                     city=get("city"), country=get("country"), email=get("email"), phone=get("phone"),
                     bank=get("bank"), bank_account=get("bank_account"))


def printed_kind(kind: str) -> str:
    """Kinds without a printed title of their own print as "other invoice"."""
    return kind if has_label(f"title.{kind}") else "invoice_other"


def document_view(view: InvoiceView, *, public_url: str = "", corrected_number: str = "") -> DocumentView:
    invoice = view.invoice
    printed = [line for line in view.lines if line.kind in _PRINTED_LINES]
    lines = tuple(LineView(no=i + 1, name=line.name, quantity=line.quantity, unit=line.unit, price_net=line.price_net,
                           price_gross=line.price_gross, tax_code=line.tax, total_net=line.total_net,
                           total_tax=line.total_tax, total_gross=line.total_gross, code=line.code,
                           additional_info=line.additional_info, discount_percent=line.discount_percent,
                           discount=line.discount, kind=line.kind)
                  for i, line in enumerate(printed))
    totals = totals_of(invoice, view.lines)
    rates = tuple(RateTotalView(tax_code=r.tax.code, net=r.net, tax=r.tax_amount, gross=r.gross)
                  for r in totals.per_rate)
    return DocumentView(
        kind=printed_kind(invoice.kind), number=invoice.number, issue_date=invoice.issue_date,
        sell_date=invoice.sell_date,
        payment_to=invoice.payment_to, payment_type=invoice.payment_type or "transfer", place=invoice.place,
        currency=invoice.currency, lang=invoice.lang or "pl", seller=_party(invoice, "seller"),
        buyer=_party(invoice, "buyer"), lines=lines, rate_totals=rates, total_net=invoice.price_net,
        total_tax=invoice.price_tax, total_gross=invoice.price_gross, cash_rounding=invoice.cash_rounding,
        payable=invoice.payable, paid=invoice.paid, status=invoice.status, income=invoice.income,
        description=invoice.description, bank_account=invoice.seller_bank_account, bank=invoice.seller_bank,
        corrected_number=corrected_number, correction_reason=invoice.correction_reason,
        exchange_currency=invoice.exchange_currency, exchange_rate=invoice.exchange_rate, public_url=public_url,
        show_discount=invoice.show_discount or any(line.discount for line in printed),
    )


def load_document(session: Session, account_id: int, invoice_id: int, *, public_url: str = "") -> DocumentView:
    """The document of one invoice, with the corrected invoice's number for corrections."""
    view = view_of(session, account_id, invoice_id)
    corrected = ""
    if view.invoice.kind == "correction" and view.invoice.from_invoice_id:
        corrected = load_invoice(session, account_id, view.invoice.from_invoice_id).number
    marks = printed_marks(session.execute(select(KsefDocument).where(
        KsefDocument.invoice_id == invoice_id, KsefDocument.account_id == account_id)).scalars().first())
    return replace(document_view(view, public_url=public_url, corrected_number=corrected), ksef=marks)


def read_document(reader: Reader, account_id: int, invoice_id: int, *, public_url: str = "") -> DocumentView:
    """load_document in plain SQL (core.reader), for endpoints that only read: the PDF download."""
    view = invoice_view(reader, account_id, invoice_id)
    corrected = ""
    if view.invoice.kind == "correction" and view.invoice.from_invoice_id:
        corrected = reader.owned(Invoice, account_id, view.invoice.from_invoice_id, "invoice").number
    marks = printed_marks(document_of(reader, account_id, invoice_id))
    return replace(document_view(view, public_url=public_url, corrected_number=corrected), ksef=marks)
