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
from core.reader import Reader
from dialects.kit import idempotency, ratelimit
from dialects.kit.auth import AccountContext, SlowCheckNeeded

T = TypeVar("T")
# A dialect's answer to what a credential's lookup found: the context it lets in, or its own refusal raised
# (a 401 in its format). Pure: it may run on the event loop or in the thread that read.
Verdict = Callable[[AccountContext | None], AccountContext]


def ledger_of(request: Request) -> Ledger:
    return request.app.state.ledger  # type: ignore[no-any-return]


async def execute(request: Request, command: Any, *, unique: tuple[str, str, str] | None = None) -> Any:
    """Run a command in its own transaction, in the thread pool. A create carrying an Idempotency-Key
    (or a `unique` (scope, key, field) claim, e.g. InvoiceOcean's oid_unique) runs at most once: see
    dialects/kit/idempotency.py."""
    await ensure_signed_in(request)
    claims = await idempotency.claims_for(request, command, unique)
    if not claims:
        ledger = ledger_of(request)
        queued = ledger.submit(command)  # a create goes to the writer thread's queue from here (core.ledger)
        if queued is None:
            return await run_in_threadpool(ledger.execute, command)
        try:
            result = await asyncio.wrap_future(queued)
        finally:
            del queued  # a refused write's error is held by the future and holds this frame: no cycle (_in_pool)
        ledger.committed(command, result)
        return result
    outcome = await run_in_threadpool(ledger_of(request).execute_once, command, claims)
    return await idempotency.settle(request, command, claims, outcome)


async def execute_signed(request: Request, command_type: type,
                         build: Callable[[AccountContext, Reader | None], Any], *, reads: bool = False,
                         unique: tuple[str, str, str] | None = None) -> tuple[AccountContext, Any]:
    """(caller, result): build(caller, reader), a command of `command_type` for the caller the presented
    credential (`present`) names, executed. Where the ledger queues such a command for its writer thread and the
    write claims no idempotency key, the credential is looked up, and build reads what it reads, in the write's
    own job (core.ledger.Ledger.submit_signed): no read before the write, on a connection whose page cache the
    last commit did not drop. Otherwise, and when the credential's password must go through argon2
    (SlowCheckNeeded: never in the writer, which every create waits on), the caller is signed in first, in one
    read with build's reads where it `reads` (read_signed; a build that reads nothing gets None for a reader),
    then the command executed. A refused credential is the verdict's own error either way, and nothing is
    written; so is an error build raises."""
    sign_in = _pending(request)
    if sign_in is not None and unique is None and not idempotency.carries_key(request.scope):
        pending = sign_in
        ledger = ledger_of(request)
        queued = ledger.submit_signed(command_type, lambda reader: pending.resolve(reader, False), build)
        if queued is not None:
            try:
                account, command, result = await asyncio.wrap_future(queued)
            except SlowCheckNeeded:
                pass  # nothing was looked up or written: argon2 in the pool, then the command as ever
            else:
                ledger.committed(command, result)
                return account, result
            finally:
                del queued  # a refused write's error is held by the future and holds this frame: no cycle
                pending.attribute(request)
    if reads:
        account, command = await read_signed(request, lambda reader, caller: build(caller, reader), point=True)
    else:
        account = await signed_in(request)
        command = build(account, None)
    return account, await execute(request, command, unique=unique)


