"""Domain events: what changed in the ledger, in the past tense, recorded in the transaction that changed it.

Every unit of work watches its session (`watch`): each Invoice, Client, Product or Payment row the
transaction inserts, changes or deletes becomes one event (InvoiceCreated, PaymentDeleted, ...), and an
invoice whose status becomes "paid" also InvoicePaid. The events are written to the `events` table by
`publish`, which the unit of work calls just before it commits, so they commit or roll back with the change:
no event without its change, no change without its event, whichever handler, dialect or background job
(the recurring scheduler) made it. Watching the session rather than having each handler name its events is
what makes the second half hold: a client created by an invoice, the payment marking an invoice paid and
the one dropped with it are changes too, and no handler can forget them.

An event some webhook of the account listens for carries the resource as the webhook dialect presents it
(the presenter the gateway installs), snapshotted here, and one delivery per such webhook is queued in the
same transaction; the worker sends them after commit (core/webhooks.py, over core/delivery.py).
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import partial
from typing import Any, Callable, ClassVar, Iterable

from sqlalchemy import event as sa_event
from sqlalchemy import inspect
from sqlmodel import Session, SQLModel

from core.models import Account, Client, EventRecord, Invoice, Payment, Product, Webhook, WebhookDelivery
from core.reader import Reader, new_record, placeholders
from core.storage import writes


@dataclass(frozen=True)
class Event:
    kind: ClassVar[str]
    account_id: int
    record_id: int

    @property
    def entity(self) -> str:
        return self.kind.split(":")[0]


class InvoiceCreated(Event):
    kind = "invoice:create"


class InvoiceUpdated(Event):
    kind = "invoice:update"


class InvoiceDeleted(Event):
    kind = "invoice:destroy"


class InvoicePaid(Event):
    kind = "invoice:paid"


class ClientCreated(Event):
    kind = "client:create"


class ClientUpdated(Event):
    kind = "client:update"


class ClientDeleted(Event):
    kind = "client:destroy"


class ProductCreated(Event):
    kind = "product:create"


class ProductUpdated(Event):
    kind = "product:update"


class ProductDeleted(Event):
    kind = "product:destroy"


class PaymentCreated(Event):
    kind = "payment:create"


class PaymentUpdated(Event):
    kind = "payment:update"


class PaymentDeleted(Event):
    kind = "payment:destroy"


EVENT_TYPES: dict[str, type[Event]] = {cls.kind: cls for cls in (
    InvoiceCreated, InvoiceUpdated, InvoiceDeleted, InvoicePaid, ClientCreated, ClientUpdated, ClientDeleted,
    ProductCreated, ProductUpdated, ProductDeleted, PaymentCreated, PaymentUpdated, PaymentDeleted)}
KINDS = tuple(EVENT_TYPES)
# The kinds the REST dialect's source API documents; the others are this gateway's extensions.
ORIGINAL_KINDS = tuple(f"{entity}:{action}" for entity in ("client", "invoice", "product")
                       for action in ("create", "update", "destroy"))
TRACKED: dict[type[SQLModel], str] = {Invoice: "invoice", Client: "client", Product: "product", Payment: "payment"}

# (entity, subject, account) -> the delivery body without api_token and locale: {"invoice": {...}, "deal": {...},
# "app_name": ...}. `subject` is what the entity's GET presents: an InvoiceView, a PaymentView, or the row.
# (entity, subject, account, session): the session of the change, for what the presenter reads beside the record.
Presenter = Callable[[str, Any, Account, Session], dict[str, Any]]
_presenter: list[Presenter] = []


def install_presenter(presenter: Presenter) -> None:
    """The gateway installs the webhook dialect's presenter (core names no dialect)."""
    _presenter[:] = [presenter]


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32).replace("-", "+").replace("_", "/") + "="


# --- watching a session -------------------------------------------------------------------------------

_PENDING = "events.pending"  # session.info: {(entity, id): [event, ...]} in the order they happened
_DELETED = "events.deleted"  # session.info: {(entity, id): subject} taken before the rows went
_QUEUED = "events.queued"  # session.info: delivery ids to hand to the worker after commit


def watch(session: Session) -> None:
    sa_event.listen(session, "before_flush", _before_flush)
    sa_event.listen(session, "after_flush", _after_flush)


def record(session: Session, event: Event) -> None:
    """An event of a change written without the ORM (core.storage.writes), which the flush hooks cannot see:
    pending exactly as `_after_flush` would have it, so `publish` writes it and its deliveries before commit."""
    seen = session.info.setdefault(_PENDING, {}).setdefault((event.entity, event.record_id), [])
    if not any(type(e) is type(event) for e in seen):
        seen.append(event)


def remember(session: Session, entity: str, account_id: int, record_id: int, load: Callable[[], Any]) -> None:
    """A handler about to delete a record's children first (an invoice's lines, a payment's allocations)
    keeps the whole record here when a webhook will want it, so the deletion's event shows it as it was."""
    kept = session.info.setdefault(_DELETED, {})
    if (entity, record_id) not in kept and _listened(session, account_id, f"{entity}:destroy"):
        kept[(entity, record_id)] = load()


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    for row in session.deleted:
        entity = TRACKED.get(type(row))
        if entity is not None:
            remember(session, entity, row.account_id, row.id, partial(_load, session, entity, row.account_id, row.id))


