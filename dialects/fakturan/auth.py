"""Who is asking: Basic `key_id:password` or the gem's token, and the wrapper every fakturan endpoint runs in
(sign the caller in, run the handler, answer every domain error in fakturan's shape)."""
from __future__ import annotations

import functools
from typing import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from core.errors import Conflict, Forbidden, Invalid, NotFound
from core.idempotency import KeyReused
from dialects.fakturan.errors import BadRequest, Rejected, error_json, from_core, unauthorized, unprocessable
from dialects.kit.auth import AccountContext, by_fakturan_key, by_fakturan_token, parse_basic, parse_token
from dialects.kit.context import authenticate, endpoint_name
from dialects.kit.http import BodyTooLarge, JSONResponse

Handler = Callable[[Request, AccountContext], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]
# Each endpoint's name, by the function the routes mount: openapi.py describes the routes by it.
ENDPOINT_NAMES: dict[Endpoint, str] = {}


async def signed_in(request: Request) -> AccountContext | None:
    """Basic `key_id:password`, or the gem's `Authorization: Token token="..."`. A deactivated account
    gets the same 401 as a wrong key: the real service only knows Basic auth failures, and a 403 would
    tell a caller that the key itself is still valid."""
    header = request.headers.get("authorization")
    credentials = parse_basic(header)
    if credentials is not None:
        context = await authenticate(request, by_fakturan_key, *credentials)
    elif (token := parse_token(header)) is not None:
        context = await authenticate(request, by_fakturan_token, token)
    else:
        return None
    return context if context is not None and context.active else None


def endpoint(name: str, resource: str) -> Callable[[Handler], Endpoint]:
    """Sign the caller in, run the handler, and answer every domain error in fakturan's shape.
    `resource` tells which field table names core's errors."""
    def wrap(handler: Handler) -> Endpoint:
        @functools.wraps(handler)
        async def run(request: Request) -> Response:
            endpoint_name(request, name)
            context = await signed_in(request)
            if context is None:
                return unauthorized()
            try:
                return await handler(request, context)
            except BadRequest:
                return error_json(400)
            except BodyTooLarge:
                return error_json(413)
            except NotFound:
                return error_json(404)
            except Rejected as exc:
                return unprocessable(exc.problems)
            except Invalid as exc:
                return unprocessable(from_core(exc.errors, resource))
            except KeyReused:  # an Idempotency-Key sent again with a different request
                return JSONResponse({"errors": {"idempotency_key": [{"error": "taken"}]}}, status_code=409)
            except Conflict as exc:
                return JSONResponse({"error": exc.message}, status_code=422)
            except Forbidden:
                return error_json(403)
        ENDPOINT_NAMES[run] = name
        return run
    return wrap
