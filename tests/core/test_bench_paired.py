"""benchmarks/paired.py: a scenario's ratio to B over rounds of back-to-back windows. A benchmark is not a test,
but its arithmetic is: which window goes first, and what the rounds' ratios sum up to."""
from __future__ import annotations

from benchmarks.paired import Round, b_goes_first, summary


def test_b_and_the_scenario_take_turns_going_first_so_a_steady_drift_favours_neither() -> None:
    assert [b_goes_first(n) for n in range(4)] == [True, False, True, False]


def test_the_summary_is_the_median_ratio_with_its_range_and_the_ratio_of_the_summed_rates() -> None:
    rounds = [Round(10_000, 2_800, True), Round(16_000, 3_200, False), Round(12_000, 3_000, True)]
    found = summary(rounds)
    assert found == {"rounds": 3, "median": 0.25, "low": 0.2, "high": 0.28, "of_sums": round(9_000 / 38_000, 4),
                     "b_low": 10_000, "b_high": 16_000}


def test_no_rounds_summarise_to_nothing_and_a_b_window_without_answers_is_no_division_by_zero() -> None:
    assert summary([]) == {"rounds": 0}
    assert Round(0, 100, True).ratio == 0.0
