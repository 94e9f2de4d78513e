"""Domain command -> the InvoiceOcean request that parse.py would turn back into it (for translate).

Names come from the dialect's own tables (INVOICE_SAME, POSITION_FIELDS, STATUS, fields.TABLES), read
backwards; nothing here is a second mapping. Returns an EncodedRequest.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Mapping

from core import commands as c
from core.commands import LineSpec
from core.tax import parse_tax
from dialects.invoiceocean.fields import STATUS, TABLES
from dialects.invoiceocean.parse import INVOICE_COLUMNS, POSITION_FIELDS
from dialects.kit.translate import EncodedRequest, buyer_of_client, encoded, wire

POSITION_NAMES = {attr: key for key, (attr, _convert) in POSITION_FIELDS.items()}
# Core client columns InvoiceOcean's buyer_* fields carry when a client is created inline (client_id -1).
BUYER_OF_CLIENT = buyer_of_client("name", "tax_no", "street", "post_code", "city", "country", "email", "phone",
                                  "first_name", "last_name", "company", "care_of")


def tax_code(value: Any) -> Any:
    """A rate as InvoiceOcean writes it ("23", "zw"); INVO's "23%" is the same rate."""
    try:
        return parse_tax(value).code
    except ValueError:
        return wire(value)


def position(spec: LineSpec) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for attr, key in POSITION_NAMES.items():
        value = getattr(spec, attr)
        if value is not None and not (attr == "destroy" and value is False):
            out[key] = tax_code(value) if attr == "tax" else wire(value)
    if spec.kind and spec.kind != "normal":
        out["kind"] = spec.kind
    if spec.before is not None:
        out["correction_before_attributes"] = {**position(spec.before), "kind": "correction_before"}
    if spec.after is not None:
        out["correction_after_attributes"] = {**position(spec.after), "kind": "correction_after"}
    out.update({k: wire(v) for k, v in (spec.extra or {}).items() if k not in out})
    return out


