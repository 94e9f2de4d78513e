"""InvoiceOcean's translator (Dialect.translator, run by gateway/translate.py): a JSON or XML request becomes a
core command through parse.py, the code its endpoints run, and a command becomes a request through encode.py."""
from __future__ import annotations

import re
from typing import Any, Mapping
from urllib.parse import urlencode

from core import commands as c
from core.handlers.sending import split_addresses
from core.models import Client
from dialects.invoiceocean.encode import encode
from dialects.invoiceocean.errors import ApiError
from dialects.invoiceocean.fields import STATUS_INPUT
from dialects.invoiceocean.parse import invoice_input as io_invoice
from dialects.invoiceocean.parse import payment_input as io_payment
from dialects.invoiceocean.parse import record_fields, wrapped
from dialects.invoiceocean.respond import WRAPPERS
from dialects.invoiceocean.xml import XmlRejected, parse_xml
from dialects.kit import translate as kit

PATH = re.compile(r"^/(?P<res>invoices|clients|banking/payments)(?:/(?P<id>\d+))?(?:/(?P<act>[a-z_]+))?"
                  r"\.(?P<fmt>json|xml)$")
CREDENTIAL = "$API_TOKEN"


def _body(request: Mapping[str, Any], fmt: str) -> dict[str, Any]:
    raw = request.get("body")
    if fmt == "xml" and isinstance(raw, str) and raw.lstrip().startswith("<"):
        try:
            root, value = parse_xml(raw.encode())
        except XmlRejected as exc:
            raise kit.TranslationError(f"the XML body is refused: {exc}") from None
        return {root: value} if root in WRAPPERS else (value if isinstance(value, dict) else {})
    return kit.json_body(request)


def _command(request: Mapping[str, Any]) -> Any:
    method, m, query = kit.route(request, PATH)
    res, ident, act, fmt = m["res"], m["id"], m["act"], m["fmt"]
    data = _body(request, fmt) if method != "GET" else {}
    arg = {**{k: v for k, v in data.items() if not isinstance(v, dict)}, **query}
    if res == "invoices" and act is None:
        if method == "GET":
            return kit.GetInvoice(int(ident)) if ident else kit.ListInvoices()
        if method == "DELETE" and ident:
            return c.DeleteInvoice(kit.ACCOUNT, int(ident))
        parsed = io_invoice(wrapped(data, "invoice") or ({"status": data["status"]} if "status" in data else {}))
        if method == "POST" and not ident:
            return c.CreateInvoice(kit.ACCOUNT, "invoiceocean", parsed.fields, parsed.lines or (),
                                   copy_from=parsed.copy_from, oid_unique=parsed.oid_unique,
                                   price_list_id=parsed.price_list_id, use_price_lists=parsed.use_price_lists)
        if method in ("PUT", "PATCH") and ident:
            if set(parsed.fields) == {"status"} and parsed.lines is None:
                return c.ChangeInvoiceStatus(kit.ACCOUNT, int(ident), parsed.fields["status"])
            return c.UpdateInvoice(kit.ACCOUNT, int(ident), parsed.fields, parsed.lines)
    if res == "invoices" and method == "POST" and act == "change_status" and ident:
        status = str(arg.get("status") or wrapped(data, "invoice").get("status") or "").strip().lower()
        if status not in STATUS_INPUT:
            raise kit.TranslationError(f"status {status!r} is not an InvoiceOcean status")
        return c.ChangeInvoiceStatus(kit.ACCOUNT, int(ident), status)
    if res == "invoices" and method == "POST" and act == "cancel" and ident:
        return c.CancelInvoice(kit.ACCOUNT, int(ident), str(arg.get("cancel_reason") or ""))
    if res == "invoices" and method == "POST" and act == "send_by_email" and ident:
        return c.SendInvoice(kit.ACCOUNT, int(ident), "invoiceocean",
                             recipients=split_addresses(str(arg.get("email_to") or "")),
                             cc=split_addresses(str(arg.get("email_cc") or "")),
                             force=str(arg.get("force")).lower() in ("true", "1"))
    if res == "banking/payments" and method == "POST" and not ident:
        payment = io_payment(wrapped(data, "banking_payment", "payment"))
        return c.RecordPayment(kit.ACCOUNT, "invoiceocean", amount=payment.amount,
                               invoice_ids=payment.invoice_ids or (), paid_date=payment.paid_date,
                               fields=payment.fields)
    if res == "clients" and method == "POST" and not ident:
        return c.CreateRecord("client", kit.ACCOUNT, record_fields("client", Client, wrapped(data, "client")))
    raise kit.TranslationError(f"{method} {m.group(0)}: translate does not handle this InvoiceOcean request")


def curl(encoded: Mapping[str, Any], base_url: str) -> str:
    query = urlencode({**encoded["query"], "api_token": "TOKEN"}).replace("TOKEN", CREDENTIAL)
    return kit.json_curl(encoded["method"], [f'"{base_url.rstrip("/")}{encoded["path"]}?{query}"'], encoded["body"])


TRANSLATOR = kit.Translator(
    parse=kit.refusing(_command, ApiError, lambda exc: f"invoiceocean would refuse it: {exc.message}"),
    encode=encode, curl=curl)
