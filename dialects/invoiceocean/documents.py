"""GET /invoices/{id}.pdf: the same renderer every dialect uses, with InvoiceOcean's print_option."""
from __future__ import annotations

from starlette.responses import Response

from core.documents.mail import pdf_filename
from core.documents.pdf import PRINT_OPTIONS
from dialects.invoiceocean.errors import invalid
from dialects.invoiceocean.respond import Call, Reply
from dialects.kit.context import invoice_pdf as invoice_pdf_of
from dialects.kit.http import content_disposition


async def invoice_pdf(call: Call) -> Reply:
    option = call.query.get("print_option") or "original"
    if option not in PRINT_OPTIONS:
        raise invalid("print_option", f"must be one of {', '.join(PRINT_OPTIONS)}")
    document, pdf = await invoice_pdf_of(call.request, call.account.account_id, int(call.params["id"]), option)
    return Reply(200, Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": content_disposition("inline", pdf_filename(document.number))}), "invoice")
