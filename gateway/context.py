"""What a dialect's endpoint uses to reach the ledger without blocking the event loop."""
from __future__ import annotations

from typing import Any, Callable, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from core.ledger import Ledger
from gateway.auth import AccountContext

T = TypeVar("T")


def ledger_of(request: Request) -> Ledger:
    return request.app.state.ledger  # type: ignore[no-any-return]


async def execute(request: Request, command: Any) -> Any:
    """Run a command in its own transaction, in the thread pool."""
    return await run_in_threadpool(ledger_of(request).execute, command)


async def read(request: Request, query: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    return await run_in_threadpool(ledger_of(request).read, query, *args, **kwargs)


async def authenticate(request: Request, resolver: Callable[..., AccountContext | None],
                       *args: Any) -> AccountContext | None:
    """Resolve a credential with one of gateway.auth's by_* functions; remember it on the request
    so the traffic log can attribute the request."""
    context = await read(request, resolver, *args)
    if context is not None:
        request.state.auth = context
    return context


def endpoint_name(request: Request, name: str) -> None:
    """A stable name for the traffic log and metrics, e.g. "invoices.create" or "invo:invoices.list"."""
    request.state.endpoint = name
