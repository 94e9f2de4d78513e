"""The server caps glibc's malloc arenas, so worker-thread churn cannot grow its memory (gateway/memory.py).

Each check runs in a fresh interpreter: the cap only applies to arenas made after it is set, and a
test process has threads and arenas of its own already."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import Any

import pytest

from gateway.memory import SERVED_THRESHOLDS

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux") or not os.confstr("CS_GNU_LIBC_VERSION"),
                                reason="malloc arenas are a glibc matter")

# Starts 12 threads that allocate at the same time (1 KiB objects: past pymalloc, so glibc's malloc),
# then prints how many arenas glibc reports in malloc_info().
ARENAS_AFTER_THREADS = textwrap.dedent("""
    import ctypes, os, sys, tempfile, threading
    {setup}
    barrier = threading.Barrier(12)
    def work():
        barrier.wait()
        kept = [bytearray(1024) for _ in range(2000)]
        barrier.wait()
        del kept
    threads = [threading.Thread(target=work) for _ in range(12)]
    for t in threads: t.start()
    for t in threads: t.join()
    libc = ctypes.CDLL(None)
    libc.fopen.restype = ctypes.c_void_p
    libc.fopen.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
    libc.fclose.argtypes = [ctypes.c_void_p]
    path = tempfile.mktemp()
    f = libc.fopen(path.encode(), b"w")
    libc.malloc_info(0, f)
    libc.fclose(f)
    print(open(path).read().count("<heap nr="))
    os.unlink(path)
""")


def _arenas(setup: str, env: dict[str, str] | None = None) -> int:
    clean = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    done = subprocess.run([sys.executable, "-c", ARENAS_AFTER_THREADS.format(setup=setup)],
                          capture_output=True, text=True, timeout=60, env={**clean, **(env or {})},
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    return int(done.stdout.strip())


def test_concurrent_threads_share_two_malloc_arenas_once_the_cap_is_set() -> None:
    capped = _arenas("from gateway.memory import limit_malloc_arenas; assert limit_malloc_arenas()")
    uncapped = _arenas("")
    assert capped <= 2
    assert uncapped > capped  # the scenario does make glibc open more arenas without the cap


def test_an_explicit_malloc_arena_max_is_left_to_glibc() -> None:
    setup = "from gateway.memory import limit_malloc_arenas; assert not limit_malloc_arenas()"
    assert _arenas(setup, {"MALLOC_ARENA_MAX": "3"}) <= 3


def test_the_asgi_entry_point_sets_the_cap(tmp_path: Path) -> None:
    # what `invoice-gateway serve` (and `uvicorn gateway.asgi:app`) import in each worker process
    env = {"GATEWAY_DATABASE_URL": f"sqlite:///{tmp_path / 'gateway.sqlite3'}"}
    assert _arenas("import gateway.asgi", env) <= 2


RSS_AFTER_FREEING = textwrap.dedent("""
    import threading
    from gateway.memory import MallocTrimmer
    def rss():
        return int(next(l for l in open("/proc/self/status") if l.startswith("VmRSS")).split()[1])
    def churn():  # in a worker thread, as requests run: 64 MiB in 8 KiB chunks, every other one kept
        global kept
        chunks = [bytearray(8192) for _ in range(8192)]
        kept = chunks[::2]
    t = threading.Thread(target=churn); t.start(); t.join()
    before = rss()
    released = MallocTrimmer().trim()
    print(released, before - rss())
""")


def test_a_trim_hands_the_holes_left_between_live_chunks_back_to_the_os() -> None:
    done = subprocess.run([sys.executable, "-c", RSS_AFTER_FREEING], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    released, freed_kib = done.stdout.split()
    assert released == "True"
    assert int(freed_kib) > 8 * 1024  # ~32 MiB of 8 KiB holes: the whole pages in them (~16 MiB) go back; 0 untrimmed


def test_the_server_trims_in_the_background_while_it_runs(client: Any) -> None:
    names = {thread.name for thread in threading.enumerate()}
    assert "malloc-trim" in names


# The served app (gateway.asgi, what uvicorn imports in each worker) on a migrated ledger: how many objects the
# collector tracks before and once it has started, how many it froze, and whether a cycle made afterwards is
# still collected.
FREEZE_IN_SERVED_APP = textwrap.dedent("""
    import gc, os, sys, tempfile
    os.environ["GATEWAY_DATABASE_URL"] = "sqlite:///" + os.path.join(tempfile.mkdtemp(), "gateway.sqlite3")
    from gateway.migrations import upgrade
    upgrade(os.environ["GATEWAY_DATABASE_URL"])
    from starlette.testclient import TestClient
    import gateway.asgi
    frozen_before, tracked_before = gc.get_freeze_count(), len(gc.get_objects())
    with TestClient(gateway.asgi.app) as client:
        assert client.get("/healthz").status_code == 200
        frozen, tracked = gc.get_freeze_count(), len(gc.get_objects())
        class Node:
            pass
        a, b = Node(), Node()
        a.other, b.other = b, a
        del a, b
        collected = gc.collect()
        young = gc.get_threshold()[0]
    print(frozen_before, tracked_before, frozen, tracked, collected, young)
""")


def test_the_served_app_freezes_its_start_up_heap_out_of_the_collectors_walks_collects_young_objects_rarely_and_still_collects_new_cycles(  # noqa: E501
        ) -> None:
    done = subprocess.run([sys.executable, "-c", FREEZE_IN_SERVED_APP], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    frozen_before, tracked_before, frozen, tracked, collected, young = map(int, done.stdout.split()[-6:])
    assert frozen_before == 0 and tracked_before > 50_000  # importing the app made the heap; nothing froze it
    assert frozen >= tracked_before  # everything alive at start-up is out of the collector's walks
    assert tracked < tracked_before // 4  # a full collection now walks a fraction of what it walked
    assert collected >= 2  # the two nodes of a cycle made after start-up: the collector still works
    assert young == SERVED_THRESHOLDS[0] > 700  # CPython's default walks the requests in flight ~150 times a second


def test_an_app_made_by_create_app_alone_leaves_the_collector_whole(client: Any) -> None:
    # Tests make and drop apps all the time: frozen, their cycles would never be collected.
    import gc

    assert client.get("/healthz").status_code == 200
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold()[0] != SERVED_THRESHOLDS[0]  # a test process keeps CPython's collector as it is
