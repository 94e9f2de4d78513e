"""The recurring engine: dates, numbers, links, end date, catch-up, e-mail."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import Session

from core.accounts import create_account
from core.commands import CreateInvoice, CreateRecord, LineSpec
from core.errors import Invalid
from core.ledger import Ledger
from core.models import Invoice, OutboxMessage, Recurring, RecurringRun
from core.recurring import MAX_CATCH_UP, Issued, run_due

# -- helpers, shared by the other test_recurring_* modules --------------------------------


def make_account(ledger: Ledger, name: str = "Acme", profile: str = "invoiceocean") -> int:
    return int(ledger.write(create_account, name, profile=profile).account_id)


def make_template(ledger: Ledger, account_id: int, *, issue: date = date(2024, 1, 2), term_days: int = 14,
                  buyer_email: str = "") -> int:
    view = ledger.execute(CreateInvoice(
        account_id=account_id, origin="test",
        fields={"issue_date": issue, "payment_to_kind": str(term_days), "buyer_name": "Klient Sp. z o.o.",
                "buyer_tax_no": "5252248481", "buyer_email": buyer_email},
        lines=(LineSpec(name="Hosting", quantity=Decimal("1"), price_net=Decimal("100.00"), tax="23"),)))
    return int(view.invoice.id)


def make_recurring(ledger: Ledger, account_id: int, template_id: int, start: date, every: str = "1m",
                   **fields: Any) -> int:
    record = ledger.execute(CreateRecord(entity="recurring", account_id=account_id, fields={
        "name": "Hosting", "invoice_id": template_id, "start_date": start, "every": every, **fields}))
    return int(record.id)


def issued_of(ledger: Ledger, recurring_id: int) -> list[Invoice]:
    def query(session: Session) -> list[Invoice]:
        return list(session.execute(select(Invoice).where(Invoice.recurring_id == recurring_id)
                                    .order_by(Invoice.id)).scalars())
    return ledger.read(query)


def recurring_of(ledger: Ledger, recurring_id: int) -> Recurring:
    return ledger.read(lambda session: session.get(Recurring, recurring_id))


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


# -- behaviour -----------------------------------------------------------------------------


def test_monthly_from_jan_31_clamps_each_month_from_the_anchor_through_a_leap_year(core_ledger: Ledger) -> None:
    account_id = make_account(core_ledger)
    template_id = make_template(core_ledger, account_id)
    rid = make_recurring(core_ledger, account_id, template_id, date(2024, 1, 31))
    per_run = [run_due(core_ledger.engine, day) for day in days(date(2024, 1, 30), date(2025, 3, 31))]

    expected = [date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30), date(2024, 5, 31),
                date(2024, 6, 30), date(2024, 7, 31), date(2024, 8, 31), date(2024, 9, 30), date(2024, 10, 31),
                date(2024, 11, 30), date(2024, 12, 31), date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 31)]
    invoices = issued_of(core_ledger, rid)
    assert [i.issue_date for i in invoices] == expected
    assert [i.sell_date for i in invoices] == expected
    assert [i.payment_to for i in invoices] == [d + timedelta(days=14) for d in expected]
    assert [i.number for i in invoices] == ["2/01/2024", "1/02/2024", "1/03/2024", "1/04/2024", "1/05/2024",
                                            "1/06/2024", "1/07/2024", "1/08/2024", "1/09/2024", "1/10/2024",
                                            "1/11/2024", "1/12/2024", "1/01/2025", "1/02/2025", "1/03/2025"]
    assert {(i.invoice_id, i.from_invoice_id, i.status, i.price_gross) for i in invoices} == {
        (template_id, template_id, "issued", Decimal("123.00"))}
    assert sum(len(r) for r in per_run) == 15  # one run per day, never a second invoice on the same day
    assert [r[0].period_date for r in per_run if r] == expected
    assert recurring_of(core_ledger, rid).next_invoice_date == date(2025, 4, 30)


def test_run_returns_what_it_issued(core_ledger: Ledger) -> None:
    account_id = make_account(core_ledger)
    rid = make_recurring(core_ledger, account_id, make_template(core_ledger, account_id), date(2024, 2, 5))
    result = run_due(core_ledger.engine, date(2024, 2, 5))
    invoice = issued_of(core_ledger, rid)[0]
    assert result == [Issued(recurring_id=rid, period_date=date(2024, 2, 5), invoice_id=invoice.id or 0,
                             number="1/02/2024")]
    assert run_due(core_ledger.engine, date(2024, 2, 5)) == []


def test_working_day_only_moves_weekend_dates_to_monday_but_keeps_the_anchor(core_ledger: Ledger) -> None:
    account_id = make_account(core_ledger)
    template_id = make_template(core_ledger, account_id)
    rid = make_recurring(core_ledger, account_id, template_id, date(2024, 6, 1), issue_working_day_only=True)

    assert run_due(core_ledger.engine, date(2024, 6, 1)) == []  # a Saturday
    assert recurring_of(core_ledger, rid).next_invoice_date == date(2024, 6, 1)
    results = [run_due(core_ledger.engine, day) for day in days(date(2024, 6, 2), date(2024, 9, 3))]

    invoices = issued_of(core_ledger, rid)
    assert [i.issue_date for i in invoices] == [date(2024, 6, 3), date(2024, 7, 1), date(2024, 8, 1),
                                                date(2024, 9, 2)]
    assert [r[0].period_date for r in results if r] == [date(2024, 6, 1), date(2024, 7, 1), date(2024, 8, 1),
                                                        date(2024, 9, 1)]
    assert recurring_of(core_ledger, rid).next_invoice_date == date(2024, 10, 1)


def test_definition_stops_after_end_date(core_ledger: Ledger) -> None:
    account_id = make_account(core_ledger)
    template_id = make_template(core_ledger, account_id)
    rid = make_recurring(core_ledger, account_id, template_id, date(2024, 1, 1), every="1w",
                         end_date=date(2024, 1, 15))
    first = run_due(core_ledger.engine, date(2024, 2, 1))
    assert [i.period_date for i in first] == [date(2024, 1, 1), date(2024, 1, 8), date(2024, 1, 15)]
    assert run_due(core_ledger.engine, date(2024, 12, 31)) == []
    assert len(issued_of(core_ledger, rid)) == 3


def test_catch_up_after_three_month_gap_issues_each_missed_period_in_order(core_ledger: Ledger) -> None:
    account_id = make_account(core_ledger)
    template_id = make_template(core_ledger, account_id)
    rid = make_recurring(core_ledger, account_id, template_id, date(2024, 1, 10))
    assert [i.number for i in run_due(core_ledger.engine, date(2024, 1, 10))] == ["2/01/2024"]

    caught_up = run_due(core_ledger.engine, date(2024, 4, 20))

    assert [i.period_date for i in caught_up] == [date(2024, 2, 10), date(2024, 3, 10), date(2024, 4, 10)]
    assert [i.number for i in caught_up] == ["1/04/2024", "2/04/2024", "3/04/2024"]
    assert [i.invoice_id for i in caught_up] == sorted(i.invoice_id for i in caught_up)
    # An invoice is dated the day it is really issued: numbers then follow the calendar.
    assert {i.issue_date for i in issued_of(core_ledger, rid)[1:]} == {date(2024, 4, 20)}
    assert {i.payment_to for i in issued_of(core_ledger, rid)[1:]} == {date(2024, 5, 4)}
    assert recurring_of(core_ledger, rid).next_invoice_date == date(2024, 5, 10)


def test_catch_up_is_capped_per_run_and_the_next_run_continues_without_a_gap(core_ledger: Ledger) -> None:
    account_id = make_account(core_ledger)
    rid = make_recurring(core_ledger, account_id, make_template(core_ledger, account_id), date(2024, 3, 1),
                         every="1d")
    first = run_due(core_ledger.engine, date(2024, 3, 30))
    assert MAX_CATCH_UP == 24
    assert [i.period_date for i in first] == days(date(2024, 3, 1), date(2024, 3, 24))
    assert recurring_of(core_ledger, rid).next_invoice_date == date(2024, 3, 25)

    second = run_due(core_ledger.engine, date(2024, 3, 30))
    assert [i.period_date for i in second] == days(date(2024, 3, 25), date(2024, 3, 30))
    assert run_due(core_ledger.engine, date(2024, 3, 30), max_catch_up=2) == []


def test_inactive_definition_and_other_accounts_are_left_alone(core_ledger: Ledger) -> None:
    acme, other = make_account(core_ledger), make_account(core_ledger, "Other Corp")
    paused = make_recurring(core_ledger, acme, make_template(core_ledger, acme), date(2024, 1, 5), active=False)
    foreign = make_recurring(core_ledger, other, make_template(core_ledger, other), date(2024, 1, 5))

    assert run_due(core_ledger.engine, date(2024, 1, 5), account_id=acme) == []
    assert issued_of(core_ledger, paused) == [] and issued_of(core_ledger, foreign) == []
    assert [i.recurring_id for i in run_due(core_ledger.engine, date(2024, 1, 5))] == [foreign]


def test_send_email_queues_one_outbox_message_to_every_listed_address(core_ledger: Ledger) -> None:
    account_id = make_account(core_ledger)
    template_id = make_template(core_ledger, account_id, buyer_email="buyer@klient.pl")
    rid = make_recurring(core_ledger, account_id, template_id, date(2024, 5, 6), every="1w",
                         send_email=True, buyer_email="ksiegowosc@klient.pl, szef@klient.pl")
    run_due(core_ledger.engine, date(2024, 5, 13))

    invoices = issued_of(core_ledger, rid)
    messages = core_ledger.read(lambda s: list(s.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars()))
    assert [(m.invoice_id, m.recipients, m.channel, m.status) for m in messages] == [
        (invoices[0].id, ["ksiegowosc@klient.pl", "szef@klient.pl"], "email", "queued"),
        (invoices[1].id, ["ksiegowosc@klient.pl", "szef@klient.pl"], "email", "queued")]
    assert [i.status for i in invoices] == ["sent", "sent"]
    assert all(i.sent_at is not None for i in invoices)


def test_send_email_without_addresses_falls_back_to_the_buyer(core_ledger: Ledger) -> None:
    account_id = make_account(core_ledger)
    template_id = make_template(core_ledger, account_id, buyer_email="buyer@klient.pl")
    make_recurring(core_ledger, account_id, template_id, date(2024, 5, 6), send_email=True)
    run_due(core_ledger.engine, date(2024, 5, 6))
    messages = core_ledger.read(lambda s: list(s.execute(select(OutboxMessage)).scalars()))
    assert [m.recipients for m in messages] == [["buyer@klient.pl"]]


def test_unusable_address_still_issues_the_invoice_unsent(core_ledger: Ledger) -> None:
    account_id = make_account(core_ledger)
    template_id = make_template(core_ledger, account_id)
    rid = make_recurring(core_ledger, account_id, template_id, date(2024, 5, 6), send_email=True,
                         buyer_email="not-an-address")
    assert [i.number for i in run_due(core_ledger.engine, date(2024, 5, 6))] == ["1/05/2024"]
    assert [(i.status, i.sent_at) for i in issued_of(core_ledger, rid)] == [("issued", None)]
    assert core_ledger.read(lambda s: list(s.execute(select(OutboxMessage)).scalars())) == []


def test_every_issued_period_is_recorded_with_its_invoice(core_ledger: Ledger) -> None:
    account_id = make_account(core_ledger)
    rid = make_recurring(core_ledger, account_id, make_template(core_ledger, account_id), date(2024, 1, 1),
                         every="1w")
    issued = run_due(core_ledger.engine, date(2024, 1, 8))
    runs = core_ledger.read(lambda s: list(s.execute(select(RecurringRun).order_by(RecurringRun.id)).scalars()))
    assert [(r.recurring_id, r.period_date, r.invoice_id) for r in runs] == [
        (rid, date(2024, 1, 1), issued[0].invoice_id), (rid, date(2024, 1, 8), issued[1].invoice_id)]


def test_a_period_already_recorded_is_stepped_over_not_issued_again(core_ledger: Ledger) -> None:
    account_id = make_account(core_ledger)
    rid = make_recurring(core_ledger, account_id, make_template(core_ledger, account_id), date(2024, 1, 1),
                         every="1w")
    run_due(core_ledger.engine, date(2024, 1, 1))

    def rewind(session: Session) -> None:  # e.g. an API edit that moved the date back by hand
        session.get(Recurring, rid).next_invoice_date = date(2024, 1, 1)
    core_ledger.write(rewind)

    assert [i.period_date for i in run_due(core_ledger.engine, date(2024, 1, 8))] == [date(2024, 1, 8)]
    assert len(issued_of(core_ledger, rid)) == 2


def test_month_end_definition_starts_at_its_months_end_and_runs_there(core_ledger: Ledger) -> None:
    account_id = make_account(core_ledger)
    rid = make_recurring(core_ledger, account_id, make_template(core_ledger, account_id), date(2024, 4, 10),
                         month_end=True)
    assert (recurring_of(core_ledger, rid).start_date, recurring_of(core_ledger, rid).next_invoice_date) == (
        date(2024, 4, 30), date(2024, 4, 30))
    for day in days(date(2024, 4, 1), date(2024, 6, 30)):
        run_due(core_ledger.engine, day)
    assert [i.issue_date for i in issued_of(core_ledger, rid)] == [date(2024, 4, 30), date(2024, 5, 31),
                                                                   date(2024, 6, 30)]


def test_month_end_needs_a_period_in_months_or_years(core_ledger: Ledger) -> None:
    account_id = make_account(core_ledger)
    with pytest.raises(Invalid) as refused:
        make_recurring(core_ledger, account_id, make_template(core_ledger, account_id), date(2024, 4, 10),
                       every="2w", month_end=True)
    assert [(e.field, e.code) for e in refused.value.errors] == [("month_end", "invalid")]


def test_caught_up_invoices_carry_their_periods_sale_date_and_are_due_after_the_run(core_ledger: Ledger) -> None:
    account_id = make_account(core_ledger)
    template_id = make_template(core_ledger, account_id, issue=date(2027, 1, 1))
    core_ledger.write(lambda s: setattr(s.get(Invoice, template_id), "sell_date_month", True))
    rid = make_recurring(core_ledger, account_id, template_id, date(2027, 1, 1))

    caught_up = run_due(core_ledger.engine, date(2027, 5, 1))

    invoices = issued_of(core_ledger, rid)
    periods = [date(2027, month, 1) for month in range(1, 6)]
    assert [i.period_date for i in caught_up] == periods
    assert [(i.sell_date, i.sell_date_month) for i in invoices] == [(p, True) for p in periods]
    assert {(i.issue_date, i.payment_to) for i in invoices} == {(date(2027, 5, 1), date(2027, 5, 15))}
