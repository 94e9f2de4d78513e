"""Exactly once: concurrent runners, and a crash between issuing and committing."""
from __future__ import annotations

import threading
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from core.ledger import Ledger
from core.models import Invoice, RecurringRun
from core.recurring import Issued, run_due
from core.unit_of_work import UnitOfWork
from gateway.db import make_engine
from gateway.migrations import upgrade
from tests.core.test_recurring import days, issued_of, make_account, make_recurring, make_template, recurring_of

RUNNERS = 4


def _race(url: str, run_dates: list[date]) -> list[Issued]:
    """RUNNERS threads, each with its own engine (as separate processes would have), start
    together and each runs the engine for every date."""
    barrier = threading.Barrier(RUNNERS)
    results: list[Issued] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def runner() -> None:
        engine = make_engine(url)
        try:
            barrier.wait()
            for day in run_dates:
                got = run_due(engine, day)
                with lock:
                    results.extend(got)
        except BaseException as exc:  # surfaced in the main thread below
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=runner) for _ in range(RUNNERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    return results


def _assert_each_period_once(url: str) -> None:
    ledger = Ledger(make_engine(url))
    account_id = make_account(ledger)
    monthly = make_recurring(ledger, account_id, make_template(ledger, account_id), date(2024, 1, 31))
    daily = make_recurring(ledger, account_id, make_template(ledger, account_id), date(2024, 3, 1), every="1d")

    results = _race(url, [date(2024, 3, 10), date(2024, 3, 15), date(2024, 3, 20)])

    assert sorted((i.recurring_id, i.period_date) for i in results) == sorted(
        [(monthly, date(2024, 1, 31)), (monthly, date(2024, 2, 29))]
        + [(daily, d) for d in days(date(2024, 3, 1), date(2024, 3, 20))])
    invoices = issued_of(ledger, monthly) + issued_of(ledger, daily)
    assert len(invoices) == 22
    assert sorted(i.number for i in invoices) == sorted({i.number for i in invoices})
    assert sorted(i.id for i in invoices) == sorted(i.invoice_id for i in results)
    assert recurring_of(ledger, monthly).next_invoice_date == date(2024, 3, 31)
    assert recurring_of(ledger, daily).next_invoice_date == date(2024, 3, 21)
    ledger.engine.dispose()


def test_concurrent_runners_issue_each_period_exactly_once_on_sqlite(database_url: str) -> None:
    _assert_each_period_once(database_url)


def test_concurrent_runners_issue_each_period_exactly_once_on_postgresql(postgres_url: str) -> None:
    upgrade(postgres_url)
    _assert_each_period_once(postgres_url)


def _count(ledger: Ledger, model: Any) -> int:
    return int(ledger.read(lambda s: s.execute(select(func.count()).select_from(model)).scalar_one()))


def test_crash_before_commit_leaves_no_invoice_and_no_advance(core_ledger: Ledger,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    account_id = make_account(core_ledger)
    rid = make_recurring(core_ledger, account_id, make_template(core_ledger, account_id), date(2024, 1, 31))
    seen_in_flight: list[int] = []

    def crash(uow: UnitOfWork) -> None:
        session: Session = uow.session
        seen_in_flight.append(session.execute(select(func.count()).select_from(Invoice)
                                              .where(Invoice.recurring_id == rid)).scalar_one())
        raise RuntimeError("power cut")

    monkeypatch.setattr(UnitOfWork, "commit", crash)
    with pytest.raises(RuntimeError, match="power cut"):
        run_due(core_ledger.engine, date(2024, 2, 1))
    monkeypatch.undo()

    assert seen_in_flight == [1]  # the invoice was written inside the transaction ...
    assert issued_of(core_ledger, rid) == []  # ... and nothing of it survived
    assert _count(core_ledger, RecurringRun) == 0
    assert recurring_of(core_ledger, rid).next_invoice_date == date(2024, 1, 31)
    assert [(i.period_date, i.number) for i in run_due(core_ledger.engine, date(2024, 2, 1))] == [
        (date(2024, 1, 31), "1/02/2024")]  # the lost number is given out again: no gap


def test_crash_mid_catch_up_loses_only_the_period_in_flight(core_ledger: Ledger,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    account_id = make_account(core_ledger)
    rid = make_recurring(core_ledger, account_id, make_template(core_ledger, account_id), date(2024, 1, 1),
                         every="1w")
    real_commit = UnitOfWork.commit
    commits: list[int] = []

    def crash_on_second(uow: UnitOfWork) -> None:
        commits.append(1)
        if len(commits) == 2:
            raise RuntimeError("killed")
        real_commit(uow)

    monkeypatch.setattr(UnitOfWork, "commit", crash_on_second)
    with pytest.raises(RuntimeError, match="killed"):
        run_due(core_ledger.engine, date(2024, 1, 22))
    monkeypatch.undo()

    assert [i.issue_date for i in issued_of(core_ledger, rid)] == [date(2024, 1, 22)]
    assert recurring_of(core_ledger, rid).next_invoice_date == date(2024, 1, 8)
    restart = run_due(core_ledger.engine, date(2024, 1, 22))
    assert [i.period_date for i in restart] == [date(2024, 1, 8), date(2024, 1, 15), date(2024, 1, 22)]
    runs = core_ledger.read(lambda s: list(s.execute(select(RecurringRun.period_date)
                                                     .order_by(RecurringRun.period_date)).scalars()))
    assert runs == [date(2024, 1, 1), date(2024, 1, 8), date(2024, 1, 15), date(2024, 1, 22)]


def test_without_the_row_lock_the_unique_period_key_alone_keeps_runs_exactly_once(
        postgres_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    import core.recurring as engine_module
    from core.models import Recurring

    def unlocked(session: Session, recurring_id: int) -> Any:
        return session.get(Recurring, recurring_id)

    monkeypatch.setattr(engine_module, "_lock", unlocked)
    upgrade(postgres_url)
    with caplog.at_level("INFO", logger="core.recurring"):
        _assert_each_period_once(postgres_url)
    collisions = [r for r in caplog.records if "already claimed by a concurrent run" in r.getMessage()]
    assert collisions  # runners did collide on the key, rolled back and moved on
