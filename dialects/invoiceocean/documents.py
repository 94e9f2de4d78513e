"""GET /invoices/{id}.pdf: the same renderer every dialect uses, with InvoiceOcean's print_option."""
from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from core.documents.build import load_document
from core.documents.pdf import PRINT_OPTIONS, render_pdf
from dialects.invoiceocean.errors import invalid
from dialects.invoiceocean.respond import Call, Reply
from gateway.context import read


async def invoice_pdf(call: Call) -> Reply:
    option = call.query.get("print_option") or "original"
    if option not in PRINT_OPTIONS:
        raise invalid("print_option", f"must be one of {', '.join(PRINT_OPTIONS)}")
    document = await read(call.request, load_document, call.account.account_id, int(call.params["id"]))
    pdf = await run_in_threadpool(render_pdf, document, option)
    filename = document.number.replace("/", "-") or "invoice"
    return Reply(200, Response(pdf, media_type="application/pdf",
                               headers={"Content-Disposition": f'inline; filename="{filename}.pdf"'}), "invoice")
