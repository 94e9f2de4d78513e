"""The KSeF send queue: `ksef_outbox` rows, the KSeF channel of the shared delivery machinery (core/delivery.py:
the lease, the retries, the one worker that also carries mail and webhooks).

A transport that raises (KSeF unreachable) is retried with backoff, 30 s and doubling up to an hour; after
MAX_ATTEMPTS the row is given up and the document gets server_error, in the transaction that marks the row
failed. KSeF's own answer (accepted, refused, server error) is final, as in Fakturownia, which does not resend
a server_error by itself: the row is then "done" (accepted) or "failed" (anything else).
"""
from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from core import delivery
from core.clock import now_utc
from core.delivery import Channel, DeliveryWorker, GiveUp, RetryPolicy
from core.einvoice.rules import bare_tax_no
from core.einvoice.service import FINAL_OK, SaveAndSend, SendToKsef, status
from core.einvoice.transport import Outcome, Submission, Transport
from core.handlers.invoice_state import InvoiceView
from core.models import Invoice, KsefDocument, KsefSend
from core.unit_of_work import UnitOfWork

CHANNEL = "ksef"
MAX_ATTEMPTS = 5
POLICY = RetryPolicy(timedelta(seconds=30), timedelta(hours=1), max_attempts=MAX_ATTEMPTS)
# Longer than one send through the real API can take: two status polls of up to 60 tries each (sign-in, UPO)
# a second apart, plus the calls between them.
LEASE = timedelta(minutes=10)
PROCESSING = ("processing", "demo_processing")


def _submission(engine: Engine, send_id: int) -> tuple[Submission | None, int, str]:
    """What to hand KSeF for the send, its document's id and status. No submission when the document is not
    waiting for this send any more: an earlier attempt settled it, and the process ended before the row was
    recorded (KSeF takes a document once, so it is not sent again)."""
    with UnitOfWork(engine, write=False) as uow:
        send = uow.session.get(KsefSend, send_id)
        document = uow.session.get(KsefDocument, send.document_id) if send is not None else None
        invoice = uow.session.get(Invoice, document.invoice_id) if document is not None else None
        if document is None or invoice is None:
            raise GiveUp(f"the document of KSeF send {send_id} no longer exists")
        if document.status not in PROCESSING:
            return None, document.id or 0, document.status
        return Submission(environment=document.mode, seller_nip=bare_tax_no(invoice.seller_tax_no, ""),
                          invoice_number=invoice.number, xml=document.xml.encode("utf-8"),
                          xml_hash=document.xml_hash, offline=document.offline), document.id or 0, document.status


def _settle(engine: Engine, document_id: int, outcome: Outcome) -> None:
    """Writes KSeF's answer on the document."""
    now = now_utc()
    with UnitOfWork(engine) as uow:
        document = uow.session.get(KsefDocument, document_id)
        if document is None:
            raise GiveUp(f"KSeF document {document_id} no longer exists")
        if outcome.accepted:
            document.status = status(document.mode, "ok")
            document.gov_id, document.upo = outcome.ksef_number, outcome.upo
            document.send_date, document.error_messages = outcome.received_at or now, []
        else:
            document.status = status(document.mode, "server_error" if outcome.server_error else
                                     "not_connected" if outcome.not_connected else "send_error")
            document.error_messages = [outcome.error]
        document.reference, document.updated_at = outcome.reference, now
        uow.commit()


def _send(transport: Transport, engine: Engine, send_id: int) -> dict[str, Any]:
    """One attempt: hands the document to the transport (which raises when KSeF cannot be reached: the
    machinery retries) and writes KSeF's answer on the document."""
    submission, document_id, settled = _submission(engine, send_id)
    if submission is None:
        return {"status": "done" if settled in FINAL_OK else "failed"}
    outcome = transport.send(submission)
    _settle(engine, document_id, outcome)
    return {"status": "done" if outcome.accepted else "failed"}


def _server_error(session: Session, send_id: int, error: str) -> None:
    """A send given up after its last attempt: the document says server_error, with the last error."""
    send = session.get(KsefSend, send_id)
    document = session.get(KsefDocument, send.document_id) if send is not None else None
    if document is None or document.status not in PROCESSING:
        return
    document.status, document.error_messages = status(document.mode, "server_error"), [error]
    document.updated_at = now_utc()


def ksef_channel(transport: Transport) -> Channel:
    return Channel(CHANNEL, KsefSend, POLICY, partial(_send, transport), lease=LEASE, given_up=_server_error)


def queued_sends(engine: Engine, invoice_id: int) -> list[int]:
    """The invoice's sends waiting in the queue (one, right after SendToKsef or SaveAndSend queued it)."""
    with UnitOfWork(engine, write=False) as uow:
        return list(uow.session.execute(
            select(KsefSend.id).join(KsefDocument, col(KsefDocument.id) == col(KsefSend.document_id))
            .where(col(KsefDocument.invoice_id) == invoice_id, col(KsefSend.status) == "queued")
            .order_by(col(KsefSend.id))).scalars())


def after_commit_hook(engine: Engine, channel: Channel, worker: DeliveryWorker | None = None) -> Any:
    """A Ledger.after_commit hook: a send just queued goes out at once, by the worker when it runs."""
    def hook(command: Any, result: Any) -> None:
        if isinstance(command, (SaveAndSend, SendToKsef)) and isinstance(result, InvoiceView) and result.invoice.id:
            delivery.hand_over(engine, channel, queued_sends(engine, result.invoice.id), worker)
    return hook
