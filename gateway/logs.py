"""Structured logs: one JSON object per line, tagged with the request id, and scrubbed of secrets.

Secrets reach log records in many shapes (a URL with `?api_token=`, a form body with `password=`,
a JSON or XML body, an `Authorization` header, an SMTP URL with `user:pass@`), so redaction works
on two levels:

* patterns: `name=value`, `"name": "value"`, `<name>value</name>`, `Basic …`/`Bearer …` and URL
  user-info are rewritten wherever a secret-looking name (token, password, pass, secret, key, …)
  appears, in the message, its arguments, the traceback and every extra field;
* literals: the credentials of the request being served (collected by the middleware from the
  query string and headers, and by `dialects.kit.auth` from wherever a dialect found them) are replaced
  verbatim, so a secret echoed in an unexpected place (an exception text) is caught too.

The filter runs on handlers (so records from every logger are covered) and the formatters run it
again, so a handler configured without the filter still never prints a secret.
"""
from __future__ import annotations

import binascii
import functools
import logging
import math
import os
import re
import sys
import threading
import time
import traceback
from contextvars import ContextVar, Token
from datetime import datetime, timezone
from typing import Any, Iterable, Mapping
from urllib.parse import parse_qsl

import orjson

from dialects.kit.request_secrets import RequestSecrets, request_secrets

REDACTED = "[REDACTED]"
# A field is secret when its name ends with one of these (api_token, x_api_key, password, ...).
_SECRET_SUFFIXES = ("token", "password", "passwd", "pass", "secret", "key", "authorization", "cookie")
_NOT_SECRET = frozenset({"key_id", "request_id", "idempotency_key", "monkey"})
# uvicorn's extra copy of its messages, with terminal colour codes
_DROPPED_EXTRAS = frozenset({"color_message"})

request_id_var: ContextVar[str | None] = ContextVar("gateway_request_id", default=None)
# The request's own credentials (dialects.kit.request_secrets)
_secrets_var = request_secrets

_NAME = r"[A-Za-z0-9_.-]*?(?:token|password|passwd|pass|secret|key|authorization|cookie)"
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # scheme://user:password@host (SMTP and database URLs)
    (re.compile(r"(?P<p>[A-Za-z][A-Za-z0-9+.-]*://[^:/@\s]*:)[^@/\s]+@"), r"\g<p>" + REDACTED + "@"),
    # Authorization: Basic dXNlcjpwYXNz / Bearer abc
    # (a value that is a plain lowercase word is prose: "basic information")
    (re.compile(r"(?P<p>\b(?:Basic|Bearer|basic|bearer|BASIC|BEARER)\s+)"
                r"(?=[a-z._~-]*[A-Z0-9+/=])[A-Za-z0-9+/=._~-]{6,}"),
     r"\g<p>" + REDACTED),
    # "password": "x" / 'api_token': 'x' / "key": 123 (JSON bodies, Python reprs)
    (re.compile(r"(?P<p>(?P<q>[\"'])" + _NAME + r"(?P=q)\s*[:=]\s*)(?:(?P<v>[\"'])(?:\\.|(?!(?P=v)).)*(?P=v)|"
                r"[^\s,}\]]+)", re.IGNORECASE), r'\g<p>"' + REDACTED + '"'),
    # <api-token>x</api-token> (the REST dialect's XML)
    (re.compile(r"(?P<p><(?P<t>" + _NAME.replace("_.-", "_.:-") + r")>)[^<]*(?=</(?P=t)>)", re.IGNORECASE),
     r"\g<p>" + REDACTED),
    # api_token=x / password=x in query strings, form bodies and prose; key_id=... is left alone
    (re.compile(r"(?P<p>(?<![A-Za-z0-9_])(?!key_id)" + _NAME + r"(?:%5B%5D|\[\])?=)[^&\s\"'<>;,]+",
                re.IGNORECASE), r"\g<p>" + REDACTED),
)


# Paths whose last segment is a capability: the public invoice pages (gateway/public.py), where the token
# alone lets anyone read the invoice. The token goes from the access line like any other credential.
_CAPABILITY_STARTS = ("/invoice/", "/f/")  # what every path _CAPABILITY_PATH matches starts with
_CAPABILITY_PATH = re.compile(r"^(?P<p>/(?:invoice/(?:payment/)?|f/[^/]+/))(?P<token>[^/]+?)(?P<s>\.pdf)?$")


def capability_token(path: str) -> str | None:
    """The token a public-invoice path carries, if it is one."""
    match = _CAPABILITY_PATH.match(path)
    return match.group("token") if match else None


