"""Getting r (resource) and q (the JSON document) out of a request, and who is asking.

Three body shapes are accepted: the seed's form fields (r=login&q={}), multipart/form-data,
and a JSON body {"r":..., "q":...} where q is an object or a JSON string.

PHP's CURLOPT_POSTFIELDS sends a string as it is, so q often arrives NOT url-encoded, with
"+FV" and "%kowalski%" raw. An encoder always turns "{" into %7B, so a q value that starts with
"{" is taken verbatim (re-joining any "&" that was inside the JSON); otherwise it is decoded.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

from starlette.exceptions import HTTPException
from starlette.requests import Request

from dialects.invo.errors import InvoError
from gateway.auth import AccountContext, by_login, parse_basic
from gateway.context import authenticate
from gateway.http import loads_json, read_body


@dataclass(frozen=True)
class Envelope:
    resource: Any
    q: Any  # str (JSON text), dict, or None


def loads(text: str | bytes) -> Any:
    """JSON with exact decimals: 100.00 becomes Decimal("100.00"), never a float; depth-bounded."""
    return loads_json(text)


def _raw_json(parts: list[str], start: int, value: str) -> tuple[str, int]:
    for extra in range(len(parts) - start):
        candidate = "&".join([value, *parts[start + 1:start + 1 + extra]])
        try:
            loads(candidate)
        except ValueError:
            continue
        return candidate, extra + 1
    return value, 1


def parse_form(text: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    parts = text.split("&")
    i = 0
    while i < len(parts):
        key, _, value = parts[i].partition("=")
        key = unquote_plus(key).strip()
        if key == "q" and value.lstrip().startswith(("{", "[")):
            raw, used = _raw_json(parts, i, value)
            fields.setdefault("q", raw)
            i += used
            continue
        fields.setdefault(key, unquote_plus(value))
        i += 1
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
