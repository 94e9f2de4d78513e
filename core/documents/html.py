"""The invoice as web pages (Jinja2): the public preview, its payment page and the not-found page.

Pages are self-contained: CSS sits in the template and the QR code is inline SVG, so a page
loads nothing from anywhere else and a Content-Security-Policy of "default-src 'none'" holds.
Document words come from labels.py; the few words only a web page needs live here, in the
languages the mail templates have, with English for the rest.
"""
from __future__ import annotations

import io
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

import segno
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from core.documents.labels import label, primary_language
from core.documents.view import DocumentView

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
_CENT = Decimal("0.01")

PAGE_WORDS: dict[str, dict[str, str]] = {
    "en": {"download_pdf": "Download PDF", "pay": "Pay", "payment": "Payment",
           "transfer_details": "Bank transfer details", "recipient": "Recipient", "transfer_title": "Payment reference",
           "amount": "Amount", "scan_to_pay": "Scan with your banking app",
           "nothing_due": "Nothing is due: this invoice is paid.",
           "back": "Back to the invoice", "not_found": "Document not found",
           "not_found_text": "The link is wrong or the document is no longer available."},
    "pl": {"download_pdf": "Pobierz PDF", "pay": "Zapłać", "payment": "Płatność",
           "transfer_details": "Dane do przelewu", "recipient": "Odbiorca", "transfer_title": "Tytuł przelewu",
           "amount": "Kwota", "scan_to_pay": "Zeskanuj w aplikacji bankowej",
           "nothing_due": "Nic do zapłaty: faktura jest opłacona.",
           "back": "Wróć do faktury", "not_found": "Nie znaleziono dokumentu",
           "not_found_text": "Link jest błędny albo dokument nie jest już dostępny."},
    "sv": {"download_pdf": "Ladda ner PDF", "pay": "Betala", "payment": "Betalning",
           "transfer_details": "Betalningsuppgifter", "recipient": "Mottagare", "transfer_title": "Referens",
           "amount": "Belopp", "scan_to_pay": "Skanna med din bankapp",
           "nothing_due": "Inget att betala: hela fakturabeloppet är betalt.",
           "back": "Tillbaka till fakturasidan", "not_found": "Dokumentet hittades inte",
           "not_found_text": "Länken är fel eller så finns dokumentet inte längre."},
}


def page_word(lang: str, key: str) -> str:
    return PAGE_WORDS.get(primary_language(lang), PAGE_WORDS["en"])[key]


def format_money(value: Decimal, lang: str) -> str:
    """As the PDF prints it: "1 234,50" everywhere but English, which prints "1,234.50"."""
    text = f"{value.quantize(_CENT, rounding=ROUND_HALF_UP):,.2f}"
    return text if primary_language(lang) == "en" else text.replace(",", " ").replace(".", ",")


def format_rate(tax_code: str) -> str:
    return f"{tax_code}%" if tax_code.replace(".", "", 1).isdigit() else tax_code


def format_quantity(value: Decimal, lang: str) -> str:
    text = format(value.normalize(), "f")
    return text if primary_language(lang) == "en" else text.replace(".", ",")


# -- public addresses: the path of each page, from an invoice's number and token ----------
def dashed_number(number: str) -> str:
    return number.replace("/", "-")


def view_path(number: str, token: str) -> str:
    return f"/f/{quote(dashed_number(number), safe='')}/{token}" if number else f"/invoice/{token}"


def pdf_path(token: str) -> str:
    return f"/invoice/{token}.pdf"


def payment_path(token: str) -> str:
    return f"/invoice/payment/{token}"


# -- the payment QR code ------------------------------------------------------------------
def payment_payload(doc: DocumentView, due: Decimal) -> str:
    """EPC (SEPA credit transfer) for euro invoices, which every European banking app reads;
    for other currencies a plain text of the same facts, readable by any scanner."""
    account = (doc.bank_account or doc.seller.bank_account).replace(" ", "")
    if doc.currency == "EUR":
        return "\n".join(["BCD", "002", "1", "SCT", "", doc.seller.name[:70], account,
                          f"EUR{due.quantize(_CENT, rounding=ROUND_HALF_UP)}", "", "", doc.number[:140]])
    return f"{doc.seller.name}\n{account}\n{due.quantize(_CENT, rounding=ROUND_HALF_UP)} {doc.currency}\n{doc.number}"


def qr_svg(payload: str) -> str:
    buffer = io.BytesIO()
    segno.make(payload, error="m", micro=False).save(buffer, kind="svg", scale=4, xmldecl=False,
                                                      svgns=True, title="QR", nl=False)
    return buffer.getvalue().decode("utf-8")


# -- rendering -----------------------------------------------------------------------------
@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES_DIR), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["rate"] = format_rate
    return env


def _context(doc: DocumentView) -> dict[str, object]:
    lang = doc.lang
    due = doc.amount_due
    return {
        "doc": doc, "lang": primary_language(lang),
        "t": lambda key: label(lang, key), "w": lambda key: page_word(lang, key),
        "money": lambda value: format_money(value, lang), "qty": lambda value: format_quantity(value, lang),
        "due": due, "remaining": max(due - doc.paid, Decimal(0)),
        "bank_account": doc.bank_account or doc.seller.bank_account, "bank": doc.bank or doc.seller.bank,
        "title": f"{label(lang, f'title.{doc.kind}')} {doc.number}",
    }


def invoice_page(doc: DocumentView, *, pdf_url: str, payment_url: str) -> str:
    return environment().get_template("invoice.html").render(**_context(doc), pdf_url=pdf_url,
                                                             payment_url=payment_url)


def payment_page(doc: DocumentView, *, invoice_url: str, pdf_url: str) -> str:
    remaining = max(doc.amount_due - doc.paid, Decimal(0))
    has_account = bool(doc.bank_account or doc.seller.bank_account)
    qr = qr_svg(payment_payload(doc, remaining)) if remaining > 0 and has_account else ""
    return environment().get_template("payment.html").render(**_context(doc), invoice_url=invoice_url,
                                                             pdf_url=pdf_url, qr=qr)


def not_found_page() -> str:
    """One page for every miss (unknown token, wrong number, deleted): it tells nothing."""
    return environment().get_template("not_found.html").render(w=lambda key: page_word("en", key))
