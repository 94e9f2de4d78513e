"""The registration of this dialect: what the gateway asks of it. Only the composition root imports this
module, so importing any other module of the dialect loads just what that module needs."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from dialects.invo import fields, openapi, translate
from dialects.invo.errors import ERRORS, GATEWAY_KINDS, error_response
from dialects.invo.routes import routes
from dialects.kit.auth import by_login
from dialects.kit.dialect import Dialect, SignInForm


def gateway_error(request: Request, status: int, kind: str, message: str) -> Response:
    """Gateway-level failures (too large, wrong method, crash, rate limit) in INVO's error shape."""
    code = GATEWAY_KINDS.get(kind, 13)
    response = error_response(code, ERRORS[code][0], status=status)
    if status == 405:
        response.headers["Allow"] = "POST"
    return response


DIALECT = Dialect(
    name="invo", label="INVO", colour="#e08a1e",
    routes=routes, owns=lambda path: path == "/api.json", error_response=gateway_error,
    docs=openapi.docs, request_fields=("r", "q"), translator=translate.TRANSLATOR,
    sign_in=(SignInForm("invo", by_login, lambda identity, secret: (identity, secret), "invo_login", by_user=True),),
    fidelity=fields.FIDELITY)
