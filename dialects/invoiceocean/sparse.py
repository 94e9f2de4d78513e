"""Sparse fields: `fields[invoice]=id,number` answers only those keys, `additional_fields[invoice]=...` adds
keys the default answer leaves out (README: cancel_reason, corrected_content_before/after, connected_payments).

`fields[<resource>]` works on every resource the dialect answers (invoice, client, product, department,
price_list, recurring, payment, issuer, bank_account, account), in JSON and XML, on gets, lists and the
answers to writes. Without either parameter nothing is touched, so the default answer stays byte for byte
what it was. Unknown names are ignored, as the real service ignores them.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from starlette.datastructures import QueryParams

from core.handlers.invoice_state import InvoiceView
from core.invoice_reads import payments_of
from core.reader import Reader
from dialects.invoiceocean import present
from dialects.invoiceocean.present import Audience
from dialects.invoiceocean.respond import Reply

# additional_fields[invoice]: what each adds. cancel_reason is in every answer already (the gateway never
# hid it), so asking for it changes nothing; the corrected contents are the correction's free texts.
ADDITIONAL = ("connected_payments", "cancel_reason", "corrected_content_before", "corrected_content_after")
# A wrapper key may name a resource under two names (the payment's wrapper is banking_payment).
ALIASES = {"banking_payment": ("banking_payment", "payment"), "hash": ()}


def _names(query: QueryParams, key: str) -> list[str] | None:
    raw = query.getlist(key)
    if not raw:
        return None
    return [name.strip() for value in raw for name in value.split(",") if name.strip()]


def wanted(query: QueryParams, resource: str) -> tuple[list[str] | None, list[str]]:
    """(fields, additional_fields) asked for `resource`, under any of its names; fields None: all."""
    fields: list[str] | None = None
    additional: list[str] = []
    for name in ALIASES.get(resource, (resource,)):
        got = _names(query, f"fields[{name}]")
        if got is not None:
            fields = [*(fields or []), *got]
        additional += _names(query, f"additional_fields[{name}]") or []
    return fields, additional


def resource_of(root: str, value: Any) -> str:
    """The resource a reply's XML root names: a list's root is its plural."""
    return root[:-1] if isinstance(value, list) and root.endswith("s") else root


def narrow(value: Any, keep: Iterable[str]) -> Any:
    """Only the `keep` keys of an object, or of each object of a list, in the object's own key order."""
    kept = frozenset(keep)
    if isinstance(value, list):
        return [narrow(item, kept) for item in value]
    if isinstance(value, Mapping):
        return {key: item for key, item in value.items() if key in kept}
    return value


def applied(query: QueryParams, reply: Reply) -> Reply:
    """The reply narrowed to the fields[...] its resource was asked for (with the additional ones)."""
    fields, additional = wanted(query, resource_of(reply.root, reply.value))
    if fields is None:
        return reply
    return Reply(reply.status, narrow(reply.value, [*fields, *additional]), reply.root)


def invoice_additions(view: InvoiceView, audience: Audience, names: Sequence[str],
                      payments: list[tuple[Any, Any]] | None = None) -> dict[str, Any]:
    """The additional fields asked for, for one invoice; `payments` when the view was read without them."""
    inv = view.invoice
    extra = inv.extra or {}
    found: dict[str, Any] = {}
    for name in names:
        if name == "connected_payments":
            found[name] = [{**present.record("payment", payment, audience), "invoice_price": present.money(amount)}
                           for payment, amount in (view.payments if payments is None else payments)]
        elif name == "cancel_reason":
            found[name] = inv.cancel_reason
        elif name in ("corrected_content_before", "corrected_content_after"):
            found[name] = extra.get(name)
    return found


def payments_by_invoice(reader: Reader, invoice_ids: Sequence[int]) -> dict[int, list[tuple[Any, Any]]]:
    """Each invoice's payments with the amount allocated to it, for a list asked for connected_payments."""
    return {invoice_id: payments_of(reader, invoice_id) for invoice_id in invoice_ids}


__all__ = ["ADDITIONAL", "applied", "invoice_additions", "narrow", "payments_by_invoice", "resource_of", "wanted"]
