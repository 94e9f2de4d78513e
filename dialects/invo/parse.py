"""Parse, don't validate: INVO's loose JSON values into clean Python types, once, at the edge.
Every failure is a code-8 answer naming the INVO field."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import unquote

from starlette.exceptions import HTTPException
from starlette.requests import Request

from core.money import to_decimal
from dialects.invo.errors import InvoError, invalid
from dialects.kit.http import loads_json, read_body
from dialects.kit.lenient import OutOfRange, exact_int


def as_int(value: Any, field: str) -> int:
    try:
        return exact_int(value)
    except OutOfRange:
        raise invalid(field, "is out of range") from None
    except ValueError:
        raise invalid(field, "must be an integer") from None


def as_id(value: Any, field: str = "id") -> int:
    """A record ID: 1 or more. (0 means "new" only in add, which never reads it.)"""
    number = as_int(value, field)
    if number < 1:
        raise invalid(field, "must be 1 or more")
    return number


def as_decimal(value: Any, field: str) -> Decimal:
    try:
        return to_decimal(value)
    except ValueError:
        raise invalid(field, "must be a number") from None


def as_flag(value: Any, field: str) -> bool:
    """INVO flags are 0/1; "0"/"1" and true/false are accepted too."""
    if isinstance(value, bool):
        return value
    if as_int(value, field) not in (0, 1):
        raise invalid(field, "must be 0 or 1")
    return as_int(value, field) == 1


def as_str(value: Any, field: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise invalid(field, "must be text")
    return str(value)


def as_date(value: Any, field: str) -> date | None:
    if value in (None, "", "0000-00-00"):
        return None
    if isinstance(value, str) and len(value.strip()) == 10:
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise invalid(field, "must be a date YYYY-MM-DD")


def as_range(value: Any, field: str) -> tuple[date | None, date | None]:
    """"2014-10-01|2014-10-27", an open end "2014-10-01|", or one day "2014-10-01"."""
    if not isinstance(value, str):
        raise invalid(field, "must be YYYY-MM-DD|YYYY-MM-DD")
    start, sep, end = value.partition("|")
    first = as_date(start, field)
    last = as_date(end, field) if sep else first
    if first and last and first > last:
        raise invalid(field, "the range ends before it starts")
    return first, last



def as_stored(value: Any, field: str) -> Any:
    """A seed field the core has no column for, made storable in a JSON column as given.

    q is read with exact decimals, and json (SQLite, PostgreSQL) cannot store a Decimal, NaN or
    Infinity: a number becomes an int, or a float when the float says the same digits. One that
    cannot be kept and answered exactly (1e400, 30 significant digits, NaN, an integer beyond the
    64 bits the JSON writer takes) is a code-8 answer, not a crash on insert or on a later list."""
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent  # "n", "N" or "F" for NaN, sNaN and Infinity, so not finite
        if isinstance(exponent, int) and exponent >= 0 and value == value.to_integral_value():
            if abs(value) >= 2**64:  # before int(): 1e999999999 would be a billion digits
                raise invalid(field, "is a number that cannot be stored exactly")
            return as_stored(int(value), field)
        if value.is_finite() and Decimal(repr(float(value))) == value:
            return float(value)
        raise invalid(field, "is a number that cannot be stored exactly")
    if isinstance(value, int) and not isinstance(value, bool) and not -(2**63) <= value < 2**64:
        raise invalid(field, "is a number that cannot be stored exactly")
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        raise invalid(field, "must be a finite number")
    if isinstance(value, list):
        return [as_stored(v, field) for v in value]
    if isinstance(value, dict):
        return {str(k): as_stored(v, field) for k, v in value.items()}
    return value


# --- the envelope: r (resource) and q (the JSON document) out of a request -----------------------
# Three body shapes are accepted: the seed's form fields (r=login&q={}), multipart/form-data,
# and a JSON body {"r":..., "q":...} where q is an object or a JSON string.
#
# PHP's CURLOPT_POSTFIELDS sends a string as it is, so q often arrives NOT url-encoded, with
# "+FV" and "%kowalski%" raw. An encoder always turns "{" into %7B, so a q value that starts with
# "{" is taken verbatim (re-joining any "&" that was inside the JSON); otherwise it is decoded.


@dataclass(frozen=True)
class Envelope:
    resource: Any
    q: Any  # str (JSON text), dict, or None


def loads(text: str | bytes) -> Any:
    """JSON with exact decimals: 100.00 becomes Decimal("100.00"), never a float; depth-bounded."""
    return loads_json(text)


# The most fields a form body may have (starlette's own cap for multipart). An INVO request has two (r and q);
# splitting and decoding a 10 MB body of "&&&…" would keep the event loop busy for seconds.
MAX_FORM_FIELDS = 1000
_JSON_END = json.JSONDecoder()  # only finds where a raw q ends; loads() reads it (Decimals, depth cap) later


def _raw_json_end(text: str, start: int) -> int | None:
    """Where the JSON value at text[start] ends, if a field boundary ("&" or the end) follows it.

    One linear pass: the value's own grammar says where it ends, so the "&"s inside it are never tried one
    by one (re-joining the parts and retrying JSON at each was quadratic)."""
    try:
        _value, end = _JSON_END.raw_decode(text, start)
    except (ValueError, RecursionError):
        return None
    while end < len(text) and text[end] in " \t\r\n":
        end += 1
    return end if end == len(text) or text[end] == "&" else None


def form_unquote(text: str) -> str:
    """urllib.parse.unquote_plus(text), the same text, in C for an ASCII text whose escapes are all whole.

    A create's `q` is ~800 characters of percent-escaped JSON, and unquote's Python loop over its escapes cost
    ~29 µs; here each %XX becomes \\xXX (every backslash already there becomes \\x5c first, so no other
    escape exists) and the unicode_escape codec turns each into its byte: ~4 µs. A broken escape ("%4", "%zz",
    which urllib keeps as they are) fails that codec, and non-ASCII text takes urllib's way too."""
    text = text.replace("+", " ")
    if "%" not in text:
        return text
    if text.isascii():
        escaped = text.replace("\\", "\\x5c").replace("%", "\\x").encode("ascii")
        try:
            return escaped.decode("unicode_escape").encode("latin-1").decode("utf-8", "replace")
        except UnicodeDecodeError:
            pass
    return unquote(text)


