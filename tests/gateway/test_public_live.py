"""The public pages and mail delivery in the gateway as it runs: the CLI's `serve`, a real port,
headless Chromium looking at the page, and the delivery worker of the served process."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from core.commands import SendInvoice
from core.ledger import Ledger
from core.models import Invoice
from gateway.db import make_engine
from tests.core.documents.test_mail import issue_invoice, parts, pdf_text
from tests.support.browser import BrowserPage
from tests.support.live_server import LiveServer
from tests.support.smtp import SmtpServer


def seed(server: LiveServer) -> tuple[Ledger, int, Invoice]:
    created = server.run_cli("accounts", "create", "Acme", "--json")
    assert created.returncode == 0, created.stderr
    account_id = json.loads(created.stdout)["account_id"]
    ledger = Ledger(make_engine(server.database_url))
    return ledger, account_id, issue_invoice(ledger, account_id)


def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


def test_public_page_renders_in_chromium_without_errors(live_server: LiveServer, browser_page: BrowserPage,
                                                        tmp_path: Path) -> None:
    _, _, invoice = seed(live_server)
    dashed = invoice.number.replace("/", "-")

    response = browser_page.goto(f"{live_server.base_url}/f/{dashed}/{invoice.token}")
    assert response is not None and response.status == 200
    shot = browser_page.screenshot(tmp_path / "invoice.png")
    text = browser_page.text()
    assert browser_page.console_errors == []
    assert shot.stat().st_size > 10_000
    assert f"Faktura VAT {invoice.number}" in text and "246,00 PLN" in text
    assert browser_page.title() == f"Faktura VAT {invoice.number}"

    pdf_href = browser_page.page.get_attribute("#pdf-link", "href")
    status, kind, body = fetch(f"{live_server.base_url}{pdf_href}")
    assert (status, kind) == (200, "application/pdf") and invoice.number in pdf_text(body)

    browser_page.page.click("#payment-link")
    browser_page.page.wait_for_url(f"**/invoice/payment/{invoice.token}")
    browser_page.screenshot(tmp_path / "payment.png")
    assert "Tytuł przelewu" in browser_page.text() and browser_page.page.is_visible("#qr svg")
    assert browser_page.console_errors == []

    status, kind, body = fetch(f"{live_server.base_url}/invoice/{'Z' * 22}")
    assert (status, kind) == (404, "text/html; charset=utf-8") and b"Document not found" in body


def test_served_gateway_delivers_mail_queued_by_another_process(live_server_factory: Any,
                                                                smtp_server: SmtpServer) -> None:
    server: LiveServer = live_server_factory(env={"GATEWAY_SMTP_URL": smtp_server.url,
                                                  "GATEWAY_PUBLIC_BASE_URL": "https://invoices.example.com"})
    ledger, account_id, invoice = seed(server)
    ledger.execute(SendInvoice(account_id, invoice.id, "test"))  # this ledger has no hook: the worker sends it

    received = smtp_server.wait_for(1, timeout=15)[0]
    assert received.rcpt_tos == ["kupiec@example.com"]
    text, _, files = parts(received.message)
    assert f"https://invoices.example.com/invoice/payment/{invoice.token}" in text
    assert invoice.number in pdf_text(files[0][2])
