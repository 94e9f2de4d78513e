"""The route table: every InvoiceOcean path once, with a {fmt} suffix that is json or xml, and the one
wrapper that reads the body, authenticates, runs the endpoint and renders its Reply or error."""
from __future__ import annotations

from typing import Any, Awaitable, Callable

from starlette.convertors import Convertor, register_url_convertor
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from core.errors import DomainError
from dialects.invoiceocean import documents as docs
from dialects.invoiceocean import invoices as inv
from dialects.invoiceocean import ksef
from dialects.invoiceocean import payments as pay
from dialects.invoiceocean import records as rec
from dialects.invoiceocean.auth import account_for
from dialects.invoiceocean.errors import NOT_FOUND, ApiError, from_domain
from dialects.invoiceocean.respond import Call, Reply, format_of_path, read_payload, render, render_error
from dialects.kit.context import endpoint_name
from dialects.kit.ids import RecordIdConvertor  # noqa: F401  registers {id:recid}

Handler = Callable[[Call], Awaitable[Reply]]


class FormatConvertor(Convertor[str]):
    regex = "json|xml"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("iofmt", FormatConvertor())


def _crud(plural: str, entity: str, *, delete: bool = True) -> list[tuple[str, str, Handler, str]]:
    rows = [
        ("GET", f"/{plural}.{{fmt}}", rec.list_handler(entity), f"{plural}.list"),
        ("POST", f"/{plural}.{{fmt}}", rec.create_handler(entity), f"{plural}.create"),
        ("GET", f"/{plural}/{{id}}.{{fmt}}", rec.get_handler(entity), f"{plural}.get"),
        ("PUT", f"/{plural}/{{id}}.{{fmt}}", rec.update_handler(entity), f"{plural}.update"),
        ("PATCH", f"/{plural}/{{id}}.{{fmt}}", rec.update_handler(entity), f"{plural}.update"),
    ]
    if delete:
        rows.append(("DELETE", f"/{plural}/{{id}}.{{fmt}}", rec.delete_handler(entity), f"{plural}.delete"))
    return rows


# (method, path, handler, endpoint name). {id} is an integer, {fmt} is json or xml.
ROUTES: list[tuple[str, str, Handler, str]] = [
    ("GET", "/invoices.{fmt}", inv.list_invoices, "invoices.list"),
    ("POST", "/invoices.{fmt}", inv.create_invoice, "invoices.create"),
    ("POST", "/invoices/cancel.{fmt}", inv.cancel_invoice, "invoices.cancel"),
    ("GET", "/invoices/{id}.{fmt}", inv.get_invoice, "invoices.get"),
    ("GET", "/invoices/{id}.pdf", docs.invoice_pdf, "invoices.pdf"),
    ("GET", "/invoices/{id}/attachment", ksef.attachment, "invoices.attachment"),
    ("PUT", "/invoices/{id}.{fmt}", inv.update_invoice, "invoices.update"),
    ("PATCH", "/invoices/{id}.{fmt}", inv.update_invoice, "invoices.update"),
    ("DELETE", "/invoices/{id}.{fmt}", inv.delete_invoice, "invoices.delete"),
    ("POST", "/invoices/{id}/change_status.{fmt}", inv.change_status, "invoices.change_status"),
    ("POST", "/invoices/{id}/cancel.{fmt}", inv.cancel_invoice, "invoices.cancel"),
    ("POST", "/invoices/{id}/send_by_email.{fmt}", inv.send_by_email, "invoices.send_by_email"),
    ("GET", "/clients/check", rec.check_client, "clients.check"),
    ("GET", "/clients/check.{fmt}", rec.check_client, "clients.check"),
    *_crud("clients", "client"),
    *_crud("products", "product"),
    *_crud("departments", "department"),
    *_crud("price_lists", "price_list"),
    *_crud("recurrings", "recurring"),
    ("GET", "/banking/payments.{fmt}", pay.list_payments, "payments.list"),
    ("POST", "/banking/payments.{fmt}", pay.create_payment, "payments.create"),
    *[(method, f"/banking/{noun}/{{id}}.{{fmt}}", handler, name)
      for noun in ("payments", "payment")
      for method, handler, name in (("GET", pay.get_payment, "payments.get"),
                                    ("PUT", pay.update_payment, "payments.update"),
                                    ("PATCH", pay.update_payment, "payments.update"),
                                    ("DELETE", pay.delete_payment, "payments.delete"))],
]

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def endpoint(handler: Handler, name: str) -> Callable[[Request], Awaitable[Response]]:
    async def run(request: Request) -> Response:
        fmt = str(request.path_params.get("fmt", "json"))
        endpoint_name(request, name)
        try:
            payload = await read_payload(request, fmt) if request.method in BODY_METHODS else {}
            account = await account_for(request, payload)
            reply = await handler(Call(request, fmt, account, request.path_params, payload))
        except ApiError as exc:
            return render_error(fmt, exc)
        except DomainError as exc:
            return render_error(fmt, from_domain(exc))
        return render(fmt, reply)
    return run


def _starlette_path(path: str) -> str:
    return path.replace("{id}", "{id:recid}").replace("{fmt}", "{fmt:iofmt}")


def routes() -> list[BaseRoute]:
    return [Route(_starlette_path(path), endpoint(handler, name), methods=[method], name=f"io:{name}:{method}")
            for method, path, handler, name in ROUTES]


GATEWAY_MESSAGES = {"not_found": NOT_FOUND, "method_not_allowed": "Method not allowed",
                    "too_large": "Request body too large", "internal": "Internal server error",
                    "rate_limited": "Too many requests", "timeout": "Request timeout"}


def error_response(request: Request, status: int, kind: str, message: str) -> Response:
    """Gateway-level failures (unknown path, 405, 413, 500, 429) in InvoiceOcean's JSON or XML."""
    text = GATEWAY_MESSAGES.get(kind, message) if kind != "too_large" else (message or GATEWAY_MESSAGES[kind])
    return render_error(format_of_path(request.url.path), ApiError(status, text))


def describe() -> list[dict[str, Any]]:
    """The route table as data, for the README's endpoint table and tests."""
    return [{"method": m, "path": p, "endpoint": n} for m, p, _h, n in ROUTES]
