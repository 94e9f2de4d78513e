"""Domain command -> the fakturan.nu request that parse.py would turn back into it (for translate).

Names come from the field tables in fields.py, inverted as errors.core_names does;
nothing here is a second mapping. Returns an EncodedRequest.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Mapping

from core import commands as c
from core.commands import LineSpec
from core.tax import parse_tax
from dialects.fakturan.errors import CORE_TO_FAKTURAN, core_names
from dialects.fakturan.fields import INVOICE_EXTRA, INVOICE_SETTINGS_EXTRA, TAX_RATES
from dialects.kit.fields import set_path as path_set
from dialects.kit.translate import EncodedRequest, client_of_buyer, encoded, wire

ROW_NAMES = CORE_TO_FAKTURAN["row"]
INVOICE_NAMES = CORE_TO_FAKTURAN["invoice"]
# The buyer columns a fakturan.nu client can take.
BUYER_AS_CLIENT = client_of_buyer("name", "street", "post_code", "city", "country", "email", "tax_no", "care_of",
                                  "phone")
ROW_ATTRS = ("id", "product_id", "discount_percent", "quantity", "description", "code", "name", "unit", "tax",
             "position", "tax_deductible")


def _tax(value: Any, lossy: list[str], path: str) -> Any:
    try:
        code = parse_tax(value)
        rate = None if code.is_symbolic else Decimal(code.code)
    except (ValueError, ArithmeticError):
        rate = None
    if rate is None or rate != rate.to_integral_value() or int(rate) not in TAX_RATES:
        lossy.append(f"{path}.tax {value}: fakturan.nu accepts {', '.join(map(str, TAX_RATES))} only; "
                     "the request will be refused until it is changed")
        return str(value)
    return int(rate)


def row(spec: LineSpec, gross: bool, lossy: list[str], path: str) -> dict[str, Any]:
    if spec.kind == "correction" or spec.after is not None:
        lossy.append(f"{path}: a correction line; fakturan.nu has no corrections, the state after is sent")
        spec = spec.after or spec
    out: dict[str, Any] = {}
    for attr in ROW_ATTRS:
        value = getattr(spec, attr)
        if value is None:
            continue
        out[ROW_NAMES[attr]] = _tax(value, lossy, path) if attr == "tax" else wire(value)
    price = spec.price_gross if gross else spec.price_net
    other = spec.price_net if gross else spec.price_gross
    if price is None and other is not None:
        lossy.append(f"{path}: a {'net' if gross else 'gross'} unit price on a {'gross' if gross else 'net'} "
                     "invoice; sent as it is")
        price = other
    if price is None and (spec.total_net if not gross else spec.total_gross) is not None:
        total = spec.total_gross if gross else spec.total_net
        quantity = spec.quantity or Decimal(1)
        price = (total / quantity).quantize(Decimal("0.01"))  # type: ignore[operator]
        lossy.append(f"{path}: fakturan.nu takes a unit price, not a line total; {price} = total / amount")
    if price is not None:
        out["product_price"] = wire(price)
    if spec.kind == "text":
        out["text_row"] = True
    if spec.destroy:
        out["_destroy"] = True
    if spec.discount_amount is not None:
        lossy.append(f"{path}.discount {spec.discount_amount}: fakturan.nu discounts are percentages; left out")
    if spec.additional_info:
        lossy.append(f"{path}.additional_info: fakturan.nu rows have no such field; left out")
    return out


def _client(fields: Mapping[str, Any], lossy: list[str]) -> dict[str, Any]:
    names = core_names("client")
    out: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "settings":
            out["settings"] = wire(dict(value))
        elif name == "company":
            out["client_type"] = "company" if value else "individual"
        elif name in names:
            path_set(out, names[name], wire(value))
        elif name == "payment_days" and value is not None:
            out.setdefault("settings", {})["invoice_days"] = value
        elif name not in ("extra",):
            lossy.append(f"client.{name}: fakturan.nu clients have no such field; left out")
    return out


def invoice_body(fields: Mapping[str, Any], lines: tuple[LineSpec, ...] | None, lossy: list[str],
                 gross: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    buyer: dict[str, Any] = {}
    for name, value in fields.items():
        if name in ("extra", "sell_date_month"):
            continue
        if name == "prices_gross":
            out.setdefault("settings", {})["prices_inc_tax"] = "yes" if value else "no"
        elif name == "payment_to_kind":
            if str(value).isdigit():
                out["days"] = int(value)
        elif name == "payment_to" and fields.get("issue_date") and not str(fields.get("payment_to_kind", "")).isdigit():
            out["days"] = (value - fields["issue_date"]).days  # fakturan.nu counts days from `date`
        elif name in BUYER_AS_CLIENT:
            buyer[BUYER_AS_CLIENT[name]] = value
        elif name in INVOICE_NAMES and name not in ("lines", "buyer_name", "number"):
            out[INVOICE_NAMES[name]] = wire(value)
        else:
            lossy.append(f"{name}: fakturan.nu has no field for it; left out")
    extra = fields.get("extra") or {}
    for key, value in extra.items():
        if key in INVOICE_EXTRA:
            out[key] = value
        elif key in INVOICE_SETTINGS_EXTRA:
            out.setdefault("settings", {})[key] = value
        else:
            lossy.append(f"{key}: fakturan.nu has no field for it; left out")
    if buyer:
        out["_buyer"] = buyer
    if lines is not None:
        out["rows"] = [row(spec, gross, lossy, f"rows.{i}") for i, spec in enumerate(lines)]
    return out


def gross_priced(fields: Mapping[str, Any], lines: tuple[LineSpec, ...] | None) -> bool:
    """fakturan.nu has one price per row, net or gross for the whole invoice: gross when the source
    says so, or when every priced line was given by a gross price or total only."""
    if "prices_gross" in fields:
        return bool(fields["prices_gross"])
    priced = [s.after or s for s in lines or () if s.kind != "text"]
    return bool(priced) and all(s.price_net is None and s.total_net is None
                                and (s.price_gross is not None or s.total_gross is not None) for s in priced)


def _create(cmd: c.CreateInvoice, lossy: list[str]) -> EncodedRequest:
    gross = gross_priced(cmd.fields, cmd.lines)
    body = invoice_body(cmd.fields, cmd.lines, lossy, gross)
    if gross and "prices_gross" not in cmd.fields:
        body.setdefault("settings", {})["prices_inc_tax"] = "yes"
    buyer = body.pop("_buyer", {})
    if cmd.new_client is not None:
        body["client"] = _client(cmd.new_client, lossy)
    elif "client_id" not in body and buyer:
        body["client"] = _client(buyer, lossy)
        lossy.append("client: fakturan.nu creates a new client for a nested client; the source would first "
                     "match an existing one by name and tax number")
    elif buyer:
        lossy.append("buyer fields: fakturan.nu takes the buyer from the client (client_id); left out")
    if cmd.seq is not None:
        body["number"] = cmd.seq
    if cmd.copy_from is not None:
        lossy.append(f"copy of invoice {cmd.copy_from}: fakturan.nu cannot copy; repeat its rows")
    return encoded("POST", "/api/v2/invoices", body, lossy)


def encode(cmd: Any) -> EncodedRequest:
    """The fakturan.nu request for a command (or a translate read: GetInvoice, ListInvoices)."""
    lossy: list[str] = []
    if isinstance(cmd, c.CreateInvoice):
        return _create(cmd, lossy)
    if isinstance(cmd, c.UpdateInvoice):
        body = invoice_body(cmd.fields, cmd.lines, lossy, gross_priced(cmd.fields, cmd.lines))
        if body.pop("_buyer", None):
            lossy.append("buyer fields: fakturan.nu takes the buyer from the client (client_id); left out")
        if cmd.replace_lines:
            lossy.append("rows: the source replaces the whole set; fakturan.nu adds rows without an id, so remove "
                         "the old ones with {\"id\": N, \"_destroy\": true}")
        if cmd.seq is not None:
            body["number"] = cmd.seq
        return encoded("PUT", f"/api/v2/invoices/{cmd.invoice_id}", body, lossy)
    if isinstance(cmd, c.ChangeInvoiceStatus) and cmd.status == "paid":
        return encoded("POST", f"/api/v2/invoices/{cmd.invoice_id}/payments", {}, [
            "status paid: fakturan.nu records a payment of the unpaid remainder instead"])
    if isinstance(cmd, c.SendInvoice) or (isinstance(cmd, c.ChangeInvoiceStatus) and cmd.status == "sent"):
        if isinstance(cmd, c.ChangeInvoiceStatus):
            lossy.append("status sent: fakturan.nu marks an invoice sent only by sending it (this e-mails it)")
        channel = cmd.channel if isinstance(cmd, c.SendInvoice) else "email"
        return encoded("POST", f"/api/v2/invoices/{cmd.invoice_id}/send", {"delivery_method": channel}, lossy)
    if isinstance(cmd, c.RecordPayment):
        if len(cmd.invoice_ids) != 1:
            raise ValueError("fakturan.nu pays one invoice at a time: a payment of several invoices cannot be "
                             "expressed")
        body = {}
        if cmd.amount is not None:
            body["amount"] = wire(cmd.amount)
        if cmd.paid_date is not None:
            body["paid_at"] = cmd.paid_date.isoformat()
        return encoded("POST", f"/api/v2/invoices/{cmd.invoice_ids[0]}/payments", body, lossy)
    if isinstance(cmd, c.CreateRecord) and cmd.entity == "client":
        body = _client(cmd.fields, lossy)
        return encoded("POST", "/api/v2/clients", body, lossy)
    name = type(cmd).__name__
    if name == "GetInvoice":
        return encoded("GET", f"/api/v2/invoices/{cmd.invoice_id}")
    if name == "ListInvoices":
        return encoded("GET", "/api/v2/invoices")
    if isinstance(cmd, c.ChangeInvoiceStatus):
        raise ValueError(f"fakturan.nu has no status {cmd.status!r}: only sending and payments change an invoice")
    if isinstance(cmd, c.CancelInvoice):
        raise ValueError("fakturan.nu's API cannot cancel an invoice")
    if isinstance(cmd, c.DeleteInvoice):
        raise ValueError("fakturan.nu's API has no invoice DELETE")
    raise ValueError(f"{name} has no fakturan.nu request")
