"""Keep the server's memory flat under sustained threaded load, and its garbage collector off what never dies.

Requests run their database work in anyio's worker threads (up to 40), which come and go with the
load. glibc gives each new thread a malloc arena of its own, up to 8 per core, and an arena's freed
memory mostly stays mapped, fragmented. A 2-minute soak measured it: RSS rose 113 -> 141 MiB while
Python objects (tracemalloc) and SQLite's heap stayed flat, and 15+ per-thread arenas held the growth;
with two arenas the same run stayed at 111 -> 112 MiB at the same throughput. Two arenas is the
usual setting for threaded Python servers (the GIL serialises most allocation anyway).
"""
from __future__ import annotations

import ctypes
import gc
import logging
import os
import threading
from typing import Callable

log = logging.getLogger(__name__)

M_ARENA_MAX = -8  # glibc <malloc.h>
DEFAULT_ARENAS = 2


def limit_malloc_arenas(arenas: int = DEFAULT_ARENAS) -> bool:
    """Cap glibc's malloc arenas, unless MALLOC_ARENA_MAX already says how many (glibc read it at
    start-up then). Call it before the worker threads start: arenas that exist stay. True when set;
    False on other C libraries (musl, macOS), where there is nothing to do."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return False
    try:
        if not os.confstr("CS_GNU_LIBC_VERSION"):
            return False
        mallopt = ctypes.CDLL(None).mallopt  # libc is already in the process; no library lookup
    except (AttributeError, OSError, ValueError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    done = mallopt(M_ARENA_MAX, arenas) == 1
    if not done:
        log.warning("mallopt(M_ARENA_MAX, %d) refused; memory may grow with thread churn", arenas)
    return done


class MallocTrimmer:
    """Hands freed heap pages back to the OS every `interval` seconds (glibc's malloc_trim). Requests
    free most of what they allocate, but the holes stay resident between live chunks: in a 3-minute
    soak the arenas' free space rose 1.5 -> 5 MiB with the memory in use flat, and RSS crept up by it.
    A trim takes well under 5 ms at this heap size. A no-op on other C libraries."""

    def __init__(self, interval: float = 30.0) -> None:
        self.interval = interval
        self._trim = _malloc_trim()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def trim(self) -> bool:
        """True when memory was released."""
        return bool(self._trim and self._trim(0))

    def start(self) -> None:
        if self._trim is not None and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="malloc-trim", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.trim()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        if not os.confstr("CS_GNU_LIBC_VERSION"):
            return None
        trim = ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError, ValueError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def freeze_startup_heap() -> int:
    """Move every object alive once the server has started (modules, classes, the models' metadata, compiled
    statements: ~170,000 of them) out of the cyclic collector's sight, for good; returns how many.

    Why: CPython's full (generation 2) collection walks every tracked object. Under a create load it ran
    about once a second and took ~80 ms each time on this heap, holding the GIL: 8 % of the server's CPU, and
    the requests it stalled were the create p99 at 64 connections (168 ms; 100-110 ms frozen). What is
    frozen is still freed by reference counting; only a reference cycle among frozen objects would never be
    collected, so the garbage is collected first, and the freeze happens once, at start-up, in the serving
    process only (gateway.asgi): a test process makes and drops apps all the time and keeps the collector
    whole. CPython's documentation suggests the same for pre-fork servers (gc.freeze)."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


# CPython collects its youngest generation whenever 700 more container objects have been made than freed, and
# walks whatever is alive then: under load, every request in flight. 64 connections of creates ran it ~150 times
# a second, the middle generation ~15 times and a full pass ~once: ~8 % of the server's CPU, with every thread
# stopped 10-30 ms at each full pass (measured with gc.callbacks in the served process). Requests make no
# reference cycles (tests/gateway/test_reference_cycles.py), so what they make is freed when they end and
# collecting rarely keeps nothing longer; the same run then spent ~1 % in the collector. Higher than this, each
# young collection walks so much more that one stalls 40-100 ms while lists are read.
SERVED_THRESHOLDS = (10_000, 10, 10)


def collect_young_less_often() -> tuple[int, int, int]:
    """The serving process's collector thresholds (see SERVED_THRESHOLDS); returns them. Tests keep CPython's."""
    gc.set_threshold(*SERVED_THRESHOLDS)
    return gc.get_threshold()
