"""Payments: recorded once, allocated to invoices in the order given, and kept in step with
each invoice's paid amount and status."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import delete, select
from sqlmodel import Session

from core.clock import now_utc, today_in
from core.commands import CreateInvoice, DeletePayment, LineSpec, RecordPayment, UpdatePayment
from core.errors import Invalid, NotFound
from core.fields import check_fields
from core.handlers.invoice_state import account_of, load_invoice, settle_status
from core.models import Invoice, Payment, PaymentAllocation
from core.unit_of_work import UnitOfWork


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
    """Settle the invoices in order; whatever is left over stays unallocated on the payment."""
    left, made = payment.amount, []
    for position, invoice in enumerate(invoices):
        if left <= 0 and payment.amount > 0:
            break
        due = invoice.payable - invoice.paid
        share = min(left, due) if payment.amount > 0 else left
        if share == 0 and payment.amount > 0:
            continue
        allocation = PaymentAllocation(payment_id=payment.id or 0, invoice_id=invoice.id or 0,
                                       account_id=payment.account_id, amount=share, position=position)
        session.add(allocation)
        invoice.paid += share
        invoice.updated_at = now_utc()
        settle_status(invoice, payment.paid_date)
        left -= share
        made.append(allocation)
    return made


def _unallocate(session: Session, payment: Payment) -> None:
    rows = list(session.execute(select(PaymentAllocation).where(PaymentAllocation.payment_id == payment.id)).scalars())
    for allocation in rows:
        invoice = session.get(Invoice, allocation.invoice_id)
        if invoice is not None:
            invoice.paid -= allocation.amount
            settle_status(invoice)
    session.execute(delete(PaymentAllocation).where(PaymentAllocation.payment_id == payment.id))


def record_payment(cmd: RecordPayment, uow: UnitOfWork) -> PaymentView:
    session = uow.session
    account = account_of(session, cmd.account_id)
    fields = check_fields(Payment, cmd.fields, extra_protected=frozenset({"amount"}))
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
              "buyer_city": extra.get("invoice_city", "") or "", "buyer_post_code": extra.get("invoice_post_code", "") or "",
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
    old_ids = [a.invoice_id for a in session.execute(select(PaymentAllocation).where(
        PaymentAllocation.payment_id == payment.id).order_by(PaymentAllocation.position)).scalars()]
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
    _unallocate(session, payment)
    session.delete(payment)
    uow.commit()
    return PaymentView(payment, [])


def payment_view(session: Session, account_id: int, payment_id: int) -> PaymentView:
    payment = session.get(Payment, payment_id)
    if payment is None or payment.account_id != account_id:
        raise NotFound("payment", payment_id)
    allocations = list(session.execute(select(PaymentAllocation).where(
        PaymentAllocation.payment_id == payment_id).order_by(PaymentAllocation.position)).scalars())
    return PaymentView(payment, allocations)
