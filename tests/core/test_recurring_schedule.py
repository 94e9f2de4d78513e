"""Date arithmetic of recurring definitions."""
from __future__ import annotations

from datetime import date

import pytest

from core.recurring_schedule import add_months, next_after, next_working_day, nth_occurrence, parse_every


def test_parse_every_reads_count_and_unit() -> None:
    assert [parse_every(e) for e in ("1d", "2w", " 3m ", "1y")] == [(1, "d"), (2, "w"), (3, "m"), (1, "y")]


@pytest.mark.parametrize("bad", ["", "0m", "m", "1x", "1.5m", "-1d"])
def test_parse_every_rejects_malformed_periods(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_every(bad)


def test_add_months_clamps_to_month_end_from_the_original_day() -> None:
    assert [add_months(date(2024, 1, 31), n) for n in (1, 2, 13)] == [
        date(2024, 2, 29), date(2024, 3, 31), date(2025, 2, 28)]


def test_nth_occurrence_counts_from_the_anchor_not_the_clamped_date() -> None:
    assert [nth_occurrence(date(2024, 1, 31), "1m", n) for n in range(4)] == [
        date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30)]
    assert nth_occurrence(date(2024, 2, 29), "1y", 1) == date(2025, 2, 28)
    assert nth_occurrence(date(2024, 2, 29), "1y", 4) == date(2028, 2, 29)


def test_next_after_a_clamped_february_returns_to_the_31st() -> None:
    assert next_after(date(2024, 1, 31), "1m", date(2024, 2, 29)) == date(2024, 3, 31)
    assert next_after(date(2023, 1, 31), "1m", date(2023, 2, 28)) == date(2023, 3, 31)


def test_next_after_is_strictly_later_and_stays_on_the_schedule() -> None:
    start = date(2024, 1, 15)
    assert next_after(start, "1m", date(2024, 1, 15)) == date(2024, 2, 15)
    assert next_after(start, "1m", date(2024, 1, 14)) == date(2024, 1, 15)  # before the first date
    assert next_after(start, "1m", date(2024, 3, 20)) == date(2024, 4, 15)  # an off-schedule date rejoins
    assert next_after(start, "3m", date(2024, 4, 15)) == date(2024, 7, 15)
    assert next_after(start, "1y", date(2024, 1, 15)) == date(2025, 1, 15)
    assert next_after(start, "2w", date(2024, 1, 15)) == date(2024, 1, 29)
    assert next_after(start, "2w", date(2024, 1, 20)) == date(2024, 1, 29)
    assert next_after(start, "1d", date(2024, 12, 31)) == date(2025, 1, 1)


def test_next_after_agrees_with_nth_occurrence_over_years() -> None:
    for every in ("1m", "2m", "3m", "1y", "1w", "10d"):
        start = date(2023, 8, 31)
        dates = [nth_occurrence(start, every, n) for n in range(40)]
        assert [next_after(start, every, d) for d in dates[:-1]] == dates[1:]


def test_next_working_day_moves_only_weekends() -> None:
    assert [next_working_day(date(2024, 6, d)) for d in (1, 2, 3, 7)] == [
        date(2024, 6, 3), date(2024, 6, 3), date(2024, 6, 3), date(2024, 6, 7)]


def test_month_end_schedule_lands_on_every_months_last_day_whatever_the_anchor() -> None:
    assert [nth_occurrence(date(2024, 4, 10), "1m", n, month_end=True) for n in range(4)] == [
        date(2024, 4, 30), date(2024, 5, 31), date(2024, 6, 30), date(2024, 7, 31)]
    assert [nth_occurrence(date(2023, 2, 28), "1y", n, month_end=True) for n in range(3)] == [
        date(2023, 2, 28), date(2024, 2, 29), date(2025, 2, 28)]
    assert next_after(date(2024, 4, 30), "1m", date(2024, 4, 30), month_end=True) == date(2024, 5, 31)
    assert next_after(date(2024, 4, 30), "3m", date(2024, 5, 31), month_end=True) == date(2024, 7, 31)
    assert next_after(date(2024, 4, 10), "1m", date(2024, 4, 12), month_end=True) == date(2024, 4, 30)
    assert next_after(date(2024, 1, 31), "1m", date(2024, 3, 31), month_end=True) == date(2024, 4, 30)
