"""Getting r (resource) and q (the JSON document) out of a request, and who is asking.

Three body shapes are accepted: the seed's form fields (r=login&q={}), multipart/form-data,
and a JSON body {"r":..., "q":...} where q is an object or a JSON string.

PHP's CURLOPT_POSTFIELDS sends a string as it is, so q often arrives NOT url-encoded, with
"+FV" and "%kowalski%" raw. An encoder always turns "{" into %7B, so a q value that starts with
"{" is taken verbatim (re-joining any "&" that was inside the JSON); otherwise it is decoded.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

from starlette.exceptions import HTTPException
from starlette.requests import Request

from dialects.invo.errors import InvoError
from dialects.kit.auth import AccountContext, by_login, parse_basic
from dialects.kit.context import authenticate
from dialects.kit.http import loads_json, read_body


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
        key = unquote_plus(raw_key).strip()
        if key == "q" and value.lstrip().startswith(("{", "[")):
            start = position + len(raw_key) + len(equals) + len(value) - len(value.lstrip())
            raw_end = _raw_json_end(text, start)
            if raw_end is not None:
                fields.setdefault("q", text[start:raw_end])
                position = raw_end + 1
                continue
            fields.setdefault("q", value)  # not JSON: left as it came, and answered as malformed later
        fields.setdefault(key, unquote_plus(value))
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
        try:
            document = loads(body)
        except ValueError:
            raise InvoError(3) from None
        if not isinstance(document, dict):
            raise InvoError(3)
        return Envelope(document.get("r", request.query_params.get("r")), document.get("q"))
    fields = parse_form(body.decode("utf-8", "replace"))
    return Envelope(fields.get("r", request.query_params.get("r")), fields.get("q"))


def query_document(raw: Any) -> dict[str, Any]:
    """q as a dict; a missing or empty q is {} (r=login needs nothing else)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return {}
    if isinstance(raw, str):
        try:
            raw = loads(raw)
        except ValueError:
            raise InvoError(3) from None
    if not isinstance(raw, dict):
        raise InvoError(3)
    return raw


async def caller(request: Request) -> AccountContext:
    """HTTP Basic login:password; 1 for anything wrong with it, 7 for a deactivated account."""
    credentials = parse_basic(request.headers.get("authorization"))
    if credentials is None:
        raise InvoError(1)
    context = await authenticate(request, by_login, *credentials)
    if context is None:
        raise InvoError(1)
    if not context.active:
        raise InvoError(7)
    return context
