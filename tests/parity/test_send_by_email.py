"""Each dialect's send call delivers a real e-mail (in-process SMTP server) with the PDF attached."""
from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from pypdf import PdfReader
from starlette.testclient import TestClient

from core.accounts import create_account
from gateway.app import create_app
from gateway.settings import Settings

POSITIONS = [{"name": "Szkolenie", "tax": 23, "total_price_gross": "123.00", "quantity": 1}]


@pytest.fixture
def mail_client(database_url: str, tmp_path: Path, smtp_server: Any) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    app = create_app(Settings(database_url=database_url, smtp_url=smtp_server.url, outbox_dir=tmp_path / "outbox"))
    with TestClient(app) as client:
        yield client, app.state.ledger.write(create_account, "Acme").as_dict()


def _invoice(client: TestClient, account: dict[str, Any], email: str) -> dict[str, Any]:
    response = client.post("/invoices.json", json={"api_token": account["invoiceocean"]["api_token"], "invoice": {
        "buyer_name": "Zażółć Sp. z o.o.", "buyer_email": email, "positions": POSITIONS}})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def send_invoiceocean(client: TestClient, account: dict[str, Any], invoice: dict[str, Any], to: str) -> None:
    response = client.post(f"/invoices/{invoice['id']}/send_by_email.json",
                           params={"api_token": account["invoiceocean"]["api_token"], "email_to": to})
    assert response.json() == {"status": "ok"}


def send_invo(client: TestClient, account: dict[str, Any], invoice: dict[str, Any], to: str) -> None:
    response = client.post("/api.json", data={"r": "files", "q": json.dumps({"action": "send", "id": invoice["id"],
                                                                              "email": to})},
                           auth=(account["invo"]["login"], account["invo"]["password"]))
    assert "error" not in response.json(), response.text


def send_fakturan(client: TestClient, account: dict[str, Any], invoice: dict[str, Any], to: str) -> None:
    response = client.post(f"/api/v2/invoices/{invoice['id']}/send", json={"delivery_method": "email"},
                           auth=(account["fakturan"]["key_id"], account["fakturan"]["password"]))
    assert response.status_code in (200, 204), response.text


SENDERS: dict[str, Callable[..., None]] = {"invoiceocean": send_invoiceocean, "invo": send_invo,
                                           "fakturan": send_fakturan}


@pytest.mark.parametrize("dialect", list(SENDERS))
def test_send_call_delivers_mail_with_link_and_pdf(dialect: str, mail_client: tuple[TestClient, dict[str, Any]],
                                                   smtp_server: Any) -> None:
    client, account = mail_client
    to = "ksiegowosc@klient.example"
    invoice = _invoice(client, account, to)
    SENDERS[dialect](client, account, invoice, to)
    received = smtp_server.wait_for(1, timeout=15)[0]
    message = received.message
    assert received.rcpt_tos == [to]
    assert invoice["number"] in message["Subject"]
    body = message.get_body(("plain",)).get_content()
    assert invoice["token"] in body and "http://testserver/" in body
    pdf = next(part for part in message.iter_attachments() if part.get_content_type() == "application/pdf")
    text = PdfReader(io.BytesIO(pdf.get_content())).pages[0].extract_text()
    assert invoice["number"] in text and "Zażółć Sp. z o.o." in text
    status = client.get(f"/invoices/{invoice['id']}.json",
                        params={"api_token": account["invoiceocean"]["api_token"]}).json()["status"]
    assert status == "sent"
