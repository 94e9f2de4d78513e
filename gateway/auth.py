"""Credential resolution for the three schemes, producing an AccountContext.

Password checks are argon2id (deliberately slow), so a successful check is cached in memory
under a SHA-256 of the secret for a short while; a revoked credential is re-read from the
database on every request, so revocation takes effect at once.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy import select
from sqlmodel import Session

from core.models import Account, Credential, User
from core.security import token_digest, verify_password
from gateway.logs import remember_secret

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
    """(scheme, identity) -> (sha256(secret), expiry), for secrets that passed argon2 once. The digest
    is compared with hmac.compare_digest, never with == or as a dict key, so timing tells nothing."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], tuple[str, float]] = {}
        self._lock = threading.Lock()
        # (scheme, identity) -> the lock its argon2 check runs under. When an entry expires, every request
        # then in flight for that login missed at once, and each ran argon2 (64 MiB apiece): a soak saw RSS
        # jump to 816 MiB with 61 threads and a 2 s stall at the 300 s expiry. One check per login at a time;
        # the others wait for it and then hit the cache.
        self._checks: dict[tuple[str, str], threading.Lock] = {}

    def hit(self, key: tuple[str, str, str]) -> bool:
        scheme, identity, digest = key
        with self._lock:
            entry = self._entries.get((scheme, identity))
        return entry is not None and entry[1] > time.monotonic() and hmac.compare_digest(entry[0], digest)

    def remember(self, key: tuple[str, str, str]) -> None:
        scheme, identity, digest = key
        with self._lock:
            if len(self._entries) > 10_000:
                self._entries.clear()
            self._entries[(scheme, identity)] = (digest, time.monotonic() + CACHE_SECONDS)

    def check_once(self, key: tuple[str, str, str], check: Callable[[], bool]) -> bool:
        """The cache, else `check()` (argon2) with at most one running per (scheme, identity)."""
        if self.hit(key):
            return True
        login = key[:2]
        with self._lock:
            gate = self._checks.setdefault(login, threading.Lock())
        with gate:
            try:
                if self.hit(key):  # a check that ran while we waited let it in
                    return True
                if not check():
                    return False
                self.remember(key)
                return True
            finally:
                with self._lock:
                    if self._checks.get(login) is gate:
                        del self._checks[login]  # waiters hold `gate` already; the dict stays small


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
    remember_secret(raw)  # wherever the dialect found it (body, XML, header), logs mask it
    token, token_prefix = split_prefixed_token(raw)
    if not token:
        return None
    # One statement for credential, account and user: this runs on every request (never cached, so
    # a revocation acts at once), and three round trips through the ORM were a third of a GET's time.
    found = session.execute(_with_account_and_user(Credential.kind == "api_token",
                                                   Credential.key_id == token_digest(token))).first()
    # Found by its SHA-256; confirmed in constant time all the same, so no comparison of a secret
    # (or of its digest) depends on where the first differing byte is.
    if found is None or not hmac.compare_digest(found[0].key_id, token_digest(token)):
        return None
    credential, account, user = found
    for prefix in (token_prefix, host_prefix):
        if prefix is not None and prefix != account.prefix:
            return None
    return _context(account, user, credential)


def _with_account_and_user(*where: Any) -> Any:
    """A live (unrevoked) credential with its account and, when it has one, its user."""
    return (select(Credential, Account, User).join(Account, Account.id == Credential.account_id)
            .outerjoin(User, User.id == Credential.user_id)
            .where(*where, Credential.revoked_at.is_(None)).limit(1))  # type: ignore[union-attr]


def _password_ok(scheme: str, identity: str, stored_hash: str, password: str) -> bool:
    """argon2 once, then the cache; the key covers the stored hash, so a changed password misses."""
    key = (scheme, identity, hashlib.sha256(f"{stored_hash}\0{password}".encode()).hexdigest())
    return _verified.check_once(key, lambda: verify_password(stored_hash, password))


def by_login(session: Session, login: str, password: str) -> AccountContext | None:
    remember_secret(password)
    found = session.execute(select(User, Account).join(Account, Account.id == User.account_id).where(
        User.login == login, User.revoked_at.is_(None)).limit(1)).first()  # type: ignore[union-attr]
    if found is None or not _password_ok("login", login, found[0].password_hash, password):
        return None
    user, account = found
    return _context(account, user, None)


def by_fakturan_key(session: Session, key_id: str, password: str) -> AccountContext | None:
    remember_secret(password)
    found = session.execute(_with_account_and_user(Credential.kind == "fakturan_key",
                                                   Credential.key_id == key_id)).first()
    if found is None or not _password_ok("fakturan", key_id, found[0].secret_hash, password):
        return None
    credential, account, user = found
    return _context(account, user, credential)


def parse_basic(header: str | None) -> tuple[str, str] | None:
    if not header or not header[:6].lower() == "basic ":
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None