async def read(request: Request, query: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    await ensure_signed_in(request)
    return await run_in_threadpool(ledger_of(request).read, query, *args, **kwargs)


async def read_plain(request: Request, query: Callable[..., T], *args: Any, point: bool = False, **kwargs: Any) -> T:
    """query(reader, ...) with plain SQL (core.reader). A `point` read (a few rows by key, plain SQL only)
    on SQLite runs right here on the event loop: it takes tens of microseconds and WAL readers never wait
    for writers, while the hop to a worker thread and back cost more than the read. Anything else, and
    every read on PostgreSQL (a network round trip), goes to the thread pool."""
    await ensure_signed_in(request)
    return await _run(request, lambda reader, _may_block: query(reader, *args, **kwargs), point=point)


async def authenticate(request: Request, resolver: Callable[..., AccountContext | None],
                       *args: Any) -> AccountContext | None:
    """Resolve a credential with one of dialects.kit.auth's by_* functions, on its own read; remember it on
    the request so the traffic log can attribute the request. Failures are rate-limited per credential
    identifier and per client address (dialects/kit/ratelimit.py): over the limit, RateLimited (429) is
    raised before the credential is even looked at. A get or a list signs in with `present` instead, in
    its own read's transaction."""
    sign_in = SignIn(request, resolver, args, _as_found)
    found = await _looked_up(request, sign_in, sign_in.resolve, point=True)
    return None if found is _NOBODY else found


class SignIn:
    """A credential a request presented, looked up in the transaction of the request's first read: a get or
    a list signs in and reads in one BEGIN..ROLLBACK, which is one hop to the thread pool on PostgreSQL and
    none for a point read on SQLite (a sign-in on its own read and then the query on another cost two).
    `verdict` is the dialect's answer to what the lookup found. The rate limiter is asked when the
    credential is presented, and told of a failure when it is looked up, as `authenticate` does."""

    def __init__(self, request: Request, resolver: Callable[..., AccountContext | None], args: tuple[Any, ...],
                 verdict: Verdict) -> None:
        # Nothing of the request is kept here: the request's state holds this SignIn, and a reference back
        # (to the state, the scope or the request) would make every request a reference cycle, left for the
        # cyclic collector to find instead of freed when the request ends (gateway/memory.py).
        self.resolver, self.args, self.verdict = resolver, args, verdict
        self.limiter = ratelimit.limiter_of(request.app)
        self.address = ratelimit.client_address(request.scope.get("client"))
        self.identity = ratelimit.identity_of(resolver, args)
        self.limiter.check(self.address, self.identity)
        self.looked_up = False
        self.found: AccountContext | None = None

    def resolve(self, reader: Reader, may_block: bool = True) -> AccountContext:
        """The verdict on the credential, looked up in `reader`'s transaction the first time. With may_block
        False a password argon2 must check raises SlowCheckNeeded, before anything is recorded."""
        if not self.looked_up:
            found = self.resolver(reader, *self.args, may_block=may_block)
            self.looked_up, self.found = True, found
            if found is None:
                self.limiter.failed(self.address, self.identity)
        return self.verdict(self.found)

    def attribute(self, request: Request) -> None:
        """Name the caller found, if any, on the request, for the traffic log (gateway.middleware), whatever
        the verdict then made of it (_looked_up, once the lookup has run or failed)."""
        if self.found is not None:
            request.scope.setdefault("state", {})["auth"] = self.found


_NOBODY = AccountContext(0, "", "", False, "UTC", "")


def _as_found(context: AccountContext | None) -> AccountContext:
    """authenticate's verdict: whatever was found, for its caller to judge (_NOBODY stands for nothing)."""
    return _NOBODY if context is None else context


def present(request: Request, resolver: Callable[..., AccountContext | None], *args: Any, verdict: Verdict) -> None:
    """The request's credential, to be looked up by its first read (`read_signed`, or `signed_in` when the
    endpoint needs the caller before reading). RateLimited (429) is raised here, before any read."""
    request.state.sign_in = SignIn(request, resolver, args, verdict)


def _pending(request: Request) -> SignIn | None:
    sign_in: SignIn | None = request.scope.get("state", {}).get("sign_in")
    return None if sign_in is None or sign_in.looked_up else sign_in


async def ensure_signed_in(request: Request) -> None:
    """Look up a credential presented and not looked up yet, on its own read (the verdict's refusal raised):
    nothing reaches the ledger for a request whose caller is unknown, whatever the endpoint does first."""
    if _pending(request) is not None:
        await signed_in(request)


async def signed_in(request: Request) -> AccountContext:
    """The caller the presented credential names, by the dialect's verdict (looked up once per request)."""
    sign_in: SignIn | None = request.scope.get("state", {}).get("sign_in")
    if sign_in is None:
        raise RuntimeError("no credential was presented for this request (dialects.kit.context.present)")
    if sign_in.looked_up:
        return sign_in.verdict(sign_in.found)
    return await _looked_up(request, sign_in, sign_in.resolve, point=True)


async def read_signed(request: Request, query: Callable[..., T], *args: Any,
                      point: bool = False) -> tuple[AccountContext, T]:
    """(caller, query(reader, caller, ...)): the presented credential looked up and judged in the query's
    own transaction, then the query, when the verdict lets the caller in. `point` as in read_plain."""
    sign_in = _pending(request)
    if sign_in is None:
        account = await signed_in(request)
        return account, await read_plain(request, query, account, *args, point=point)
    pending = sign_in

    def signed_and_read(reader: Reader, may_block: bool = True) -> tuple[AccountContext, T]:
        account = pending.resolve(reader, may_block)
        return account, query(reader, account, *args)
    return await _looked_up(request, pending, signed_and_read, point=point)


async def _looked_up(request: Request, sign_in: SignIn, work: Callable[[Reader, bool], T], *, point: bool) -> T:
    """_run(work), work being or including sign_in's lookup; the caller it found named on the request after."""
    try:
        return await _run(request, work, point=point)
    finally:
        sign_in.attribute(request)


async def _run(request: Request, work: Callable[[Reader, bool], T], *, point: bool) -> T:
    """work(reader, may_block) in one read transaction: a point read on SQLite on the event loop, and again
    in the thread pool when a password must go through argon2 (SlowCheckNeeded, raised before anything
    else is read); everything else in the thread pool, argon2 included. The one place that decides where a
    read runs (read_plain, authenticate, signed_in and read_signed all come here)."""
    ledger = ledger_of(request)
    if point and ledger.engine.dialect.name == "sqlite":
        try:
            return ledger.read_point(work, False)
        except SlowCheckNeeded:
            return await _in_pool(ledger.read_plain, work, True)
    return await _in_pool(ledger.read_point if point else ledger.read_plain, work, True)


class _Raised:
    __slots__ = ("error",)

    def __init__(self, error: Exception) -> None:
        self.error = error


def _caught(call: Callable[..., T], *args: Any) -> T | _Raised:
    try:
        return call(*args)
    except Exception as exc:
        return _Raised(exc)


async def _in_pool(call: Callable[..., T], *args: Any) -> T:
    """call(*args) in the thread pool; what it raises is raised here. It comes back across the pool as a value,
    not raised through it: the pool's future keeps an exception raised in a worker, and the frame awaiting that
    future is in the exception's traceback, so every refused credential or missing invoice read there left a
    reference cycle of the read's frames for the collector (gateway/memory.py)."""
    outcome = await run_in_threadpool(_caught, call, *args)
    if type(outcome) is not _Raised:
        return outcome  # type: ignore[return-value]
    error = outcome.error
    del outcome
    try:
        raise error
    finally:
        del error  # this frame is in the traceback too


def endpoint_name(request: Request, name: str) -> None:
    """A stable name for the traffic log and metrics, e.g. "invoices.create" or "invo:invoices.list"."""
    request.state.endpoint = name


async def invoice_pdf(request: Request, account_id: int, invoice_id: int,
                      print_option: str = "original") -> tuple[DocumentView, bytes]:
    """An invoice's document and PDF: read in a short transaction, rendered in the thread pool
    after it, so neither the event loop nor a database connection waits on reportlab."""
    document = await read_plain(request, read_document, account_id, invoice_id, point=True)
    return document, await run_in_threadpool(render_pdf, document, print_option)
