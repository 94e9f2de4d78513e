"""The ledger's front door: commands go to their handler in a unit of work; reads get a session.

    ledger = Ledger(engine)
    view = ledger.execute(CreateInvoice(...))
    views = ledger.read(list_invoices, account_id, InvoiceFilter(), Page())

Writes go through the storage's group committer where it has one (SQLite: core.storage.group_commit): the
calling thread blocks until the batch its write rode in is durable. Elsewhere each write is its own
transaction on a pooled connection.
"""
from __future__ import annotations

from concurrent.futures import Future
from functools import partial
from typing import Any, Callable, Sequence, TypeVar

from sqlalchemy import Engine

from core import commands as c
from core import idempotency, reader
from core.einvoice import service as ksef
from core.handlers import attachments, invoices, payments, records, sending, warehouse, webhooks
from core.storage import Batch, storage_for
from core.unit_of_work import UnitOfWork

T = TypeVar("T")
C = TypeVar("C")  # who a command is for, as a dialect's lookup finds them

HANDLERS: dict[type, Callable[[Any, UnitOfWork], Any]] = {
    c.CreateInvoice: invoices.create_invoice,
    c.UpdateInvoice: ksef.guarded(invoices.update_invoice),
    c.ChangeInvoiceStatus: invoices.change_status,
    c.CancelInvoice: invoices.cancel_invoice,
    c.DeleteInvoice: ksef.guarded(invoices.delete_invoice),
    c.SendInvoice: sending.send_invoice,
    c.RecordPayment: payments.record_payment,
    c.UpdatePayment: payments.update_payment,
    c.DeletePayment: payments.delete_payment,
    c.CreateRecord: records.create_record,
    c.UpdateRecord: records.update_record,
    c.DeleteRecord: records.delete_record,
    c.StoreAttachment: attachments.store_attachment,
    c.CreateWebhook: webhooks.create_webhook,
    c.UpdateWebhook: webhooks.update_webhook,
    c.DeleteWebhook: webhooks.delete_webhook,
    c.CreateWarehouseDocument: warehouse.create_document,
    c.UpdateWarehouseDocument: warehouse.update_document,
    c.DeleteWarehouseDocument: warehouse.delete_document,
    ksef.SendToKsef: ksef.send_to_ksef,
    ksef.SetKsefMode: ksef.set_mode,
}
HANDLERS[ksef.SaveAndSend] = ksef.save_and_send(HANDLERS)

# Commands whose handler writes plain values (core.storage.writes) and reaches for the ORM only on its rare
# paths: their unit of work starts without a Session (core.unit_of_work.PlainSession).
PLAIN: frozenset[type] = frozenset({c.CreateInvoice})


