"""An invoice that recurs: it is issued now and is the template of a recurring definition, which
core.recurring then runs like any other. The definition is created, changed or stopped together with
the invoice, in the invoice command's unit of work, so neither is ever written without the other.

One definition per template invoice. Stopping keeps the definition (active False) and its issued
periods, so starting it again cannot issue a period twice.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Mapping

from sqlalchemy import func
from sqlmodel import Session, col, select

from core.clock import now_utc
from core.errors import Invalid
from core.fields import check_fields
from core.handlers.invoice_state import account_of
from core.handlers.records import prepare_recurring
from core.models import Invoice, Recurring, RecurringRun
from core.recurring_schedule import next_after, nth_occurrence

PREFIX = "recurring."
DEFAULT_EVERY = "1m"
# What decides the dates: changing one of them re-plans the next period.
_SCHEDULE = frozenset({"start_date", "every", "month_end"})


def definition_of(session: Session, account_id: int, invoice_id: int) -> Recurring | None:
    return session.execute(select(Recurring).where(Recurring.account_id == account_id,
                                                   Recurring.invoice_id == invoice_id)
                           .order_by(col(Recurring.id))).scalars().first()


def schedule_invoice(session: Session, account_id: int, invoice: Invoice,
                     wanted: Mapping[str, Any]) -> Recurring | None:
    """Create, change or stop the invoice's definition from `wanted` (Recurring columns). Errors are
    named recurring.<column>."""
    try:
        return _schedule(session, account_id, invoice, dict(wanted))
    except Invalid as exc:
        raise Invalid([e if e.field.startswith(PREFIX) else replace(e, field=PREFIX + e.field)
                       for e in exc.errors]) from None


def _schedule(session: Session, account_id: int, invoice: Invoice, wanted: dict[str, Any]) -> Recurring | None:
    account = account_of(session, account_id)
    current = definition_of(session, account_id, invoice.id or 0)
    if current is None:
        if not wanted.get("active"):
            return None  # an invoice starts recurring only when asked to, not by its settings alone
        wanted.setdefault("every", DEFAULT_EVERY)
        wanted.setdefault("name", invoice.number or f"invoice {invoice.id}")
        if wanted.get("start_date") is None:
            wanted["start_date"] = _one_period_after(invoice, wanted["every"])
        clean = check_fields(Recurring, {**wanted, "invoice_id": invoice.id}, prefix=PREFIX)
        record = Recurring(account_id=account_id, **clean)
        prepare_recurring(session, account, record, clean)
        session.add(record)
        session.flush()
        return record
    clean = check_fields(Recurring, wanted, prefix=PREFIX, extra_protected=frozenset({"invoice_id"}))
    before = {name: getattr(current, name) for name in _SCHEDULE}
    for name, value in clean.items():
        setattr(current, name, value)
    prepare_recurring(session, account, current, clean)
    if any(getattr(current, name) != before[name] for name in _SCHEDULE):
        current.next_invoice_date = _resume(session, current)
    current.updated_at = now_utc()
    session.flush()
    return current


def _one_period_after(invoice: Invoice, every: str) -> Any:
    """The invoice itself is the first issue, so by default the copies start one period after it."""
    try:
        return nth_occurrence(invoice.issue_date, every, 1)
    except ValueError:
        raise Invalid.one("every", "invalid", "must look like 1d, 1w, 1m, 3m or 1y", value=every) from None


def _resume(session: Session, recurring: Recurring) -> Any:
    """The first date of the new schedule after the last period already issued (never one before it)."""
    last = session.execute(select(func.max(RecurringRun.period_date)).where(
        RecurringRun.recurring_id == recurring.id)).scalar()
    if last is None:
        return recurring.start_date
    return next_after(recurring.start_date, recurring.every, last, month_end=recurring.month_end)
