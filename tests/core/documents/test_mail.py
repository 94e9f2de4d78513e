"""Outbox delivery end to end: SendInvoice commits, the real SMTP server (or the .eml folder, or
the print queue) receives the message, and the outbox row records what happened."""
from __future__ import annotations

import io
import time
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal as D
from email import message_from_bytes, policy
from email.message import EmailMessage
from itertools import pairwise
from pathlib import Path
from typing import Any, Iterator

import pytest
from pypdf import PdfReader
from starlette.testclient import TestClient

from core.accounts import create_account
from core.clock import now_utc
from core.commands import CreateInvoice, LineSpec, SendInvoice
from core.documents.outbox import MAX_ATTEMPTS, deliver_due, deliver_message
from core.ledger import Ledger
from core.models import Invoice, OutboxMessage
from gateway.app import create_app
from gateway.settings import Settings
from tests.support import free_port
from tests.support.smtp import SmtpServer

BASE = "https://faktury.example.com"


def issue_invoice(ledger: Ledger, account_id: int, **fields: Any) -> Invoice:
    """A Polish VAT invoice: 2 x 100.00 net at 23% = 246.00 gross, with a bank account."""
    values: dict[str, Any] = {
        "kind": "vat", "issue_date": date(2024, 1, 15), "sell_date": date(2024, 1, 15), "payment_to": date(2024, 1, 29),
        "seller_name": "Wystawca Sp. z o.o.", "seller_tax_no": "5252445767",
        "seller_bank_account": "PL61 1090 1014 0000 0712 1981 2874", "buyer_name": "Zażółć Gęślą Sp. z o.o.",
        "buyer_tax_no": "5213017228", "buyer_email": "kupiec@example.com", **fields}
    lines = (LineSpec(name="Usługa programistyczna", tax=23, price_net=D("100.00"), quantity=D(2)),)
    invoice: Invoice = ledger.execute(CreateInvoice(account_id, "test", values, lines)).invoice
    return invoice


def outbox_row(ledger: Ledger, message_id: int) -> OutboxMessage:
    row = ledger.read(lambda s: s.get(OutboxMessage, message_id))
    assert row is not None
    return row


def wait_for_status(ledger: Ledger, message_id: int, status: str, timeout: float = 5.0) -> OutboxMessage:
    deadline = time.monotonic() + timeout
    while True:
        row = outbox_row(ledger, message_id)
        if row.status == status or time.monotonic() > deadline:
            return row
        time.sleep(0.05)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def parts(message: EmailMessage) -> tuple[str, str, list[tuple[str, str, bytes]]]:
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    files = [(p.get_filename() or "", p.get_content_type(), p.get_content()) for p in message.iter_attachments()]
    return text.get_content(), html.get_content(), files


def make_app(tmp_path: Path, database_url: str, **settings: Any) -> Any:
    return create_app(Settings(database_url=database_url, outbox_dir=tmp_path / "outbox", public_base_url=BASE,
                               **settings))


@pytest.fixture
def smtp_app(tmp_path: Path, database_url: str, smtp_server: SmtpServer) -> Iterator[Any]:
    app = make_app(tmp_path, database_url, smtp_url=smtp_server.url, mail_from="faktury@wystawca.pl")
    with TestClient(app):  # the lifespan runs the delivery worker
        yield app


def test_send_invoice_delivers_mail_with_text_html_and_pdf_over_smtp(smtp_app: Any, smtp_server: SmtpServer) -> None:
    ledger: Ledger = smtp_app.state.ledger
    account_id = ledger.write(create_account, "Acme").account_id
    invoice = issue_invoice(ledger, account_id)
    message = ledger.execute(SendInvoice(account_id, invoice.id, "test", recipients=("kupiec@example.com",),
                                         cc=("ksiegowa@example.com",)))

    received = smtp_server.wait_for(1)[0]
    view_url = f"{BASE}/f/{invoice.number.replace('/', '-')}/{invoice.token}"
    assert received.mail_from == "faktury@wystawca.pl"
    assert received.rcpt_tos == ["kupiec@example.com", "ksiegowa@example.com"]
    assert received.message["Subject"] == f"Faktura VAT {invoice.number} od Wystawca Sp. z o.o."
    assert received.message["To"] == "kupiec@example.com"
    assert received.message["Cc"] == "ksiegowa@example.com"
    text, html, files = parts(received.message)
    assert "Do zapłaty: 246,00 PLN, termin płatności 2024-01-29." in text
    assert f"Tytuł przelewu: {invoice.number}" in text
    assert f"Dokument online: {view_url}" in text
    assert f"Zapłać online: {BASE}/invoice/payment/{invoice.token}" in text
    assert f'href="{view_url}"' in html and "<strong>246,00 PLN</strong>" in html
    assert [(name, kind) for name, kind, _ in files] == [(f"{invoice.number.replace('/', '-')}.pdf", "application/pdf")]
    printed = pdf_text(files[0][2])
    assert invoice.number in printed and "Zażółć Gęślą Sp. z o.o." in printed and "ORYGINAŁ" in printed

    row = wait_for_status(ledger, message.id, "sent")
    assert (row.status, row.attempts, row.last_error) == ("sent", 1, "")
    assert row.subject == received.message["Subject"] and row.body_text == text
    assert row.meta["delivered_to"] == smtp_server.url and row.sent_at is not None
    assert ledger.read(lambda s: s.get(Invoice, invoice.id)).status == "sent"


