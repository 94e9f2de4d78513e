"""The route table: every InvoiceOcean path once, with a {fmt} suffix that is json or xml, and the one
wrapper that reads the body, authenticates, runs the endpoint and renders its Reply or error."""
from __future__ import annotations

from typing import Any, Awaitable, Callable

from starlette.convertors import Convertor, register_url_convertor
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from core.errors import DomainError
from dialects.invoiceocean import account as acc
from dialects.invoiceocean import attachments as att
from dialects.invoiceocean import banking as bank
from dialects.invoiceocean import documents as docs
from dialects.invoiceocean import invoices as inv
from dialects.invoiceocean import payments as pay
from dialects.invoiceocean import records as rec
from dialects.invoiceocean import sparse
from dialects.invoiceocean import warehouse as wh
from dialects.invoiceocean import webhooks as hooks
from dialects.invoiceocean.auth import account_for, present_credential
from dialects.invoiceocean.errors import NOT_FOUND, ApiError, from_domain
from dialects.invoiceocean.respond import Call, Reply, format_of_path, read_payload, render, render_error
from dialects.kit.auth import NOT_SIGNED_IN
from dialects.kit.context import endpoint_name, ensure_signed_in
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
    ("GET", "/invoices/{id}/attachment", att.attachment, "invoices.attachment"),
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
    *_crud("categories", "category"),
    *_crud("warehouses", "warehouse"),
    ("GET", "/warehouse_documents.{fmt}", wh.list_documents_, "warehouse_documents.list"),
    ("POST", "/warehouse_documents.{fmt}", wh.create_document, "warehouse_documents.create"),
    ("GET", "/warehouse_documents/{id}.{fmt}", wh.get_document, "warehouse_documents.get"),
    ("PUT", "/warehouse_documents/{id}.{fmt}", wh.update_document, "warehouse_documents.update"),
    ("PATCH", "/warehouse_documents/{id}.{fmt}", wh.update_document, "warehouse_documents.update"),
    ("DELETE", "/warehouse_documents/{id}.{fmt}", wh.delete_document, "warehouse_documents.delete"),
    ("GET", "/warehouse_actions.{fmt}", wh.list_actions, "warehouse_actions.list"),
    ("GET", "/banking/payments.{fmt}", pay.list_payments, "payments.list"),
    ("POST", "/banking/payments.{fmt}", pay.create_payment, "payments.create"),
    *[(method, f"/banking/{noun}/{{id}}.{{fmt}}", handler, name)
      for noun in ("payments", "payment")
      for method, handler, name in (("GET", pay.get_payment, "payments.get"),
                                    ("PUT", pay.update_payment, "payments.update"),
                                    ("PATCH", pay.update_payment, "payments.update"),
                                    ("DELETE", pay.delete_payment, "payments.delete"))],
    *_crud("issuers", "issuer"),
    ("GET", "/bank_accounts.{fmt}", bank.list_bank_accounts, "bank_accounts.list"),
    ("POST", "/bank_accounts.{fmt}", bank.create_bank_account, "bank_accounts.create"),
    ("GET", "/bank_accounts/{id}.{fmt}", bank.get_bank_account, "bank_accounts.get"),
    ("PUT", "/bank_accounts/{id}.{fmt}", bank.update_bank_account, "bank_accounts.update"),
    ("PATCH", "/bank_accounts/{id}.{fmt}", bank.update_bank_account, "bank_accounts.update"),
    ("DELETE", "/bank_accounts/{id}.{fmt}", bank.delete_bank_account, "bank_accounts.delete"),
    ("GET", "/account.{fmt}", acc.get_account, "account.get"),
    ("POST", "/login.{fmt}", acc.login, "account.login"),
    *hooks.ROUTES,
]

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Endpoints whose first read signs the caller in (read_signed): one transaction for both, one hop at most.
SIGNED_READS = frozenset({"invoices.get", "invoices.list"})
# Endpoints whose write signs the caller in (execute_signed): the lookup in the write's own job, no read before it.
SIGNED_WRITES = frozenset({"invoices.create"})


def endpoint(handler: Handler, name: str) -> Callable[[Request], Awaitable[Response]]:
    async def run(request: Request) -> Response:
        fmt = str(request.path_params.get("fmt", "json"))
        endpoint_name(request, name)
        try:
            payload = await read_payload(request, fmt) if request.method in BODY_METHODS else {}
            # /login.json: the body's login and password are the credentials, checked by the endpoint itself
            if name in acc.SIGN_IN:
                account = acc.ANONYMOUS
            elif name in SIGNED_READS or name in SIGNED_WRITES:
                present_credential(request, payload)
                account = NOT_SIGNED_IN
            else:
                account = await account_for(request, payload)
            reply = sparse.applied(request.query_params, await handler(Call(request, fmt, account,
                                                                             request.path_params, payload)))
        except (ApiError, DomainError) as exc:
            failure = exc
        else:
            return render(fmt, reply)
        try:  # an error found before the credential was looked up: a refused caller hears only of that
            await ensure_signed_in(request)
        except ApiError as refused:
            failure = refused
        try:
            return render_error(fmt, failure if isinstance(failure, ApiError) else from_domain(failure))
        finally:
            del failure  # its traceback holds this frame: kept, the two would be a reference cycle (memory.py)
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
