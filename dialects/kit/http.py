"""Small HTTP helpers every dialect uses: bounded body reads, bounded JSON and orjson responses."""
from __future__ import annotations

import asyncio
import json
import re
import weakref
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Mapping
from urllib.parse import quote

import orjson
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

# Deeper JSON is refused (ValueError, so each dialect answers it as its own malformed-JSON 400). No
# request of any dialect nests past 6; the cap keeps recursion in parsers and presenters far from
# Python's limit, so nesting can never become a RecursionError and a 500.
MAX_JSON_DEPTH = 32
# More values than this are refused before parsing: json.loads holds the interpreter for its whole run, so the
# work one request may cause on the event loop is bounded by the count, not by the 10 MiB body limit. Counted in
# C (every value after a container's first needs a comma), it can over-count commas inside strings, never under.
MAX_JSON_VALUES = 20_000
# A number longer than this is refused before Decimal reads it (10 MB of digits took 60 ms); money has < 30.
MAX_JSON_NUMBER_CHARS = 400
# And one whose exponent is beyond this: int(Decimal("1e999999999")) would build a billion digits, and
# arithmetic on 1e-999999999 overflows the decimal context.
MAX_JSON_EXPONENT = 1000
# A \u escape of NUL or of a UTF-16 surrogate: only through one can a JSON string hold NUL (PostgreSQL refuses
# it, SQLite's full-text search cuts the query there) or a lone surrogate (no encoder or database takes it).
_UNSTORABLE_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89abcdefABCDEF])")
# Where the text could hold a number orjson would read differently from json.loads(parse_float=_decimal,
# parse_int=_integer): a fraction or exponent (a float to orjson, a Decimal here) or 19+ digits (orjson makes a
# float of an integer past 64 bits). Inside strings too, so a match can be a false alarm, never a miss.
# ASCII digits, as json's C scanner reads them ([0-9] searches ~3× faster than \d or an alternation around it).
_INEXACT_FOR_ORJSON = re.compile(r"[0-9](?:[.eE]|[0-9]{18})")
_INEXACT_FOR_ORJSON_BYTES = re.compile(rb"[0-9](?:[.eE]|[0-9]{18})")
_UNSTORABLE = "a string with NUL or a lone UTF-16 surrogate (\\u0000, \\ud800-\\udfff)"


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"request body exceeds {limit} bytes")


class Refused(Exception):
    """A gateway-level refusal (rate limit, timeout) that the middleware answers in the dialect's own
    format through its error_response(kind), adding `headers` (e.g. Retry-After)."""

    def __init__(self, status: int, kind: str, message: str, headers: Mapping[str, str] | None = None) -> None:
        self.status, self.kind, self.message = status, kind, message
        self.headers = dict(headers or {})
        super().__init__(message)


class BodyTimeout(Refused):
    def __init__(self, seconds: float) -> None:
        # Connection: close, so the server drops the rest of the trickle instead of parsing it as the next request.
        super().__init__(408, "timeout", f"request body not received within {seconds:g} s", {"Connection": "close"})


def body_limit(request: Request) -> int:
    return int(request.app.state.settings.max_body_bytes)


_FRAMED_BY_HEADERS = frozenset({"1.0", "1.1"})  # HTTP/2 frames bodies itself: no length is declared


async def read_body(request: Request) -> bytes:
    """The request body, refusing to buffer more than the configured limit or to wait longer than
    settings.body_timeout for it (a client trickling its body must not hold the request forever)."""
    if getattr(request, "_body", None) is not None:
        return request._body  # already read (and checked) once for this request
    headers = request.headers
    declared = headers.get("content-length")
    if declared in (None, "0") and "transfer-encoding" not in headers and \
            request.scope.get("http_version", "1.1") in _FRAMED_BY_HEADERS:
        # HTTP/1.x frames a request's body by these two headers alone (RFC 9112 6.3): without them it has none,
        # and a GET (a fakturan list, say) need not wait on receive() under a deadline watch to learn that.
        request._body = b""
        return b""
    limit = body_limit(request)
    if declared and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(limit)
    seconds = float(getattr(request.app.state.settings, "body_timeout", 0) or 0)
    receive = request.receive
    chunks, size = [], 0
    # The ASGI messages read as they come (starlette's request.stream() is an async generator around the same
    # receive(), ~1 µs more), under the loop's one deadline watch rather than a timer of their own.
    watch, task = _watched(seconds)
    try:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise ClientDisconnect()
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise BodyTooLarge(limit)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
    except asyncio.CancelledError:
        if watch.expired(task):
            raise BodyTimeout(seconds) from None
        raise
    finally:
        watch.stop(task)
    body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    request._body = body  # lets request.form() and request.stream() reuse what was read
    return body


