"""The ledger's front door: commands go to their handler in a unit of work; reads get a session.

    ledger = Ledger(engine)
    view = ledger.execute(CreateInvoice(...))
    views = ledger.read(list_invoices, account_id, InvoiceFilter(), Page())
"""
from __future__ import annotations

from typing import Any, Callable, TypeVar

from sqlalchemy import Engine

from core import commands as c
from core.handlers import attachments, invoices, payments, records, sending
from core.unit_of_work import UnitOfWork

T = TypeVar("T")

HANDLERS: dict[type, Callable[[Any, UnitOfWork], Any]] = {
    c.CreateInvoice: invoices.create_invoice,
    c.UpdateInvoice: invoices.update_invoice,
    c.ChangeInvoiceStatus: invoices.change_status,
    c.CancelInvoice: invoices.cancel_invoice,
    c.DeleteInvoice: invoices.delete_invoice,
    c.SendInvoice: sending.send_invoice,
    c.RecordPayment: payments.record_payment,
    c.UpdatePayment: payments.update_payment,
    c.DeletePayment: payments.delete_payment,
    c.CreateRecord: records.create_record,
    c.UpdateRecord: records.update_record,
    c.DeleteRecord: records.delete_record,
    c.StoreAttachment: attachments.store_attachment,
}


class Ledger:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.handlers = dict(HANDLERS)
        self.after_commit: list[Callable[[Any, Any], None]] = []  # e.g. deliver queued mail

    def register(self, command_type: type, handler: Callable[[Any, UnitOfWork], Any]) -> None:
        self.handlers[command_type] = handler

    def execute(self, command: Any) -> Any:
        handler = self.handlers[type(command)]
        with UnitOfWork(self.engine, write=True) as uow:
            result = handler(command, uow)
        for hook in self.after_commit:
            hook(command, result)
        return result

    def read(self, query: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        with UnitOfWork(self.engine, write=False) as uow:
            return query(uow.session, *args, **kwargs)

    def write(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run work(session, ...) in a write transaction that commits when it returns."""
        with UnitOfWork(self.engine, write=True) as uow:
            result = work(uow.session, *args, **kwargs)
            uow.commit()
            return result
