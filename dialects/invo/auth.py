"""Who is asking: HTTP Basic login:password, checked against the account's INVO logins."""
from __future__ import annotations

from starlette.requests import Request

from dialects.invo.errors import InvoError
from dialects.kit.auth import AccountContext, by_login, parse_basic
from dialects.kit.context import authenticate


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
