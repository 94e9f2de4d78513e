"""KSeF as Fakturownia's API shows it (shared/reference/fakturownia-api/KSeF.md): the gov_* fields on every
invoice, gov_save_and_send on create and update, send_to_ksef=yes on a GET, and the attachments
(`kind=gov`: the FA(3) XML, `kind=gov_upo`: the UPO)."""
from __future__ import annotations

from datetime import datetime, time
from typing import Any, Callable, Mapping, Sequence

from starlette.responses import Response

from core.einvoice import service as ksef
from core.einvoice.service import SaveAndSend
from core.handlers.invoice_state import InvoiceView
from core.invoice_reads import invoice_view
from dialects.invoiceocean.errors import ApiError, invalid
from dialects.invoiceocean.present import Audience, stamp
from dialects.invoiceocean.respond import Call, Reply
from dialects.kit.context import execute, read_plain
from dialects.kit.http import content_disposition
from dialects.kit.lenient import to_bool

__all__ = ["SaveAndSend", "attachment_of", "documents_for", "gov_applied", "save_and_send_asked", "send_if_asked",
           "with_gov"]

GOV_FIELDS = ("gov_status", "gov_id", "gov_send_date", "gov_sell_date", "gov_error_messages",
              "gov_verification_link", "gov_link", "gov_corrected_invoice_number")
# Read-only: what a client echoes back from a GET is not input (gov_corrected_invoice_number may be given
# on a correction), and gov_save_and_send is an instruction, not a field to keep.
GOV_READ_ONLY = frozenset(GOV_FIELDS) - {"gov_corrected_invoice_number"} | {"gov_save_and_send"}


# An invoice never sent to KSeF (most of a list): every field null but the corrected number a client gave.
_NOT_SENT: dict[str, Any] = dict.fromkeys(GOV_FIELDS)


def gov_fields(document: Any, audience: Audience, given_corrected: Any = None) -> dict[str, Any]:
    if document is None:
        return {**_NOT_SENT, "gov_corrected_invoice_number": given_corrected or None}
    sell = document.sell_date
    zone = audience.zone
    return {
        "gov_status": document.status or None,
        "gov_id": document.gov_id or None,
        "gov_send_date": stamp(document.send_date, audience),
        "gov_sell_date": datetime.combine(sell, time(), zone) if sell else None,
        "gov_error_messages": list(document.error_messages) or None,
        "gov_verification_link": document.verification_link or None,
        "gov_link": document.gov_link or None,
        "gov_corrected_invoice_number": document.corrected_invoice_number or given_corrected or None,
    }


def documents_for(reader: Any, account_id: int, views: Sequence[InvoiceView]) -> dict[int, Any]:
    """Each invoice's KSeF document, and (for corrections) the corrected invoice's, in one read."""
    wanted = {v.invoice.id for v in views} | {v.invoice.from_invoice_id for v in views
                                              if v.invoice.kind == "correction" and v.invoice.from_invoice_id}
    return ksef.documents_of(reader, account_id, [i for i in wanted if i])


def gov_for(view: InvoiceView, documents: Mapping[int, Any], audience: Audience) -> dict[str, Any]:
    inv = view.invoice
    given = (inv.extra or {}).get("gov_corrected_invoice_number")
    if not given and inv.kind == "correction" and inv.from_invoice_id is not None \
            and inv.from_invoice_id in documents:
        given = documents[inv.from_invoice_id].gov_id or None
    return gov_fields(documents.get(inv.id or 0), audience, given)


async def with_gov(call: Call, views: Sequence[InvoiceView], presented: list[dict[str, Any]]) -> list[dict[str, Any]]:
    documents = await read_plain(call.request, documents_for, call.account.account_id, views,
                                 point=len(views) == 1)
    return gov_applied(views, presented, documents, call.audience)


def gov_applied(views: Sequence[InvoiceView], presented: list[dict[str, Any]], documents: Mapping[int, Any],
                audience: Audience) -> list[dict[str, Any]]:
    """The KSeF fields added to presented invoices, from documents_for read in the views' own read."""
    for view, body in zip(views, presented, strict=True):
        body.update(gov_for(view, documents, audience))
    return presented


def save_and_send_asked(call: Call, data: Mapping[str, Any]) -> bool:
    """gov_save_and_send in the query, at the top of the body, or inside the invoice."""
    for value in (call.arg("gov_save_and_send"), data.get("gov_save_and_send")):
        if value not in (None, ""):
            try:
                return bool(to_bool(value))
            except (ValueError, TypeError):
                raise invalid("gov_save_and_send", "is invalid") from None
    return False


