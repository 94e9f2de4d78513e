"""The console's cookie session and CSRF protection.

The cookie holds a signed (itsdangerous, HMAC-SHA1 over the console secret), timestamped dict:
the account, the credential the person signed in with, a fingerprint of that credential's
secret and a CSRF token. Nothing in it is secret except the CSRF token, which only the page
itself reads back. Every request re-reads the credential, so revoking it (or rotating an INVO
password, which changes the fingerprint) ends its sessions at once; no server-side session store.

CSRF: every POST form carries `csrf_token`, every JSON API POST the `X-CSRF-Token` header; both
are compared in constant time with the token in the signed cookie. The sign-in form has one too
(an anonymous session), so nobody can sign a browser into their own account behind its back.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response

from core.credentials import CredentialRef, get_credential
from core.errors import DomainError
from core.models import Account, User
from gateway.settings import Settings

log = logging.getLogger("gateway.console")

COOKIE = "gw_console"
COOKIE_PATH = "/console"
MAX_AGE_SECONDS = 12 * 3600
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


def console_secret(settings: Settings) -> str:
    """GATEWAY_CONSOLE_SECRET, else GATEWAY_SECRET_KEY, else a random secret made once and kept in
    GATEWAY_CONSOLE_SECRET_FILE (var/console-secret), mode 0600."""
    if settings.console_secret:
        return settings.console_secret
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.console_secret_file)
    try:
        existing = path.read_text().strip()
        if existing:
            return existing
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = secrets.token_urlsafe(48)
    try:  # O_EXCL: when several workers start at once, the first file wins and the rest read it
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip() or fresh
    with os.fdopen(fd, "w") as handle:
        handle.write(fresh)
    log.info("generated a console session secret in %s", path)
    return fresh


def serializer(request: Request) -> URLSafeTimedSerializer:
    state = request.app.state
    if getattr(state, "console_serializer", None) is None:
        state.console_serializer = URLSafeTimedSerializer(console_secret(state.settings), salt="console-session")
    return state.console_serializer


def read_cookie(request: Request) -> dict[str, Any]:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return {}
    try:
        data = serializer(request).loads(raw, max_age=MAX_AGE_SECONDS)
    except BadSignature:  # includes expiry
        return {}
    return data if isinstance(data, dict) else {}


def write_cookie(request: Request, response: Response, data: dict[str, Any]) -> None:
    response.set_cookie(COOKIE, serializer(request).dumps(data), max_age=MAX_AGE_SECONDS, path=COOKIE_PATH,
                        httponly=True, samesite="lax", secure=request.url.scheme == "https")


def clear_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE, path=COOKIE_PATH)


def new_csrf() -> str:
    return secrets.token_urlsafe(32)


def csrf_ok(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))


def fingerprint(password_hash: str) -> str:
    """Changes when an INVO login's password is rotated, which ends sessions opened with the old one."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:24]


@dataclass(frozen=True)
class Signed:
    """The person at the console: their account and the credential they signed in with."""

    account_id: int
    account_name: str
    prefix: str
    timezone: str
    profile: str
    ref: str
    dialect: str
    identity: str


def resolve(session: Session, data: dict[str, Any]) -> Signed | None:
    """The signed-in account for a cookie's data, or None when the credential is revoked, rotated
    or gone, or the account is deactivated."""
    try:
        account_id, ref, fp = int(data["aid"]), CredentialRef.parse(data["ref"]), str(data.get("fp", ""))
        info = get_credential(session, account_id, ref)
    except (KeyError, TypeError, ValueError, DomainError):
        return None
    account = session.get(Account, account_id)
    if account is None or not account.active or not info.active:
        return None
    if ref.kind == "invo_login":
        user = session.get(User, ref.id)
        if user is None or not hmac.compare_digest(fingerprint(user.password_hash), fp):
            return None
    return Signed(account_id, account.name, account.prefix, account.timezone, account.profile, str(ref),
                  info.dialect, info.identity)
