"""r=files: an invoice as a PDF (get), e-mailed (send), and scans/attachments (cost, list)."""
from __future__ import annotations

import base64
import binascii
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from core.commands import SendInvoice, StoreAttachment
from core.documents.access import attachment_file
from core.handlers.invoice_state import load_invoice
from core.handlers.sending import split_addresses
from core.models import Attachment
from dialects.invo.errors import invalid
from dialects.invo.parse import as_date, as_id, as_int, as_range, as_str
from dialects.invo.resources.base import Call, listing, page_of
from dialects.kit.context import invoice_pdf
from dialects.kit.einvoice import invoice_peppol
from dialects.kit.sending import send_options

ORIGIN = "invo"


# `what` of files/get: 0 is the seed's invoice PDF; 1 (a stored scan) and 2 (the invoice as a Peppol BIS
# Billing 3.0 UBL e-invoice) are this gateway's extensions.
WHAT_INVOICE, WHAT_SCAN, WHAT_PEPPOL = 0, 1, 2


async def get(call: Call) -> dict[str, Any]:
    what = as_int(call.q.get("what", WHAT_INVOICE), "what")
    if what == WHAT_SCAN:
        stored = await call.read(attachment_file, call.account_id, call.record_id())
        return {"id": stored.id, "fname": stored.name, "ftype": stored.file_type, "size": stored.size,
                "file": base64.b64encode(stored.data).decode()}
    if what == WHAT_PEPPOL:
        ubl = await invoice_peppol(call.request, call.account_id, call.record_id())
        return {"id": call.record_id(), "fname": ubl.filename, "ftype": ".xml",
                "file": base64.b64encode(ubl.xml).decode()}
    if what != WHAT_INVOICE:
        raise invalid("what", "0 (the invoice), 1 (a scan) or 2 (the Peppol e-invoice)")
    invoice_id = call.record_id()
    document, pdf = await invoice_pdf(call.request, call.account_id, invoice_id)
    name = document.number.replace("/", "_") or str(invoice_id)
    return {"id": invoice_id, "fname": f"{name}.pdf", "ftype": ".pdf", "file": base64.b64encode(pdf).decode()}


async def send(call: Call) -> dict[str, Any]:
    """The seed has no resend guard, so an explicit send always sends (force)."""
    invoice_id = call.record_id()
    await call.read(load_invoice, call.account_id, invoice_id)
    recipients = split_addresses(as_str(call.q.get("email"), "email"))
    message = await call.execute(SendInvoice(call.account_id, invoice_id, ORIGIN, recipients=recipients, force=True,
                                             **send_options(call.request)))
    return {"id": invoice_id, "email": ", ".join(message.recipients)}


async def cost(call: Call) -> dict[str, Any]:
    q = call.q
    invoice_id = as_id(q["id"]) if q.get("id") not in (None, 0, "0", "") else None
    if invoice_id is not None:
        await call.read(load_invoice, call.account_id, invoice_id)
    raw = q.get("file")
    if not isinstance(raw, str) or not raw.strip():
        raise invalid("file", "can't be blank")
    try:
        data = base64.b64decode(raw.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise invalid("file", "is not base64") from None
    attachment = await call.execute(StoreAttachment(
        call.account_id, data, name=as_str(q.get("fname"), "fname"), file_type=as_str(q.get("ftype"), "ftype"),
        invoice_id=invoice_id, attached_on=as_date(q.get("idate"), "idate")))
    return {"id": attachment.id, "did": attachment.invoice_id or 0, "size": attachment.size}


def _scans(session: Session, account_id: int, invoice_id: int | None, start: Any, end: Any) -> list[Attachment]:
    if invoice_id is not None:
        load_invoice(session, account_id, invoice_id)
    stmt = select(Attachment).where(col(Attachment.account_id) == account_id)
    if invoice_id is not None:
        stmt = stmt.where(col(Attachment.invoice_id) == invoice_id)
    if start is not None:
        stmt = stmt.where(col(Attachment.attached_on) >= start)
    if end is not None:
        stmt = stmt.where(col(Attachment.attached_on) <= end)
    return list(session.execute(stmt.order_by(col(Attachment.id))).scalars())


async def list_(call: Call) -> dict[str, Any]:
    q = call.q
    invoice_id = call.record_id() if "id" in q else None
    start, end = as_range(q["idate"], "idate") if "idate" in q else (None, None)
    scans = await call.read(_scans, call.account_id, invoice_id, start, end)
    page = page_of(q)
    rows = [{"id": a.id, "did": a.invoice_id or 0, "fname": a.name, "ftype": a.file_type,
             "idate": a.attached_on.isoformat(), "size": a.size} for a in scans]
    return listing(rows[page.offset:page.offset + page.per_page], len(rows))


ACTIONS = {"get": get, "send": send, "cost": cost, "list": list_}