def test_print_option_of_the_message_is_the_attached_pdf(smtp_app: Any, smtp_server: SmtpServer) -> None:
    ledger: Ledger = smtp_app.state.ledger
    account_id = ledger.write(create_account, "Acme").account_id
    invoice = issue_invoice(ledger, account_id)
    ledger.execute(SendInvoice(account_id, invoice.id, "test", print_option="original_and_copy"))

    received = smtp_server.wait_for(1)[0]
    assert received.rcpt_tos == ["kupiec@example.com"]  # the buyer's address when none is given
    reader = PdfReader(io.BytesIO(parts(received.message)[2][0][2]))
    texts = [page.extract_text() for page in reader.pages]
    assert len(texts) == 2 and "ORYGINAŁ" in texts[0] and "KOPIA" in texts[1]


def test_without_smtp_the_message_is_written_as_an_eml_file(tmp_path: Path, database_url: str) -> None:
    app = make_app(tmp_path, database_url)  # no lifespan: the after-commit hook delivers inline
    ledger: Ledger = app.state.ledger
    account_id = ledger.write(create_account, "Svensk AB", profile="fakturan").account_id
    invoice = issue_invoice(ledger, account_id, lang="sv", currency="SEK")
    message = ledger.execute(SendInvoice(account_id, invoice.id, "test", recipients=("kund@example.se",)))

    path = tmp_path / "outbox" / f"outbox-{message.id}.eml"
    parsed = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    assert parsed["To"] == "kund@example.se"
    assert parsed["Subject"] == f"Faktura {invoice.number} från Wystawca Sp. z o.o."
    text, html, files = parts(parsed)
    assert "Att betala: 246,00 SEK, senast 2024-01-29." in text
    assert "Med vänliga hälsningar" in html
    assert invoice.buyer_name in pdf_text(files[0][2])
    row = outbox_row(ledger, message.id)
    assert (row.status, row.attempts, row.meta["delivered_to"]) == ("sent", 1, str(path))
    assert list((tmp_path / "outbox").iterdir()) == [path]  # no half-written .part left


def test_failed_delivery_is_retried_with_backoff_until_smtp_answers(tmp_path: Path, database_url: str,
                                                                     smtp_server: SmtpServer) -> None:
    down = f"smtp://127.0.0.1:{free_port()}"  # nobody listens there
    app = make_app(tmp_path, database_url, smtp_url=down)
    ledger: Ledger = app.state.ledger
    account_id = ledger.write(create_account, "Acme").account_id
    invoice = issue_invoice(ledger, account_id)
    before = now_utc()
    message = ledger.execute(SendInvoice(account_id, invoice.id, "test"))

    row = outbox_row(ledger, message.id)
    assert (row.status, row.attempts) == ("queued", 1)
    assert row.last_error.startswith("ConnectionRefusedError")
    assert row.next_attempt_at is not None
    assert before + timedelta(seconds=30) <= row.next_attempt_at <= now_utc() + timedelta(seconds=30)
    assert ledger.read(lambda s: s.get(Invoice, invoice.id)).status == "sent"

    up = replace(app.state.settings, smtp_url=smtp_server.url)
    assert deliver_due(app.state.engine, up).statuses == {}  # not due yet: the backoff holds
    assert smtp_server.messages == []
    report = deliver_due(app.state.engine, up, now=row.next_attempt_at + timedelta(seconds=1))
    assert report.statuses == {message.id: "sent"}
    assert smtp_server.wait_for(1)[0].rcpt_tos == ["kupiec@example.com"]
    row = outbox_row(ledger, message.id)
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, "")


