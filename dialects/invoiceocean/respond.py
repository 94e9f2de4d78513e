"""One handler, two renderers: endpoints return a Reply (status, plain value, XML root name) and
this module reads request bodies and renders replies and errors as JSON or Rails-style XML."""
from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Mapping
from xml.sax.saxutils import escape

import orjson
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from core.queries import MAX_PER_PAGE, Page
from dialects.invoiceocean.errors import ApiError
from dialects.invoiceocean.present import XML_TYPES, Audience, stamp_text
from dialects.invoiceocean.xml import XmlReader, XmlRejected, render_xml
from dialects.kit.auth import AccountContext
from dialects.kit.http import BodyTooLarge, body_limit, loads_json, read_body
from dialects.kit.ids import MAX_ID, integer_text

XML_MEDIA = "application/xml; charset=utf-8"
# Root elements that are resource wrappers; any other root (<hash>, <request>) is the payload itself.
WRAPPERS = frozenset({"invoice", "client", "product", "price_list", "banking_payment", "payment", "department",
                      "recurring", "issuer", "bank_account", "webhook", "category", "warehouse",
                      "warehouse_document"})


@dataclass(frozen=True)
class Reply:
    status: int
    value: Any
    root: str  # the XML root element; lists render as <root type="array"><singular>...</singular></root>


@dataclass
class Call:
    """Everything an endpoint needs: the request, its format, the account and the parsed input."""

    request: Request
    fmt: str
    account: AccountContext
    params: Mapping[str, Any]
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def json(self) -> bool:
        """Whether the answer is JSON: presenters then write amounts and timestamps as its text."""
        return self.fmt != "xml"

    @property
    def query(self) -> QueryParams:
        return self.request.query_params

    @functools.cached_property
    def audience(self) -> Audience:
        """Built once per call: a list presents every invoice (and its additional fields) for it."""
        return Audience(self.account.timezone, self.base_url)

    @functools.cached_property
    def base_url(self) -> str:
        """The public base URL (links in answers): known before the caller is signed in, unlike the audience.
        Once per call: a page's read and its answer both need it."""
        return str(self.request.app.state.settings.public_base_url or _base_url(self.request.scope)).rstrip("/")

    def page(self) -> Page:
        """page from 1, per_page 25 by default and at most 100; nonsense falls back to the defaults."""
        def number(name: str, default: int) -> int:
            number = integer_text(str(self.arg(name) or ""))
            return number if number is not None and 0 < number <= MAX_ID else default
        return Page(number("page", 1), min(number("per_page", 25), MAX_PER_PAGE))

    def arg(self, name: str) -> Any:
        """A parameter from the query string or, failing that, a top-level body key."""
        value = self.query.get(name)
        return value if value not in (None, "") else self.payload.get(name)


def _base_url(scope: Scope) -> str:
    """What Request.base_url gives (scheme://host[:port]/root_path), without building a URL object."""
    scheme = scope.get("scheme", "http")
    host = next((v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"host"), "")
    if not host:
        server = scope.get("server")
        if server:
            default = {"http": 80, "https": 443}.get(scheme)
            host = server[0] if server[1] == default else f"{server[0]}:{server[1]}"
    return f"{scheme}://{host}{scope.get('root_path', '')}/"


def is_xml_body(request: Request, fmt: str, body: bytes) -> bool:
    ctype = request.headers.get("content-type", "").lower()
    if "xml" in ctype:
        return True
    if "json" in ctype:
        return False
    return fmt == "xml" and body.lstrip().startswith(b"<")


async def read_payload(request: Request, fmt: str) -> dict[str, Any]:
    try:
        body = await read_body(request)
    except BodyTooLarge as exc:
        raise ApiError(413, f"Request body too large (limit {exc.limit} bytes)") from None
    if not body.strip():
        return {}
    if is_xml_body(request, fmt, body):
        try:
            reader = XmlReader(body, max_bytes=body_limit(request))
            for chunk in reader.chunks():
                reader.feed(chunk)
                await asyncio.sleep(0)  # other requests run between the chunks of a large body
            root, value = reader.close()
        except XmlRejected as exc:
            raise ApiError(400, exc.reason) from None
        return xml_payload(root, value)
    try:
        value = loads_json(body)  # exact decimals, bounded depth
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"Malformed JSON: {exc}") from None
    if not isinstance(value, dict):
        raise ApiError(400, "Malformed JSON: the body must be an object")
    return value


def xml_payload(root: str, value: Any) -> dict[str, Any]:
    body = value if isinstance(value, dict) else {}
    if root not in WRAPPERS:
        return body
    payload: dict[str, Any] = {root: body}
    # <invoice><api-token>..</api-token>..</invoice>; a webhook's own api-token is its receiver's token
    if "api_token" in body and root != "webhook":
        payload["api_token"] = body.pop("api_token")
    return payload


# --- rendering ------------------------------------------------------------------------------


def _json_default(value: Any) -> Any:
    """Typed values the presenters left (a client's own keys, additional fields); invoices come as text."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return stamp_text(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def json_bytes(value: Any) -> bytes:
    return orjson.dumps(value, default=_json_default, option=orjson.OPT_PASSTHROUGH_DATETIME)


@dataclass(frozen=True)
class Rendered:
    """A reply's value already written in the call's format (kept of an unchanged invoice: dialects.kit.kept)."""
    body: bytes


def body_of(fmt: str, reply: Reply) -> bytes:
    """The reply's value written in the format: what render answers with."""
    if isinstance(reply.value, Rendered):
        return reply.value.body
    if fmt == "xml":
        # lenient: round-tripped unknown keys such as "0" cannot be element names and are left out of XML
        return render_xml(reply.root, reply.value, types=XML_TYPES.get(reply.root), lenient=True)
    return json_bytes(reply.value)


def render(fmt: str, reply: Reply) -> Response:
    if isinstance(reply.value, Response):  # a legacy plain-text answer
        return reply.value
    return Response(body_of(fmt, reply), status_code=reply.status,
                    media_type=XML_MEDIA if fmt == "xml" else "application/json")


def render_error(fmt: str, error: ApiError) -> Response:
    if fmt != "xml":
        return Response(json_bytes({"code": "error", "message": error.message}), status_code=error.status,
                        media_type="application/json")
    if isinstance(error.message, dict):  # Rails' errors.to_xml
        items = "".join(f"  <error>{escape(f'{name} {text}')}</error>\n"
                        for name, texts in error.message.items() for text in texts)
        body = f'<?xml version="1.0" encoding="UTF-8"?>\n<errors>\n{items}</errors>\n'.encode()
    else:  # a Hash#to_xml
        body = render_xml("hash", {"code": "error", "message": error.message})
    return Response(body, status_code=error.status, media_type=XML_MEDIA)


def format_of_path(path: str) -> str:
    return "xml" if path.endswith(".xml") else "json"
