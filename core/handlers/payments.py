"""Payments: recorded once, allocated to invoices in the order given, and kept in step with
each invoice's paid amount and status."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial

from sqlalchemy import delete
from sqlmodel import Session, col, select

from core import events
from core.clock import now_utc, today_in
from core.commands import CreateInvoice, DeletePayment, LineSpec, RecordPayment, UpdatePayment
from core.errors import Invalid, NotFound
from core.fields import check_fields
from core.handlers.invoice_state import account_of, load_invoice, settle_status
from core.models import Invoice, Payment, PaymentAllocation
from core.unit_of_work import UnitOfWork

# The kind of the payment that marking an invoice paid records (see set_status); no client may give it.
MARKED_PAID = "marked_paid"


@dataclass
class PaymentView:
    payment: Payment
    allocations: list[PaymentAllocation]

    @property
    def invoice_ids(self) -> list[int]:
        return [a.invoice_id for a in self.allocations]


def _invoices(session: Session, account_id: int, ids: tuple[int, ...]) -> list[Invoice]:
    found = []
    for i, invoice_id in enumerate(ids):
        try:
            found.append(load_invoice(session, account_id, invoice_id, lock=True))
        except NotFound:
            field = "invoice_id" if len(ids) == 1 else f"invoice_ids.{i}"
            raise Invalid.one(field, "not_found", "no such invoice", value=invoice_id) from None
    return found


def _allocate(session: Session, payment: Payment, invoices: list[Invoice]) -> list[PaymentAllocation]:
    """Settle the invoices in order. What is left over is an over-payment of the last invoice named: a
    payment for an invoice is never detached from it, even when that invoice is already paid."""
    left, shares = payment.amount, [Decimal(0)] * len(invoices)
    for position, invoice in enumerate(invoices):
        if left <= 0 and payment.amount > 0:
            break
        shares[position] = min(left, max(invoice.payable - invoice.paid, Decimal(0))) if payment.amount > 0 else left
        left -= shares[position]
    if left > 0 and invoices:
        shares[-1] += left
    made = []
    for position, (invoice, share) in enumerate(zip(invoices, shares, strict=True)):
        if share == 0 and payment.amount > 0:
            continue
        allocation = PaymentAllocation(payment_id=payment.id or 0, invoice_id=invoice.id or 0,
                                       account_id=payment.account_id, amount=share, position=position)
        session.add(allocation)
        invoice.paid += share
        invoice.updated_at = now_utc()
        settle_status(invoice, payment.paid_date)
        made.append(allocation)
    return made


def _unallocate(session: Session, payment: Payment) -> None:
    rows = list(session.execute(select(PaymentAllocation).where(PaymentAllocation.payment_id == payment.id)).scalars())
    for allocation in rows:
        invoice = session.get(Invoice, allocation.invoice_id)
        if invoice is not None:
            invoice.paid -= allocation.amount
            settle_status(invoice)
    session.execute(delete(PaymentAllocation).where(col(PaymentAllocation.payment_id) == payment.id))


def set_status(session: Session, invoice: Invoice, status: str, today: date, paid_on: date | None = None) -> None:
    """A status a client set. Paid is a fact about money, so it is kept in the payments: marking an invoice
    paid records a payment of its balance (kind MARKED_PAID, dated the paid date the client gave, else the
    invoice's, else today), and moving it to any status of an unpaid document removes that payment, only
    that one, and the paid date."""
    invoice.status = status
    if status == "paid":
        on = paid_on or invoice.paid_date or today
        balance = invoice.payable - invoice.paid
        if balance > 0:
            payment = Payment(account_id=invoice.account_id, amount=balance, paid_date=on, currency=invoice.currency,
                              kind=MARKED_PAID)
            session.add(payment)
            session.flush()
            _allocate(session, payment, [invoice])
        invoice.status, invoice.paid_date = "paid", on
        return
    if status == "cancelled":  # cancelling does not undo what was paid
        return
    drop_marked_payments(session, invoice.id or 0)
    invoice.status = status
    rows = session.execute(select(col(PaymentAllocation.amount), col(Payment.paid_date))
                           .join(Payment, col(Payment.id) == PaymentAllocation.payment_id)
                           .where(PaymentAllocation.invoice_id == invoice.id)).all()
    invoice.paid = sum((amount for amount, _day in rows), Decimal(0))
    invoice.paid_date = None  # settle_status gives it back if real payments still cover the invoice
    settle_status(invoice, max((day for _amount, day in rows if day is not None), default=None))


def drop_marked_payments(session: Session, invoice_id: int) -> None:
    """Delete the payment marking the invoice paid recorded (it means nothing once the invoice is unpaid or gone)."""
    marked = session.execute(select(Payment).join(PaymentAllocation, col(PaymentAllocation.payment_id) == Payment.id)
                             .where(PaymentAllocation.invoice_id == invoice_id, Payment.kind == MARKED_PAID)
                             ).scalars().all()
    for payment in marked:
        events.remember(session, "payment", payment.account_id, payment.id or 0,
                        partial(payment_view, session, payment.account_id, payment.id or 0))
        _unallocate(session, payment)
        session.delete(payment)


def _check_kind(fields: dict[str, object]) -> None:
    if fields.get("kind") == MARKED_PAID:
        raise Invalid.one("kind", "reserved", "is recorded by marking an invoice paid", value=MARKED_PAID)


def record_payment(cmd: RecordPayment, uow: UnitOfWork) -> PaymentView:
    session = uow.session
    account = account_of(session, cmd.account_id)
    fields = check_fields(Payment, cmd.fields, extra_protected=frozenset({"amount"}))
    _check_kind(fields)
    invoices = _invoices(session, cmd.account_id, cmd.invoice_ids)
    amount = cmd.amount
    if amount is None:
        if not invoices:
            raise Invalid.one("amount", "blank", "can't be blank")
        amount = sum((i.payable - i.paid for i in invoices), Decimal(0))
    payment = Payment(account_id=cmd.account_id, origin=cmd.origin, amount=amount,
                      paid_date=cmd.paid_date or today_in(account.timezone), **fields)
    if not payment.currency:
        payment.currency = invoices[0].currency if invoices else account.currency
    session.add(payment)
    session.flush()
    if cmd.generate_invoice and not invoices:
        invoices = [_invoice_for_payment(uow, payment)]
    allocations = _allocate(session, payment, invoices) if payment.paid else []
    uow.commit()
    return PaymentView(payment, allocations)


def _invoice_for_payment(uow: UnitOfWork, payment: Payment) -> Invoice:
    """generate_invoice: a VAT invoice for what was paid, to the payer named in the payment."""
    from core.handlers.invoices import create_invoice_in_session

    extra = payment.extra or {}
    buyer = extra.get("invoice_name") or " ".join(
        p for p in (extra.get("first_name", ""), extra.get("last_name", "")) if p) or payment.name
    fields = {"buyer_name": buyer, "buyer_street": extra.get("invoice_street", "") or "",
              "buyer_city": extra.get("invoice_city", "") or "",
              "buyer_post_code": extra.get("invoice_post_code", "") or "",
              "buyer_tax_no": extra.get("invoice_tax_no", "") or "", "buyer_email": payment.email,
              "description": extra.get("invoice_comment", "") or "", "currency": payment.currency,
              "issue_date": payment.paid_date}
    line = LineSpec(product_id=extra.get("product_id") if isinstance(extra.get("product_id"), int) else None,
                    name=payment.description or payment.name or "Payment", total_gross=payment.amount,
                    quantity=Decimal(extra.get("quantity") or 1))
    cmd = CreateInvoice(account_id=payment.account_id, origin=payment.origin, fields=fields, lines=(line,))
    return create_invoice_in_session(cmd, uow.session)


def update_payment(cmd: UpdatePayment, uow: UnitOfWork) -> PaymentView:
    session = uow.session
    payment = session.get(Payment, cmd.payment_id)
    if payment is None or payment.account_id != cmd.account_id:
        raise NotFound("payment", cmd.payment_id)
    fields = check_fields(Payment, cmd.fields, extra_protected=frozenset({"amount"}))
    _check_kind(fields)
    old_ids = [a.invoice_id for a in session.execute(select(PaymentAllocation).where(
        PaymentAllocation.payment_id == payment.id).order_by(col(PaymentAllocation.position))).scalars()]
    _unallocate(session, payment)
    for name, value in fields.items():
        setattr(payment, name, value)
    if cmd.amount is not None:
        payment.amount = cmd.amount
    if cmd.paid_date is not None:
        payment.paid_date = cmd.paid_date
    payment.updated_at = now_utc()
    ids = tuple(cmd.invoice_ids) if cmd.invoice_ids is not None else tuple(old_ids)
    allocations = _allocate(session, payment, _invoices(session, cmd.account_id, ids)) if payment.paid else []
    uow.commit()
    return PaymentView(payment, allocations)


def delete_payment(cmd: DeletePayment, uow: UnitOfWork) -> PaymentView:
    session = uow.session
    payment = session.get(Payment, cmd.payment_id)
    if payment is None or payment.account_id != cmd.account_id:
        raise NotFound("payment", cmd.payment_id)
    events.remember(session, "payment", cmd.account_id, cmd.payment_id,
                    partial(payment_view, session, cmd.account_id, cmd.payment_id))  # before its allocations go
    _unallocate(session, payment)
    session.delete(payment)
    uow.commit()
    return PaymentView(payment, [])


def payment_view(session: Session, account_id: int, payment_id: int) -> PaymentView:
    payment = session.get(Payment, payment_id)
    if payment is None or payment.account_id != account_id:
        raise NotFound("payment", payment_id)
    allocations = list(session.execute(select(PaymentAllocation).where(
        PaymentAllocation.payment_id == payment_id).order_by(col(PaymentAllocation.position))).scalars())
    return PaymentView(payment, allocations)
