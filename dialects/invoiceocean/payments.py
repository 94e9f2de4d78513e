"""Payments (/banking/payments): list, get, create, update (PUT and PATCH), delete. Wrapper key
banking_payment, or payment as the older docs write it."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from core.commands import DeletePayment, RecordPayment, UpdatePayment
from core.handlers.payments import PaymentView, payment_view
from core.models import Payment, PaymentAllocation
from core.queries import Page
from dialects.invoiceocean import present
from dialects.invoiceocean.parse import payment_input, wrapped
from dialects.invoiceocean.respond import Call, Reply
from dialects.unchanged import changes
from gateway.context import execute, read

ORIGIN = "invoiceocean"
WRAPPERS = ("banking_payment", "payment")


def _list(session: Session, account_id: int, page: Page) -> list[PaymentView]:
    payments = list(session.execute(select(Payment).where(Payment.account_id == account_id)
                                    .order_by(Payment.id).offset(page.offset).limit(page.per_page)).scalars())
    allocations: dict[int, list[PaymentAllocation]] = {p.id or 0: [] for p in payments}
    if payments:
        stmt = (select(PaymentAllocation).where(PaymentAllocation.payment_id.in_(allocations))  # type: ignore[attr-defined]
                .order_by(PaymentAllocation.position))
        for allocation in session.execute(stmt).scalars():
            allocations[allocation.payment_id].append(allocation)
    return [PaymentView(p, allocations[p.id or 0]) for p in payments]


def _reply(call: Call, view: PaymentView, status: int = 200) -> Reply:
    return Reply(status, present.payment(view, call.audience), "banking_payment")


async def list_payments(call: Call) -> Reply:
    views = await read(call.request, _list, call.account.account_id, call.page())
    return Reply(200, [present.payment(v, call.audience) for v in views], "banking_payments")


async def get_payment(call: Call) -> Reply:
    return _reply(call, await read(call.request, payment_view, call.account.account_id, call.params["id"]))


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
