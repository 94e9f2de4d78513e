"""Delivering the outbox: e-mail through SMTP (or .eml files), letters to the print queue.

A message is taken with a lease: one UPDATE moves its next_attempt_at LEASE ahead, and only
the process whose UPDATE matched delivers it. So the after-commit hook, the worker thread of
every uvicorn worker and `deliver_due` from a CLI can all run at once without sending twice,
and a process that dies mid-send leaves a message that is retried when the lease runs out.
A failed attempt is counted, the error kept, and the next try put off exponentially; after
MAX_ATTEMPTS the row is marked "failed" and stays, with everything needed to send it again.

Letters go to the print queue: the PDF is written to <outbox_dir>/letters/<id>.pdf, where the
print-and-post service picks it up, and the row becomes "printed".
"""
from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine, update
from sqlmodel import col, or_, select

from core.clock import now_utc
from core.commands import SendInvoice
from core.documents.build import load_document
from core.documents.html import payment_path, pdf_path, view_path
from core.documents.mail import FileAttachment, MailContent, build_email, pdf_filename, render_mail, transport_for
from core.documents.pdf import render_pdf
from core.documents.view import DocumentView
from core.models import Attachment, Invoice, OutboxMessage
from core.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

DEFAULT_PUBLIC_BASE_URL = "http://127.0.0.1:8000"  # `invoice-gateway serve`'s default address
MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=2)
LEASE = timedelta(minutes=2)  # longer than any one delivery (SMTP timeout 20 s, PDF ~10 ms)
WORKER_INTERVAL_S = 5.0


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
    delay: timedelta = BACKOFF_BASE * (2 ** max(attempts - 1, 0))
    return min(delay, BACKOFF_CAP)


def public_base(message: OutboxMessage, config: DeliveryConfig) -> str:
    """Links in mail are absolute: the base recorded when the message was queued, else the
    configured GATEWAY_PUBLIC_BASE_URL, else the address `serve` listens on by default."""
    recorded = str((message.meta or {}).get("public_base_url") or "")
    return (recorded or config.public_base_url or DEFAULT_PUBLIC_BASE_URL).rstrip("/")


def _claim(engine: Engine, message_id: int, now: datetime) -> bool:
    with UnitOfWork(engine) as uow:
        taken = uow.session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == message_id, col(OutboxMessage.status) == "queued",
                   or_(OutboxMessage.next_attempt_at.is_(None),  # type: ignore[union-attr]
                       OutboxMessage.next_attempt_at <= now))  # type: ignore[operator]
            .values(next_attempt_at=now + LEASE))
        uow.commit()
        return bool(taken.rowcount)  # type: ignore[attr-defined]


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


def _record(engine: Engine, message_id: int, values: dict[str, Any]) -> None:
    with UnitOfWork(engine) as uow:
        uow.session.execute(update(OutboxMessage).where(col(OutboxMessage.id) == message_id).values(**values))
        uow.commit()


def deliver_message(engine: Engine, config: DeliveryConfig, message_id: int, *, now: datetime | None = None) -> str:
    """Try to deliver one message now if it is due and nobody else holds it; returns its status
    afterwards ("sent", "printed", "queued" for a retry, "failed"), or "" when it was not taken."""
    now = now or now_utc()
    if not _claim(engine, message_id, now):
        return ""
    with UnitOfWork(engine, write=False) as uow:
        attempts = uow.session.execute(select(OutboxMessage.attempts)
                                       .where(OutboxMessage.id == message_id)).scalar_one() + 1
    try:
        values = _deliver(_prepare(engine, message_id, config), config)
    except Exception as exc:  # any failure is recorded on the row; the message is never dropped
        final = attempts >= MAX_ATTEMPTS
        log.warning("outbox %s attempt %s failed: %s", message_id, attempts, exc)
        _record(engine, message_id, {
            "attempts": attempts, "last_error": f"{type(exc).__name__}: {exc}"[:2000],
            "status": "failed" if final else "queued",
            "next_attempt_at": None if final else now + retry_delay(attempts)})
        return "failed" if final else "queued"
    _record(engine, message_id, {**values, "attempts": attempts, "last_error": "", "next_attempt_at": None,
                                 "sent_at": now_utc()})
    return str(values["status"])


@dataclass
class DeliveryReport:
    statuses: dict[int, str] = field(default_factory=dict)  # message id -> status after the attempt

    def count(self, status: str) -> int:
        return sum(1 for value in self.statuses.values() if value == status)


def due_messages(engine: Engine, now: datetime, limit: int = 100) -> list[int]:
    with UnitOfWork(engine, write=False) as uow:
        return list(uow.session.execute(
            select(OutboxMessage.id).where(OutboxMessage.status == "queued",
                                           or_(OutboxMessage.next_attempt_at.is_(None),  # type: ignore[union-attr]
                                               OutboxMessage.next_attempt_at <= now))  # type: ignore[operator]
            .order_by(col(OutboxMessage.id)).limit(limit)).scalars())


def deliver_due(engine: Engine, config: DeliveryConfig, *, now: datetime | None = None,
                limit: int = 100) -> DeliveryReport:
    """Deliver every queued message whose time has come (for the worker, a CLI or a test)."""
    now = now or now_utc()
    report = DeliveryReport()
    for message_id in due_messages(engine, now, limit):
        status = deliver_message(engine, config, message_id, now=now)
        if status:
            report.statuses[message_id] = status
    return report


class DeliveryWorker:
    """A daemon thread: delivers messages handed to it at once, and every `interval` seconds
    whatever is due (retries, and mail queued by processes without a worker)."""

    def __init__(self, engine: Engine, config: DeliveryConfig, interval: float = WORKER_INTERVAL_S) -> None:
        self.engine, self.config, self.interval = engine, config, interval
        self._inbox: queue.Queue[int | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="outbox-delivery", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        if self._thread is not None:
            self._inbox.put(None)
            self._thread.join(timeout)
            self._thread = None

    def submit(self, message_id: int) -> None:
        self._inbox.put(message_id)

    def _loop(self) -> None:
        while True:
            try:
                item = self._inbox.get(timeout=self.interval)
            except queue.Empty:
                item = -1
            if item is None:
                return
            try:
                if item > 0:
                    deliver_message(self.engine, self.config, item)
                deliver_due(self.engine, self.config)
            except Exception:  # a database outage must not end the thread
                log.exception("outbox delivery pass failed; retrying in %s s", self.interval)


def after_commit_hook(engine: Engine, config: DeliveryConfig, worker: DeliveryWorker | None = None) -> Any:
    """A Ledger.after_commit hook: a message SendInvoice just queued is delivered at once, by
    the worker when it runs (the request does not wait for SMTP), else right here."""
    def hook(command: Any, result: Any) -> None:
        if not isinstance(command, SendInvoice) or not isinstance(result, OutboxMessage) or result.id is None:
            return
        if worker is not None and worker.running:
            worker.submit(result.id)
            return
        try:
            deliver_message(engine, config, result.id)
        except Exception:  # the command committed; the worker or deliver_due retries later
            log.exception("immediate delivery of outbox %s failed", result.id)
    return hook
