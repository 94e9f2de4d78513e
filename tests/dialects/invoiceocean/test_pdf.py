"""GET /invoices/{id}.pdf renders the stored invoice, checked by extracting the PDF's text."""
from __future__ import annotations

import io
from typing import Any

from pypdf import PdfReader
from starlette.testclient import TestClient

SEED = {"invoice": {"kind": "vat", "number": None, "sell_date": "2013-01-16", "issue_date": "2013-01-16",
                    "payment_to": "2013-01-23", "seller_name": "Wystawca Sp. z o.o.", "seller_tax_no": "5252445767",
                    "buyer_name": "Zażółć gęślą jaźń Sp. z o.o.", "buyer_tax_no": "5252445767",
                    "positions": [{"name": "Produkt A1", "tax": 23, "total_price_gross": 10.23, "quantity": 1},
                                  {"name": "Produkt A2", "tax": 0, "total_price_gross": 50, "quantity": 3}]}}


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_invoice_pdf_shows_number_parties_and_totals(client: TestClient, account: dict[str, Any]) -> None:
    token = account["invoiceocean"]["api_token"]
    created = client.post("/invoices.json", json={"api_token": token, **SEED}).json()
    response = client.get(f"/invoices/{created['id']}.pdf?api_token={token}")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    text = _text(response.content)
    for expected in ("1/01/2013", "Wystawca Sp. z o.o.", "Zażółć gęślą jaźń Sp. z o.o.", "60,23", "58,32",
                     "sześćdziesiąt złotych 23/100"):
        assert expected in text, expected


def test_invoice_pdf_print_options_are_marked_and_unknown_ones_refused(client: TestClient,
                                                                       account: dict[str, Any]) -> None:
    token = account["invoiceocean"]["api_token"]
    invoice_id = client.post("/invoices.json", json={"api_token": token, **SEED}).json()["id"]
    both = client.get(f"/invoices/{invoice_id}.pdf?api_token={token}&print_option=original_and_copy")
    single = client.get(f"/invoices/{invoice_id}.pdf?api_token={token}&print_option=copy")
    assert len(PdfReader(io.BytesIO(both.content)).pages) == 2 * len(PdfReader(io.BytesIO(single.content)).pages)
    bad = client.get(f"/invoices/{invoice_id}.pdf?api_token={token}&print_option=poster")
    assert bad.status_code == 422 and "print_option" in bad.json()["message"]


def test_invoice_pdf_of_another_account_is_not_found(client: TestClient, account: dict[str, Any],
                                                     other_account: dict[str, Any]) -> None:
    invoice_id = client.post("/invoices.json", json={"api_token": account["invoiceocean"]["api_token"],
                                                     **SEED}).json()["id"]
    response = client.get(f"/invoices/{invoice_id}.pdf?api_token={other_account['invoiceocean']['api_token']}")
    assert response.status_code == 404


def test_pdf_of_a_number_outside_latin_1_is_named_by_rfc_6266_filename_star(client: TestClient,
                                                                             account: dict[str, Any]) -> None:
    token = account["invoiceocean"]["api_token"]
    invoice = {**SEED["invoice"], "number": 'FV/ż/Ł-1 "a"'}
    created = client.post("/invoices.json", json={"api_token": token, "invoice": invoice}).json()
    assert created["number"] == 'FV/ż/Ł-1 "a"'
    response = client.get(f"/invoices/{created['id']}.pdf?api_token={token}")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    # Quotes are not safe file-name characters, so they are dashed like the slashes; filename* is exact UTF-8.
    assert response.headers["content-disposition"] == (
        "inline; filename=\"FV-_-_-1--a-.pdf\"; filename*=UTF-8''FV-%C5%BC-%C5%81-1--a-.pdf")
