"""What the gateway asks of a dialect: one record per dialect, registered by the composition root
(gateway/registry.py). Adding a fourth dialect is a new folder under dialects/ whose dialect.py exposes
DIALECT, plus one line in gateway.registry.DIALECTS; every gateway feature (routing, error pages, /docs,
/openapi, the console's charts, sign-in forms and translate choices, the CLI) loops over the registry."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import Scope

from dialects.kit.auth import AccountContext
from dialects.kit.translate import Translator

# Gateway-level failures a dialect must be able to answer in its own format.
ERROR_KINDS = ("too_large", "not_found", "method_not_allowed", "internal", "rate_limited", "timeout")
# The ASGI scope key under which the gateway's middleware keeps the request's dialect (None: a gateway
# page), decided once from the path; the router, idempotency keys and error pages read it from there.
SCOPE_KEY = "gateway.dialect"


@dataclass(frozen=True)
class Endpoint:
    """One line of the /docs page."""
    method: str
    path: str
    summary: str
    status: str = "supported"


@dataclass
class DialectDocs:
    """A dialect's section of the /docs page."""
    name: str
    title: str
    auth: str
    document: str  # where its full description lives
    endpoints: list[Endpoint] = field(default_factory=list)
    not_built: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class SignInForm:
    """One way into the console: the form's `method` value, the resolver the dialect authenticates the same
    credential with (so a revoked credential fails in both places), and how (identity, secret) feed it."""
    method: str
    resolver: Callable[..., AccountContext | None]
    arguments: Callable[[str, str], tuple[str, ...]]
    credential_kind: str  # the signed-in reference is "<kind>-<id>"
    needs_identity: bool = True
    by_user: bool = False  # a user's own login: referenced by user id, the session bound to its password


@dataclass(frozen=True)
class Dialect:
    name: str
    routes: Callable[[], list[BaseRoute]]
    owns: Callable[[str], bool]  # does this request path belong to the dialect?
    error_response: Callable[[Request, int, str, str], Response]  # (request, status, kind, message)
    label: str  # as people know it: charts, legends, the console
    colour: str  # its colour in the console's charts and legends
    # Owns every path no other dialect claims (the root paths): asked last, and answers "/" to API clients.
    owns_root: bool = False
    docs: Callable[[str], DialectDocs] | None = None  # its /docs section, given its OpenAPI address ("" if none)
    openapi: Callable[[], dict[str, Any]] | None = None  # served at /openapi/{name}.json
    sign_in: tuple[SignInForm, ...] = ()
    # A request in this dialect, as `translate` and the console's translate form take it.
    request_fields: tuple[str, ...] = ("method", "path", "body")
    translator: Translator | None = None  # request -> command -> request, for `translate`
    # (entity, subject, account, public base URL) -> a webhook delivery's body without api_token and locale:
    # the resource as this dialect's GET shows it. The gateway installs the first dialect that has one.
    webhook_payload: Callable[[str, Any, Any, str], dict[str, Any]] | None = None


def dialect_of(scope: Scope) -> Dialect | None:
    found: Dialect | None = scope.get(SCOPE_KEY)
    return found
