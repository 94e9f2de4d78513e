"""Issuing recurring invoices, exactly once per period.

One transaction per period: it claims the period in `recurring_runs` (unique on recurring +
period_date), creates the invoice copied from the template, queues its e-mail and advances
`next_invoice_date`, then commits. So a crash loses at most the period in flight (nothing of
it persists), and a concurrent runner either waits for the lock and then sees the advanced
date, or hits the unique key, rolls back and moves on. Catch-up issues the missed periods one
by one, oldest first, at most `max_catch_up` per definition per run; the rest stay due (the
definition still points at the first un-issued period) and the next run continues there.

Dates are calendar dates in the account's timezone, never instants: a run without an explicit
date takes "today" from `core.clock.today_in(account.timezone)`, so a daylight-saving change
only ever moves the wall clock within a date and cannot make a period fire twice or not at all.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from enum import Enum

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core.clock import now_utc, today_in
from core.commands import CreateInvoice, SendInvoice
from core.errors import DomainError, Invalid
from core.handlers.invoices import create_invoice_in_session
from core.handlers.sending import send_invoice_in_session, split_addresses
from core.models import Account, Invoice, Recurring, RecurringRun
from core.recurring_schedule import next_after, next_working_day
from core.storage import storage_of
from core.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

# Two years of a monthly definition: enough for any plausible outage, small enough that one
# misconfigured daily definition cannot flood an account (or hold the write lock) in one run.
MAX_CATCH_UP = 24
ORIGIN = "recurring"


@dataclass(frozen=True)
class Issued:
    recurring_id: int
    period_date: date
    invoice_id: int
    number: str


class _Step(Enum):
    ISSUED = "issued"
    NOT_DUE = "not_due"  # nothing (more) to do for this definition in this run
    PASSED = "passed"  # the period was already issued (another runner): re-read and go on


def issue_date_for(recurring: Recurring, period: date) -> date:
    """The day the period becomes due; the schedule anchor itself never moves."""
    return next_working_day(period) if recurring.issue_working_day_only else period


def run_due(engine: Engine, today: date | None = None, *, account_id: int | None = None,
            max_catch_up: int = MAX_CATCH_UP) -> list[Issued]:
    """Issue every due period of every active definition (of one account, or of all)."""
    issued: list[Issued] = []
    for recurring_id, tz_name in _candidates(engine, account_id):
        issued.extend(_catch_up(engine, recurring_id, today or today_in(tz_name), max_catch_up))
    return issued


def _candidates(engine: Engine, account_id: int | None) -> list[tuple[int, str]]:
    """Active definitions of active accounts, oldest first. Due-ness is decided per period
    under the lock; this list only narrows the work."""
    stmt = (select(Recurring.id, Account.timezone).join(Account, col(Account.id) == Recurring.account_id)
            .where(Recurring.active.is_(True), Account.active.is_(True),  # type: ignore[attr-defined]
                   Recurring.next_invoice_date.is_not(None))  # type: ignore[union-attr]
            .order_by(col(Recurring.id)))
    if account_id is not None:
        stmt = stmt.where(Recurring.account_id == account_id)
    with UnitOfWork(engine, write=False) as uow:
        return [(int(rid), str(tz)) for rid, tz in uow.session.execute(stmt).all()]


def _catch_up(engine: Engine, recurring_id: int, today: date, limit: int) -> list[Issued]:
    issued: list[Issued] = []
    for _ in range(limit):
        try:
            step, result = _issue_next(engine, recurring_id, today)
        except DomainError as exc:  # e.g. the template's client is gone: skip it, retry next run
            log.warning("recurring %s not issued: %s", recurring_id, exc)
            return issued
        if step is _Step.NOT_DUE:
            return issued
        if result is not None:
            issued.append(result)
    log.warning("recurring %s: catch-up limit of %s periods reached; the next run continues",
                recurring_id, limit)
    return issued


def _issue_next(engine: Engine, recurring_id: int, today: date) -> tuple[_Step, Issued | None]:
    try:
        with UnitOfWork(engine, write=True) as uow:
            session = uow.session
            recurring = _lock(session, recurring_id)
            if recurring is None or not recurring.active or recurring.next_invoice_date is None:
                return _Step.NOT_DUE, None
            period = recurring.next_invoice_date
            if (recurring.end_date is not None and period > recurring.end_date) \
                    or issue_date_for(recurring, period) > today:
                return _Step.NOT_DUE, None
            following = next_after(recurring.start_date, recurring.every, period, month_end=recurring.month_end)
            if _already_issued(session, recurring_id, period):
                # Only a run that issued the period writes its row, so it is done: step over it.
                recurring.next_invoice_date = following
                uow.commit()
                return _Step.PASSED, None
            run = RecurringRun(recurring_id=recurring_id, account_id=recurring.account_id, period_date=period)
            session.add(run)
            session.flush()  # claims the period now: a concurrent claim fails here, before any invoice
            invoice = _issue_invoice(session, recurring, period, today)
            run.invoice_id = invoice.id
            recurring.next_invoice_date = following
            recurring.updated_at = now_utc()
            session.flush()
            uow.commit()
            return _Step.ISSUED, Issued(recurring_id, period, invoice.id or 0, invoice.number)
    except IntegrityError:
        log.info("recurring %s: period already claimed by a concurrent run", recurring_id)
        return _Step.PASSED, None


def _lock(session: Session, recurring_id: int) -> Recurring | None:
    """Concurrent runners queue on the definition: a row lock where the storage needs one (PostgreSQL),
    else the write transaction (SQLite's BEGIN IMMEDIATE) already serialises them."""
    stmt = select(Recurring).where(Recurring.id == recurring_id)
    return session.execute(storage_of(session).for_update(stmt)).scalars().first()


def _already_issued(session: Session, recurring_id: int, period: date) -> bool:
    return session.execute(select(RecurringRun.id).where(
        RecurringRun.recurring_id == recurring_id, RecurringRun.period_date == period)).first() is not None


def _issue_invoice(session: Session, recurring: Recurring, period: date, today: date) -> Invoice:
    """Issued today, for the period: the sale date is the period's (the tax point of what it bills, and what
    tells caught-up invoices apart; a template sold "as a month" shows the period's month), the issue date
    the day it is really made (numbers then follow the calendar), and the due date follows the issue date."""
    template = session.get(Invoice, recurring.invoice_id)
    if template is None or template.account_id != recurring.account_id:
        raise Invalid.one("invoice_id", "not_found", "the template invoice is gone", value=recurring.invoice_id)
    # The new invoice keeps the template's payment term: the same number of days after issue.
    due = today + (template.payment_to - template.issue_date) if template.payment_to else None
    fields = {"issue_date": today, "sell_date": period, "payment_to": due,
              "payment_to_kind": template.payment_to_kind, "recurring_id": recurring.id,
              "invoice_id": template.id}
    invoice = create_invoice_in_session(
        CreateInvoice(account_id=recurring.account_id, origin=ORIGIN, fields=fields, copy_from=template.id),
        session)
    if recurring.send_email:
        _queue_mail(session, recurring, invoice)
    return invoice


def _queue_mail(session: Session, recurring: Recurring, invoice: Invoice) -> None:
    """The definition's addresses, else the buyer's. An unusable address list must not stop
    billing: the invoice is issued unsent and the problem logged."""
    cmd = SendInvoice(account_id=invoice.account_id, invoice_id=invoice.id or 0, origin=ORIGIN,
                      recipients=split_addresses(recurring.buyer_email))
    try:
        send_invoice_in_session(cmd, session)
    except DomainError as exc:
        log.warning("recurring %s: invoice %s issued but not e-mailed: %s", recurring.id, invoice.number, exc)
