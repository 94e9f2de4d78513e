"""Credential resolution for the three schemes, producing an AccountContext.

Password checks are argon2id (deliberately slow), so a successful check is cached in memory
under a SHA-256 of the secret for a short while; a revoked credential is re-read from the
database on every request, so revocation takes effect at once.
"""
from __future__ import annotations

import base64
import hashlib
import threading
import time
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from core.models import Account, Credential, User
from core.security import token_digest, verify_password

CACHE_SECONDS = 300.0


@dataclass(frozen=True)
class AccountContext:
    account_id: int
    name: str
    prefix: str
    active: bool
    timezone: str
    profile: str
    user_id: int | None = None
    uid: int = 0
    credential_id: int | None = None


class _VerifiedCache:
    """(scheme, identity, sha256(secret)) -> expiry, for secrets that passed argon2 once."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str, str], float] = {}
        self._lock = threading.Lock()

    def hit(self, key: tuple[str, str, str]) -> bool:
        with self._lock:
            expiry = self._entries.get(key)
            return expiry is not None and expiry > time.monotonic()

    def remember(self, key: tuple[str, str, str]) -> None:
        with self._lock:
            if len(self._entries) > 10_000:
                self._entries.clear()
            self._entries[key] = time.monotonic() + CACHE_SECONDS


_verified = _VerifiedCache()


def _context(account: Account, user: User | None, credential: Credential | None) -> AccountContext:
    return AccountContext(account.id or 0, account.name, account.prefix, account.active, account.timezone,
                          account.profile, user.id if user else None, user.uid if user else 0,
                          credential.id if credential else None)


def split_prefixed_token(raw: str) -> tuple[str, str | None]:
    """TOKEN or TOKEN/prefix."""
    token, _, prefix = raw.strip().partition("/")
    return token, (prefix or None)


def by_api_token(session: Session, raw: str, host_prefix: str | None = None) -> AccountContext | None:
    token, token_prefix = split_prefixed_token(raw)
    if not token:
        return None
    credential = session.execute(select(Credential).where(
        Credential.kind == "api_token", Credential.key_id == token_digest(token),
        Credential.revoked_at.is_(None))).scalars().first()  # type: ignore[union-attr]
    if credential is None:
        return None
    account = session.get(Account, credential.account_id)
    if account is None:
        return None
    for prefix in (token_prefix, host_prefix):
        if prefix is not None and prefix != account.prefix:
            return None
    user = session.get(User, credential.user_id) if credential.user_id else None
    return _context(account, user, credential)


def _password_ok(scheme: str, identity: str, stored_hash: str, password: str) -> bool:
    """argon2 once, then the cache; the key covers the stored hash, so a changed password misses."""
    key = (scheme, identity, hashlib.sha256(f"{stored_hash}\0{password}".encode()).hexdigest())
    if _verified.hit(key):
        return True
    if not verify_password(stored_hash, password):
        return False
    _verified.remember(key)
    return True


def by_login(session: Session, login: str, password: str) -> AccountContext | None:
    user = session.execute(select(User).where(User.login == login)).scalars().first()
    if user is None or not _password_ok("login", login, user.password_hash, password):
        return None
    account = session.get(Account, user.account_id)
    return _context(account, user, None) if account is not None else None


def by_fakturan_key(session: Session, key_id: str, password: str) -> AccountContext | None:
    credential = session.execute(select(Credential).where(
        Credential.kind == "fakturan_key", Credential.key_id == key_id,
        Credential.revoked_at.is_(None))).scalars().first()  # type: ignore[union-attr]
    if credential is None or not _password_ok("fakturan", key_id, credential.secret_hash, password):
        return None
    account = session.get(Account, credential.account_id)
    user = session.get(User, credential.user_id) if credential.user_id else None
    return _context(account, user, credential) if account is not None else None


def parse_basic(header: str | None) -> tuple[str, str] | None:
    if not header or not header[:6].lower() == "basic ":
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None
