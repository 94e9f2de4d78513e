"""GET /account.json (the caller's account) and POST /login.json (login and password -> prefix, url and an
API token). Accounts are opened in the CLI and the console only: public sign-up (POST /account.json) is not
this gateway's job.

/login.json names no account: logins are global. It signs in through dialects.kit.auth.by_login, under the
same failure throttling (dialects/kit/ratelimit.py), equal cost for unknown logins and one answer for every
failure, so neither its timing nor its text tells which logins exist.
"""
from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from core.accounts import issue_login_token
from core.models import Account, User
from dialects.invoiceocean.auth import API_TOKEN, BASE_DOMAINS, NOT_PREFIXES, _prefix_of, host_prefix
from dialects.invoiceocean.errors import DEACTIVATED, UNAUTHORIZED, ApiError
from dialects.invoiceocean.present import stamp
from dialects.invoiceocean.respond import Call, Reply, _base_url
from dialects.kit.auth import AccountContext, by_login
from dialects.kit.context import authenticate, ledger_of, read

# What /login.json reads the credentials from; the body names no account (and carries no api_token).
SIGN_IN = frozenset({"account.login"})
# The Call of a sign-in: no account until the body's credentials are checked (account id 0 is never stored).
ANONYMOUS = AccountContext(0, "", "", False, "UTC", "invoiceocean")


def account_url(call: Call, prefix: str) -> str:
    """https://PREFIX.host as the account's own address (the host prefix rule of auth.py reads it back);
    a base on a bare IP address has no subdomains, so there the base itself is the account's address."""
    configured = call.request.app.state.settings.public_base_url or ""
    base = (configured or _base_url(call.request.scope)).rstrip("/")
    parts = urlsplit(base)
    host = parts.hostname or ""
    try:
        ipaddress.ip_address(host)
        return base
    except ValueError:
        pass
    first, _, rest = host.partition(".")
    if (first in NOT_PREFIXES and rest in BASE_DOMAINS) or _prefix_of(host, configured) is not None:
        host = rest  # app.fakturownia.pl, or another account's acme.fakturownia.pl -> PREFIX.fakturownia.pl
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{prefix}.{host}{port}{parts.path}"


def _owner_view(session: Session, account_id: int, user_id: int | None) -> tuple[Any, Any]:
    return session.get(Account, account_id), session.get(User, user_id) if user_id is not None else None


def _person(user: Any) -> dict[str, Any]:
    return {"login": user.login if user else None, "email": user.email if user else None,
            "first_name": user.first_name if user else None, "last_name": user.last_name if user else None}


async def get_account(call: Call) -> Reply:
    """The account's own data and the user its credential belongs to; never a secret (tokens are stored as
    digests and cannot be shown)."""
    account, user = await read(call.request, _owner_view, call.account.account_id, call.account.user_id)
    return Reply(200, {"id": account.id, "name": account.name, "prefix": account.prefix,
                       "url": account_url(call, account.prefix), "lang": account.lang, "currency": account.currency,
                       "timezone": account.timezone, "active": account.active,
                       "created_at": stamp(account.created_at, call.audience), **_person(user)}, "account")


def _sign_in(session: Session, account_id: int, user_id: int) -> tuple[str, Any]:
    token = issue_login_token(session, API_TOKEN, account_id, user_id)
    return token, session.get(User, user_id)


async def login(call: Call) -> Reply:
    """README "Logowanie i pobranie danych przez API": {login, email, prefix, url, first_name, last_name,
    api_token}. api_token is a new token made for this sign-in (the README returns the user's token, which
    the gateway keeps only as a digest)."""
    given_login, password = (str(call.payload.get(key) or "") for key in ("login", "password"))
    context = await authenticate(call.request, by_login, given_login, password) \
        if given_login and password else None
    prefix = host_prefix(call.request)
    if context is None or context.user_id is None or (prefix is not None and prefix != context.prefix):
        raise ApiError(401, UNAUTHORIZED)
    if not context.active:
        raise ApiError(401, DEACTIVATED)
    token, user = await run_in_threadpool(ledger_of(call.request).write, _sign_in, context.account_id,
                                          context.user_id)
    person = _person(user)
    return Reply(200, {"login": person["login"], "email": person["email"], "prefix": context.prefix,
                       "url": account_url(call, context.prefix), "first_name": person["first_name"],
                       "last_name": person["last_name"], "api_token": token}, "hash")
