"""r=customers: contractors, core clients (field table: fields.CUSTOMER)."""
from __future__ import annotations

from typing import Any, Mapping

from core.models import Client
from dialects.invo import fields
from dialects.invo.fields import CUSTOMER_SEARCH
from dialects.invo.lookups import Dictionaries, payment_type_of
from dialects.invo.resources.records import Kind, crud_actions, group_of, refused


def present(client: Client, dicts: Dictionaries) -> dict[str, Any]:
    return {"id": client.id, **fields.CUSTOMER.present(client), "dptype": (client.extra or {}).get("dptype", 0)}


def fields_of(q: Mapping[str, Any], dicts: Dictionaries) -> dict[str, Any]:
    out = fields.CUSTOMER.parse(q, refused)
    if "group" in q:
        out["group_id"] = group_of(q, dicts, "groupcu")
    if "dptype" in q:
        # The default payment type drives the client's payment days and kind on new invoices.
        if q["dptype"] in (0, "0", None):
            out.update(payment_days=None, default_payment_type="", extra={"dptype": 0})
        else:
            paytype = dicts.get("paytypes", q["dptype"], "dptype")
            out.update(payment_days=int(paytype.data.get("days") or 0),
                          default_payment_type=payment_type_of(paytype), extra={"dptype": paytype.id})
    return out


KIND = Kind("client", Client, fields.CUSTOMER, CUSTOMER_SEARCH, present, fields_of)


ACTIONS = crud_actions(KIND)