async def send_if_asked(call: Call) -> None:
    """GET /invoices/{id}.json?send_to_ksef=yes (or 1/true): queue the invoice for KSeF first."""
    raw = call.arg("send_to_ksef")
    if raw in (None, ""):
        return
    try:
        wanted = bool(to_bool(raw))
    except (ValueError, TypeError):
        raise invalid("send_to_ksef", "is invalid") from None
    if wanted:
        await execute(call.request, ksef.SendToKsef(call.account.account_id, int(call.params["id"])))


def _gov_xml(document: Any) -> str:
    return str(document.xml or "")


def _gov_upo(document: Any) -> str:
    return str(document.upo or "")


# kind= -> (what a KSeF document holds of it, file name suffix). One row per attachment kind.
ATTACHMENTS: dict[str, tuple[Callable[[Any], str], str]] = {
    "gov": (_gov_xml, "ksef"),
    "gov_upo": (_gov_upo, "upo"),
}


async def _ksef_attachment(call: Call, view: InvoiceView, kind: str) -> Reply:
    read_part, suffix = ATTACHMENTS[kind]
    invoice = view.invoice
    document = await read_plain(call.request, ksef.document_of, call.account.account_id, invoice.id or 0, point=True)
    content = read_part(document) if document is not None else ""
    if not content:
        raise ApiError(404, "Not found")
    name = ksef.file_name(invoice, suffix)
    return Reply(200, Response(content.encode("utf-8"), media_type="text/xml", headers={
        "Content-Disposition": content_disposition("attachment", name)}), "attachment")


async def attachment_of(call: Call, kind: str) -> Reply:
    """kind=gov or gov_upo (attachments.KINDS): the invoice's KSeF document part, 404 until it exists."""
    view = await read_plain(call.request, invoice_view, call.account.account_id, int(call.params["id"]), point=True)
    return await _ksef_attachment(call, view, kind)


# --- the OpenAPI document's KSeF parts (dialects/invoiceocean/openapi.py) -------------------------------

_TEXT_OR_NULL = {"type": ["string", "null"]}
GOV_SCHEMA: dict[str, Any] = {
    "gov_status": {"type": ["string", "null"], "description": "KSeF status: processing, ok, send_error, "
                   "server_error, not_applicable, not_connected, or demo_* of each in demo mode; null: never sent"},
    "gov_id": {"type": ["string", "null"], "description": "the KSeF number, NIP-YYYYMMDD-XXXXXXXXXXXX-XX"},
    "gov_send_date": {"type": ["string", "null"], "format": "date-time"},
    "gov_sell_date": {"type": ["string", "null"], "format": "date-time"},
    "gov_error_messages": {"type": ["array", "null"], "items": {"type": "string"}},
    "gov_verification_link": _TEXT_OR_NULL, "gov_link": _TEXT_OR_NULL, "gov_corrected_invoice_number": _TEXT_OR_NULL,
}
_PARTY = {"type": "array", "items": {"type": "object", "additionalProperties": True, "properties": {
    "name": {"type": "string"}, "tax_no": {"type": "string"}, "tax_no_kind": {"type": "string"},
    "role": {"type": "string"}, "role_description": {"type": "string"}, "participation": {"type": ["number", "string"]},
    "company": {"type": ["boolean", "string"]}, "country": {"type": "string"}, "street": {"type": "string"},
    "city": {"type": "string"}, "post_code": {"type": "string"}}}}
_TAX_NO_KIND = {"type": "string", "enum": ["", "nip_ue", "other", "empty", "nip_with_id"]}
INPUT_SCHEMA: dict[str, Any] = {
    "gov_save_and_send": {"type": ["boolean", "string", "integer"], "description": "send to KSeF once saved "
                          "(also a top-level body key or a query parameter)"},
    "buyer_tax_no_kind": _TAX_NO_KIND, "seller_tax_no_kind": _TAX_NO_KIND,
    "exempt_tax_kind": {"type": "string"}, "np_tax_kind": {"type": "string", "enum": ["export_service",
                                                                                      "export_service_eu"]},
    "issuers": _PARTY, "recipients": _PARTY, "gov_corrected_invoice_number": {"type": "string"},
}
SEND_QUERY = {"send_to_ksef": {"type": "string", "examples": ["yes"], "description": "send the invoice to KSeF"}}
SAVE_QUERY = {"gov_save_and_send": {"type": ["string"], "examples": ["1"]}}