def invoice_body(fields: Mapping[str, Any], lines: tuple[LineSpec, ...] | None, lossy: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    strategy: dict[str, str] = {}
    for name, value in fields.items():
        if name == "extra":
            continue
        if name == "sell_date_month":
            continue
        if name == "sell_date" and fields.get("sell_date_month") and isinstance(value, date):
            out[name] = value.strftime("%Y-%m")
        elif name == "calc_position":
            strategy["position"] = value
        elif name == "calc_sum":
            strategy["sum"] = value
        elif name == "prices_gross":
            strategy["invoice_form_price_kind"] = "gross" if value else "net"
        elif name == "status":
            out[name] = STATUS.get(value, value)
        elif name in INVOICE_COLUMNS or name == "sell_date":
            out[name] = wire(value)
        else:
            lossy.append(f"{name}: InvoiceOcean has no field for it; left out")
    if strategy:
        out["calculating_strategy"] = strategy
    for key, value in (fields.get("extra") or {}).items():
        out.setdefault(key, wire(value))  # kept as extra, as InvoiceOcean keeps unknown keys
    if lines is not None:
        out["positions"] = [position(spec) for spec in lines]
    return out


def _create(cmd: c.CreateInvoice, lossy: list[str]) -> EncodedRequest:
    invoice = invoice_body(cmd.fields, cmd.lines, lossy)
    if cmd.new_client is not None:
        invoice["client_id"] = -1
        for name, value in cmd.new_client.items():
            if name in BUYER_OF_CLIENT:
                invoice.setdefault(BUYER_OF_CLIENT[name], wire(value))
            elif name not in ("settings", "payment_days"):
                lossy.append(f"client.{name}: not part of an InvoiceOcean inline client; left out")
    if cmd.copy_from is not None:
        invoice["copy_invoice_from"] = cmd.copy_from
    if cmd.oid_unique:
        invoice["oid_unique"] = True
    if cmd.seq is not None and "number" not in invoice:
        lossy.append(f"number {cmd.seq}: InvoiceOcean takes the full number string, not the counter; "
                     "the next number of the series is used")
    return encoded("POST", "/invoices.json", {"invoice": invoice}, lossy)


def _update(cmd: c.UpdateInvoice, lossy: list[str]) -> EncodedRequest:
    if cmd.replace_lines:
        lossy.append("positions: the source replaces the whole set; InvoiceOcean adds positions without an id, "
                     "so remove the old ones with {\"id\": N, \"_destroy\": 1}")
    if cmd.seq is not None:
        lossy.append(f"number {cmd.seq}: InvoiceOcean takes the full number string, not the counter")
    return encoded("PUT", f"/invoices/{cmd.invoice_id}.json", {"invoice": invoice_body(cmd.fields, cmd.lines, lossy)},
                    lossy)


def record_body(entity: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    renames = TABLES[entity].core_to_wire()
    out = {renames.get(name, name): wire(value) for name, value in fields.items() if name not in ("extra", "settings")}
    out.update({k: wire(v) for k, v in (fields.get("extra") or {}).items() if k not in out})
    return out


def encode(cmd: Any) -> EncodedRequest:
    """The InvoiceOcean request for a command (or a translate read: GetInvoice, ListInvoices)."""
    lossy: list[str] = []
    if isinstance(cmd, c.CreateInvoice):
        return _create(cmd, lossy)
    if isinstance(cmd, c.UpdateInvoice):
        return _update(cmd, lossy)
    if isinstance(cmd, c.ChangeInvoiceStatus):
        shown = STATUS.get(cmd.status, cmd.status)
        if shown != cmd.status:
            lossy.append(f"status {cmd.status}: InvoiceOcean has no such status; {shown} is the nearest")
        return encoded("POST", f"/invoices/{cmd.invoice_id}/change_status.json", None, lossy, {"status": shown})
    if isinstance(cmd, c.CancelInvoice):
        return encoded("POST", f"/invoices/{cmd.invoice_id}/cancel.json",
                        {"cancel_reason": cmd.reason} if cmd.reason else None)
    if isinstance(cmd, c.DeleteInvoice):
        return encoded("DELETE", f"/invoices/{cmd.invoice_id}.json")
    if isinstance(cmd, c.SendInvoice):
        body: dict[str, Any] = {}
        if cmd.recipients:
            body["email_to"] = ", ".join(cmd.recipients)
        if cmd.cc:
            body["email_cc"] = ", ".join(cmd.cc)
        if cmd.force:
            body["force"] = True
        if cmd.channel != "email":
            lossy.append(f"delivery by {cmd.channel}: InvoiceOcean sends by e-mail only")
        return encoded("POST", f"/invoices/{cmd.invoice_id}/send_by_email.json", body or None, lossy)
    if isinstance(cmd, c.RecordPayment):
        payment: dict[str, Any] = {**record_body("payment", cmd.fields)}
        if len(cmd.invoice_ids) == 1:
            payment["invoice_id"] = cmd.invoice_ids[0]
        elif cmd.invoice_ids:
            payment["invoice_ids"] = ",".join(str(i) for i in cmd.invoice_ids)
        if cmd.amount is not None:
            payment["price"] = wire(cmd.amount)
        else:
            lossy.append("amount: the source pays the unpaid remainder; InvoiceOcean needs `price`, "
                         "so fill in the amount due")
        if cmd.paid_date is not None:
            payment["paid_date"] = cmd.paid_date.isoformat()
        payment.setdefault("name", "payment")
        return encoded("POST", "/banking/payments.json", {"banking_payment": payment}, lossy)
    if isinstance(cmd, c.CreateRecord) and cmd.entity == "client":
        if (cmd.fields.get("settings")):
            lossy.append("client settings (fakturan.nu): InvoiceOcean has none; only payment_to_kind is kept")
        return encoded("POST", "/clients.json", {"client": record_body("client", cmd.fields)}, lossy)
    name = type(cmd).__name__
    if name == "GetInvoice":
        return encoded("GET", f"/invoices/{cmd.invoice_id}.json")
    if name == "ListInvoices":
        return encoded("GET", "/invoices.json", query={"period": "all", "include_positions": "true"})
    raise ValueError(f"{name} has no InvoiceOcean request")
