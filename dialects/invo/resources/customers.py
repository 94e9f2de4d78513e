"""r=customers: contractors, core clients (field table: fields.CUSTOMER_FIELDS)."""
from __future__ import annotations

from typing import Any, Mapping

from core.models import Client
from dialects.invo.fields import CUSTOMER_FIELDS, CUSTOMER_SEARCH, to_core
from dialects.invo.lookups import Dictionaries, payment_type_of
from dialects.invo.resources.records import Kind, crud_actions, group_of


def present(client: Client, dicts: Dictionaries) -> dict[str, Any]:
    row: dict[str, Any] = {"id": client.id}
    for name, (column, kind) in CUSTOMER_FIELDS.items():
        value = getattr(client, column)
        row[name] = (1 if value else 0) if kind == "flag" else (value or 0) if kind == "int" else value
    row["dptype"] = (client.extra or {}).get("dptype", 0)
    return row


def fields_of(q: Mapping[str, Any], dicts: Dictionaries) -> dict[str, Any]:
    fields = to_core({k: v for k, v in q.items() if k != "group"}, CUSTOMER_FIELDS)
    if "group" in q:
        fields["group_id"] = group_of(q, dicts, "groupcu")
    if "dptype" in q:
        # The default payment type drives the client's payment days and kind on new invoices.
        if q["dptype"] in (0, "0", None):
            fields.update(payment_days=None, default_payment_type="", extra={"dptype": 0})
        else:
            paytype = dicts.get("paytypes", q["dptype"], "dptype")
            fields.update(payment_days=int(paytype.data.get("days") or 0),
                          default_payment_type=payment_type_of(paytype), extra={"dptype": paytype.id})
    return fields


KIND = Kind("client", Client, CUSTOMER_FIELDS, CUSTOMER_SEARCH, present, fields_of)


ACTIONS = crud_actions(KIND)
