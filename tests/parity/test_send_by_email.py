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
    with TestClient(app, base_url="http://localhost") as client:  # a host GATEWAY_ALLOWED_HOSTS lists by default
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
    assert invoice["token"] in body and "http://localhost/" in body
    pdf = next(part for part in message.iter_attachments() if part.get_content_type() == "application/pdf")
    text = PdfReader(io.BytesIO(pdf.get_content())).pages[0].extract_text()
    assert invoice["number"] in text and "Zażółć Sp. z o.o." in text
    status = client.get(f"/invoices/{invoice['id']}.json",
                        params={"api_token": account["invoiceocean"]["api_token"]}).json()["status"]
    assert status == "sent"


# --- abuse: how many recipients, and where the links point ------------------------------------------
ELEVEN = [f"r{i}@klient.example" for i in range(11)]


def _io_send(client: TestClient, account: dict[str, Any], invoice: dict[str, Any], to: list[str],
             cc: list[str] = (), **headers: str) -> Any:  # type: ignore[assignment]
    return client.post(f"/invoices/{invoice['id']}/send_by_email.json", headers=headers, params={
        "api_token": account["invoiceocean"]["api_token"], "email_to": ",".join(to), "email_cc": ",".join(cc)})


def _invo_send(client: TestClient, account: dict[str, Any], invoice: dict[str, Any], to: list[str],
               **headers: str) -> Any:
    return client.post("/api.json", headers=headers, auth=(account["invo"]["login"], account["invo"]["password"]),
                       data={"r": "files", "q": json.dumps({"action": "send", "id": invoice["id"],
                                                            "email": ",".join(to)})})


def _fakturan_send(client: TestClient, account: dict[str, Any], invoice: dict[str, Any], **headers: str) -> Any:
    return client.post(f"/api/v2/invoices/{invoice['id']}/send", json={"delivery_method": "email"}, headers=headers,
                       auth=(account["fakturan"]["key_id"], account["fakturan"]["password"]))


def _nothing_delivered(client: TestClient, smtp_server: Any) -> None:
    client.get("/healthz")
    assert smtp_server.messages == []
    with pytest.raises(TimeoutError):
        smtp_server.wait_for(1, timeout=1)


def test_to_and_cc_together_are_capped_in_every_dialect(mail_client: tuple[TestClient, dict[str, Any]],
                                                        smtp_server: Any) -> None:
    client, account = mail_client
    invoice = _invoice(client, account, "ksiegowosc@klient.example")
    capped = _io_send(client, account, invoice, ELEVEN[:1], ELEVEN[1:])  # 1 To + 10 Cc: 11 > 10
    assert capped.status_code == 422
    assert capped.json() == {"code": "error", "message": {"email_to": ["at most 10 recipients (To and Cc together)"]}}
    invo = _invo_send(client, account, invoice, ELEVEN)
    assert invo.json() == {"error": 8, "message": "validation error",
                           "fields": {"email": "at most 10 recipients (To and Cc together)"}}
    many = _invoice(client, account, ", ".join(ELEVEN))  # fakturan mails the buyer's addresses
    fakturan = _fakturan_send(client, account, many)
    assert (fakturan.status_code, fakturan.json()) == (
        422, {"errors": {"recipients": [{"error": "too_long", "count": 10}]}})
    _nothing_delivered(client, smtp_server)
    assert _io_send(client, account, invoice, ELEVEN[:1], ELEVEN[1:10]).json() == {"status": "ok"}  # 10: at the cap
    assert len(smtp_server.wait_for(1, timeout=15)[0].rcpt_tos) == 10


def test_the_recipient_cap_comes_from_the_settings(monkeypatch: Any) -> None:
    assert Settings().max_recipients == 10
    monkeypatch.setenv("GATEWAY_MAX_RECIPIENTS", "3")
    assert Settings.from_env().max_recipients == 3


@pytest.mark.parametrize("dialect", list(SENDERS))
def test_a_send_from_an_unlisted_host_is_refused_until_the_public_base_url_is_configured(
        dialect: str, mail_client: tuple[TestClient, dict[str, Any]], smtp_server: Any) -> None:
    client, account = mail_client
    to = "ksiegowosc@klient.example"
    invoice = _invoice(client, account, to)
    evil = {"Host": "phish.example"}
    refused = {"invoiceocean": lambda: _io_send(client, account, invoice, [to], **evil),
               "invo": lambda: _invo_send(client, account, invoice, [to], **evil),
               "fakturan": lambda: _fakturan_send(client, account, invoice, **evil)}[dialect]()
    message = "the public base URL must be configured (GATEWAY_PUBLIC_BASE_URL): links in a mail are never taken " \
              "from an unlisted Host"
    assert refused.json() == {
        "invoiceocean": {"code": "error", "message": {"public_base_url": [message]}},
        "invo": {"error": 8, "message": "validation error", "fields": {"public_base_url": message}},
        "fakturan": {"errors": {"public_base_url": [{"error": "not_configured"}]}}}[dialect]
    assert refused.status_code == (200 if dialect == "invo" else 422)
    _nothing_delivered(client, smtp_server)
    # The request itself is served whatever its host: only the mail's links are at stake.
    assert client.get("/invoices.json", headers=evil,
                      params={"api_token": account["invoiceocean"]["api_token"]}).status_code == 200


def test_mail_links_use_the_configured_public_base_url_whatever_the_host(
        database_url: str, tmp_path: Path, smtp_server: Any) -> None:
    app = create_app(Settings(database_url=database_url, smtp_url=smtp_server.url, outbox_dir=tmp_path / "outbox",
                              public_base_url="https://faktury.example.com"))
    with TestClient(app, base_url="http://localhost") as client:
        account = app.state.ledger.write(create_account, "Acme").as_dict()
        to = "ksiegowosc@klient.example"
        invoice = _invoice(client, account, to)
        assert _io_send(client, account, invoice, [to], Host="phish.example").json() == {"status": "ok"}
        body = smtp_server.wait_for(1, timeout=15)[0].message.get_body(("plain",)).get_content()
    assert "https://faktury.example.com/f/" in body and "phish.example" not in body


def test_an_account_prefix_host_on_the_allowed_list_is_linked_as_is(
        mail_client: tuple[TestClient, dict[str, Any]], smtp_server: Any) -> None:
    client, account = mail_client
    to = "ksiegowosc@klient.example"
    invoice = _invoice(client, account, to)
    assert _io_send(client, account, invoice, [to], Host=f"{account['prefix']}.localhost:8000").json() == {
        "status": "ok"}
    body = smtp_server.wait_for(1, timeout=15)[0].message.get_body(("plain",)).get_content()
    assert f"http://{account['prefix']}.localhost:8000/f/" in body
