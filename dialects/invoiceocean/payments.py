"""Payments (/banking/payments): list, get, create, update (PUT and PATCH), delete. Wrapper key
banking_payment, or payment as the older docs write it."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from core import queries
from core.commands import DeletePayment, RecordPayment, UpdatePayment
from core.handlers.payments import PaymentView, payment_view
from core.models import Payment, PaymentAllocation
from core.queries import Page
from dialects.invoiceocean import ksef, present
from dialects.invoiceocean.parse import payment_input, wrapped
from dialects.invoiceocean.respond import Call, Reply
from dialects.kit.context import execute, read, read_plain
from dialects.kit.unchanged import changes

ORIGIN = "invoiceocean"
WRAPPERS = ("banking_payment", "payment")


def _list(session: Session, account_id: int, page: Page) -> list[PaymentView]:
    payments = list(session.execute(select(Payment).where(col(Payment.account_id) == account_id)
                                    .order_by(col(Payment.id)).offset(page.offset).limit(page.per_page)).scalars())
    allocations: dict[int, list[PaymentAllocation]] = {p.id or 0: [] for p in payments}
    if payments:
        stmt = (select(PaymentAllocation).where(col(PaymentAllocation.payment_id).in_(allocations))
                .order_by(col(PaymentAllocation.position)))
        for allocation in session.execute(stmt).scalars():
            allocations[allocation.payment_id].append(allocation)
    return [PaymentView(p, allocations[p.id or 0]) for p in payments]


def _reply(call: Call, view: PaymentView, status: int = 200) -> Reply:
    return Reply(status, present.payment(view, call.audience), "banking_payment")


def _wants_invoices(call: Call) -> bool:
    """`include=invoices` (the docs' list example); a comma list is read too, as Rails' includes are."""
    return "invoices" in {part.strip() for part in (call.query.get("include") or "").split(",")}


async def _presented(call: Call, views: list[PaymentView]) -> list[dict[str, Any]]:
    """The payments, each with the invoices it is allocated to (in allocation order) when asked."""
    shown = [present.payment(v, call.audience) for v in views]
    if not _wants_invoices(call):
        return shown
    ids = tuple(dict.fromkeys(i for v in views for i in v.invoice_ids))
    found = await read_plain(call.request, queries.list_invoices, call.account.account_id,
                             queries.InvoiceFilter(ids=ids), Page(1, len(ids))) if ids else []
    bodies = await ksef.with_gov(call, found, [present.invoice(v, call.audience, with_positions=False) for v in found])
    invoices = {v.invoice.id: body for v, body in zip(found, bodies, strict=True)}
    for payment, view in zip(shown, views, strict=True):
        payment["invoices"] = [invoices[i] for i in view.invoice_ids if i in invoices]
    return shown


async def list_payments(call: Call) -> Reply:
    views = await read(call.request, _list, call.account.account_id, call.page())
    return Reply(200, await _presented(call, views), "banking_payments")


async def get_payment(call: Call) -> Reply:
    view = await read(call.request, payment_view, call.account.account_id, call.params["id"])
    return Reply(200, (await _presented(call, [view]))[0], "banking_payment")


async def create_payment(call: Call) -> Reply:
    parsed = payment_input(wrapped(call.payload, *WRAPPERS))
    view = await execute(call.request, RecordPayment(
        account_id=call.account.account_id, origin=ORIGIN, amount=parsed.amount,
        invoice_ids=parsed.invoice_ids or (), paid_date=parsed.paid_date, fields=parsed.fields,
        generate_invoice=parsed.generate_invoice))
    # the handler's view lists only this call's allocations; re-read for the stored state
    return _reply(call, await read(call.request, payment_view, call.account.account_id, view.payment.id), 201)


async def update_payment(call: Call) -> Reply:
    current = await read(call.request, payment_view, call.account.account_id, call.params["id"])
    parsed = payment_input(changes(wrapped(call.payload, *WRAPPERS), present.payment(current, call.audience)))
    fields: dict[str, Any] = parsed.fields
    if "extra" in fields:
        fields["extra"] = {**(current.payment.extra or {}), **fields["extra"]}
    await execute(call.request, UpdatePayment(call.account.account_id, call.params["id"], fields, parsed.amount,
                                              parsed.paid_date, parsed.invoice_ids))
    return _reply(call, await read(call.request, payment_view, call.account.account_id, call.params["id"]))


async def delete_payment(call: Call) -> Reply:
    await execute(call.request, DeletePayment(call.account.account_id, call.params["id"]))
    return Reply(200, {"code": "success", "message": "Payment deleted"}, "hash")
