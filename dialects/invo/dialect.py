"""The registration of this dialect: what the gateway and core ask of it. Only the composition root imports
this module, so importing any other module of the dialect loads just what that module needs."""
from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from core.handlers.invoice_state import InvoiceView
from core.registrations import CredentialKind
from dialects.invo import fields, openapi, translate
from dialects.invo.errors import ERRORS, GATEWAY_KINDS, error_response
from dialects.invo.lookups import load_dictionaries
from dialects.invo.present import invoice_row, items_of
from dialects.invo.resources.base import listing
from dialects.invo.routes import routes
from dialects.kit.auth import by_login
from dialects.kit.dialect import Dialect, RosettaPane, SignInForm
from dialects.kit.http import dumps_numbers

# A user's own login and password; the account's owner login is its main credential.
LOGIN = CredentialKind("invo_login", "invo", "login", "INVO login", main=True)


def gateway_error(request: Request, status: int, kind: str, message: str) -> Response:
    """Gateway-level failures (too large, wrong method, crash, rate limit) in INVO's error shape."""
    code = GATEWAY_KINDS.get(kind, 13)
    response = error_response(code, ERRORS[code][0], status=status)
    if status == 405:
        response.headers["Allow"] = "POST"
    return response


def _rows(session: Any, view: InvoiceView, base_url: str) -> str:
    """The invoice as `r=invoices` lists it with its items, in INVO's list envelope."""
    row = invoice_row(view)
    row["items"] = items_of(view, load_dictionaries(session, view.invoice.account_id))
    return dumps_numbers(listing([row], 1)).decode()


DIALECT = Dialect(
    name="invo", label="INVO", colour="#e08a1e",
    routes=routes, owns=lambda path: path == "/api.json", error_response=gateway_error,
    docs=openapi.docs, request_fields=("r", "q"), translator=translate.TRANSLATOR,
    sign_in=(SignInForm("invo", by_login, lambda identity, secret: (identity, secret), "invo_login", by_user=True,
                        button="Sign in with login"),),
    rosetta=(RosettaPane("invo", "INVO rows", 'r=invoices q={"action":"list","id":{id},"items":1}', _rows),),
    credential_kinds=(LOGIN,),
    try_it=lambda s, base: (f"login={s['login']} password={s['password']}",
                            f"curl -u '{s['login']}:{s['password']}' -d 'r=login&q={{}}' {base}/api.json"),
    reference=(openapi.render, openapi.write, openapi.REFERENCE_PATH),
    fidelity=fields.FIDELITY)
