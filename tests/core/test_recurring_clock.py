"""Runs without an explicit date take "today" in the account's timezone, across DST changes."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import time_machine

from core.ledger import Ledger
from core.recurring import Issued, run_due
from tests.core.test_recurring import days, issued_of, make_account, make_recurring, make_template

WARSAW = ZoneInfo("Europe/Warsaw")


def _run_at(ledger: Ledger, instant: datetime) -> list[Issued]:
    with time_machine.travel(instant, tick=False):
        return run_due(ledger.engine)


def _every_half_hour_utc(day: date, tz: ZoneInfo) -> list[datetime]:
    """Every 30 minutes of a local day, as instants: 46 or 50 of them on a DST change day."""
    start = datetime.combine(day, time(0), tz).astimezone(timezone.utc)
    end = datetime.combine(day + timedelta(days=1), time(0), tz).astimezone(timezone.utc)
    return [start + timedelta(minutes=30 * n) for n in range(int((end - start) / timedelta(minutes=30)))]


@pytest.mark.parametrize(("start", "change_day", "last_day", "expected"), [
    # Spring forward: 2024-03-31 02:00 -> 03:00 in Warsaw, a Sunday and an issue day.
    (date(2024, 3, 24), date(2024, 3, 31), date(2024, 4, 10),
     [date(2024, 3, 24), date(2024, 3, 31), date(2024, 4, 7)]),
    # Fall back: 2024-10-27 03:00 -> 02:00, the hour 02:00-03:00 happens twice.
    (date(2024, 10, 20), date(2024, 10, 27), date(2024, 11, 6),
     [date(2024, 10, 20), date(2024, 10, 27), date(2024, 11, 3)]),
])
def test_weekly_definition_fires_once_a_week_across_a_dst_change(
        core_ledger: Ledger, start: date, change_day: date, last_day: date, expected: list[date]) -> None:
    account_id = make_account(core_ledger)
    rid = make_recurring(core_ledger, account_id, make_template(core_ledger, account_id), start, every="1w")
    issued: list[Issued] = []
    for day in days(start - timedelta(days=4), last_day):
        issued += _run_at(core_ledger, datetime.combine(day, time(0, 30), WARSAW))
        if day == change_day:
            for instant in _every_half_hour_utc(day, WARSAW):
                issued += _run_at(core_ledger, instant)

    assert [i.period_date for i in issued] == expected
    assert [i.issue_date for i in issued_of(core_ledger, rid)] == expected


def test_half_past_midnight_local_is_already_the_new_day_though_utc_is_not(core_ledger: Ledger) -> None:
    account_id = make_account(core_ledger)
    make_recurring(core_ledger, account_id, make_template(core_ledger, account_id), date(2024, 3, 24), every="1w")
    instant = datetime(2024, 3, 24, 0, 30, tzinfo=WARSAW)
    assert instant.astimezone(timezone.utc).date() == date(2024, 3, 23)
    assert [i.period_date for i in _run_at(core_ledger, instant)] == [date(2024, 3, 24)]


def test_today_follows_each_accounts_own_timezone(core_ledger: Ledger) -> None:
    warsaw = make_account(core_ledger)
    sydney = make_account(core_ledger, "Kangaroo Pty")

    def move(session, account_id: int, tz: str) -> None:  # type: ignore[no-untyped-def]
        from core.models import Account
        session.get(Account, account_id).timezone = tz
    core_ledger.write(move, sydney, "Australia/Sydney")
    make_recurring(core_ledger, warsaw, make_template(core_ledger, warsaw), date(2024, 5, 10))
    far_east = make_recurring(core_ledger, sydney, make_template(core_ledger, sydney), date(2024, 5, 10))

    # 2024-05-09 20:00 UTC: still the 9th in Warsaw, already the 10th in Sydney.
    issued = _run_at(core_ledger, datetime(2024, 5, 9, 20, 0, tzinfo=timezone.utc))
    assert [(i.recurring_id, i.period_date) for i in issued] == [(far_east, date(2024, 5, 10))]


def test_fakturan_accounts_use_stockholm_time(core_ledger: Ledger) -> None:
    account_id = make_account(core_ledger, "Svensk AB", profile="fakturan")
    rid = make_recurring(core_ledger, account_id, make_template(core_ledger, account_id), date(2024, 10, 27),
                         every="1d")
    stockholm = ZoneInfo("Europe/Stockholm")
    for instant in _every_half_hour_utc(date(2024, 10, 27), stockholm):
        _run_at(core_ledger, instant)
    assert [i.issue_date for i in issued_of(core_ledger, rid)] == [date(2024, 10, 27)]
