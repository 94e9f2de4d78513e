"""The KSeF send queue: `ksef_outbox` rows, drained by a worker thread through a transport.

Kept apart from the mail outbox on purpose (a small table and one loop), so that it can be folded into a
shared delivery machinery later. A transport that raises (KSeF unreachable) is retried with backoff; after
MAX_ATTEMPTS the document gets server_error. KSeF's own answer (accepted, refused, server error) is final,
as in Fakturownia, which does not resend a server_error by itself.
"""
from __future__ import annotations

import logging
import queue as queues
import threading
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, or_
from sqlmodel import col, select

from core.clock import now_utc
from core.einvoice.service import SaveAndSend, SendToKsef, status
from core.einvoice.transport import Outcome, Submission, Transport
from core.models import Invoice, KsefDocument, KsefSend
from core.unit_of_work import UnitOfWork

log = logging.getLogger("gateway.ksef")
MAX_ATTEMPTS = 5
WORKER_INTERVAL_S = 5.0


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))


def due(engine: Engine, now: datetime, limit: int = 50) -> list[int]:
    with UnitOfWork(engine, write=False) as uow:
        when = col(KsefSend.next_attempt_at)
        return list(uow.session.execute(
            select(KsefSend.id).where(KsefSend.status == "queued", or_(when.is_(None), when <= now))
            .order_by(col(KsefSend.id)).limit(limit)).scalars())


def _submission(engine: Engine, send_id: int) -> tuple[Submission, str] | None:
    with UnitOfWork(engine, write=False) as uow:
        send = uow.session.get(KsefSend, send_id)
        if send is None or send.status != "queued":
            return None
        document = uow.session.get(KsefDocument, send.document_id)
        invoice = uow.session.get(Invoice, document.invoice_id) if document is not None else None
        if document is None or invoice is None:
            return None
        from core.einvoice.rules import bare_tax_no
        return Submission(environment=document.mode, seller_nip=bare_tax_no(invoice.seller_tax_no, ""),
                          invoice_number=invoice.number, xml=document.xml.encode("utf-8"),
                          xml_hash=document.xml_hash, offline=document.offline), document.mode


def _record(engine: Engine, send_id: int, outcome: Outcome | None, error: str = "", *, now: datetime) -> str:
    with UnitOfWork(engine, write=True) as uow:
        send = uow.session.get(KsefSend, send_id)
        if send is None:
            return ""
        document = uow.session.get(KsefDocument, send.document_id)
        assert document is not None
        send.attempts += 1
        if outcome is None:  # the transport failed: retry, then give up as a server error
            send.last_error = error[:2000]
            if send.attempts < MAX_ATTEMPTS:
                send.next_attempt_at = now + retry_delay(send.attempts)
                uow.commit()
                return "queued"
            send.status, document.status = "failed", status(document.mode, "server_error")
            document.error_messages = [error[:2000]]
        elif outcome.accepted:
            send.status = "done"
            document.status = status(document.mode, "ok")
            document.gov_id, document.upo = outcome.ksef_number, outcome.upo
            document.send_date, document.error_messages = outcome.received_at or now, []
        else:
            send.status = "failed"
            document.status = status(document.mode, "server_error" if outcome.server_error else
                                     "not_connected" if outcome.not_connected else "send_error")
            document.error_messages = [outcome.error]
        if outcome is not None:
            document.reference = outcome.reference
        document.updated_at = now
        uow.commit()
        return send.status


def send_one(engine: Engine, transport: Transport, send_id: int, *, now: datetime | None = None) -> str:
    prepared = _submission(engine, send_id)
    if prepared is None:
        return ""
    submission, _mode = prepared
    try:
        outcome: Outcome | None = transport.send(submission)
        error = ""
    except Exception as exc:  # an unreachable KSeF is the queue's to retry, not the worker's end
        log.warning("KSeF send %s through %s failed: %s", send_id, transport.name, exc)
        outcome, error = None, f"{type(exc).__name__}: {exc}"
    return _record(engine, send_id, outcome, error, now=now or now_utc())


def send_due(engine: Engine, transport: Transport, *, now: datetime | None = None) -> dict[int, str]:
    now = now or now_utc()
    return {send_id: send_one(engine, transport, send_id, now=now) for send_id in due(engine, now)}


class KsefWorker:
    """A daemon thread: sends at once what a request just queued, and every `interval` seconds what is due."""

    def __init__(self, engine: Engine, transport: Transport, interval: float = WORKER_INTERVAL_S) -> None:
        self.engine, self.transport, self.interval = engine, transport, interval
        self._inbox: queues.Queue[bool] = queues.Queue()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="ksef-outbox", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        if self._thread is not None:
            self._inbox.put(False)
            self._thread.join(timeout)
            self._thread = None

    def poke(self) -> None:
        self._inbox.put(True)

    def _loop(self) -> None:
        while True:
            try:
                keep_going = self._inbox.get(timeout=self.interval)
            except queues.Empty:
                keep_going = True
            if not keep_going:
                return
            try:
                send_due(self.engine, self.transport)
            except Exception:  # a database outage must not end the thread
                log.exception("KSeF send pass failed; retrying in %s s", self.interval)


def after_commit_hook(engine: Engine, transport: Transport, worker: KsefWorker | None = None) -> Any:
    """A Ledger.after_commit hook: a send just queued goes out at once, by the worker when it runs."""
    def hook(command: Any, result: Any) -> None:
        if not isinstance(command, (SaveAndSend, SendToKsef)):
            return
        if worker is not None and worker.running:
            worker.poke()
            return
        try:
            send_due(engine, transport)
        except Exception:  # the command committed; the next pass retries
            log.exception("immediate KSeF send failed")
    return hook
