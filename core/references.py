"""Every id a write stores is resolved within the writer's account, in the write's own transaction.

One guard for every handler and every dialect: the unit of work runs `check_flush` before each flush, so a
row can only be stored (created, or with a reference column changed) when each row it names belongs to its
own account. Another account's id and an unknown id get the same answer, Invalid(column, "not_found"), which
each dialect words as its own validation error: no account can pin another's record (so that the owner
could no longer delete it), nor probe which ids exist, nor meet a foreign-key error at autoflush (a 500).
Writes that bypass the ORM (the multi-row INSERT of invoice lines) call `check_rows` themselves.

REFERENCES is the one table of what names what: the schema's foreign keys, read from the metadata, plus
the references the schema does not enforce (LOGICAL: history keeps such an id after its row is deleted).
NOT_REFERENCES names every other `*_id` column and why it names no row of an account.
"""
from __future__ import annotations

import re
from collections import defaultdict
from itertools import chain
from typing import Any, Iterable, Mapping

from sqlalchemy import inspect
from sqlmodel import Session, SQLModel, select

from core.errors import FieldError, Invalid
from core.models import (
    BankAccount,
    Category,
    Client,
    DictionaryEntry,
    Invoice,
    InvoiceBankAccount,
    InvoiceLine,
    KsefDocument,
    Payment,
    PriceList,
    Product,
    Recurring,
    RecurringRun,
    Warehouse,
    WarehouseDocument,
)

LOGICAL: dict[tuple[type[SQLModel], str], type[SQLModel]] = {
    (Client, "price_list_id"): PriceList,
    (Client, "group_id"): DictionaryEntry,  # customer groups are dictionary entries
    (Payment, "client_id"): Client,
    (Invoice, "from_invoice_id"): Invoice,
    (Invoice, "invoice_id"): Invoice,
    (Invoice, "recurring_id"): Recurring,
    (InvoiceLine, "product_id"): Product,
    (InvoiceLine, "parent_id"): InvoiceLine,
    (InvoiceLine, "corrected_line_id"): InvoiceLine,
    (RecurringRun, "invoice_id"): Invoice,
    (InvoiceBankAccount, "bank_account_id"): BankAccount,  # the invoice keeps its copy after the account goes
    (Invoice, "category_id"): Category,
    (Invoice, "warehouse_id"): Warehouse,
    (Invoice, "warehouse_document_id"): WarehouseDocument,
    (Product, "category_id"): Category,
    (WarehouseDocument, "invoice_id"): Invoice,
    (KsefDocument, "invoice_id"): Invoice,  # kept after a demo-mode delete: KSeF keeps what it received
}

NOT_REFERENCES: dict[tuple[str, str], str] = {
    ("clients", "external_id"): "the client's id in the caller's own system, free text",
    ("credentials", "key_id"): "a credential's public identifier (a key id, a token digest)",
    ("traffic_log", "credential_id"): "written by the gateway from the authenticated request, never from input",
    ("traffic_log", "user_id"): "written by the gateway from the authenticated request, never from input",
    ("traffic_log", "request_id"): "the request id, a string",
    ("idempotency_keys", "record_id"): "the record a create made, written by the ledger itself",
    ("outbox", "invoice_id"): "written by the ledger with the invoice it sends, never from input",
    ("events", "record_id"): "the changed record, written by the ledger itself; kept after the record is deleted",
    ("webhook_deliveries", "message_id"): "the Standard Webhooks message id (msg_...), a string",
    ("ksef_documents", "gov_id"): "the KSeF number KSeF gave the document, a string",
    ("invoices", "invoice_template_id"): "the real service's print template number, stored as given",
}


def _models() -> dict[str, type[SQLModel]]:
    return {mapper.class_.__tablename__: mapper.class_ for mapper in SQLModel._sa_registry.mappers}


def _build() -> dict[type[SQLModel], dict[str, type[SQLModel]]]:
    by_table = _models()
    found: dict[type[SQLModel], dict[str, type[SQLModel]]] = defaultdict(dict)
    for model in by_table.values():
        for column in model.__table__.columns:  # type: ignore[attr-defined]
            for key in column.foreign_keys:
                if column.name != "account_id":  # the account comes from the credential, never from input
                    found[model][column.name] = by_table[key.column.table.name]
    for (model, column_name), target in LOGICAL.items():
        found[model][column_name] = target
    # Only rows that live in an account can be checked against one.
    return {model: columns for model, columns in found.items()
            if "account_id" in model.__table__.columns}  # type: ignore[attr-defined]


REFERENCES = _build()


def _entity(model: type[SQLModel]) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", " ", model.__name__).lower()


Wanted = dict[tuple[type[SQLModel], int], dict[Any, str]]  # (target, account) -> {id: the column naming it}


def resolved(session: Session, model: type[SQLModel], record_id: int, account_id: int) -> None:
    """A handler read this row and saw it is the account's (with a plain read, so the session does not hold
    it): the guard need not read it again."""
    session.info.setdefault(_RESOLVED, set()).add((model, record_id, account_id))


_RESOLVED = "references.resolved"


def _known(session: Session, target: type[SQLModel], record_id: Any, account_id: int) -> bool:
    """Already seen to be the account's in this transaction: loaded in the session, or resolved()."""
    if (target, record_id, account_id) in session.info.get(_RESOLVED, ()):
        return True
    held = session.identity_map.get(inspect(target).identity_key_from_primary_key((record_id,)))
    return held is not None and getattr(held, "account_id", None) == account_id


def _resolve(session: Session, wanted: Wanted) -> None:
    errors: list[FieldError] = []
    connection = session.connection()  # plain statements: no autoflush from inside a flush
    for (target, account_id), ids in wanted.items():
        table = target.__table__  # type: ignore[attr-defined]
        keys = [i for i in ids if isinstance(i, int) and not isinstance(i, bool)
                and not _known(session, target, i, account_id)]
        if len(keys) < len(ids):
            ids = {i: column for i, column in ids.items() if i in keys or not isinstance(i, int) or isinstance(i, bool)}
        present = set(connection.execute(select(table.c.id).where(
            table.c.id.in_(keys), table.c.account_id == account_id)).scalars()) if keys else set()
        errors += [FieldError(column, "not_found", f"no such {_entity(target)}", {"value": value})
                   for value, column in ids.items() if value not in present]
    if errors:
        raise Invalid(errors)


def check_rows(session: Session, model: type[SQLModel], account_id: int, rows: Iterable[Mapping[str, Any]]) -> None:
    """Rows about to be written without the ORM: each id they name must be the account's."""
    wanted: Wanted = defaultdict(dict)
    for column, target in REFERENCES.get(model, {}).items():
        for row in rows:
            if row.get(column) is not None:
                wanted[(target, account_id)].setdefault(row[column], column)
    _resolve(session, wanted)


def check_flush(session: Session, flush_context: Any = None, instances: Any = None) -> None:
    """before_flush: new rows, and changed references of loaded rows."""
    wanted: Wanted = defaultdict(dict)
    for record in chain(session.new, session.dirty):
        columns = REFERENCES.get(type(record))
        if not columns:
            continue
        state = inspect(record)
        for column, target in columns.items():
            value = getattr(record, column)
            if value is None or (not state.pending and not state.attrs[column].history.added):
                continue
            wanted[(target, record.account_id)].setdefault(value, column)
    if wanted:
        _resolve(session, wanted)


__all__ = ["LOGICAL", "NOT_REFERENCES", "REFERENCES", "check_flush", "check_rows", "resolved"]
