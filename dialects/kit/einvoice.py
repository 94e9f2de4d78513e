"""E-invoices for every dialect: an invoice's Peppol BIS Billing 3.0 UBL, built from the ledger and
validated (UBL 2.1 schema, EN 16931 and Peppol rules) before any client sees it. An invoice the rules
refuse is core's Invalid, which each dialect answers in its own error format."""
from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from core.documents.peppol import UblDocument, read_peppol
from core.documents.peppol_check import require_valid
from dialects.kit.context import read_plain


async def invoice_peppol(request: Request, account_id: int, invoice_id: int) -> UblDocument:
    """The invoice's UBL: read in a short transaction, validated in the thread pool after it."""
    document = await read_plain(request, read_peppol, account_id, invoice_id, point=True)
    await run_in_threadpool(require_valid, document.xml)
    return document
