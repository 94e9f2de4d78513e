"""KSeF in the console: the account's KSeF mode, sending an invoice, and its FA(3) and UPO documents."""
from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from core.einvoice import service as ksef
from core.errors import Invalid, NotFound
from core.invoice_reads import invoice_view
from dialects.kit.context import execute, ledger_of, read_plain
from dialects.kit.http import content_disposition
from gateway.console.session import Signed
from gateway.console.web import SECURITY_HEADERS, page, render

DOCUMENTS = {"fa3": ("xml", "ksef"), "upo": ("upo", "upo")}  # path part -> (KsefDocument column, file suffix)


def _invoice_id(request: Request) -> int:
    return int(request.path_params["id"])


@page
async def document(request: Request, signed: Signed) -> Response:
    """GET /console/invoices/{id}/ksef/{fa3|upo}.xml"""
    column, suffix = DOCUMENTS.get(str(request.path_params["part"]), ("", ""))
    try:
        view = await read_plain(request, invoice_view, signed.account_id, _invoice_id(request))
    except NotFound:
        view = None
    found = await read_plain(request, ksef.document_of, signed.account_id, _invoice_id(request)) if view else None
    content = str(getattr(found, column, "") or "") if column else ""
    if view is None or not content:
        return render(request, "error.html", 404, title="Not found", message="This invoice has no such KSeF document.")
    name = ksef.file_name(view.invoice, suffix)
    return Response(content.encode("utf-8"), media_type="text/xml",
                    headers={**SECURITY_HEADERS, "Content-Disposition": content_disposition("inline", name)})


@page
async def send(request: Request, signed: Signed) -> Response:
    """POST /console/invoices/{id}/ksef: send the invoice to KSeF (as send_to_ksef=yes does)."""
    target = f"/console/invoices/{_invoice_id(request)}"
    try:
        await execute(request, ksef.SendToKsef(signed.account_id, _invoice_id(request)))
    except NotFound:
        return render(request, "error.html", 404, title="Not found",
                      message="There is no such invoice in this account.")
    except Invalid as exc:
        message = "; ".join(f"{e.field} {e.message}" for e in exc.errors)
        return render(request, "error.html", 422, title="KSeF would refuse this invoice", message=message)
    return RedirectResponse(target, status_code=303)


@page
async def mode(request: Request, signed: Signed) -> Response:
    """POST /console/ksef-mode: the account's KSeF mode and validate_invoices_for_gov."""
    form: Any = request.state.console_form
    chosen = str(form.get("mode") or "")
    validate = form.get("validate") == "on"

    def change(session: Any) -> None:
        ksef.apply_mode(session, signed.account_id, chosen, validate)
    try:
        await run_in_threadpool(ledger_of(request).write, change)
    except Invalid:
        return render(request, "error.html", 422, title="Unknown KSeF mode",
                      message=f"The KSeF mode is one of {', '.join(ksef.MODES)}.")
    return RedirectResponse("/console/invoices", status_code=303)
