"""SQLite's own trace of every statement a test's app sends (the `trace` fixture, tests/core/conftest.py):
plain writes and point reads go to the driver past SQLAlchemy's events, and FTS5 reports its own steps."""
from __future__ import annotations

import threading

CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA", "--")


class Trace:
    """Top-level statements, per thread: FTS5 triggers report their own steps ("-- ...") and re-report the
    statement that fired them, so a repeat of the statement just seen is the same execution."""

    def __init__(self) -> None:
        self.on = False
        self.seen: list[tuple[str, str]] = []
        self.raw: list[str] = []  # everything, trigger steps included
        self.control: list[tuple[str, str]] = []  # (thread, BEGIN/SAVEPOINT/RELEASE/COMMIT...)
        self._last: dict[str, str] = {}

    def __call__(self, sql: str) -> None:
        if not self.on:
            return
        self.raw.append(sql)
        thread = threading.current_thread().name
        if sql.lstrip().upper().startswith(CONTROL) or self._last.get(thread) == sql:
            if sql.lstrip().upper().startswith(CONTROL[:5]):
                self.control.append((thread, sql.split()[0].upper()))
            self._last[thread] = sql if not sql.startswith("--") else self._last.get(thread, "")
            return
        self._last[thread] = sql
        self.seen.append((thread, " ".join(sql.split())))

    def writer(self) -> list[str]:
        """The statements of the thread that inserted the invoice: the write transaction's (the traffic log,
        which may ride the same thread's commits, is the gateway's, not the create's)."""
        threads = {thread for thread, sql in self.seen if sql.startswith("INSERT INTO invoices ")}
        assert len(threads) == 1, self.seen
        return [shape(sql) for thread, sql in self.seen if thread in threads and "traffic_log" not in sql]

    def savepoints(self) -> tuple[int, int]:
        """(savepoints taken, their deepest nesting) on that thread, the traffic log's own jobs left out (one
        savepoint each, when they ride the same thread; they may also commit in batches of their own)."""
        threads = {thread for thread, sql in self.seen if sql.startswith("INSERT INTO invoices ")}
        depth = deepest = taken = 0
        for thread, verb in self.control:
            if thread in threads and verb == "SAVEPOINT":
                taken, depth = taken + 1, depth + 1
                deepest = max(deepest, depth)
            elif thread in threads and verb == "RELEASE":
                depth -= 1
        traffic = sum(1 for thread, sql in self.seen if thread in threads and "traffic_log" in sql)
        return taken - traffic, deepest


def shape(sql: str) -> str:
    """`INSERT invoices`, `SELECT departments`: the verb and the first table it names."""
    words = sql.replace("(", " ").split()
    verb = words[0].upper()
    if verb in ("INSERT", "REPLACE"):
        return f"INSERT {words[words.index('INTO') + 1]}"
    if verb == "UPDATE":
        return f"UPDATE {words[1]}"
    tables = [words[i + 1] for i, word in enumerate(words[:-1]) if word.upper() == "FROM"
              and words[i + 1].upper() != "SELECT"]
    return f"{verb} {tables[0] if tables else '?'}"
