"""GET /invoices/{id}/attachment?kind=...: an invoice's e-invoice files, one handler per kind.

Fakturownia answers with a 302 to the file; here the file itself comes back (200), which is where a
client following that redirect ends up. A kind this table does not hold is refused as a field error.
"""
from __future__ import annotations

import functools
from typing import Awaitable, Callable

from starlette.responses import Response

from core.documents.peppol import MEDIA_TYPE as PEPPOL_MEDIA_TYPE
from core.models import Invoice
from core.reader import Reader
from dialects.invoiceocean import ksef
from dialects.invoiceocean.errors import invalid
from dialects.invoiceocean.respond import Call, Reply
from dialects.kit.context import read_plain
from dialects.kit.einvoice import invoice_peppol
from dialects.kit.http import content_disposition


async def peppol(call: Call) -> Reply:
    """Peppol BIS Billing 3.0 UBL (an Invoice, or a CreditNote for a correction that lowers the amount)."""
    document = await invoice_peppol(call.request, call.account.account_id, int(call.params["id"]))
    return Reply(200, Response(document.xml, media_type=PEPPOL_MEDIA_TYPE, headers={
        "Content-Disposition": content_disposition("attachment", document.filename)}), "invoice")


async def _ksef(call: Call, kind: str) -> Reply:
    return await ksef.attachment_of(call, kind)


KINDS: dict[str, Callable[[Call], Awaitable[Reply]]] = {
    "peppol": peppol,
    **{kind: functools.partial(_ksef, kind=kind) for kind in ksef.ATTACHMENTS},  # gov, gov_upo
}


def _owned_invoice(reader: Reader, account_id: int, invoice_id: int) -> Invoice:
    return reader.owned(Invoice, account_id, invoice_id, "invoice")


async def attachment(call: Call) -> Reply:
    # Another account's invoice is not found whatever the kind: the id is resolved before the kind is read.
    await read_plain(call.request, _owned_invoice, call.account.account_id, int(call.params["id"]), point=True)
    kind = call.query.get("kind") or ""
    handler = KINDS.get(kind)
    if handler is None:
        raise invalid("kind", f"must be one of {', '.join(KINDS)}")
    return await handler(call)