def redacted_path(path: str, secrets: RequestSecrets | None = None) -> str:
    """`secrets`: the request's credentials, for a caller outside the request's context (the access log's
    writer thread); the current request's otherwise."""
    match = _CAPABILITY_PATH.match(path) if path.startswith(_CAPABILITY_STARTS) else None
    if match is None:
        return redact(path, secrets)
    return f"{redact(match.group('p'), secrets)}{REDACTED}{match.group('s') or ''}"


@functools.lru_cache(maxsize=4096)  # asked of the same few names (query keys, record fields) on every request
def is_secret_name(name: str) -> bool:
    lowered = name.lower().replace("-", "_")
    return lowered not in _NOT_SECRET and lowered.endswith(_SECRET_SUFFIXES)


# Every pattern above needs one of these in the text (lowercased), so text without any skips them all.
_PATTERN_HINTS = ("://", "basic", "bearer", "token", "pass", "secret", "key", "authorization", "cookie")
# The same test in one call: every pattern is case-insensitive where it names one of these, or case-sensitive
# (and so found by this search too) where it does not.
_ANY_HINT = re.compile("|".join(re.escape(hint) for hint in _PATTERN_HINTS), re.IGNORECASE)


def redact(text: str, secrets: RequestSecrets | None = None) -> str:
    """`text` with every secret-looking value, and every credential of the current request (or of `secrets`,
    a request's credentials taken along), masked."""
    return _redact(text, _literals(text) if secrets is None else secrets.literals(text))


def _literals(text: str) -> list[str]:
    """The current request's credentials that could be in `text`, longest first (a longer one may contain
    a shorter)."""
    bag = _secrets_var.get()
    return bag.literals(text) if bag is not None else []