class Ledger:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.storage = storage_for(engine)  # the backend's ways, chosen once for every unit of work
        self.handlers = dict(HANDLERS)
        self.after_commit: list[Callable[[Any, Any], None]] = []  # e.g. deliver queued mail
        self._points = reader.PointReads(engine) if self.storage.point_reads else None
        self._committer = self.storage.committer(engine)

    def register(self, command_type: type, handler: Callable[[Any, UnitOfWork], Any]) -> None:
        self.handlers[command_type] = handler

    def close(self) -> None:
        """End the engine's writer thread now rather than after its idle time (the next write starts it)."""
        if self._committer is not None:
            self._committer.stop()
        if self._points is not None:
            self._points.close()

    def _in_write(self, work: Callable[[UnitOfWork], T], *, plain: bool = False) -> T:
        """work(uow) in a write unit of work: a job of the group committer, or a transaction of its own.
        `plain`: the work may run without a Session (core.unit_of_work.PlainSession), where it is a job."""
        if self._committer is None:
            with UnitOfWork(self.engine, write=True, storage=self.storage) as uow:
                return work(uow)
        return self._committer.run(partial(self._job, work, plain))

    def _job(self, work: Callable[[UnitOfWork], T], plain: bool, batch: Batch) -> T:
        with UnitOfWork(self.engine, write=True, storage=self.storage, batch=batch, plain=plain) as uow:
            return work(uow)

    def execute(self, command: Any) -> Any:
        handler = self.handlers[type(command)]
        result = self._in_write(partial(handler, command), plain=type(command) in PLAIN)
        self.committed(command, result)
        return result

    def submit(self, command: Any) -> Future[Any] | None:
        """execute() without blocking, where the command is plain and the storage has a writer thread: the
        command queued as that thread's job, and the future of its result, done once its batch is durable.
        None elsewhere (call execute() in a worker thread). The caller runs committed() on the result: a
        create answered from an event loop neither holds a worker thread for the batch it waits on nor waits
        for one to come free (the pool's 40 threads made 64 concurrent creates queue twice)."""
        if self._committer is None or type(command) not in PLAIN or self._committer.in_writer():
            return None
        return self._committer.submit(partial(self._job, partial(self.handlers[type(command)], command), True))

    def submit_signed(self, command_type: type, caller: Callable[[reader.Reader], C],
                      build: Callable[[C, reader.Reader], Any]) -> Future[tuple[C, Any, Any]] | None:
        """submit() for a command made for its caller: in the writer's job, caller(reader) looks the caller up in
        the job's own transaction and build(found, reader) makes the command (of `command_type`, reading what it
        needs on the same reader), which then runs. (found, command, result) once the batch is durable; an error
        of the lookup or of build fails the job before anything is written. None where submit() would be None
        for a command of that type.

        Why in the job: SQLite drops a connection's page cache whenever the database changed under it, so the
        event loop's point-read connection, looking a create's caller up right after the previous batch's
        commit, read the credential's pages again from the file: ~70 µs of a token-signed create's ~1 ms on
        the live server. The writer's connection made those changes itself, and its cache is warm."""
        if self._committer is None or command_type not in PLAIN or self._committer.in_writer():
            return None
        return self._committer.submit(partial(self._job, partial(self._signed, command_type, caller, build), True))

    def _signed(self, command_type: type, caller: Callable[[reader.Reader], C],
                build: Callable[[C, reader.Reader], Any], uow: UnitOfWork) -> tuple[C, Any, Any]:
        looking = reader.Reader(uow.session.connection())
        try:
            found = caller(looking)
            command = build(found, looking)
        finally:
            looking.close()
        if type(command) is not command_type:  # a plain unit of work was begun for that type's handler
            raise TypeError(f"built a {type(command).__name__}, not the {command_type.__name__} submitted")
        return found, command, self.handlers[command_type](command, uow)

    def committed(self, command: Any, result: Any) -> None:
        """The after-commit hooks of a command that execute() or submit() ran."""
        for hook in self.after_commit:
            hook(command, result)

    def execute_once(self, command: Any, claims: Sequence[idempotency.Claim]) -> idempotency.Done | idempotency.Replay:
        """execute(), at most once per claimed key: the keys are inserted in the command's transaction and
        tied to the record it creates. A live key for the same request answers Replay instead."""
        for _attempt in range(5):
            try:
                outcome = self._in_write(partial(self._claimed, command, claims), plain=type(command) in PLAIN)
            except idempotency.ClaimRace:
                continue  # a concurrent duplicate committed first: the next attempt finds its key
            if isinstance(outcome, idempotency.Done):
                self.committed(command, outcome.result)
            return outcome
        raise RuntimeError("idempotency key claim kept racing")

    def _claimed(self, command: Any, claims: Sequence[idempotency.Claim], uow: UnitOfWork
                 ) -> idempotency.Done | idempotency.Replay:
        claimed = idempotency.claim(uow.session, command, claims)
        if isinstance(claimed, idempotency.Replay):
            return claimed
        uow.defer_commit = True
        result = self.handlers[type(command)](command, uow)
        if not uow.commit_requested:
            raise RuntimeError(f"{type(command).__name__} did not commit")
        idempotency.bind(uow.session, claimed, idempotency.record_id_of(result))
        uow.defer_commit = False
        uow.commit()
        return idempotency.Done(result, tuple(row.id or 0 for row in claimed))

    def read(self, query: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        with UnitOfWork(self.engine, write=False, storage=self.storage) as uow:
            return query(uow.session, *args, **kwargs)

    def read_plain(self, query: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """query(reader, ...) in one read transaction, with plain SQL and no ORM session (core.reader): on
        SQLite on a pooled connection of its own, with no SQLAlchemy Connection and so plain SQL only
        (core.reader.PointReads)."""
        if self._points is not None:
            return self._points.pooled(query, *args, **kwargs)
        return reader.read_plain(self.engine, query, *args, storage=self.storage, **kwargs)

    def read_point(self, query: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """read_plain for a few rows by key, plain SQL only (no Core statements): on this thread's own
        connection where the storage has point reads (core.reader.PointReads), elsewhere as read_plain."""
        if self._points is None:
            return self.read_plain(query, *args, **kwargs)
        return self._points.run(query, *args, **kwargs)

    def write(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run work(session, ...) in a write transaction that commits when it returns."""
        def committed(uow: UnitOfWork) -> T:
            result = work(uow.session, *args, **kwargs)
            uow.commit()
            return result
        return self._in_write(committed)
