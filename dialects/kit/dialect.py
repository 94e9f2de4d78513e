"""What the gateway and core ask of a dialect: one record per dialect, registered by the composition root
(gateway/registry.py). Adding a fourth dialect is a new folder under dialects/ whose dialect.py exposes
DIALECT, plus one line in gateway.registry.DIALECTS; every gateway feature (routing, error pages, /docs,
/openapi, the console's charts, sign-in forms, Rosetta panes and translate choices, the CLI) loops over the
registry, and core learns the dialect's account profile and credential kinds from `register`."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import Scope

from core.registrations import CredentialKind, Profile, register_credential_kind, register_profile
from dialects.kit.auth import AccountContext
from dialects.kit.fields import FidelityColumn
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
    # How the console's sign-in page draws the form (the card's title and colour are the dialect's).
    identity_label: str = "Login"
    secret_label: str = "Password"
    secret_placeholder: str = ""
    note: str = ""  # a line under the fields, may hold <code>
    button: str = "Sign in"


@dataclass(frozen=True)
class RosettaPane:
    """One wire form of an invoice on the console's Rosetta page, made by the dialect's own presenter and
    renderer. `key` is also the pane's name in the fidelity table; `render(session, view, base_url)` gives the
    exact text the dialect sends (compact JSON is indented by the page without reparsing it)."""
    key: str
    title: str
    request: str  # what a client sends to read it; "{id}" stands for the invoice id
    render: Callable[[Any, Any, str], str]
    xml: bool = False  # its keys are elements (<buyer-name>), not JSON keys


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
    rosetta: tuple[RosettaPane, ...] = ()
    fidelity: FidelityColumn | None = None  # its column in the fidelity table (gateway/fidelity.py)
    # The defaults an account created with this dialect's profile starts with (`accounts create --profile`).
    profile: Profile | None = None
    # Its credential kinds, in the order the console and the CLI list them; the one marked main is issued
    # with every new account and its dialect's name stands for it.
    credential_kinds: tuple[CredentialKind, ...] = ()
    # What `accounts create` prints for its main credential: the secrets, then a command using them (base URL).
    try_it: Callable[[dict[str, str], str], tuple[str, ...]] | None = None
    # A generated Markdown reference: (render() -> text, write(path) -> path, default path), for `docs NAME`.
    reference: tuple[Callable[[], str], Callable[[Any], Any], Any] | None = None
    # (entity, subject, account, public base URL, the change's session) -> a webhook delivery's body without
    # api_token and locale:
    # the resource as this dialect's GET shows it. The gateway installs the first dialect that has one.
    webhook_payload: Callable[[str, Any, Any, str, Any], dict[str, Any]] | None = None


def register(dialects: Sequence[Dialect]) -> tuple[Dialect, ...]:
    """Tell core what these dialects bring (profiles, credential kinds), in their order. Idempotent."""
    for dialect in dialects:
        if dialect.profile is not None:
            register_profile(dialect.profile)
        for kind in dialect.credential_kinds:
            register_credential_kind(kind)
    return tuple(dialects)


def dialect_of(scope: Scope) -> Dialect | None:
    found: Dialect | None = scope.get(SCOPE_KEY)
    return found