def parse_form(text: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    position, count = 0, 0
    while position <= len(text):
        count += 1
        if count > MAX_FORM_FIELDS:
            raise InvoError(3)
        boundary = text.find("&", position)
        end = len(text) if boundary < 0 else boundary
        raw_key, equals, value = text[position:end].partition("=")
        key = form_unquote(raw_key).strip()
        if key == "q" and value.lstrip().startswith(("{", "[")):
            start = position + len(raw_key) + len(equals) + len(value) - len(value.lstrip())
            raw_end = _raw_json_end(text, start)
            if raw_end is not None:
                fields.setdefault("q", text[start:raw_end])
                position = raw_end + 1
                continue
            fields.setdefault("q", value)  # not JSON: left as it came, and answered as malformed later
        fields.setdefault(key, form_unquote(value))
        position = end + 1
    return fields


async def envelope(request: Request) -> Envelope:
    body = await read_body(request)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        try:
            form = await request.form()
        except HTTPException:  # starlette's answer to a body that is not multipart (no boundary, cut off)
            raise InvoError(3) from None
        values = {k: (v if isinstance(v, str) else (await v.read()).decode("utf-8", "replace"))
                  for k, v in form.multi_items()}
        return Envelope(values.get("r"), values.get("q"))
    if content_type == "application/json" or (content_type != "application/x-www-form-urlencoded"
                                              and body.lstrip().startswith(b"{")):
        document = _json_object(body)
        return Envelope(document["r"] if "r" in document else request.query_params.get("r"), document.get("q"))
    fields = parse_form(body.decode("utf-8", "replace"))
    # The query string is parsed only when the body names no resource.
    return Envelope(fields["r"] if "r" in fields else request.query_params.get("r"), fields.get("q"))


def query_document(raw: Any) -> dict[str, Any]:
    """q as a dict; a missing or empty q is {} (r=login needs nothing else)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return {}
    return _json_object(raw)


def _json_object(raw: Any) -> dict[str, Any]:
    """The JSON object `raw` is (or, as text, holds); anything else is error 3, malformed."""
    if isinstance(raw, (str, bytes)):
        try:
            raw = loads(raw)
        except ValueError:
            raise InvoError(3) from None
    if not isinstance(raw, dict):
        raise InvoError(3)
    return raw
