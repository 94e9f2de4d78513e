"""Public invoice pages over HTTP (no login): the token decides, and a miss tells nothing."""
from __future__ import annotations

import io
from datetime import date
from decimal import Decimal as D
from typing import Any

import pytest
from pypdf import PdfReader
from starlette.testclient import TestClient

from core.commands import DeleteInvoice, RecordPayment
from core.ledger import Ledger
from core.models import Invoice
from tests.core.documents.test_mail import issue_invoice


@pytest.fixture
def invoice(ledger: Ledger, account: dict[str, Any]) -> Invoice:
    return issue_invoice(ledger, account["account_id"], description="Dziękujemy za zakupy")


def dashed(invoice: Invoice) -> str:
    return invoice.number.replace("/", "-")


def test_invoice_page_shows_number_parties_lines_totals_and_links(client: TestClient, invoice: Invoice) -> None:
    response = client.get(f"/invoice/{invoice.token}")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = response.text
    assert f"<title>Faktura VAT {invoice.number}</title>" in page and '<html lang="pl">' in page
    for text in ("Sprzedawca", "Wystawca Sp. z o.o.", "NIP: 5252445767", "Nabywca", "Zażółć Gęślą Sp. z o.o.",
                 "Usługa programistyczna", "Zestawienie według stawek VAT", "Do zapłaty",
                 "PL61 1090 1014 0000 0712 1981 2874", "Dziękujemy za zakupy", "Data wystawienia", "2024-01-15"):
        assert text in page, text
    assert '<td class="num" id="amount-due">246,00 PLN</td>' in page
    assert ('<tr class="total"><td>Razem</td><td class="num">200,00</td><td class="num">46,00</td>'
            '<td class="num">246,00</td></tr>') in page
    assert f'href="/invoice/{invoice.token}.pdf"' in page
    assert f'href="/invoice/payment/{invoice.token}"' in page
    assert "<script" not in page and "http" not in page.split("<body>")[0].replace('http-equiv', '')


def test_paid_and_remaining_appear_once_something_is_paid(client: TestClient, ledger: Ledger,
                                                          account: dict[str, Any], invoice: Invoice) -> None:
    ledger.execute(RecordPayment(account["account_id"], "test", amount=D("46.00"), invoice_ids=(invoice.id,),
                                 paid_date=date(2024, 1, 20)))
    page = client.get(f"/invoice/{invoice.token}").text
    assert '<td class="num" id="paid">46,00 PLN</td>' in page
    assert '<td class="num" id="remaining">200,00 PLN</td>' in page
    assert "Częściowo opłacona" in page


def test_numbered_address_shows_the_invoice_only_when_the_number_matches(client: TestClient, invoice: Invoice) -> None:
    assert client.get(f"/f/{dashed(invoice)}/{invoice.token}").status_code == 200
    assert f"Faktura VAT {invoice.number}" in client.get(f"/f/{dashed(invoice)}/{invoice.token}").text
    assert client.get(f"/f/2-01-2024/{invoice.token}").status_code == 404
    assert client.get(f"/f/{dashed(invoice)}/{invoice.token}.pdf").headers["content-type"] == "application/pdf"
    assert client.get(f"/f/2-01-2024/{invoice.token}.pdf").status_code == 404


def test_pdf_is_an_attachment_unless_inline_and_honours_the_print_option(client: TestClient, invoice: Invoice) -> None:
    response = client.get(f"/invoice/{invoice.token}.pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    name = f"{dashed(invoice)}.pdf"
    assert response.headers["content-disposition"] == f"attachment; filename=\"{name}\"; filename*=UTF-8''{name}"
    first = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert invoice.number in first and "ORYGINAŁ" in first and "Zażółć Gęślą Sp. z o.o." in first
    assert f"http://testserver/f/{dashed(invoice)}/{invoice.token}" in first  # "view online" is absolute

    inline = client.get(f"/invoice/{invoice.token}.pdf", params={"inline": "yes", "print_option": "original_and_copy"})
    assert inline.headers["content-disposition"].startswith("inline; ")
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(inline.content)).pages]
    assert len(pages) == 2 and "KOPIA" in pages[1]
    bad = client.get(f"/invoice/{invoice.token}.pdf", params={"print_option": "triplicate"})
    assert bad.status_code == 400 and "original_and_copy" in bad.text


def test_payment_page_shows_amount_account_reference_and_qr(client: TestClient, invoice: Invoice) -> None:
    response = client.get(f"/invoice/payment/{invoice.token}")
    assert response.status_code == 200
    page = response.text
    assert '<dd id="amount"><strong>246,00 PLN</strong></dd>' in page
    assert '<dd id="bank-account">PL61 1090 1014 0000 0712 1981 2874</dd>' in page
    assert f'<dd id="transfer-title">{invoice.number}</dd>' in page
    assert "Dane do przelewu" in page and "Tytuł przelewu" in page
    assert '<figure class="qr" id="qr"><svg xmlns="http://www.w3.org/2000/svg"' in page
    assert f'href="/f/{dashed(invoice)}/{invoice.token}"' in page