class _Deadlines:
    """The bodies being read on one event loop, each with its deadline, and one timer for all of them.

    Every body-carrying request (each create, each INVO call) reads under a deadline, and asyncio.timeout cost
    ~4 µs of an ~8 µs read: a Timeout object, a TimerHandle pushed onto the loop's heap and cancelled again.
    Here a read only enters and leaves a dict. A sweep every TICK cancels the reads past their deadline, so a
    trickling client is cut off between `seconds` and `seconds` + TICK, with TICK at most a quarter of it (of the
    timeout of the read that started the sweeps: one app, one setting, per served loop).

    The cancellation is told from anyone else's as asyncio.timeout tells it: this watch marks the task it
    cancels, and the read turns that CancelledError into BodyTimeout only when uncancel() shows no other
    cancellation pending (a server shutting down, a disconnect). Any other cancellation goes on as it came."""

    MAX_TICK = 1.0

    def __init__(self) -> None:
        # Nothing here holds the loop (the key of _WATCHES, which would then never let it go): each task does,
        # and a task is here only while it reads.
        # task -> (deadline, how many cancellations it had pending when its read started)
        self.reading: dict[asyncio.Task[Any], tuple[float, int]] = {}
        self.cut_off: dict[asyncio.Task[Any], int] = {}  # cancelled by _sweep, the same count
        self.sweeping = False  # a flag, not the TimerHandle: the handle holds the loop

    def start(self, loop: asyncio.AbstractEventLoop, seconds: float) -> asyncio.Task[Any] | None:
        """The current task, now watched (None, and nothing watched, when there is no limit)."""
        task = asyncio.current_task(loop)
        if seconds <= 0 or task is None:
            return None
        self.reading[task] = (loop.time() + seconds, task.cancelling())
        if not self.sweeping:
            self.sweeping = True
            loop.call_later(min(self.MAX_TICK, seconds / 4), self._sweep, loop, seconds)
        return task

    def expired(self, task: asyncio.Task[Any] | None) -> bool:
        """Whether the CancelledError `task` is handling is this watch's alone (then taken back)."""
        if task is None or task not in self.cut_off:
            return False
        return task.uncancel() <= self.cut_off.pop(task)

    def stop(self, task: asyncio.Task[Any] | None) -> None:
        if task is not None:
            self.reading.pop(task, None)
            self.cut_off.pop(task, None)

    def _sweep(self, loop: asyncio.AbstractEventLoop, seconds: float) -> None:
        now = loop.time()
        for task, (deadline, cancelling) in list(self.reading.items()):
            if deadline <= now:
                del self.reading[task]
                self.cut_off[task] = cancelling
                task.cancel()
        self.sweeping = bool(self.reading)
        if self.sweeping:
            loop.call_later(min(self.MAX_TICK, seconds / 4), self._sweep, loop, seconds)


_WATCHES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Deadlines] = weakref.WeakKeyDictionary()


def _watched(seconds: float) -> tuple[_Deadlines, asyncio.Task[Any] | None]:
    """The running loop's watch, and the current task started on it (_Deadlines.start)."""
    loop = asyncio.get_running_loop()
    watch = _WATCHES.get(loop)
    if watch is None:
        watch = _WATCHES[loop] = _Deadlines()
    return watch, watch.start(loop, seconds)


def _depth_within(value: Any, limit: int) -> bool:
    """Iterative, so the check itself cannot recurse."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item  # type: ignore[assignment]
        else:
            continue
        if depth > limit:
            return False
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return True


class _NumberRefused(ValueError):
    pass


def _integer(text: str) -> int:
    if len(text) > MAX_JSON_NUMBER_CHARS:  # before int(), whose own refusal past 4,300 digits names Python
        raise _NumberRefused(f"a number longer than {MAX_JSON_NUMBER_CHARS} characters")
    return int(text)


def _decimal(text: str) -> Decimal:
    if len(text) > MAX_JSON_NUMBER_CHARS:
        raise _NumberRefused(f"a number longer than {MAX_JSON_NUMBER_CHARS} characters")
    number = Decimal(text)
    if number and abs(number.adjusted()) > MAX_JSON_EXPONENT:
        raise _NumberRefused(f"a number with an exponent beyond {MAX_JSON_EXPONENT}")
    return number


def _has_unstorable_text(value: Any) -> bool:
    """Iterative, like _depth_within; keys count too."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _counts(text: str | bytes) -> tuple[int, int]:
    """(values, containers) as the text's commas and brackets count them, inside strings too, so both are upper
    bounds. str.count and bytes.count are C loops: the whole body is measured before any parsing starts."""
    if isinstance(text, str):
        containers = text.count("[") + text.count("{")
        return text.count(",") + containers, containers
    containers = text.count(b"[") + text.count(b"{")
    return text.count(b",") + containers, containers


