"""Credential resolution for the dialects' schemes, producing an AccountContext.

Password checks are argon2id (deliberately slow), so a successful check is cached in memory
under a SHA-256 of the secret for a short while; a revoked credential is re-read from the
database on every request, so revocation takes effect at once.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from core.reader import Reader
from core.security import hash_password, random_secret, token_digest, verify_password
from dialects.kit.request_secrets import remember_secret

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


class SlowCheckNeeded(Exception):
    """A password must go through argon2 (not cached yet), which must not run on the event loop."""


# The credential, its account and (when it has one) its user in one statement: this runs on every
# request (never cached, so a revocation acts at once). Plain SQL through core.reader: the ORM
# version of this lookup was a third of a GET's time.
_ACCOUNT_COLUMNS = "accounts.id, accounts.name, accounts.prefix, accounts.active, accounts.timezone, accounts.profile"
_CREDENTIAL_SQL = (f"SELECT credentials.id, credentials.key_id, credentials.secret_hash, users.id, users.uid, "
                   f"{_ACCOUNT_COLUMNS} FROM credentials JOIN accounts ON accounts.id = credentials.account_id "
                   "LEFT OUTER JOIN users ON users.id = credentials.user_id "
                   "WHERE credentials.kind = ? AND credentials.key_id = ? AND credentials.revoked_at IS NULL LIMIT 1")
_LOGIN_SQL = (f"SELECT users.id, users.uid, users.password_hash, {_ACCOUNT_COLUMNS} FROM users "
              "JOIN accounts ON accounts.id = users.account_id "
              "WHERE users.login = ? AND users.revoked_at IS NULL LIMIT 1")


def _context(account: Sequence[Any], user_id: int | None, uid: int | None,
             credential_id: int | None) -> AccountContext:
    account_id, name, prefix, active, timezone, profile = account
    return AccountContext(account_id, name, prefix, bool(active), timezone, profile, user_id,
                          uid if user_id is not None and uid is not None else 0, credential_id)


def split_prefixed_token(raw: str) -> tuple[str, str | None]:
    """TOKEN or TOKEN/prefix."""
    token, _, prefix = raw.strip().partition("/")
    return token, (prefix or None)


def _by_digest(reader: Reader, kind: str, token: str) -> AccountContext | None:
    """A token credential of `kind`, found by its SHA-256; confirmed in constant time all the same, so no
    comparison of a secret (or of its digest) depends on where the first differing byte is."""
    if not token:
        return None
    digest = token_digest(token)
    found = reader.execute(_CREDENTIAL_SQL, (kind, digest)).fetchone()
    if found is None or not hmac.compare_digest(found[1], digest):
        return None
    return _context(found[5:], found[3], found[4], found[0])


def by_api_token(reader: Reader, raw: str, host_prefix: str | None = None, *,
                 may_block: bool = True) -> AccountContext | None:
    remember_secret(raw)  # wherever the dialect found it (body, XML, header), logs mask it
    token, token_prefix = split_prefixed_token(raw)
    context = _by_digest(reader, "api_token", token)
    if context is None:
        return None
    for prefix in (token_prefix, host_prefix):
        if prefix is not None and prefix != context.prefix:
            return None
    return context


def _password_ok(scheme: str, identity: str, stored_hash: str, password: str, may_block: bool) -> bool:
    """argon2 once, then the cache; the key covers the stored hash, so a changed password misses.
    With may_block False a miss raises SlowCheckNeeded instead of running argon2 here."""
    key = (scheme, identity, hashlib.sha256(f"{stored_hash}\0{password}".encode()).hexdigest())
    if _verified.hit(key):
        return True
    if not may_block:
        raise SlowCheckNeeded(scheme)
    return _verified.check_once(key, lambda: verify_password(stored_hash, password))


@functools.cache
def _dummy_hash() -> str:
    return hash_password(random_secret(16))


def _no_such_identity(password: str, may_block: bool) -> None:
    """An unknown (or revoked) login or key id costs what a known one with a wrong password costs: argon2
    against a dummy hash, off the event loop. Timing then says nothing about which logins exist."""
    if not may_block:
        raise SlowCheckNeeded("unknown")
    verify_password(_dummy_hash(), password)


def by_login(reader: Reader, login: str, password: str, *, may_block: bool = True) -> AccountContext | None:
    remember_secret(password)
    found = reader.execute(_LOGIN_SQL, (login,)).fetchone()
    if found is None:
        _no_such_identity(password, may_block)
        return None
    if not _password_ok("login", login, found[2], password, may_block):
        return None
    return _context(found[3:], found[0], found[1], None)


def by_fakturan_key(reader: Reader, key_id: str, password: str, *, may_block: bool = True) -> AccountContext | None:
    remember_secret(password)
    found = reader.execute(_CREDENTIAL_SQL, ("fakturan_key", key_id)).fetchone()
    if found is None:
        _no_such_identity(password, may_block)
        return None
    if not _password_ok("fakturan", key_id, found[2], password, may_block):
        return None
    return _context(found[5:], found[3], found[4], found[0])


def by_fakturan_token(reader: Reader, token: str, *, may_block: bool = True) -> AccountContext | None:
    """fakturan's token form: found by its SHA-256 and confirmed in constant time, as API tokens are."""
    remember_secret(token)
    return _by_digest(reader, "fakturan_token", token)


def parse_token(header: str | None) -> str | None:
    """Rails' authenticate_with_http_token: `Token token="abc"` (what Faraday's token_auth sends), also
    `Bearer abc`; other `key=value` options after a comma are ignored."""
    scheme, _, rest = (header or "").strip().partition(" ")
    if scheme.lower() not in ("token", "bearer") or not rest.strip():
        return None
    first = rest.strip().split(",")[0].strip()
    key, sep, value = first.partition("=")
    if sep and key.strip() != "token":
        return None
    value = (value if sep else first).strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1].replace('\\"', '"')
    return value or None


def parse_basic(header: str | None) -> tuple[str, str] | None:
    if not header or not header[:6].lower() == "basic ":
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


class _Unknown(AccountContext):
    """Where a dialect's call holds its caller until the first read has signed it in
    (dialects.kit.context.read_signed): any use of it before then is a bug, and fails loudly."""

    def __getattribute__(self, name: str) -> Any:
        raise RuntimeError(f"the caller is not signed in yet (asked for {name}): read with read_signed first")


NOT_SIGNED_IN: AccountContext = _Unknown(0, "", "", False, "UTC", "")