def test_message_is_marked_failed_after_the_last_attempt_and_kept(tmp_path: Path, database_url: str) -> None:
    app = make_app(tmp_path, database_url, smtp_url=f"smtp://127.0.0.1:{free_port()}")
    ledger: Ledger = app.state.ledger
    account_id = ledger.write(create_account, "Acme").account_id
    message = ledger.execute(SendInvoice(account_id, issue_invoice(ledger, account_id).id, "test"))

    delays = []
    for _ in range(MAX_ATTEMPTS - 1):
        row = outbox_row(ledger, message.id)
        if row.next_attempt_at is None:
            break
        delays.append(row.next_attempt_at)
        deliver_due(app.state.engine, app.state.settings, now=row.next_attempt_at)
    row = outbox_row(ledger, message.id)
    gaps = [(b - a).total_seconds() for a, b in pairwise(delays)]
    assert gaps == [60.0, 120.0, 240.0, 480.0, 960.0, 1920.0]
    assert (row.status, row.attempts, row.next_attempt_at) == ("failed", MAX_ATTEMPTS, None)
    assert row.recipients == ["kupiec@example.com"] and row.last_error.startswith("ConnectionRefusedError")
    assert deliver_due(app.state.engine, app.state.settings, now=now_utc() + timedelta(days=1)).statuses == {}


def test_a_message_is_delivered_once_however_many_deliverers_try(tmp_path: Path, database_url: str,
                                                                 smtp_server: SmtpServer) -> None:
    app = make_app(tmp_path, database_url, smtp_url=f"smtp://127.0.0.1:{free_port()}")
    ledger: Ledger = app.state.ledger
    account_id = ledger.write(create_account, "Acme").account_id
    message = ledger.execute(SendInvoice(account_id, issue_invoice(ledger, account_id).id, "test"))
    up = replace(app.state.settings, smtp_url=smtp_server.url)
    due = outbox_row(ledger, message.id).next_attempt_at
    assert due is not None

    assert deliver_message(app.state.engine, up, message.id, now=due) == "sent"
    assert deliver_message(app.state.engine, up, message.id, now=due) == ""
    assert deliver_due(app.state.engine, up, now=due + timedelta(days=1)).statuses == {}
    time.sleep(0.2)
    assert len(smtp_server.messages) == 1


def test_letter_goes_to_the_print_queue_as_pdf_and_is_marked_printed(tmp_path: Path, database_url: str,
                                                                      smtp_server: SmtpServer) -> None:
    app = make_app(tmp_path, database_url, smtp_url=smtp_server.url)
    ledger: Ledger = app.state.ledger
    account_id = ledger.write(create_account, "Acme").account_id
    invoice = issue_invoice(ledger, account_id, buyer_email="")
    message = ledger.execute(SendInvoice(account_id, invoice.id, "test", channel="letter", print_option="duplicate"))

    letter = tmp_path / "outbox" / "letters" / f"{message.id}.pdf"
    printed = pdf_text(letter.read_bytes())
    assert invoice.number in printed and "DUPLIKAT" in printed and "Zażółć Gęślą Sp. z o.o." in printed
    row = outbox_row(ledger, message.id)
    assert (row.status, row.attempts, row.meta["print_file"]) == ("printed", 1, str(letter))
    assert smtp_server.messages == []


def test_base_url_recorded_at_send_time_wins_over_the_setting_and_reminders_say_so(tmp_path: Path,
                                                                                   database_url: str) -> None:
    app = make_app(tmp_path, database_url)
    ledger: Ledger = app.state.ledger
    account_id = ledger.write(create_account, "Acme").account_id
    invoice = issue_invoice(ledger, account_id, lang="en")
    message = ledger.execute(SendInvoice(account_id, invoice.id, "test", as_reminder=True,
                                         public_base_url="http://10.1.2.3:8080/"))

    row = outbox_row(ledger, message.id)
    assert row.meta["public_base_url"] == "http://10.1.2.3:8080/"
    assert row.subject == f"Reminder: VAT invoice {invoice.number} from Wystawca Sp. z o.o."
    assert f"View the invoice online: http://10.1.2.3:8080/f/{invoice.number.replace('/', '-')}/{invoice.token}" \
        in row.body_text
    assert "Amount due: 246.00 PLN, payable by 2024-01-29." in row.body_text
    assert BASE not in row.body_text
