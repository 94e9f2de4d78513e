"""What the app factory needs from a dialect. Adding a fourth dialect is a new folder under
dialects/ whose dialect.py exposes DIALECT, plus one line in gateway.app.DIALECTS."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import Scope

# Gateway-level failures a dialect must be able to answer in its own format.
ERROR_KINDS = ("too_large", "not_found", "method_not_allowed", "internal", "rate_limited", "timeout")
# The ASGI scope key under which the gateway's middleware keeps the request's dialect (None: a gateway
# page), decided once from the path; the router, idempotency keys and error pages read it from there.
SCOPE_KEY = "gateway.dialect"


@dataclass(frozen=True)
class Dialect:
    name: str
    routes: Callable[[], list[BaseRoute]]
    owns: Callable[[str], bool]  # does this request path belong to the dialect?
    error_response: Callable[[Request, int, str, str], Response]  # (request, status, kind, message)


def dialect_of(scope: Scope) -> Dialect | None:
    return scope.get(SCOPE_KEY)  # type: ignore[no-any-return]
