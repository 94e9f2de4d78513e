"""What a dialect's endpoint uses to reach the ledger without blocking the event loop."""
from __future__ import annotations

import asyncio
from typing import Any, Callable, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from core.documents.build import read_document
from core.documents.pdf import render_pdf
from core.documents.view import DocumentView
from core.ledger import Ledger
from dialects.kit import idempotency, ratelimit
from dialects.kit.auth import AccountContext, SlowCheckNeeded

T = TypeVar("T")


def ledger_of(request: Request) -> Ledger:
    return request.app.state.ledger  # type: ignore[no-any-return]


async def execute(request: Request, command: Any, *, unique: tuple[str, str, str] | None = None) -> Any:
    """Run a command in its own transaction, in the thread pool. A create carrying an Idempotency-Key
    (or a `unique` (scope, key, field) claim, e.g. InvoiceOcean's oid_unique) runs at most once: see
    dialects/kit/idempotency.py."""
    claims = await idempotency.claims_for(request, command, unique)
    if not claims:
        ledger = ledger_of(request)
        queued = ledger.submit(command)  # a create goes to the writer thread's queue from here (core.ledger)
        if queued is None:
            return await run_in_threadpool(ledger.execute, command)
        result = await asyncio.wrap_future(queued)
        ledger.committed(command, result)
        return result
    outcome = await run_in_threadpool(ledger_of(request).execute_once, command, claims)
    return await idempotency.settle(request, command, claims, outcome)


async def read(request: Request, query: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    return await run_in_threadpool(ledger_of(request).read, query, *args, **kwargs)


async def read_plain(request: Request, query: Callable[..., T], *args: Any, point: bool = False, **kwargs: Any) -> T:
    """query(reader, ...) with plain SQL (core.reader). A `point` read (a few rows by key, plain SQL only)
    on SQLite runs right here on the event loop: it takes tens of microseconds and WAL readers never wait
    for writers, while the hop to a worker thread and back cost more than the read. Anything else, and
    every read on PostgreSQL (a network round trip), goes to the thread pool."""
    ledger = ledger_of(request)
    if point:
        if ledger.engine.dialect.name == "sqlite":
            return ledger.read_point(query, *args, **kwargs)
        return await run_in_threadpool(ledger.read_point, query, *args, **kwargs)
    return await run_in_threadpool(ledger.read_plain, query, *args, **kwargs)


async def authenticate(request: Request, resolver: Callable[..., AccountContext | None],
                       *args: Any) -> AccountContext | None:
    """Resolve a credential with one of dialects.kit.auth's by_* functions; remember it on the request
    so the traffic log can attribute the request. Failures are rate-limited per credential identifier
    and per client address (dialects/kit/ratelimit.py): over the limit, RateLimited (429) is raised before
    the credential is even looked at."""
    limiter = ratelimit.limiter_of(request.app)
    address = ratelimit.client_address(request.scope.get("client"))
    identity = ratelimit.identity_of(resolver, args)
    limiter.check(address, identity)
    try:  # the lookup, and a password the cache already knows, without leaving the event loop (SQLite)
        context = await read_plain(request, resolver, *args, point=True, may_block=False)
    except SlowCheckNeeded:  # argon2 runs in the thread pool
        context = await run_in_threadpool(ledger_of(request).read_plain, resolver, *args)
    if context is None:
        limiter.failed(address, identity)
    else:
        request.state.auth = context
    return context


def endpoint_name(request: Request, name: str) -> None:
    """A stable name for the traffic log and metrics, e.g. "invoices.create" or "invo:invoices.list"."""
    request.state.endpoint = name


async def invoice_pdf(request: Request, account_id: int, invoice_id: int,
                      print_option: str = "original") -> tuple[DocumentView, bytes]:
    """An invoice's document and PDF: read in a short transaction, rendered in the thread pool
    after it, so neither the event loop nor a database connection waits on reportlab."""
    document = await read_plain(request, read_document, account_id, invoice_id, point=True)
    return document, await run_in_threadpool(render_pdf, document, print_option)
