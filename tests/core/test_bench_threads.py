"""benchmarks/threads.py reads the kernel's accounting: per-thread CPU of a process and its I/O counters.
A benchmark is not a test, but its arithmetic is: who counts as the event loop, the busiest other thread and
the rest, and what a thread that ended in the window does to the split."""
from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import pytest

from benchmarks.threads import io_counters, split, thread_cpu

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def test_a_thread_that_burns_cpu_is_counted_on_its_own_line() -> None:
    done = threading.Event()

    def burn() -> None:
        deadline = time.thread_time() + 0.2
        while time.thread_time() < deadline:
            pass
        done.wait(5)

    worker = threading.Thread(target=burn)
    worker.start()
    time.sleep(0.5)
    try:
        found = thread_cpu(os.getpid())
        assert found[worker.native_id] >= 0.15  # type: ignore[index]
        assert os.getpid() in found  # the main thread's id is the process's
    finally:
        done.set()
        worker.join()


def test_writing_shows_in_the_process_io_counters(tmp_path: Path) -> None:
    before = io_counters(os.getpid())
    with (tmp_path / "f").open("wb") as out:
        out.write(b"x" * 100_000)
    after = io_counters(os.getpid())
    assert set(before) == {"wchar", "syscw", "write_bytes"}
    assert after["wchar"] - before["wchar"] >= 100_000 and after["syscw"] > before["syscw"]


def test_the_split_names_the_main_thread_the_busiest_other_and_the_rest_per_request() -> None:
    before = {100: 1.0, 101: 2.0, 102: 0.5, 103: 9.0}
    after = {100: 1.5, 101: 2.8, 102: 0.6, 104: 0.1}  # 103 ended in the window: not in the split
    assert split(100, before, after, 100) == {"event_loop_ms": 5.0, "busiest_other_ms": 8.0, "rest_ms": 2.0}