def _redact(text: str, literals: Iterable[str]) -> str:
    for literal in literals:
        if literal in text:
            text = text.replace(literal, REDACTED)
    if _ANY_HINT.search(text) is None:
        return text
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def scrub(value: Any, name: str = "") -> Any:
    """A copy of `value` fit for a log: secret-named fields masked, strings redacted, recursively."""
    if name and is_secret_name(name) and value not in (None, ""):
        return REDACTED
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, bytes):
        return redact(value.decode("utf-8", "replace"))
    if isinstance(value, Mapping):
        return {k: scrub(v, str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [scrub(v) for v in value]
    return value


# -- the request context ----------------------------------------------------------------------
def query_pairs(query_string: bytes) -> list[tuple[str, str]]:
    """The query's (name, value) pairs, blank values kept, as parse_qsl(keep_blank_values=True) gives them:
    parsed once for the credentials and the access line. Without an escape ("%", "+") there is nothing to
    unquote, and splitting is all parse_qsl would do."""
    if not query_string:
        return []
    text = query_string.decode("latin-1")
    if "%" in text or "+" in text:
        return parse_qsl(text, keep_blank_values=True)
    return [(name, value) for name, _, value in (field.partition("=") for field in text.split("&") if field)]


def _visible_credentials(path: str, query_string: bytes, authorization: bytes,
                         pairs: list[tuple[str, str]] | None = None) -> list[str]:
    """The credentials a request shows without its body being read: a public link's token, the query's
    secret-named values, the Authorization header's (and a Basic one's password). `pairs`:
    query_pairs(query_string), when the caller has them."""
    found: list[str] = []
    if path.startswith(_CAPABILITY_STARTS):
        token = capability_token(path)
        if token:
            found.append(token)
    if query_string:
        for name, value in query_pairs(query_string) if pairs is None else pairs:
            if value and is_secret_name(name):
                found.append(value)
    if not authorization:
        return found
    scheme, _, credential = authorization.decode("latin-1").strip().partition(" ")
    credential = credential.strip()
    if credential:
        found.append(credential)
        if scheme.lower() == "basic":
            try:
                # base64.b64decode(credential, validate=True) without its Python wrappers
                decoded = binascii.a2b_base64(credential.encode("ascii"), strict_mode=True).decode("utf-8")
            except (binascii.Error, ValueError, UnicodeDecodeError):
                decoded = ""
            found.append(decoded.partition(":")[2])
    return found


def bind_request(request_id: str, headers: Mapping[bytes, bytes], query_string: bytes,
                 path: str = "", pairs: list[tuple[str, str]] | None = None) -> tuple[Token[Any], ...]:
    """Called by the middleware at the start of a request: sets the request id for log records and the
    bag of the request's credentials. Those visible without reading the body (a public link's token, the
    query string, Authorization) are only looked for when a log line needs them. `pairs`:
    query_pairs(query_string), when the caller parsed the query already (the middleware, once per request)."""
    sources = functools.partial(_visible_credentials, path, query_string, headers.get(b"authorization", b""), pairs)
    return request_id_var.set(request_id), _secrets_var.set(RequestSecrets(sources))


def current_secrets() -> RequestSecrets | None:
    """The current request's credentials (bind_request's bag), for redacting its lines outside its context."""
    return _secrets_var.get()


def unbind_request(tokens: tuple[Token[Any], ...]) -> None:
    request_id_var.reset(tokens[0])
    _secrets_var.reset(tokens[1])


def redacted_target(path: str, query_string: bytes, pairs: list[tuple[str, str]] | None = None,
                    secrets: RequestSecrets | None = None) -> str:
    """The request target as it may be logged: the path (a public link's token masked), and the query with
    secret values masked. `pairs`: query_pairs(query_string), when the caller has them; `secrets`: the request's
    credentials, when the caller is outside its context (redact)."""
    path = redacted_path(path, secrets)
    if not query_string:
        return path
    # Each part redacted on its own (a secret-named key is a name, its value goes); joining redacted
    # parts makes no new secret, and one pass over the whole target with the patterns cost more.
    shown = [f"{k}={REDACTED if v else ''}" if is_secret_name(k) else f"{redact(k, secrets)}={redact(v, secrets)}"
             for k, v in (query_pairs(query_string) if pairs is None else pairs)]
    return f"{path}?{'&'.join(shown)}"


# -- records ------------------------------------------------------------------------------------
_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime",
                                                                                      "taskName"}


def _scrub_args(args: Any) -> Any:
    if isinstance(args, tuple):
        return tuple(redact(a) if isinstance(a, str) else a for a in args)
    if isinstance(args, Mapping):
        return {k: (REDACTED if is_secret_name(str(k)) else redact(v) if isinstance(v, str) else v)
                for k, v in args.items()}
    return args


# Set on a record whose message and fields were all built from already-redacted parts (the access
# line: method, redacted target, status, latency). Regex redaction was 40 % of a minimal request's CPU.
SAFE_BY_CONSTRUCTION = "_gateway_safe"


_new_record = logging.LogRecord.__new__
_LOGGING_STARTED: float = vars(logging)["_startTime"]  # what LogRecord measures relativeCreated from
# (logger name, level, thread) -> the attributes a LogRecord built there always has; a forked child (a
# worker) starts afresh, its process id and name are its own.
_record_templates: dict[tuple[str, int, int], dict[str, Any]] = {}
os.register_at_fork(after_in_child=_record_templates.clear)


def quick_record(logger: logging.Logger, level: int, msg: str, args: tuple[Any, ...],
                 extra: Mapping[str, Any], created: float | None = None) -> logging.LogRecord:
    """logger.makeRecord(...) for a line written on every request, at a sixth of its cost: LogRecord()
    works out the caller's file and module names, the thread's and the process's on every call, though on
    one thread they never change (a thread renamed after its first line keeps its first name here). They are
    taken from one record made the ordinary way, and only the time, message and fields are new. A record
    factory of someone else's (logging.setLogRecordFactory) is used as is. `created`: when it happened (time.time()),
    for a record made after the fact (gateway.access); now, by default.
    """
    if logging.getLogRecordFactory() is not logging.LogRecord:
        record = logger.makeRecord(logger.name, level, __file__, 0, msg, args, None, extra=dict(extra))
        if created is not None:
            record.created = created
            record.msecs = int((created - int(created)) * 1000) + 0.0
            record.relativeCreated = (created - _LOGGING_STARTED) * 1000
        return record
    key = (logger.name, level, threading.get_ident())
    template = _record_templates.get(key)
    if template is None:
        if len(_record_templates) > 256:  # threads come and go; the cache must not grow with them
            _record_templates.clear()
        made = vars(logger.makeRecord(logger.name, level, __file__, 0, "", (), None))
        template = _record_templates[key] = {name: value for name, value in made.items()
                                             if name not in ("msg", "args", "created", "msecs", "relativeCreated")}
    record = _new_record(logging.LogRecord)
    fields = record.__dict__
    fields.update(template)
    if created is None:
        created = time.time()
    fields["msg"], fields["args"], fields["created"] = msg, args, created
    fields["msecs"] = int((created - int(created)) * 1000) + 0.0  # as LogRecord.__init__ computes them
    fields["relativeCreated"] = (created - _LOGGING_STARTED) * 1000
    fields.update(extra)
    return record


def scrub_record(record: logging.LogRecord) -> logging.LogRecord:
    """Redact a record in place (once) and give it the current request id."""
    if getattr(record, "_gateway_scrubbed", False):
        return record
    if getattr(record, SAFE_BY_CONSTRUCTION, False):
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id_var.get()
        record._gateway_scrubbed = True
        return record
    template = record.msg if isinstance(record.msg, str) else str(record.msg)
    if redact(template) == template:
        record.msg = template
        record.args = _scrub_args(record.args)  # stays a tuple: uvicorn's access formatter unpacks it
    else:  # a secret in the template itself (or "%s" after "password="): render, then redact
        try:
            rendered = record.getMessage()
        except Exception:  # a broken format string must not lose the line
            rendered = template
        record.msg, record.args = redact(rendered), None
    if record.exc_info and not record.exc_text:
        record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    for name, value in list(vars(record).items()):
        if name not in _STANDARD_ATTRS and not name.startswith("_"):
            setattr(record, name, scrub(value, name))
    if getattr(record, "request_id", None) is None:
        record.request_id = request_id_var.get()
    record._gateway_scrubbed = True
    return record


class GatewayLogFilter(logging.Filter):
    """Attach to handlers: every record leaves redacted and carries the request id."""

    def filter(self, record: logging.LogRecord) -> bool:
        scrub_record(record)
        return True


_NOT_EXTRA = _STANDARD_ATTRS | _DROPPED_EXTRAS
_NOT_JSON_EXTRA = _NOT_EXTRA | {"ts", "level", "logger", "request_id"}  # the fields every JSON line starts with
_LEVEL_NAMES = {name: name.lower() for name in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")}
_second: list[Any] = [None, ""]  # the last whole second formatted, and its text up to the seconds


def timestamp(created: float) -> str:
    """ISO 8601 in UTC with milliseconds, as isoformat(timespec="milliseconds") writes it; the date and time
    up to the second are formatted once per second (a busy server writes hundreds of lines in one)."""
    fraction, seconds = math.modf(created)
    whole, micro = int(seconds), round(fraction * 1e6)  # rounded to microseconds first, as datetime does
    if micro >= 1_000_000:
        whole, micro = whole + 1, micro - 1_000_000
    second, prefix = _second
    if whole != second or micro < 0:
        if micro < 0:  # before 1970: not a time a record has; datetime's own answer
            return datetime.fromtimestamp(created, timezone.utc).isoformat(timespec="milliseconds")
        prefix = datetime.fromtimestamp(whole, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
        _second[:] = [whole, prefix]
    return f"{prefix}.{micro // 1000:03d}+00:00"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, message, request_id, extra fields, exc."""

    def format(self, record: logging.LogRecord) -> str:
        fields = record.__dict__
        if not fields.get("_gateway_scrubbed", False):  # the handler's filter has, as a rule
            scrub_record(record)
        message = record.getMessage()
        entry: dict[str, Any] = {
            "ts": timestamp(record.created),
            "level": _LEVEL_NAMES.get(record.levelname) or record.levelname.lower(),
            "logger": record.name,
            "message": message if fields.get(SAFE_BY_CONSTRUCTION, False) else redact(message),
            "request_id": fields.get("request_id"),
        }
        entry.update({name: value for name, value in fields.items() if name not in _NOT_JSON_EXTRA and name[0] != "_"})
        if record.exc_text:
            entry["exc"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return orjson.dumps(entry, default=str).decode()


class TextFormatter(logging.Formatter):
    """For a terminal (GATEWAY_LOG_FORMAT=text): the same fields, redacted, on one readable line."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        scrub_record(record)
        if record.request_id is None:  # type: ignore[attr-defined]
            record.request_id = "-"
        line = super().format(record)
        return line if getattr(record, SAFE_BY_CONSTRUCTION, False) else redact(line)


# -- configuration ------------------------------------------------------------------------------
def logging_config(level: str = "INFO", json: bool = True) -> dict[str, Any]:
    """A dictConfig for `invoice-gateway serve` (uvicorn applies it in every worker). uvicorn's own
    access log stays off: it prints raw query strings; `gateway.access` logs a redacted line."""
    level = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"gateway": {"()": "gateway.logs.GatewayLogFilter"}},
        "formatters": {"default": {"()": f"gateway.logs.{'JsonFormatter' if json else 'TextFormatter'}"}},
        "handlers": {"default": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr",
                                 "formatter": "default", "filters": ["gateway"]}},
        "loggers": {
            "uvicorn": {"level": level, "handlers": [], "propagate": True},
            "uvicorn.error": {"level": level, "handlers": [], "propagate": True},
            "uvicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
        },
        "root": {"level": level, "handlers": ["default"]},
    }


def install_filter(logger_names: Iterable[str] = ("", "uvicorn", "uvicorn.error", "uvicorn.access")) -> None:
    """Put the redaction filter on every handler these loggers already have (idempotent)."""
    for name in logger_names:
        for handler in logging.getLogger(name or None).handlers:
            if not any(isinstance(f, GatewayLogFilter) for f in handler.filters):
                handler.addFilter(GatewayLogFilter())


def ensure_logging(level: str = "INFO", json: bool = True) -> None:
    """For `uvicorn gateway.asgi:app` run by hand: JSON logs on stderr when nothing configured the
    root logger yet, and redaction on whatever handlers uvicorn set up."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter() if json else TextFormatter())
        root.addHandler(handler)
        root.setLevel(level.upper())
    install_filter()
