"""Failed-authentication limits, sliding window, counted per (client address, credential identifier)
and per client address.

Only failures are counted, so a client that signs in correctly is never slowed or even tracked.
- One identifier (a login, a fakturan key id, an api_token's digest) failing `limit` times from one
  address within `window` seconds: further attempts *with that identifier from that address* get 429
  and Retry-After before the credential is checked (no verdict leaks while refused, no argon2 is spent).
  Nothing is keyed on the identifier alone: a stranger failing with someone's login from other addresses
  never locks that login out for its owner, and a stale token in a script never locks out the other
  credentials sent from the same address (NAT, a proxy, `make examples` run twice).
- One address failing `spray_limit` times (any identifiers) within the window: every attempt from it is
  refused. A sprayer needs at least spray_limit / limit identifiers to get there, which no honest
  client does. A guesser spread over many addresses is left to argon2's cost and the per-pair limit.

State is in process memory: each worker process counts on its own, so with --workers N the effective
limit is up to N times the setting. The number of tracked keys is bounded, so random identifiers cannot
grow it without limit.
"""
from __future__ import annotations

import hashlib
import math
import threading
import time
from collections import OrderedDict, deque
from typing import Any, Callable

from dialects.kit.http import Refused

MAX_TRACKED_KEYS = 50_000
SPRAY_FACTOR = 5  # the per-address limit, when not configured: this many identifiers' worth of failures


class RateLimited(Refused):
    def __init__(self, retry_after: int) -> None:
        super().__init__(429, "rate_limited", "too many failed authentication attempts",
                         {"Retry-After": str(retry_after)})
        self.retry_after = retry_after


class SlidingWindow:
    """key -> the times of its recent failures; a key is over the limit with `limit` failures inside
    the last `window` seconds."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, key: str) -> float:
        """Seconds until `key` may try again; 0 when it may now."""
        if self.limit <= 0 or key not in self._failures:
            # No recent failure of this key: the answer for nearly every request, without the lock (a dict
            # lookup is atomic; a failure recorded at this very moment is seen by the next attempt).
            return 0.0
        now = self.clock()
        with self._lock:
            times = self._failures.get(key)
            if times is None:
                return 0.0
            while times and times[0] <= now - self.window:
                times.popleft()
            if not times:
                del self._failures[key]
                return 0.0
            if len(times) < self.limit:
                return 0.0
            return times[-self.limit] + self.window - now  # when the oldest failure that counts expires

    def tracks(self, key: str) -> bool:
        """Whether `key` has failures on record (expired ones perhaps, not yet swept)."""
        return key in self._failures

    def fail(self, key: str) -> None:
        if self.limit <= 0:
            return
        now = self.clock()
        with self._lock:
            times = self._failures.pop(key, None) or deque(maxlen=self.limit)
            times.append(now)
            self._failures[key] = times  # most recently failed last
            while len(self._failures) > MAX_TRACKED_KEYS:
                self._failures.popitem(last=False)


class TokenIdentity:
    """An api_token as the limiter keys it: "token:" and its SHA-256, worked out the first time the limiter
    needs the key, which is only when its address has failures on record (or fails now). A request signing
    in with a good token from a clean address hashes nothing here; the clear token is dropped once hashed,
    and never printed."""

    __slots__ = ("_token", "_key")

    def __init__(self, token: str) -> None:
        self._token: str | None = token
        self._key: str | None = None

    def __str__(self) -> str:
        if self._key is None:
            assert self._token is not None
            self._key = "token:" + hashlib.sha256(self._token.encode("utf-8")).hexdigest()
            self._token = None
        return self._key

    def __eq__(self, other: object) -> bool:
        if isinstance(other, TokenIdentity):
            other = str(other)
        return str(self) == other if isinstance(other, str) else NotImplemented

    def __hash__(self) -> int:
        return hash(str(self))

    def __repr__(self) -> str:
        return "TokenIdentity(<sha256 of a token>)"


# What an attempt names: a login or key id as "scheme:value", a token as its TokenIdentity, or nothing.
Identity = str | TokenIdentity | None


class AuthLimiter:
    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic,
                 spray_limit: int | None = None) -> None:
        self.pairs = SlidingWindow(limit, window, clock)
        self.addresses = SlidingWindow(limit * SPRAY_FACTOR if spray_limit is None else spray_limit, window, clock)

    @staticmethod
    def _pair(address: str, identity: Identity) -> str:
        return f"{address}\0{'' if identity is None else str(identity)}"

    def check(self, address: str, identity: Identity) -> None:
        """Raise RateLimited when this identifier from this address, or this address, is over its limit."""
        wait = self.addresses.retry_after(address)
        # Every failure of a pair is a failure of its address too, recorded after it, so a pair's failures
        # expire no later than its address's and are evicted no later (one MAX_TRACKED_KEYS for both, and the
        # address window has no more keys than the pair window): an address with none on record has no pair
        # with any, and the pair's key (a token's digest) need not be made. The address window counts
        # nothing when its limit is off.
        if self.pairs.limit > 0 and (self.addresses.limit <= 0 or self.addresses.tracks(address)):
            wait = max(wait, self.pairs.retry_after(self._pair(address, identity)))
        if wait > 0:
            raise RateLimited(max(1, math.ceil(wait)))

    def failed(self, address: str, identity: Identity) -> None:
        self.pairs.fail(self._pair(address, identity))
        self.addresses.fail(address)


def identity_of(resolver: Callable[..., Any], args: tuple[Any, ...]) -> Identity:
    """The credential identifier an attempt names: the login or the key id. An InvoiceOcean api_token is
    its own identifier (and its own secret), so it is keyed by a digest, never kept in clear; guessing
    tokens is then bounded by the address limit. The digest is made when the limiter needs it
    (TokenIdentity), not on every request."""
    name = getattr(resolver, "__name__", "auth")
    if not args:
        return None
    if name in ("by_api_token", "by_fakturan_token"):
        return TokenIdentity(str(args[0]).strip().partition("/")[0])
    scheme = {"by_login": "login", "by_fakturan_key": "fakturan"}.get(name, name)
    return f"{scheme}:{args[0]}"


def client_address(scope_client: tuple[str, int] | None) -> str:
    return scope_client[0] if scope_client else "unknown"


def limiter_of(app: Any) -> AuthLimiter:
    """One limiter per app (so per worker process), created from its settings on first use."""
    limiter = getattr(app.state, "auth_limiter", None)
    if limiter is None:
        settings = app.state.settings
        limiter = AuthLimiter(settings.auth_fail_limit, settings.auth_fail_window,
                              spray_limit=settings.auth_spray_limit)
        app.state.auth_limiter = limiter
    return limiter
