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
from typing import Callable, Iterable, TypeVar

import orjson

from dialects.kit.request_secrets import RequestSecrets
from gateway.logs import SAFE_BY_CONSTRUCTION, GatewayLogFilter, JsonFormatter, quick_record, redacted_target, timestamp

ACCESS = logging.getLogger("gateway.access")
log = logging.getLogger("gateway.access_writer")
FLUSH_SECONDS = 0.1
# Lines held before the request path writes them itself: the writer thread is stuck, or the load outruns it.
MAX_PENDING = 20_000

T = TypeVar("T")
# (ended: time.time(), method, path, query string, query pairs, status, seconds, dialect name, client address,
#  request id, the request's credentials)
Entry = tuple[float, str, str, bytes, list[tuple[str, str]], int, float, str, str, str, RequestSecrets | None]


MESSAGE = "%s %s %s %.1fms"  # method, target, status, latency


def _line(entry: Entry) -> tuple[float, tuple[object, ...], dict[str, object]]:
    """What the request's line says, one source for its record and its JSON: when it ended, the message's
    arguments, and its fields in the order the JSON formatter writes them."""
    ended, method, path, query, pairs, status, seconds, dialect, client, request_id, secrets = entry
    target = redacted_target(path, query, pairs, secrets)
    latency_ms = seconds * 1000
    return ended, (method, target, status, latency_ms), {
        "request_id": request_id, "method": method, "path": target, "status": status,
        "latency_ms": round(latency_ms, 3), "dialect": dialect, "client": client}


def access_record(entry: Entry) -> logging.LogRecord:
    """The request's line. Every part is redacted already (the target, with the request's own credentials) or
    cannot hold a secret, so the filter and formatters skip their regexes for it (SAFE_BY_CONSTRUCTION). Made by
    quick_record rather than through info(), which walks the stack for a caller no formatter prints."""
    ended, args, fields = _line(entry)
    return quick_record(ACCESS, logging.INFO, MESSAGE, args, {**fields, SAFE_BY_CONSTRUCTION: True}, created=ended)


def access_json(entry: Entry) -> str:
    """JsonFormatter().format(access_record(entry)) behind GatewayLogFilter, the same text, without the record:
    `serve`'s logging (a StreamHandler, JSON lines) spent ~10 µs a request in the access-log thread making a
    LogRecord, filtering it and copying its fields out again, of which the line itself needs ~4 µs. What the
    formatter puts first (ts, level, logger, message) is made here as it makes it (tests/gateway/test_access_log.py
    holds the two equal)."""
    ended, args, fields = _line(entry)
    return orjson.dumps({"ts": timestamp(ended), "level": "info", "logger": ACCESS.name, "message": MESSAGE % args,
                         **fields}, default=str).decode()


class _Batch:
    """One flush's entries, made into records and JSON lines at most once each, as the handlers ask; an entry
    whose line cannot be made is logged and left out, and the others are written all the same."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        self._records: list[logging.LogRecord] | None = None
        self._lines: list[str] | None = None

    def records(self) -> list[logging.LogRecord]:
        if self._records is None:
            self._records = self._made(access_record)
        return self._records

    def json_lines(self) -> list[str]:
        if self._lines is None:
            self._lines = self._made(access_json)
        return self._lines

    def written(self) -> int:
        made = self._records if self._records is not None else self._lines
        return len(made or ())

    def _made(self, make: Callable[[Entry], T]) -> list[T]:
        made: list[T] = []
        for entry in self.entries:
            try:
                made.append(make(entry))
            except Exception:  # one broken line must not stop the others, nor the thread
                log.exception("writing an access line failed")
        return made


def write_all(entries: Iterable[Entry]) -> int:
    """The entries' lines, each through the handlers as ACCESS.handle() would send it, except that a plain
    StreamHandler (what `serve` logs to) gets all of them in one write to its stream: one line a write was one
    write() call a request, each giving the GIL up to the event loop and taking it back. How many were written.
    A line whose record cannot be made is logged and left out; the others are written all the same."""
    batch = _Batch(list(entries))
    if not batch.entries:
        return 0
    if ACCESS.filters or ACCESS.disabled:
        for record in batch.records():
            ACCESS.handle(record)
        return batch.written()
    handlers = 0
    logger: logging.Logger | None = ACCESS
    while logger is not None:  # the chain Logger.callHandlers walks
        for handler in logger.handlers:
            handlers += 1
            _emit_all(handler, batch)
        logger = logger.parent if logger.propagate else None
    if not handlers:  # logging's own fallback (lastResort), record by record
        for record in batch.records():
            ACCESS.callHandlers(record)
    return batch.written()


def _emit_all(handler: logging.Handler, batch: _Batch) -> None:
    """What handler.handle(record) does for each record; a StreamHandler that neither handles nor emits in
    its own way (FileHandler opens its file in emit, say) writes the lines together, and one that writes
    JSON lines through nothing but the redaction filter gets access_json's lines, no record made."""
    kind = type(handler)
    if kind.emit is not logging.StreamHandler.emit or kind.handle is not logging.Handler.handle:
        for record in batch.records():
            if record.levelno >= handler.level:
                handler.handle(record)
        return
    assert isinstance(handler, logging.StreamHandler)
    lines: list[str] = []
    if (handler.level <= logging.INFO and type(handler.formatter) is JsonFormatter
            and all(type(f) is GatewayLogFilter for f in handler.filters)):
        lines = [line + handler.terminator for line in batch.json_lines()]
    else:
        for record in batch.records():
            if record.levelno >= handler.level and handler.filter(record):
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
        records = batch.records()
        if records:
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