def _after_flush(session: Session, _context: Any) -> None:
    pending: dict[tuple[str, int], list[Event]] = session.info.setdefault(_PENDING, {})

    def add(row: Any, action: str) -> None:
        entity = TRACKED[type(row)]
        seen = pending.setdefault((entity, row.id), [])
        if action == "destroy" and any(e.kind.endswith(":create") for e in seen):
            seen.clear()  # created and deleted in one transaction: nothing happened outside it
            return
        if action == "update" and seen:
            return  # created or already updated in this transaction: one event says it
        seen.append(EVENT_TYPES[f"{entity}:{action}"](row.account_id, row.id))

    for row in session.new:
        if type(row) in TRACKED:
            add(row, "create")
            _paid(row, pending, new=True)
    for row in session.dirty:
        if type(row) in TRACKED and session.is_modified(row, include_collections=False):
            add(row, "update")
            _paid(row, pending, new=False)
    for row in session.deleted:
        if type(row) in TRACKED:
            add(row, "destroy")


def _paid(row: Any, pending: dict[tuple[str, int], list[Event]], *, new: bool) -> None:
    if not isinstance(row, Invoice) or row.status != "paid":
        return
    history = inspect(row).attrs.status.history
    if new or (history.added and "paid" not in (history.deleted or ())):
        seen = pending.setdefault(("invoice", row.id or 0), [])
        if not any(isinstance(e, InvoicePaid) for e in seen):
            seen.append(InvoicePaid(row.account_id, row.id or 0))


# --- publishing at commit -----------------------------------------------------------------------------

def _listened(session: Session, account_id: int, kind: str) -> bool:
    return kind in _subscriptions(session, (account_id,)).get(account_id, {})


_WEBHOOKS = "events.webhooks"  # session.info: account -> kind -> its active webhooks, this transaction's


def without_webhooks(session: Session, account_id: int) -> None:
    """The transaction has seen that the account has no active webhook (a create reads it with the account):
    its events need not read them again."""
    session.info.setdefault(_WEBHOOKS, {})[account_id] = {}


def _subscriptions(session: Session, account_ids: Iterable[int]) -> dict[int, dict[str, list[Webhook]]]:
    """account -> kind -> its active webhooks, read once per transaction (webhooks change rarely)."""
    cache: dict[int, dict[str, list[Webhook]]] = session.info.setdefault(_WEBHOOKS, {})
    missing = [a for a in set(account_ids) if a not in cache]
    if missing:
        # Plain records (core.reader): every write transaction asks, and the ORM query was a sixth of a create.
        rows = Reader(session.connection()).records(
            Webhook, f"webhooks.account_id IN ({placeholders(missing)}) AND webhooks.active = ?", (*missing, True),
            "webhooks.id")
        for account_id in missing:
            cache[account_id] = {}
        for hook in rows:
            cache[hook.account_id].setdefault(hook.kind, []).append(hook)
    return cache


def _load(session: Session, entity: str, account_id: int, record_id: int) -> Any:
    # Imported here: the handlers import the unit of work, which imports this module.
    from core.handlers.invoice_state import view_of
    from core.handlers.payments import payment_view
    with session.no_autoflush:
        if entity == "invoice":
            return view_of(session, account_id, record_id)
        if entity == "payment":
            return payment_view(session, account_id, record_id)
        return session.get({"client": Client, "product": Product}[entity], record_id)


def payload_of(session: Session, entity: str, account_id: int, record_id: int, subject: Any = None) -> dict[str, Any]:
    account = session.get(Account, account_id)
    if subject is None:
        subject = _load(session, entity, account_id, record_id)
    if not _presenter or account is None or subject is None:
        return {entity: {"id": record_id}}
    return _presenter[0](entity, subject, account, session)


def publish(session: Session) -> None:
    """Writes the transaction's events, and the deliveries of those a webhook listens for. Called by the
    unit of work before it commits; it flushes first, so every change made so far has its event."""
    session.flush()
    pending: dict[tuple[str, int], list[Event]] = session.info.pop(_PENDING, {})
    events = [e for seen in pending.values() for e in seen]
    if not events:
        return
    deleted: dict[tuple[str, int], Any] = session.info.pop(_DELETED, {})
    hooks = _subscriptions(session, (e.account_id for e in events))
    with session.no_autoflush:
        records: list[tuple[Any, list[Webhook]]] = []
        for item in events:
            listeners = hooks.get(item.account_id, {}).get(item.kind, [])
            payload = payload_of(session, item.entity, item.account_id, item.record_id,
                                 deleted.get((item.entity, item.record_id))) if listeners else {}
            records.append((new_record(EventRecord, account_id=item.account_id, kind=item.kind,
                                       entity=item.entity, record_id=item.record_id, payload=payload), listeners))
    # Plain rows in one INSERT: every write transaction pays for its events row (core.storage.writes).
    writes.insert_rows(session, EventRecord, [row for row, _listeners in records])
    queue_deliveries(session, records)


def queue_deliveries(session: Session, records: list[tuple[Any, list[Webhook]]]) -> list[int]:
    """One delivery per (event row, webhook); `records` are EventRecord rows or records of them."""
    rows = [new_record(WebhookDelivery, account_id=record.account_id, webhook_id=hook.id or 0,
                       event_id=record.id or 0, message_id=f"msg_{secrets.token_hex(12)}",
                       resource=f"{record.entity}:{record.record_id}")
            for record, hooks in records for hook in hooks]
    if not rows:
        return []
    ids = writes.insert_rows(session, WebhookDelivery, rows)
    send_after_commit(session, ids)
    return ids


def send_after_commit(session: Session, delivery_ids: list[int]) -> None:
    session.info.setdefault(_QUEUED, []).extend(delivery_ids)


def queued_after_commit(session: Session) -> list[int]:
    """The deliveries this transaction queued, for the unit of work to hand to the worker once committed."""
    queued: list[int] = session.info.pop(_QUEUED, [])
    return queued