def test_payment_page_of_a_paid_invoice_says_nothing_is_due(client: TestClient, ledger: Ledger,
                                                            account: dict[str, Any], invoice: Invoice) -> None:
    ledger.execute(RecordPayment(account["account_id"], "test", invoice_ids=(invoice.id,), paid_date=date(2024, 1, 20)))
    page = client.get(f"/invoice/payment/{invoice.token}").text
    assert '<p id="nothing-due">Nic do zapłaty: faktura jest opłacona.</p>' in page
    assert 'id="qr"' not in page and 'id="payment-link"' not in client.get(f"/invoice/{invoice.token}").text


def test_unknown_malformed_and_deleted_tokens_all_get_the_same_404_page(client: TestClient, ledger: Ledger,
                                                                        account: dict[str, Any],
                                                                        invoice: Invoice) -> None:
    other = issue_invoice(ledger, account["account_id"])
    ledger.execute(DeleteInvoice(account["account_id"], other.id))
    misses = [f"/invoice/{'A' * 22}", "/invoice/short", f"/invoice/{invoice.token}x", f"/invoice/{other.token}",
              f"/invoice/{other.token}.pdf", f"/invoice/payment/{other.token}", f"/f/{dashed(other)}/{other.token}",
              f"/invoice/{'A' * 22}.pdf", f"/invoice/payment/{'A' * 22}"]
    bodies = set()
    for path in misses:
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        bodies.add(response.text)
    assert len(bodies) == 1
    body = bodies.pop()
    assert "Document not found" in body and invoice.number not in body and "Wystawca" not in body


def test_public_pages_forbid_outside_resources_scripts_and_referrers(client: TestClient, invoice: Invoice) -> None:
    for path in (f"/invoice/{invoice.token}", f"/invoice/payment/{invoice.token}", "/invoice/unknown"):
        headers = client.get(path).headers
        assert headers["content-security-policy"].startswith("default-src 'none'; style-src 'unsafe-inline'")
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-robots-tag"] == "noindex, nofollow"


def test_public_pages_are_not_claimed_by_a_dialect(client: TestClient) -> None:
    from gateway.registry import dialect_for
    assert dialect_for("/invoice/abc") is None and dialect_for("/f/1-01-2024/abc") is None
    assert client.get("/invoice/payment/nope").status_code == 404


def test_a_cancelled_invoices_link_still_shows_it_marked_cancelled_with_nothing_to_pay(
        client: TestClient, ledger: Ledger, account: dict[str, Any], invoice: Invoice) -> None:
    """A cancelled invoice stays a document the buyer received: its link keeps working and says it is
    cancelled, so nobody pays it. Only deletion retires the link (404)."""
    from core.commands import CancelInvoice

    ledger.execute(CancelInvoice(account["account_id"], invoice.id or 0, "wystawiona omyłkowo"))
    page = client.get(f"/f/{dashed(invoice)}/{invoice.token}")
    assert page.status_code == 200
    assert '<span class="status">Anulowana</span>' in page.text
    assert 'id="payment-link"' not in page.text
    pdf = client.get(f"/invoice/{invoice.token}.pdf")
    assert pdf.status_code == 200
    assert "ANULOWANA" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().upper()


def test_a_rotated_token_retires_every_form_of_the_old_link(client: TestClient, ledger: Ledger,
                                                            account: dict[str, Any], invoice: Invoice) -> None:
    from core.documents.access import rotate_public_token

    old = [f"/invoice/{invoice.token}", f"/invoice/{invoice.token}.pdf", f"/invoice/payment/{invoice.token}",
           f"/f/{dashed(invoice)}/{invoice.token}", f"/f/{dashed(invoice)}/{invoice.token}.pdf"]
    assert {client.get(path).status_code for path in old} == {200}
    rotated = ledger.write(rotate_public_token, account["account_id"], invoice.id)
    assert rotated.token != invoice.token
    assert {client.get(path).status_code for path in old} == {404}
    assert client.get(f"/f/{dashed(invoice)}/{rotated.token}").status_code == 200


def test_public_pdf_of_a_number_outside_latin_1_is_named_by_rfc_6266_filename_star(
        client: TestClient, account: dict[str, Any]) -> None:
    created = client.post("/invoices.json", json={"api_token": account["invoiceocean"]["api_token"], "invoice": {
        "kind": "vat", "number": "FV/ż/Ł-1", "buyer_name": "Klient1 Sp. z o.o.",
        "positions": [{"name": "Produkt A1", "tax": 23, "total_price_gross": "10.23", "quantity": 1}]}}).json()
    response = client.get(f"/invoice/{created['token']}.pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"FV-_-_-1.pdf\"; filename*=UTF-8''FV-%C5%BC-%C5%81-1.pdf")
