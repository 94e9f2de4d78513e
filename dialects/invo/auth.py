"""Who is asking: HTTP Basic login:password, checked against the account's INVO logins."""
from __future__ import annotations

from starlette.requests import Request

from dialects.invo.errors import InvoError
from dialects.kit.auth import AccountContext, by_login, parse_basic
from dialects.kit.context import present, signed_in


def present_caller(request: Request) -> None:
    """HTTP Basic login:password, to be looked up by the request's first read (dialects.kit.context);
    1 at once when there is none."""
    credentials = parse_basic(request.headers.get("authorization"))
    if credentials is None:
        raise InvoError(1)
    present(request, by_login, *credentials, verdict=_accepted)


def _accepted(context: AccountContext | None) -> AccountContext:
    """1 for anything wrong with the credentials, 7 for a deactivated account."""
    if context is None:
        raise InvoError(1)
    if not context.active:
        raise InvoError(7)
    return context


async def caller(request: Request) -> AccountContext:
    present_caller(request)
    return await signed_in(request)
