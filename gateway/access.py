"""The access line: one `gateway.access` record per request, written in batches by a thread of its own.

Why batches: measured in the request pipeline (benchmarks/layers.py, rotated A/B rounds), the line cost a get
~75 µs of CPU, 11-15 % of it, though redacting its target, making its record and formatting it take ~12 µs in a
loop of their own. The difference is the rest of a request evicting logging's, the formatter's and the redaction's
code and data from the CPU's caches between one line and the next. The request path now keeps what the line is
made of (a tuple) and a thread writes every line gathered in the last FLUSH_SECONDS in one pass, through the same
redaction, record and handlers as before, and in one write to the stream of a plain StreamHandler (write_all).

What changes for a reader of the log: an access line appears up to FLUSH_SECONDS after its request ended (its
`ts` is still the time the request ended), and may follow a later request's own lines. Stopping the app writes
every line left; a SIGKILL loses at most the last FLUSH_SECONDS of them (the traffic log in the database keeps its
own rows). Before the app has started (a test client without its lifespan, a bare middleware) lines are written at
once, on the request path, as they always were.
"""
from __future__ import annotations

import collections
import logging
import threading
from typing import Iterable

from dialects.kit.request_secrets import RequestSecrets
from gateway.logs import SAFE_BY_CONSTRUCTION, quick_record, redacted_target

ACCESS = logging.getLogger("gateway.access")
log = logging.getLogger("gateway.access_writer")
FLUSH_SECONDS = 0.1
# Lines held before the request path writes them itself: the writer thread is stuck, or the load outruns it.
MAX_PENDING = 20_000

# (ended: time.time(), method, path, query string, query pairs, status, seconds, dialect name, client address,
#  request id, the request's credentials)
Entry = tuple[float, str, str, bytes, list[tuple[str, str]], int, float, str, str, str, RequestSecrets | None]


def access_record(entry: Entry) -> logging.LogRecord:
    """The request's line. Every part is redacted already (the target, with the request's own credentials) or
    cannot hold a secret, so the filter and formatters skip their regexes for it (SAFE_BY_CONSTRUCTION). Made by
    quick_record rather than through info(), which walks the stack for a caller no formatter prints."""
    ended, method, path, query, pairs, status, seconds, dialect, client, request_id, secrets = entry
    target = redacted_target(path, query, pairs, secrets)
    latency_ms = seconds * 1000
    return quick_record(ACCESS, logging.INFO, "%s %s %s %.1fms", (method, target, status, latency_ms), {
        "method": method, "path": target, "status": status, "latency_ms": round(latency_ms, 3), "dialect": dialect,
        "client": client, "request_id": request_id, SAFE_BY_CONSTRUCTION: True}, created=ended)


def write_all(entries: Iterable[Entry]) -> int:
    """The entries' lines, each through the handlers as ACCESS.handle() would send it, except that a plain
    StreamHandler (what `serve` logs to) gets all of them in one write to its stream: one line a write was one
    write() call a request, each giving the GIL up to the event loop and taking it back. How many were written.
    A line whose record cannot be made is logged and left out; the others are written all the same."""
    records: list[logging.LogRecord] = []
    for entry in entries:
        try:
            records.append(access_record(entry))
        except Exception:  # one broken line must not stop the others, nor the thread
            log.exception("writing an access line failed")
    if not records:
        return 0
    if ACCESS.filters or ACCESS.disabled:
        for record in records:
            ACCESS.handle(record)
        return len(records)
    handlers = 0
    logger: logging.Logger | None = ACCESS
    while logger is not None:  # the chain Logger.callHandlers walks
        for handler in logger.handlers:
            handlers += 1
            _emit_all(handler, [record for record in records if record.levelno >= handler.level])
        logger = logger.parent if logger.propagate else None
    if not handlers:  # logging's own fallback (lastResort), record by record
        for record in records:
            ACCESS.callHandlers(record)
    return len(records)


def _emit_all(handler: logging.Handler, records: list[logging.LogRecord]) -> None:
    """What handler.handle(record) does for each record; a StreamHandler that neither handles nor emits in
    its own way (FileHandler opens its file in emit, say) writes the lines together."""
    kind = type(handler)
    if kind.emit is not logging.StreamHandler.emit or kind.handle is not logging.Handler.handle:
        for record in records:
            handler.handle(record)
        return
    assert isinstance(handler, logging.StreamHandler)
    lines: list[str] = []
    for record in records:
        if handler.filter(record):
            try:
                lines.append(handler.format(record) + handler.terminator)
            except RecursionError:
                raise
            except Exception:
                handler.handleError(record)
    if not lines:
        return
    handler.acquire()
    try:
        handler.stream.write("".join(lines))
        handler.flush()
    except RecursionError:
        raise
    except Exception:
        handler.handleError(records[-1])
    finally:
        handler.release()


class AccessLog:
    """Lines gathered from the request path (any thread) and written every `interval` seconds once started."""

    def __init__(self, interval: float = FLUSH_SECONDS) -> None:
        self.interval = interval
        self._pending: collections.deque[Entry] = collections.deque()  # append and popleft: safe across threads
        self._writing = threading.Lock()  # one writer at a time, so lines keep their order
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, entry: Entry) -> None:
        if self._thread is None:
            with self._writing:
                write_all([entry])
            return
        self._pending.append(entry)
        if len(self._pending) >= MAX_PENDING:
            self.flush()

    def flush(self) -> int:
        """Write every line gathered so far; how many were taken."""
        with self._writing:
            pending = self._pending
            taken = [pending.popleft() for _ in range(len(pending))]  # the others' appends go on meanwhile
            try:
                write_all(taken)
            except Exception:  # a handler that fails past its own handleError must not stop the thread
                log.exception("writing access lines failed")
        return len(taken)

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="access-log", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop the thread and write what is left; lines added from now on are written at once."""
        thread, self._thread = self._thread, None
        if thread is not None:
            self._stop.set()
            thread.join(timeout=5)
        self.flush()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.flush()

    def __len__(self) -> int:
        """Lines gathered and not written yet."""
        return len(self._pending)
