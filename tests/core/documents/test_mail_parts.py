"""The pieces of delivery on their own: SMTP URLs, backoff, mail words per language, stored files."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest

from core.accounts import create_account
from core.commands import StoreAttachment
from core.documents.access import attachment_file, invoice_by_token, invoice_pdf
from core.documents.mail import SmtpTarget, mail_language, parse_smtp_url, pdf_filename, render_mail
from core.documents.outbox import retry_delay
from core.errors import NotFound
from core.ledger import Ledger
from tests.core.documents.samples import document
from tests.core.documents.test_mail import issue_invoice, pdf_text

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.mark.parametrize(("url", "target"), [
    ("smtp://mail.example.com", SmtpTarget("mail.example.com", 25)),
    ("smtp://u%40x:p%2Fw@mail.example.com:587?starttls=1",
     SmtpTarget("mail.example.com", 587, "u@x", "p/w", "starttls")),
    ("smtps://user:secret@mail.example.com", SmtpTarget("mail.example.com", 465, "user", "secret", "tls")),
    ("smtps://mail.example.com:2465?starttls=1", SmtpTarget("mail.example.com", 2465, security="tls")),
])
def test_smtp_url_gives_host_port_credentials_and_security(url: str, target: SmtpTarget) -> None:
    assert parse_smtp_url(url) == target


@pytest.mark.parametrize("url", ["http://mail.example.com", "smtp://", "mail.example.com:25"])
def test_smtp_url_of_another_scheme_or_without_host_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="not an SMTP URL"):
        parse_smtp_url(url)


def test_retry_delay_doubles_from_thirty_seconds_and_stops_at_two_hours() -> None:
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4, 8, 9, 20)] == [30, 60, 120, 240, 3840, 7200, 7200]
    assert retry_delay(1) == timedelta(seconds=30)


@pytest.mark.parametrize(("lang", "expected"), [("pl", "pl"), ("pl/en", "pl"), ("sv", "sv"), ("en", "en"),
                                                ("de", "en"), ("cz", "en"), ("xx", "en")])
def test_mail_is_written_in_the_invoice_language_or_english(lang: str, expected: str) -> None:
    assert mail_language(lang) == expected


def test_english_fallback_mail_for_a_german_invoice_reads_in_english() -> None:
    content = render_mail(document(2, lang="de", currency="EUR"), view_url="https://x/f/1/t",
                          payment_url="https://x/invoice/payment/t", reminder=True)
    assert content.subject == "Reminder: VAT invoice FV 1/01/2024 from Wystawca Sp. z o.o."
    assert "Amount due: 246.00 EUR, payable by 2024-01-29." in content.text
    assert "View the invoice online: https://x/f/1/t" in content.text
    assert '<html lang="en">' in content.html and 'href="https://x/invoice/payment/t"' in content.html


def test_html_mail_escapes_names_and_text_mail_keeps_them() -> None:
    doc = document(1, lang="en")
    doc = type(doc)(**{**doc.__dict__, "seller": type(doc.seller)(name="Tom & <Jerry>")})
    content = render_mail(doc, view_url="https://x/v", payment_url="https://x/p")
    assert "Tom &amp; &lt;Jerry&gt;" in content.html and "<Jerry>" not in content.html
    assert content.text.endswith("Kind regards,\nTom & <Jerry>\n")


def test_pdf_filename_is_the_dashed_number_with_safe_characters() -> None:
    assert pdf_filename("FV 1/01/2024") == "FV-1-01-2024.pdf"
    assert pdf_filename("") == "invoice.pdf"


def test_attachment_bytes_are_given_to_their_account_only(core_ledger: Ledger) -> None:
    owner = core_ledger.write(create_account, "Acme").account_id
    other = core_ledger.write(create_account, "Other").account_id
    stored = core_ledger.execute(StoreAttachment(owner, PNG, name="scan", file_type="png"))

    found = core_ledger.read(attachment_file, owner, stored.id)
    assert (found.data, found.filename, found.content_type, found.size) == (PNG, "scan.png", "image/png", len(PNG))
    with pytest.raises(NotFound):
        core_ledger.read(attachment_file, other, stored.id)
    with pytest.raises(NotFound):
        core_ledger.read(attachment_file, owner, stored.id + 1)


def test_invoice_pdf_for_dialects_renders_the_print_option_and_hides_other_accounts(core_ledger: Ledger) -> None:
    owner = core_ledger.write(create_account, "Acme").account_id
    other = core_ledger.write(create_account, "Other").account_id
    invoice = issue_invoice(core_ledger, owner)

    text = pdf_text(core_ledger.read(invoice_pdf, owner, invoice.id, "copy"))
    assert invoice.number in text and "KOPIA" in text and "246,00 PLN" in text
    with pytest.raises(NotFound):
        core_ledger.read(invoice_pdf, other, invoice.id)
    with pytest.raises(ValueError, match="unknown print_option"):
        core_ledger.read(invoice_pdf, owner, invoice.id, "triplicate")


def test_token_lookup_finds_exactly_its_invoice(core_ledger: Ledger) -> None:
    owner = core_ledger.write(create_account, "Acme").account_id
    invoice = issue_invoice(core_ledger, owner)
    assert core_ledger.read(invoice_by_token, invoice.token).id == invoice.id
    flipped = invoice.token[:-1] + ("A" if invoice.token[-1] != "A" else "B")
    for token in (flipped, invoice.token[:-1], invoice.token + "x", "", "' or 1=1 --_____________"):
        assert core_ledger.read(invoice_by_token, token) is None


def test_payment_qr_carries_an_epc_transfer_for_euro_and_plain_text_otherwise() -> None:
    from core.documents.html import payment_payload, qr_svg
    euro = document(1, currency="EUR", bank_account="DE89 3704 0044 0532 0130 00")
    assert payment_payload(euro, D("123.4")).split("\n") == [
        "BCD", "002", "1", "SCT", "", "Wystawca Sp. z o.o.", "DE89370400440532013000", "EUR123.40", "", "",
        "FV 1/01/2024"]
    assert payment_payload(document(1), D("123")) == (
        "Wystawca Sp. z o.o.\nPL61109010140000071219812874\n123.00 PLN\nFV 1/01/2024")
    assert qr_svg("x").startswith('<svg xmlns="http://www.w3.org/2000/svg"')
