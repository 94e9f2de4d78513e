"""Domain command -> the INVO request (r and q) that the resources would turn back into it (translate).

Names come from fields.py's tables read backwards (INVOICE_NAMES, ITEM_NAMES, CUSTOMER, TYPE2,
STATUS_FROM_CORE); nothing here is a second mapping. Returns an EncodedRequest with body {"r": ..., "q": {...}}.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Mapping

from core import commands as c
from core.commands import LineSpec
from dialects.invo.fields import (
    CUSTOMER,
    INVOICE_EXTRA,
    INVOICE_FIELDS,
    INVOICE_NAMES,
    ITEM_EXTRA,
    ITEM_NAMES,
    KIND_TYPE2,
    RECIPIENT,
    STATUS_FROM_CORE,
)
from dialects.invo.invoice_input import LANGS
from dialects.invo.lookups import tax_symbol
from dialects.kit.translate import EncodedRequest, buyer_of_client, encoded
from dialects.kit.translate import wire as kit_wire

BUYER_NAMES = {core: invo for invo, (core, _kind) in INVOICE_FIELDS.items() if invo.startswith("c1")}
# The client columns INVO's c1* fields carry.
CLIENT_AS_BUYER = buyer_of_client("name", "street", "post_code", "city", "tax_no")
INVO_LANGS = {core: invo for invo, core in LANGS.items()}


def wire(value: Any) -> Any:
    return kit_wire(value, flags=True)


def _request(q: dict[str, Any], resource: str = "invoices", lossy: list[str] | None = None) -> EncodedRequest:
    return encoded("POST", "/api.json", {"r": resource, "q": q}, lossy)


def item(spec: LineSpec, lossy: list[str], path: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for attr in ("name", "additional_info", "discount_percent", "unit", "quantity", "tax", "price_net",
                 "price_gross", "total_net", "total_gross"):
        value = getattr(spec, attr)
        if value is None:
            continue
        key = ITEM_NAMES[attr] if attr != "unit" else "unitsm"
        out[key] = tax_symbol(str(value)) if attr == "tax" else wire(value)
    for attr in ("code", "description", "discount_amount", "product_id", "tax_deductible"):
        if getattr(spec, attr) not in (None, "", False):
            lossy.append(f"{path}.{attr}: INVO items have no such field; left out")
    if spec.id is not None:
        lossy.append(f"{path}.id: INVO edits replace the whole item set; the line is sent as a new item")
    out.update({k: wire(v) for k, v in (spec.extra or {}).items() if k in ITEM_EXTRA and k not in out})
    if spec.after is not None:
        out = {**item(spec.after, lossy, path), "before": item(spec.before or LineSpec(), lossy, path + ".before")}
    return out


def invoice_q(fields: Mapping[str, Any], lines: tuple[LineSpec, ...] | None, lossy: list[str]) -> dict[str, Any]:
    q: dict[str, Any] = {}
    for name, value in fields.items():
        if name in ("extra", "sell_date_month"):
            continue
        if name == "kind":
            if value not in KIND_TYPE2:
                lossy.append(f"kind {value}: INVO has no type2 for it; +FV is used")
            q["type2"] = KIND_TYPE2.get(value, "+FV")
        elif name == "income":
            q["buy"] = 0 if value else 1
        elif name == "status":
            q["status"] = STATUS_FROM_CORE.get(value, 4)
        elif name == "lang":
            if value not in INVO_LANGS:
                lossy.append(f"lang {value}: INVO writes PL, EN or DE only; left out")
            else:
                q["lang"] = INVO_LANGS[value]
        elif name == "payment_to_kind":
            if str(value).isdigit() and "payment_to" not in fields and fields.get("issue_date"):
                q["tdate"] = (fields["issue_date"] + timedelta(days=int(value))).isoformat()
            elif str(value).isdigit() and "payment_to" not in fields:
                lossy.append(f"payment in {value} days: INVO takes a due date (tdate), not days; left out")
        elif name == "recipient":
            q.update({f"c2{k}": v for k, v in value.items() if k in RECIPIENT})
        elif name in INVOICE_NAMES:
            q[INVOICE_NAMES[name]] = wire(value)
        else:
            lossy.append(f"{name}: INVO has no field for it; left out")
    extra = fields.get("extra") or {}
    q.update({k: wire(v) for k, v in extra.items() if k in INVOICE_EXTRA})
    dropped = [k for k in extra if k not in INVOICE_EXTRA]
    if dropped:
        lossy.append(f"{', '.join(sorted(dropped))}: INVO has no field for them; left out")
    if lines is not None:
        q["items"] = [item(spec, lossy, f"items.{i}") for i, spec in enumerate(lines) if not spec.destroy]
    return q


def _create(cmd: c.CreateInvoice, lossy: list[str]) -> EncodedRequest:
    q = {"action": "add", **invoice_q(cmd.fields, cmd.lines, lossy)}
    if cmd.new_client is not None:  # INVO creates the customer from c1* when no c1id is given
        for name, value in cmd.new_client.items():
            if name in CLIENT_AS_BUYER:
                q.setdefault(BUYER_NAMES[CLIENT_AS_BUYER[name]], wire(value))
        lossy.append("client: INVO matches an existing customer by name and tax id before creating one")
    if cmd.copy_from is not None:
        lossy.append(f"copy of invoice {cmd.copy_from}: INVO cannot copy; repeat its items")
    if cmd.seq is not None:
        q["nrx"] = cmd.seq
    return _request(q, lossy=lossy)


def encode(cmd: Any) -> EncodedRequest:
    """The INVO request for a command (or a translate read: GetInvoice, ListInvoices)."""
    lossy: list[str] = []
    if isinstance(cmd, c.CreateInvoice):
        return _create(cmd, lossy)
    if isinstance(cmd, c.UpdateInvoice):
        q: dict[str, Any] = {"action": "edit", "id": cmd.invoice_id, **invoice_q(cmd.fields, cmd.lines, lossy)}
        if cmd.lines is not None and not cmd.replace_lines:
            lossy.append("items: INVO replaces the whole item set on edit; list every item the invoice keeps")
        if cmd.seq is not None:
            q["nrx"] = cmd.seq
        return _request(q, lossy=lossy)
    if isinstance(cmd, c.ChangeInvoiceStatus):
        code = STATUS_FROM_CORE.get(cmd.status, 4)
        return _request({"action": "status", "id": cmd.invoice_id, "value": code})
    if isinstance(cmd, c.CancelInvoice):
        if cmd.reason:
            lossy.append("cancel reason: INVO has no field for it; left out")
        return _request({"action": "status", "id": cmd.invoice_id, "value": STATUS_FROM_CORE["cancelled"]},
                        lossy=lossy)
    if isinstance(cmd, c.DeleteInvoice):
        return _request({"action": "delete", "id": cmd.invoice_id})
    if isinstance(cmd, c.SendInvoice):
        q = {"action": "send", "id": cmd.invoice_id}
        if cmd.recipients:
            q["email"] = ", ".join(cmd.recipients)
        if cmd.channel != "email":
            lossy.append(f"delivery by {cmd.channel}: INVO sends by e-mail only")
        return _request(q, "files", lossy)
    if isinstance(cmd, c.RecordPayment):
        if len(cmd.invoice_ids) != 1:
            raise ValueError("INVO has no payments: a payment of several invoices cannot be expressed")
        lossy.append("payment: INVO has no payments, only status 3 (paid in full)"
                     + ("; a partial amount cannot be expressed" if cmd.amount is not None else ""))
        if cmd.amount is not None:
            raise ValueError("INVO has no payments: status 3 (paid) is all it can say, so a partial "
                             f"payment of {cmd.amount} cannot be expressed")
        q = {"action": "edit", "id": cmd.invoice_ids[0], "status": STATUS_FROM_CORE["paid"]}
        if cmd.paid_date is not None:
            q["pdate"] = cmd.paid_date.isoformat()
        return _request(q, lossy=lossy)
    if isinstance(cmd, c.CreateRecord) and cmd.entity == "client":
        q = {"action": "add"}
        names = CUSTOMER.core_to_wire()
        for name, value in cmd.fields.items():
            if name in names:
                q[names[name]] = wire(value)
            elif name not in ("extra",):
                lossy.append(f"{name}: INVO customers have no field for it; left out")
        return _request(q, "customers", lossy)
    name = type(cmd).__name__
    if name == "GetInvoice":
        return _request({"action": "list", "id": cmd.invoice_id, "items": 1})
    if name == "ListInvoices":
        return _request({"action": "list"})
    raise ValueError(f"{name} has no INVO request")
