"""Failed-authentication limits: per credential identifier and per client address, sliding window.

Only failures are counted, so a client that signs in correctly is never slowed or even tracked. Once
an address, or an identifier (a login, a fakturan key id, an api_token's digest), has failed
`limit` times within `window` seconds, further attempts from it / for it are refused with 429 and
Retry-After *before* the credential is checked: no verdict leaks while refused, and no argon2 work is
spent on a guesser. The identifier limit stops a guesser spread over many addresses; the price is that
such a guesser can hold that one identifier refused for as long as it keeps failing (other
credentials, and every other address, are unaffected).

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

from gateway.http import Refused

MAX_TRACKED_KEYS = 50_000


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
        if self.limit <= 0:
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


class AuthLimiter:
    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.window = SlidingWindow(limit, window, clock)

    @staticmethod
    def keys(address: str, identity: str | None) -> list[str]:
        keys = [f"addr:{address}"]
        if identity:
            keys.append(f"id:{identity}")
        return keys

    def check(self, address: str, identity: str | None) -> None:
        """Raise RateLimited when the address or the identifier is over the limit."""
        wait = max(self.window.retry_after(key) for key in self.keys(address, identity))
        if wait > 0:
            raise RateLimited(max(1, math.ceil(wait)))

    def failed(self, address: str, identity: str | None) -> None:
        for key in self.keys(address, identity):
            self.window.fail(key)


def identity_of(resolver: Callable[..., Any], args: tuple[Any, ...]) -> str | None:
    """The credential identifier an attempt names: the login or the key id. An InvoiceOcean api_token is
    its own identifier (and its own secret), so it is keyed by a digest, never kept in clear; guessing
    tokens is then bounded by the address limit."""
    name = getattr(resolver, "__name__", "auth")
    if not args:
        return None
    if name in ("by_api_token", "by_fakturan_token"):
        token = str(args[0]).strip().partition("/")[0]
        return "token:" + hashlib.sha256(token.encode("utf-8")).hexdigest()
    scheme = {"by_login": "login", "by_fakturan_key": "fakturan"}.get(name, name)
    return f"{scheme}:{args[0]}"


def client_address(scope_client: tuple[str, int] | None) -> str:
    return scope_client[0] if scope_client else "unknown"


def limiter_of(app: Any) -> AuthLimiter:
    """One limiter per app (so per worker process), created from its settings on first use."""
    limiter = getattr(app.state, "auth_limiter", None)
    if limiter is None:
        settings = app.state.settings
        limiter = AuthLimiter(int(getattr(settings, "auth_fail_limit", 10)),
                              float(getattr(settings, "auth_fail_window", 60.0)))
        app.state.auth_limiter = limiter
    return limiter
