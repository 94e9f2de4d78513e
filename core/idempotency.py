"""Idempotency keys: a create runs at most once per (account, scope, key) while the key is live (24 hours).

The key row is inserted first thing in the create's own transaction, and learns the created record's id
before that transaction commits. So:

- a failed create rolls its key back with it: the caller may retry the same key with a corrected request;
- a concurrent duplicate waits on the unique constraint (PostgreSQL) or the writer lock (SQLite), then finds
  the winner's committed row and is answered from it; the command never runs twice;
- a key whose rendered response was never stored (the process died right after the commit, or the winner
  has not stored it yet) can still be answered: the caller re-renders the record (`reload`).

Core keeps no HTTP: a "response" is whatever JSON-able dict the caller stores with `store_response`.
A scope is an opaque string (the gateway uses the dialect's name; the REST dialect's oid_unique uses "oid").
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Sequence

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from core.clock import now_utc
from core.commands import CreateInvoice, CreateRecord, RecordPayment, StoreAttachment
from core.errors import Conflict, Invalid, NotFound
from core.handlers.invoice_state import InvoiceView, view_of
from core.handlers.payments import PaymentView, payment_view
from core.handlers.records import get_record
from core.models import Attachment, IdempotencyKey
from core.reader import Reader, new_record
from core.storage import writes

KEY_TTL = timedelta(hours=24)
# The commands that create a record; only these take a key.
CREATES: tuple[type, ...] = (CreateInvoice, CreateRecord, RecordPayment, StoreAttachment)


@dataclass(frozen=True)
class Claim:
    account_id: int
    scope: str
    key: str
    request_hash: str
    # False: a live duplicate is refused as `taken_field` "has already been taken" instead of replayed
    # (the REST dialect's documented oid_unique behaviour), as long as the record it created still exists.
    replay: bool = True
    taken_field: str = ""


@dataclass(frozen=True)
class Replay:
    """A live key for the same request: the stored response, or only the record when none was stored."""

    key_id: int
    record_id: int | None
    status: int
    response: dict[str, Any]


@dataclass(frozen=True)
class Done:
    result: Any
    key_ids: tuple[int, ...]  # the rows claimed, in the order of the claims


class KeyReused(Conflict):
    def __init__(self) -> None:
        super().__init__("idempotency_key_reused",
                         "this Idempotency-Key was already used for a different request")


class ClaimRace(Exception):
    """Another transaction inserted the same key first; run again and it will be found."""


def cutoff(now: datetime | None = None) -> datetime:
    return (now or now_utc()) - KEY_TTL


def unwrapped(command: Any) -> Any:
    """The create inside a command that wraps one (core.einvoice.service.SaveAndSend: save, then send)."""
    return getattr(command, "wrapped_create", command)


def is_create(command: Any) -> bool:
    return isinstance(unwrapped(command), CREATES)


def record_id_of(result: Any) -> int | None:
    if isinstance(result, InvoiceView):
        return result.invoice.id
    if isinstance(result, PaymentView):
        return result.payment.id
    return getattr(result, "id", None)


def reload(session: Session, command: Any, record_id: int) -> Any:
    """What the create command returned, read again: a replay without a stored response renders this."""
    command = unwrapped(command)
    if isinstance(command, CreateInvoice):
        return view_of(session, command.account_id, record_id)
    if isinstance(command, RecordPayment):
        return payment_view(session, command.account_id, record_id)
    if isinstance(command, CreateRecord):
        return get_record(session, command.entity, command.account_id, record_id)
    if isinstance(command, StoreAttachment):
        attachment = session.get(Attachment, record_id)
        if attachment is None or attachment.account_id != command.account_id:
            raise NotFound("attachment", record_id)
        return attachment
    raise TypeError(f"{type(command).__name__} is not a create")


def _live_row(session: Session, claim: Claim) -> Any:
    """The key's row as a plain record (core.reader): a claim builds no ORM instance, so an idempotent create
    stays a plain unit of work (core.unit_of_work.PlainSession)."""
    return Reader(session.connection()).record(
        IdempotencyKey, "idempotency_keys.account_id = ? AND idempotency_keys.dialect = ? AND "
        "idempotency_keys.key = ?", (claim.account_id, claim.scope, claim.key))


def claim(session: Session, command: Any, claims: Sequence[Claim]) -> Replay | list[Any]:
    """Replay (a live key for the same request), or the new rows (records), inserted in this transaction.
    Raises KeyReused for the same key with another request, Invalid for a live "taken" claim, and
    ClaimRace when a concurrent transaction committed the same key first."""
    expired_before = cutoff()
    found: list[tuple[Claim, Any]] = []
    for wanted in claims:
        row = _live_row(session, wanted)
        if row is not None:
            found.append((wanted, row))
    for wanted, row in found:  # replayable keys first: a replay of a request with an oid is a replay
        if not wanted.replay or row.created_at <= expired_before:
            continue
        if row.request_hash != wanted.request_hash:
            raise KeyReused()
        return Replay(row.id or 0, row.record_id, row.status, dict(row.response or {}))
    for wanted, row in found:
        if wanted.replay or row.created_at <= expired_before or not _record_exists(session, command, row):
            # expired, or its record is gone: the key is free again
            session.execute(delete(IdempotencyKey).where(col(IdempotencyKey.id) == row.id))
            continue
        raise Invalid.one(wanted.taken_field, "taken", "has already been taken", value=wanted.key)
    rows = [new_record(IdempotencyKey, account_id=c.account_id, dialect=c.scope, key=c.key,
                       request_hash=c.request_hash) for c in claims]
    session.flush()  # what the ORM holds (a replayed record's reload) is stored before the keys
    try:
        writes.insert_rows(session, IdempotencyKey, rows)
    except (IntegrityError, writes.integrity_error(session)) as exc:  # Core's (PostgreSQL), the driver's (SQLite)
        raise ClaimRace() from exc
    return rows


def _record_exists(session: Session, command: Any, row: Any) -> bool:
    if row.record_id is None:
        return True
    try:
        reload(session, command, row.record_id)
    except NotFound:
        return False
    return True


def bind(session: Session, rows: Sequence[Any], record_id: int | None) -> None:
    """Tie the claimed keys (records) to the record the command created, before the commit: one UPDATE."""
    for row in rows:
        row.record_id = record_id
    if rows:
        session.execute(update(IdempotencyKey).where(col(IdempotencyKey.id).in_([row.id for row in rows]))
                        .values(record_id=record_id))


def load(session: Session, key_id: int) -> IdempotencyKey | None:
    return session.get(IdempotencyKey, key_id)


def store_response(session: Session, key_id: int, status: int, response: dict[str, Any]) -> None:
    """Remember the rendered answer; the first one stored wins (a re-render never overwrites it)."""
    session.execute(update(IdempotencyKey).where(col(IdempotencyKey.id) == key_id, col(IdempotencyKey.status) == 0)
                    .values(status=status, response=response))


def prune_expired(session: Session, now: datetime | None = None) -> int:
    """Delete keys older than KEY_TTL; returns how many."""
    result = session.execute(delete(IdempotencyKey).where(col(IdempotencyKey.created_at) <= cutoff(now)))
    return int(getattr(result, "rowcount", 0) or 0)
