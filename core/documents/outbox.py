"""Delivering the mail outbox: e-mail through SMTP (or .eml files), letters to the print queue.

The mail channel of the shared delivery machinery (core/delivery.py: the lease, the retries, the
worker): a failed attempt is put off 30 s, then 1, 2, 4 ... minutes (no more than two hours); after
MAX_ATTEMPTS the row is marked "failed" and stays, with everything needed to send it again.

Letters go to the print queue: the PDF is written to <outbox_dir>/letters/<id>.pdf, where the
print-and-post service picks it up, and the row becomes "printed".
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine

from core import delivery
from core.clock import now_utc
from core.commands import SendInvoice
from core.delivery import DeliveryReport, DeliveryWorker, RetryPolicy
from core.documents.build import load_document
from core.documents.html import payment_path, pdf_path, view_path
from core.documents.mail import FileAttachment, MailContent, build_email, pdf_filename, render_mail, transport_for
from core.documents.pdf import render_pdf
from core.documents.view import DocumentView
from core.models import Attachment, Invoice, OutboxMessage
from core.unit_of_work import UnitOfWork

DEFAULT_PUBLIC_BASE_URL = "http://127.0.0.1:8000"  # `invoice-gateway serve`'s default address
MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=2)
LEASE = timedelta(minutes=2)  # longer than any one delivery (SMTP timeout 20 s, PDF ~10 ms)
POLICY = RetryPolicy(BACKOFF_BASE, BACKOFF_CAP, max_attempts=MAX_ATTEMPTS)
CHANNEL = "mail"


class DeliveryConfig(Protocol):
    """What delivery reads from the gateway's Settings (any object with these attributes). Read-only
    properties, so a frozen dataclass such as Settings matches."""

    @property
    def smtp_url(self) -> str: ...
    @property
    def mail_from(self) -> str: ...
    @property
    def outbox_dir(self) -> Path: ...
    @property
    def public_base_url(self) -> str: ...


def retry_delay(attempts: int) -> timedelta:
    """30 s after the first failure, then 1, 2, 4 ... minutes, never more than two hours."""
    return POLICY.delay(attempts)


def public_base(message: OutboxMessage, config: DeliveryConfig) -> str:
    """Links in mail are absolute: the base recorded when the message was queued, else the
    configured GATEWAY_PUBLIC_BASE_URL, else the address `serve` listens on by default."""
    recorded = str((message.meta or {}).get("public_base_url") or "")
    return (recorded or config.public_base_url or DEFAULT_PUBLIC_BASE_URL).rstrip("/")


@dataclass(frozen=True)
class _Prepared:
    message: OutboxMessage
    pdf: bytes
    number: str
    base: str
    token: str
    document: DocumentView
    files: tuple[FileAttachment, ...] = ()


def _prepare(engine: Engine, message_id: int, config: DeliveryConfig) -> _Prepared:
    with UnitOfWork(engine, write=False) as uow:
        session = uow.session
        message = session.get(OutboxMessage, message_id)
        if message is None or message.invoice_id is None:
            raise LookupError(f"outbox message {message_id} has no invoice")
        invoice = session.get(Invoice, message.invoice_id)
        if invoice is None or invoice.account_id != message.account_id:
            raise LookupError(f"the invoice of outbox message {message_id} no longer exists")
        base = public_base(message, config)
        document = load_document(session, message.account_id, message.invoice_id,
                                 public_url=base + view_path(invoice.number, invoice.token))
        pdf = render_pdf(document, message.print_option or "original")
        files = tuple(FileAttachment(a.name, a.content_type, a.data)
                      for a in (session.get(Attachment, i) for i in message.meta.get("attachments", ()))
                      if a is not None and a.account_id == message.account_id)
        session.expunge(message)
        return _Prepared(message, pdf, invoice.number, base, invoice.token, document, files)


def _deliver(prepared: _Prepared, config: DeliveryConfig) -> dict[str, Any]:
    """Hands the message over; returns the columns to store on success."""
    message = prepared.message
    if message.channel == "letter":
        folder = Path(config.outbox_dir) / "letters"
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{message.id}.pdf"
        target.with_suffix(".part").write_bytes(prepared.pdf)
        target.with_suffix(".part").replace(target)
        return {"status": "printed", "meta": {**message.meta, "print_file": str(target)}}
    content = render_mail(prepared.document, view_url=prepared.document.public_url,
                          payment_url=prepared.base + payment_path(prepared.token),
                          reminder=bool(message.meta.get("reminder")))
    # Words a caller stored when queueing win over the templates.
    subject, text, html = (message.subject or content.subject, message.body_text or content.text,
                           message.body_html or content.html)
    email = build_email(mail_from=config.mail_from, recipients=list(message.recipients), cc=list(message.cc),
                        content=MailContent(subject, text, html), pdf=prepared.pdf,
                        pdf_name=pdf_filename(prepared.number), files=prepared.files)
    where = transport_for(config.smtp_url, Path(config.outbox_dir)).send(email, f"outbox-{message.id}")
    return {"status": "sent", "subject": subject, "body_text": text, "body_html": html,
            "meta": {**message.meta, "delivered_to": where, "message_id": email["Message-ID"],
                     "pdf_url": prepared.base + pdf_path(prepared.token)}}


def _hand_over(config: DeliveryConfig, engine: Engine, message_id: int) -> dict[str, Any]:
    values = _deliver(_prepare(engine, message_id, config), config)
    return {**values, "sent_at": now_utc()}


def mail_channel(config: DeliveryConfig) -> delivery.Channel:
    return delivery.Channel(CHANNEL, OutboxMessage, POLICY, partial(_hand_over, config), lease=LEASE)


def deliver_message(engine: Engine, config: DeliveryConfig, message_id: int, *, now: datetime | None = None) -> str:
    """Try to deliver one message now if it is due and nobody else holds it; returns its status
    afterwards ("sent", "printed", "queued" for a retry, "failed"), or "" when it was not taken."""
    return delivery.attempt(engine, mail_channel(config), message_id, now=now)


def deliver_due(engine: Engine, config: DeliveryConfig, *, now: datetime | None = None,
                limit: int = 100) -> DeliveryReport:
    """Deliver every queued message whose time has come (for the worker, a CLI or a test)."""
    return delivery.deliver_due(engine, mail_channel(config), now=now, limit=limit)


def after_commit_hook(engine: Engine, config: DeliveryConfig, worker: DeliveryWorker | None = None) -> Any:
    """A Ledger.after_commit hook: a message SendInvoice just queued is delivered at once, by
    the worker when it runs (the request does not wait for SMTP), else right here."""
    def hook(command: Any, result: Any) -> None:
        if isinstance(command, SendInvoice) and isinstance(result, OutboxMessage) and result.id is not None:
            delivery.hand_over(engine, mail_channel(config), [result.id], worker)
    return hook


__all__ = ["DeliveryReport", "DeliveryWorker", "after_commit_hook", "deliver_due", "deliver_message", "mail_channel",
           "retry_delay"]
