"""When a cached password check expires, the requests in flight for that login must not all run argon2
(64 MiB each) at once: one checks, the others wait and use its result (dialects/kit/auth.py)."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from dialects.kit.auth import _VerifiedCache


def _run_concurrently(cache: _VerifiedCache, keys: list[tuple[str, str, str]], answer: bool) -> tuple[list[bool], int]:
    calls, peak, running = [0], [0], [0]
    lock = threading.Lock()
    start = threading.Barrier(len(keys))

    def slow_check() -> bool:
        with lock:
            calls[0] += 1
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.05)  # as argon2 would
        with lock:
            running[0] -= 1
        return answer

    def request(key: tuple[str, str, str]) -> bool:
        start.wait()
        return cache.check_once(key, slow_check)

    with ThreadPoolExecutor(len(keys)) as pool:
        results = list(pool.map(request, keys))
    return results, calls[0] if answer else peak[0]


def test_concurrent_misses_for_one_login_run_the_password_check_once() -> None:
    cache = _VerifiedCache()
    results, checks = _run_concurrently(cache, [("basic", "anna", "d1")] * 12, answer=True)
    assert results == [True] * 12
    assert checks == 1


def test_a_wrong_password_is_refused_to_every_waiter_and_checked_one_at_a_time() -> None:
    cache = _VerifiedCache()
    results, peak = _run_concurrently(cache, [("basic", "anna", "wrong")] * 6, answer=False)
    assert results == [False] * 6
    assert peak == 1  # never two argon2 runs for one login at the same moment


def test_different_logins_are_checked_independently() -> None:
    cache = _VerifiedCache()
    results, checks = _run_concurrently(cache, [("basic", f"user{i}", "d") for i in range(4)], answer=True)
    assert results == [True] * 4
    assert checks == 4
    assert cache.hit(("basic", "user2", "d")) and not cache.hit(("basic", "user2", "other"))