def _parsed(text: str | bytes) -> Any:
    """json.loads with exact numbers, read by orjson where that gives the same value (~1.5 µs against ~11 for a
    five-line create): orjson reads a fraction or an exponent as a float (a Decimal here), and an integer past
    64 bits as a float too. A text with none of them anywhere, strings included (_INEXACT_FOR_ORJSON), is
    orjson's; otherwise orjson's value is used when it holds no float at all (money sent as "100.00", in a
    string, is text to both). Whatever orjson refuses (NaN, a lone surrogate, a BOM, UTF-16, nesting past its
    limit) or reads as a float goes to json.loads, whose answer (a value or its own refusal) is the one given."""
    inexact = _INEXACT_FOR_ORJSON if isinstance(text, str) else _INEXACT_FOR_ORJSON_BYTES
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        pass  # refused: json.loads decides
    else:
        if inexact.search(text) is None or not _holds_float(value):  # type: ignore[arg-type]
            return value
    return json.loads(text, parse_float=_decimal, parse_int=_integer)


def _holds_float(value: Any) -> bool:
    """Iterative, like _depth_within (orjson has nested it at most 1,024 deep)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif type(item) is float:
            return True
    return False


def loads_json(text: str | bytes, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """JSON with exact decimals (never floats), at most `max_depth` containers deep and MAX_JSON_VALUES values.
    Every refusal is a ValueError in our own words, which the dialects already answer as malformed JSON."""
    values, containers = _counts(text)
    if values > MAX_JSON_VALUES:
        raise ValueError(f"JSON with more than {MAX_JSON_VALUES} values")
    try:
        value = _parsed(text)
    except RecursionError:
        raise ValueError(f"JSON nested deeper than {max_depth} levels") from None
    except UnicodeDecodeError:  # Python's own text names codecs and byte positions
        raise ValueError("the body is not UTF-8 text") from None
    # No deeper than the brackets it has: a body of up to max_depth of them needs no walk (every create's).
    if containers > max_depth and not _depth_within(value, max_depth):
        raise ValueError(f"JSON nested deeper than {max_depth} levels")
    if isinstance(text, str):
        try:
            text = text.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(_UNSTORABLE) from None
    if _UNSTORABLE_ESCAPE.search(text) and _has_unstorable_text(value):
        raise ValueError(_UNSTORABLE)
    return value


def content_disposition(disposition: str, filename: str) -> str:
    """RFC 6266: an ASCII `filename` for old clients (quotes and backslashes escaped) and the exact name in
    `filename*` (RFC 8187). A header is Latin-1, so a number such as FV/ż/Ł-1 cannot travel unencoded."""
    fallback = filename.encode("ascii", "replace").decode("ascii").replace("?", "_")
    fallback = fallback.replace("\\", "\\\\").replace('"', '\\"')
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    raise TypeError(f"cannot serialise {type(value).__name__}")


def dumps(value: Any) -> bytes:
    try:
        return orjson.dumps(value, default=_default)
    except orjson.JSONEncodeError:
        # orjson writes integers of at most 64 bits; a larger one can only be a client's value echoed back in an
        # error (fakturan's {"error":"inclusion","value":…}), which the standard library writes at any size.
        return json.dumps(value, default=_default, separators=(",", ":")).encode()


class JSONResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return dumps(content)


def _number_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise TypeError("not a finite amount")
        # A JSON number written from the Decimal's own digits: orjson copies a Fragment verbatim.
        return orjson.Fragment(format(value, "f"))
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def dumps_numbers(content: Any) -> bytes:
    """JSON whose amounts are JSON numbers (INVO's "currval":4.1783), written from the Decimal's own digits so
    no float ever touches them."""
    return orjson.dumps(content, default=_number_default)


class NumberJSONResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return dumps_numbers(content)
