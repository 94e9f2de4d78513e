"""Who is calling: api_token (query, body, <api-token>, Bearer; TOKEN or TOKEN/prefix) or HTTP Basic
with the account user's login, checked against the host prefix when the host carries one.

Host prefix rule: the host is X-Forwarded-Host (first value) or Host, without the port. It carries a
prefix only when it is exactly one label in front of a known base domain: "localhost", "testserver",
the InvoiceOcean/Fakturownia/VosFactures domains, or the host of settings.public_base_url. So
acme.localhost and acme.invoiceocean.com name the account "acme"; localhost, 127.0.0.1,
gateway.internal.example and app.fakturownia.pl (the vendor's cross-account host) name none.
A deactivated account answers 401 like a bad token, with its own message.
"""
from __future__ import annotations

import functools
import ipaddress
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request

from core.registrations import CredentialKind
from dialects.invoiceocean.errors import DEACTIVATED, UNAUTHORIZED, ApiError
from dialects.kit.auth import AccountContext, by_api_token, by_login, parse_basic
from dialects.kit.context import present, signed_in

# The dialect's credential: registered through its Dialect record; the sign-in call issues more of the kind.
API_TOKEN = CredentialKind("api_token", "invoiceocean", "token", "InvoiceOcean API token", main=True,
                           token_bytes=24, secret_name="api_token", with_prefix=True)

BASE_DOMAINS = ("localhost", "testserver", "invoiceocean.com", "fakturownia.pl", "vosfactures.fr")
NOT_PREFIXES = frozenset({"www", "app", "api"})


def request_host(request: Request) -> str:
    forwarded = request.headers.get("x-forwarded-host", "")
    host = forwarded.split(",")[0].strip() or request.headers.get("host", "")
    if host.startswith("["):  # [::1]:8000
        return host[1:].partition("]")[0].lower()
    return host.rsplit(":", 1)[0].lower() if host.count(":") == 1 else host.lower()


def host_prefix(request: Request) -> str | None:
    return _prefix_of(request_host(request), request.app.state.settings.public_base_url or "")


@functools.lru_cache(maxsize=1024)
def _prefix_of(host: str, public_base_url: str) -> str | None:
    """The account prefix a Host names (acme.invoiceocean.com -> acme); cached, as a client sends the
    same Host on every request."""
    try:
        ipaddress.ip_address(host)
        return None
    except ValueError:
        pass
    bases = list(BASE_DOMAINS)
    configured = urlsplit(public_base_url).hostname
    if configured:
        bases.append(configured.lower())
    for base in bases:
        if host.endswith("." + base):
            label = host[: -len(base) - 1]
            if label and "." not in label and label not in NOT_PREFIXES:
                return label
    return None


def _token(request: Request, payload: dict[str, Any]) -> str | None:
    for raw in (request.query_params.get("api_token"), payload.get("api_token")):
        if raw not in (None, ""):
            return str(raw)
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return None


def present_credential(request: Request, payload: dict[str, Any]) -> None:
    """The request's api_token or Basic login, to be looked up by its first read (dialects.kit.context);
    401 at once when it carries neither."""
    token = _token(request, payload)
    if token is not None:
        present(request, by_api_token, token, host_prefix(request), verdict=_accepted)
        return
    basic = parse_basic(request.headers.get("authorization"))
    if basic is None:
        raise ApiError(401, UNAUTHORIZED)
    present(request, by_login, *basic, verdict=functools.partial(_accepted, prefix=host_prefix(request)))


def _accepted(context: AccountContext | None, prefix: str | None = None) -> AccountContext:
    """A token names its prefix itself (by_api_token checks it); a login is the host prefix's account's."""
    if context is None or (prefix is not None and prefix != context.prefix):
        raise ApiError(401, UNAUTHORIZED)
    if not context.active:
        raise ApiError(401, DEACTIVATED)
    return context


async def account_for(request: Request, payload: dict[str, Any]) -> AccountContext:
    present_credential(request, payload)
    return await signed_in(request)
