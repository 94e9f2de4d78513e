"""What every dialect's translator shares (gateway/translate.py runs them): the reads that have no core
command, the refusal every translator raises, and reading a request's path and JSON body. A dialect's
translator turns one of its requests into a core command (through the same parse code its endpoints
use) and a command into its request (its encode.py), and writes that request as a curl line."""
from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Callable, Mapping, TypedDict
from urllib.parse import parse_qsl, urlsplit

from core.handlers.parties import BUYER_FROM_CLIENT

ACCOUNT = 0  # commands are never executed, so they belong to no account
# Client column -> the invoice's buyer column it fills: core's table, with the street (core joins street and
# number into it). A dialect that creates a client from buyer fields, or buyer fields from a client, picks the
# columns its wire carries (client_of_buyer / buyer_of_client).
BUYER_OF_CLIENT: dict[str, str] = {**{client: buyer for buyer, client in BUYER_FROM_CLIENT.items()},
                                   "street": "buyer_street"}


def buyer_of_client(*columns: str) -> dict[str, str]:
    """client column -> buyer column, for `columns` (all of them when none are named)."""
    return {c: b for c, b in BUYER_OF_CLIENT.items() if not columns or c in columns}


def client_of_buyer(*columns: str) -> dict[str, str]:
    """buyer column -> client column, for the client `columns` named."""
    return {b: c for c, b in buyer_of_client(*columns).items()}


class EncodedRequest(TypedDict):
    """A command as one dialect's request (a Translator's encode): what translate shows and writes as curl."""

    method: str
    path: str
    query: dict[str, Any]
    body: Any
    lossy: list[str]  # what the request cannot say of the command


def encoded(method: str, path: str, body: Any = None, lossy: list[str] | None = None,
            query: Mapping[str, Any] | None = None) -> EncodedRequest:
    return {"method": method, "path": path, "query": dict(query or {}), "body": body, "lossy": lossy or []}


def wire(value: Any, *, flags: bool = False) -> Any:
    """A command's value as JSON carries it: amounts and dates as text, containers element by element, and
    booleans as 1/0 where the dialect writes flags (INVO)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return (1 if value else 0) if flags else value
    if isinstance(value, dict):
        return {k: wire(v, flags=flags) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [wire(v, flags=flags) for v in value]
    return value


class TranslationError(Exception):
    """The request cannot be translated; the message is safe to show to a user."""


@dataclass(frozen=True)
class GetInvoice:
    """A read, which has no core command: translated as the same read in each dialect."""

    invoice_id: int


@dataclass(frozen=True)
class ListInvoices:
    pass


@dataclass(frozen=True)
class Translator:
    # request -> a core command (or GetInvoice/ListInvoices); the dialect's own refusals become
    # TranslationError in its words
    parse: Callable[[Mapping[str, Any]], Any]
    # command -> its request; ValueError when the dialect cannot say it
    encode: Callable[[Any], EncodedRequest]
    curl: Callable[[Mapping[str, Any], str], str]  # (encoded request, base URL) -> a curl line
    # encoded request -> fields shown beside method/path/body (INVO's r and q)
    shown: Callable[[Mapping[str, Any]], dict[str, Any]] = field(default=lambda encoded: {})
    # a request file's body (after the `METHOD /path` line), when the dialect reads it otherwise than as the body
    read_body: Callable[[str], dict[str, Any]] | None = None


def loads(text: Any) -> Any:
    if text is None or (isinstance(text, str) and not text.strip()):
        return {}
    if not isinstance(text, (str, bytes)):
        return text
    try:
        return json.loads(text, parse_float=Decimal)
    except ValueError:
        raise TranslationError("the body is not valid JSON") from None


def json_body(request: Mapping[str, Any]) -> dict[str, Any]:
    data = loads(request.get("body"))
    if not isinstance(data, dict):
        raise TranslationError("the body must be a JSON object")
    return data


def route(request: Mapping[str, Any], pattern: re.Pattern[str]) -> tuple[str, re.Match[str], dict[str, str]]:
    method = str(request.get("method") or "GET").upper()
    url = urlsplit(str(request.get("path") or ""))
    found = pattern.match(url.path)
    if found is None:
        raise TranslationError(f"{method} {url.path or '(no path)'} is not a request translate knows: invoices "
                               "(create, update, status, cancel, delete, get, list), payments and client create")
    return method, found, dict(parse_qsl(url.query))


def text(body: Any) -> str:
    return "" if body is None else json.dumps(body, ensure_ascii=False, default=str)


def json_curl(method: str, target: list[str], body: Any) -> str:
    """`curl -s -X METHOD <target>`, with the body as JSON when there is one. Credentials in `target` are
    shell variables, never real secrets."""
    parts = ["curl", "-s", "-X", method, *target]
    if body is not None:
        parts += ["-H", shlex.quote("Content-Type: application/json"), "-d", shlex.quote(text(body))]
    return " ".join(parts)


def refusing(command: Callable[[Mapping[str, Any]], Any], refusal: type[Exception],
             wording: Callable[[Any], str]) -> Callable[[Mapping[str, Any]], Any]:
    """A translator's parse: `command`, with the dialect's own refusal put in its words."""
    def parse(request: Mapping[str, Any]) -> Any:
        try:
            return command(request)
        except refusal as exc:
            raise TranslationError(wording(exc)) from None
    return parse
