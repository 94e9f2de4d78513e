"""Mini: a plain JSON API with GET and POST /min/invoices, authenticated by an InvoiceOcean api_token sent as
`Authorization: Bearer ...`. It uses only the kit and core, as any dialect does. Besides its routes it brings
its /docs section, a console sign-in form (the same bearer token) and a Rosetta pane (its own JSON); it
registers no account profile or credential kind of its own, since core's registry outlives one test app."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from core import commands as c
from core.errors import DomainError
from core.handlers.invoice_state import InvoiceView
from core.queries import InvoiceFilter, Page, list_invoices
from dialects.kit.auth import AccountContext, by_api_token
from dialects.kit.context import authenticate, endpoint_name, execute, read_plain
from dialects.kit.dialect import Dialect, DialectDocs, Endpoint, RosettaPane, SignInForm
from dialects.kit.fields import KEPT, FidelityColumn, Shown
from dialects.kit.http import JSONResponse, dumps, loads_json, read_body
from dialects.kit.lenient import to_int

PREFIX = "/min/"


def error_response(request: Request, status: int, kind: str, message: str) -> Response:
    return JSONResponse({"error": kind, "message": message}, status_code=status)


def present(view: InvoiceView) -> dict[str, Any]:
    invoice = view.invoice
    return {"id": invoice.id, "number": invoice.number, "buyer": invoice.buyer_name,
            "gross": str(invoice.price_gross), "currency": invoice.currency}


async def _account(request: Request) -> AccountContext | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return await authenticate(request, by_api_token, token.strip()) if scheme.lower() == "bearer" else None


def _recent(reader: Any, account_id: int) -> list[InvoiceView]:
    return list_invoices(reader, account_id, InvoiceFilter(), Page(1, 50), (("id", False),))


async def invoices(request: Request) -> Response:
    endpoint_name(request, "mini:invoices." + ("list" if request.method == "GET" else "create"))
    account = await _account(request)
    if account is None:
        return error_response(request, 401, "unauthorized", "send Authorization: Bearer <api_token>")
    if request.method == "GET":
        return JSONResponse([present(v) for v in await read_plain(request, _recent, account.account_id)])
    try:
        body = loads_json(await read_body(request))
        lines = tuple(c.LineSpec(name=str(line["name"]), quantity=Decimal(to_int(line.get("quantity", 1))),
                                 price_gross=Decimal(str(line["gross"])), tax=str(line.get("tax", "23")))
                      for line in body["lines"])
        view = await execute(request, c.CreateInvoice(account.account_id, "mini", {"buyer_name": body["buyer"]}, lines))
    except (KeyError, TypeError, ValueError) as exc:
        return error_response(request, 400, "bad_request", str(exc))
    except DomainError as exc:
        return error_response(request, 422, "invalid", str(exc))
    return JSONResponse(present(view), status_code=201)


def routes() -> list[BaseRoute]:
    return [Route("/min/invoices", invoices, methods=["GET", "POST"], name="mini:invoices")]


def docs(document_url: str) -> DialectDocs:
    return DialectDocs("mini", "Mini (a plain JSON API)", "Authorization: Bearer <api_token>", document_url,
                       [Endpoint("GET", "/min/invoices", "List invoices"),
                        Endpoint("POST", "/min/invoices", "Create an invoice")])


def rosetta(session: Any, view: InvoiceView, base_url: str) -> str:
    return dumps([present(view)]).decode()


_SIMPLE = "Mini creates plain invoices: a buyer's name and gross-priced lines"
# Its column of the gateway's fidelity table: what present() shows (a field not listed is absent).
FIDELITY = FidelityColumn(
    shows={"number": Shown("number"), "currency": Shown("currency"),
           "buyer": Shown("buyer", "approximate", "the buyer's name only; the address is " + KEPT,
                          lambda v: v.invoice.buyer_name),
           "totals": Shown("gross", "approximate", "the gross total only", lambda v: v.invoice.price_gross)},
    cannot={name: _SIMPLE for name in ("proforma_to_vat", "correction", "foreign_currency", "partial_payment",
                                       "marked_paid_after_partial", "split_payment", "paid_then_payment", "sent",
                                       "cancelled", "deleted")})

DIALECT = Dialect(name="mini", label="Mini", colour="#7a4fd0", routes=routes, owns=lambda path: path.startswith(PREFIX),
                  error_response=error_response, docs=docs,
                  sign_in=(SignInForm("mini", by_api_token, lambda identity, secret: (secret,), "api_token",
                                      needs_identity=False, secret_label="Bearer token",
                                      button="Sign in with bearer token"),),
                  rosetta=(RosettaPane("mini", "Mini JSON", "GET /min/invoices", rosetta),),
                  fidelity=FIDELITY)
