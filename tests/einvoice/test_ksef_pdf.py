"""The KSeF marks on the PDF: read back as a person would, from the page's text and its QR codes."""
from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any, Callable

import pypdfium2
import zxingcpp
from pypdf import PdfReader
from starlette.testclient import TestClient

from tests.einvoice.conftest import QUICK_START, post, settled, wait_for


def qr_codes(pdf: bytes) -> list[str]:
    """Every QR code on the last page, decoded from the page rendered at 200 dpi."""
    document = pypdfium2.PdfDocument(pdf)
    image = document[len(document) - 1].render(scale=200 / 72).to_pil()
    return sorted(result.text for result in zxingcpp.read_barcodes(image)
                  if result.format == zxingcpp.BarcodeFormat.QRCode)


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def sent(client: TestClient, token: str, **fields: Any) -> dict[str, Any]:
    created = post(client, "/invoices.json", {"api_token": token, "gov_save_and_send": True,
                                              "invoice": {**QUICK_START, **fields}})
    assert created.status_code == 201, created.text
    return wait_for(client, token, created.json()["id"], settled)


def test_production_pdf_carries_kod_i_and_the_ksef_number(client: TestClient, token: str,
                                                           set_mode: Callable[..., None]) -> None:
    set_mode("production")
    body = sent(client, token)
    assert body["gov_status"] == "ok"
    pdf = client.get(f"/invoices/{body['id']}.pdf", params={"api_token": token}).content
    assert body["gov_id"] in text_of(pdf)
    assert qr_codes(pdf) == [body["gov_verification_link"]]
    assert body["gov_verification_link"].startswith("https://qr.ksef.mf.gov.pl/invoice/5252445767/")


def test_offline_invoice_pdf_carries_both_codes(client: TestClient, token: str, set_mode: Callable[..., None]) -> None:
    set_mode("production")
    body = sent(client, token, issue_date=(date.today() - timedelta(days=1)).isoformat())
    pdf = client.get(f"/invoices/{body['id']}.pdf", params={"api_token": token}).content
    codes = qr_codes(pdf)
    assert len(codes) == 2 and body["gov_verification_link"] in codes
    assert any("/certificate/Nip/5252445767/" in code for code in codes)
    assert "CERTYFIKAT" in text_of(pdf)


def test_demo_pdf_has_no_qr_code(client: TestClient, token: str) -> None:
    body = sent(client, token)
    assert body["gov_status"] == "demo_ok"
    pdf = client.get(f"/invoices/{body['id']}.pdf", params={"api_token": token}).content
    assert qr_codes(pdf) == [] and body["gov_id"] not in text_of(pdf)
