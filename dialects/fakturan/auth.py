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
from dialects.kit.auth import (
    NOT_SIGNED_IN,
    AccountContext,
    by_fakturan_key,
    by_fakturan_token,
    parse_basic,
    parse_token,
)
from dialects.kit.context import endpoint_name, ensure_signed_in, present
from dialects.kit.context import signed_in as kit_signed_in
from dialects.kit.http import BodyTooLarge, JSONResponse

Handler = Callable[[Request, AccountContext], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]
# Each endpoint's name, by the function the routes mount: openapi.py describes the routes by it.
ENDPOINT_NAMES: dict[Endpoint, str] = {}


class _Refused(Exception):
    """fakturan's verdict on a credential it does not let in: 401, whatever was wrong."""


def _accepted(context: AccountContext | None) -> AccountContext:
    """A deactivated account gets the same 401 as a wrong key: the real service only knows Basic auth
    failures, and a 403 would tell a caller that the key itself is still valid."""
    if context is None or not context.active:
        raise _Refused()
    return context


def _present(request: Request) -> None:
    """Basic `key_id:password`, or the gem's `Authorization: Token token="..."`, to be looked up by the
    request's first read (dialects.kit.context); refused at once when there is neither."""
    header = request.headers.get("authorization")
    credentials = parse_basic(header)
    if credentials is not None:
        present(request, by_fakturan_key, *credentials, verdict=_accepted)
    elif (token := parse_token(header)) is not None:
        present(request, by_fakturan_token, token, verdict=_accepted)
    else:
        raise _Refused()


async def _caller_refused(request: Request) -> bool:
    try:
        await ensure_signed_in(request)
    except _Refused:
        return True
    return False


def endpoint(name: str, resource: str, *, signs_in_itself: bool = False) -> Callable[[Handler], Endpoint]:
    """Sign the caller in, run the handler, and answer every domain error in fakturan's shape.
    `resource` tells which field table names core's errors. `signs_in_itself`: the handler looks the
    credential up itself, in its first read (read_signed) or in its write (execute_signed); it gets NOT_SIGNED_IN."""
    def wrap(handler: Handler) -> Endpoint:
        @functools.wraps(handler)
        async def run(request: Request) -> Response:
            endpoint_name(request, name)
            try:
                _present(request)
                context = NOT_SIGNED_IN if signs_in_itself else await kit_signed_in(request)
                return await handler(request, context)
            except _Refused:
                return unauthorized()
            except (BadRequest, BodyTooLarge, NotFound, Rejected, Invalid, KeyReused, Conflict, Forbidden) as exc:
                # found before the credential was looked up: a refused caller hears only of that
                return unauthorized() if await _caller_refused(request) else _answer(exc, resource)
        ENDPOINT_NAMES[run] = name
        return run
    return wrap


def _answer(exc: Exception, resource: str) -> Response:
    if isinstance(exc, BadRequest):
        return error_json(400)
    if isinstance(exc, BodyTooLarge):
        return error_json(413)
    if isinstance(exc, NotFound):
        return error_json(404)
    if isinstance(exc, Rejected):
        return unprocessable(exc.problems)
    if isinstance(exc, Invalid):
        return unprocessable(from_core(exc.errors, resource))
    if isinstance(exc, KeyReused):  # an Idempotency-Key sent again with a different request
        return JSONResponse({"errors": {"idempotency_key": [{"error": "taken"}]}}, status_code=409)
    if isinstance(exc, Conflict):
        return JSONResponse({"error": exc.message}, status_code=422)
    return error_json(403)  # Forbidden
