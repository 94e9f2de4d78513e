"""What the app factory needs from a dialect. Adding a fourth dialect is a new folder under
dialects/ exposing DIALECT, plus one line in gateway.app.DIALECTS."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

# Gateway-level failures a dialect must be able to answer in its own format.
ERROR_KINDS = ("too_large", "not_found", "method_not_allowed", "internal", "rate_limited", "timeout")


@dataclass(frozen=True)
class Dialect:
    name: str
    routes: Callable[[], list[BaseRoute]]
    owns: Callable[[str], bool]  # does this request path belong to the dialect?
    error_response: Callable[[Request, int, str, str], Response]  # (request, status, kind, message)
