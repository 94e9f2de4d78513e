"""The one endpoint: POST /api.json. Order of checks: credentials (1), active account (7),
resource (2), JSON (3), action (5); then the handler, whose core errors become 6, 8 or 9."""
from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from core.errors import DomainError
from dialects.invo import fields, parse
from dialects.invo.auth import present_caller
from dialects.invo.errors import InvoError, error_response, from_domain
from dialects.invo.fields import INVOICE_NAMES, ITEM_NAMES
from dialects.invo.resources import IMPLIED_ACTION, REGISTRY, Call
from dialects.kit.auth import NOT_SIGNED_IN
from dialects.kit.context import endpoint_name, ensure_signed_in, signed_in
from dialects.kit.http import BodyTooLarge, NumberJSONResponse

# resource -> (core field -> INVO field, core line field -> INVO item field), for code-8 answers; customers and
# products are named by their field tables (field_names).
FIELD_NAMES: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "invoices": (INVOICE_NAMES, ITEM_NAMES),
    "files": ({"recipients": "email", "data": "file", "file_type": "ftype", "invoice_id": "id",
               "attached_on": "idate", "name": "fname"}, {}),
    "dictionaries": ({"data": "c3"}, {}),
}


# (resource, action) whose first read signs the caller in (read_signed): one transaction, one hop at most.
SIGNED_READS = frozenset({("invoices", "list")})
# (resource, action) whose write signs the caller in (execute_signed): the lookup in the write's own job.
SIGNED_WRITES = frozenset({("invoices", "add")})


def field_names(resource: str) -> tuple[dict[str, str], dict[str, str]]:
    tables = {"customers": fields.CUSTOMER, "products": fields.PRODUCT}
    if resource in tables:
        return tables[resource].core_to_wire(), {}
    return FIELD_NAMES.get(resource, ({}, {}))


async def api(request: Request) -> Response:
    endpoint_name(request, "invo:api")
    if request.method != "POST":
        return _method_not_allowed()
    resource = ""
    try:
        present_caller(request)
        envelope = await parse.envelope(request)
        resource = envelope.resource if isinstance(envelope.resource, str) else ""
        if resource not in REGISTRY:
            raise InvoError(2)
        q = parse.query_document(envelope.q)
        action = q.get("action", IMPLIED_ACTION.get(resource))
        handler = REGISTRY[resource].get(action) if isinstance(action, str) else None
        if handler is None:
            raise InvoError(5)
        endpoint_name(request, f"invo:{resource}.{action}")
        signs_in_itself = (resource, action) in SIGNED_READS or (resource, action) in SIGNED_WRITES
        auth = NOT_SIGNED_IN if signs_in_itself else await signed_in(request)
        result: Any = await handler(Call(request, auth, q))
        return NumberJSONResponse(result)
    except (InvoError, BodyTooLarge, DomainError) as exc:
        failure: Exception = exc
    try:  # credentials are checked first (1, 7): a refused caller hears only of that
        await ensure_signed_in(request)
    except InvoError as refused:
        failure = refused
    try:
        return _failed(failure, resource)
    finally:
        del failure  # its traceback holds this frame: kept, the two would be a reference cycle (gateway/memory.py)


def _failed(failure: Exception, resource: str) -> Response:
    if isinstance(failure, InvoError):
        return error_response(failure.code, failure.message, failure.fields)
    if isinstance(failure, BodyTooLarge):
        return error_response(11)
    assert isinstance(failure, DomainError)
    names, item_names = field_names(resource)
    mapped = from_domain(failure, names, item_names)
    return error_response(mapped.code, mapped.message, mapped.fields)


def _method_not_allowed() -> Response:
    response = error_response(12)
    response.headers["Allow"] = "POST"
    return response


def routes() -> list[BaseRoute]:
    return [Route("/api.json", api, methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])]
