"""benchmarks/run.py's arithmetic: which windows an operation's dialects and B take in turn, and what their
windows add up to. A benchmark is not a test; how it groups, orders and sums its windows is."""
from __future__ import annotations

from benchmarks.harness import Request, WrkResult
from benchmarks.run import merged, operations, rounds_of, window_order
from benchmarks.scenarios import Scenario


def scenario(name: str, dialect: str = "invoiceocean", connections: int | None = None) -> Scenario:
    return Scenario(name, dialect, [Request("GET", "/")], connections=connections)


def result(requests: int, seconds: float, p50: float = 1.0, p99: float = 5.0, bad: int = 0) -> WrkResult:
    return WrkResult(requests, seconds, p50, p50 * 2, p99, p99 * 2, bad, 0, 0, "418 teapot" if bad else "")


def test_an_operations_dialects_and_an_xml_get_are_measured_together_and_other_operations_apart() -> None:
    chosen = [scenario("create"), scenario("create", "invo"), scenario("create @64", connections=64),
              scenario("get"), scenario("get xml"), scenario("get", "fakturan"), scenario("list 25"),
              scenario("pdf", connections=1)]
    assert [[(s.name, s.dialect) for s in group] for group in operations(chosen)] == [
        [("create", "invoiceocean"), ("create", "invo")], [("create @64", "invoiceocean")],
        [("get", "invoiceocean"), ("get xml", "invoiceocean"), ("get", "fakturan")],
        [("list 25", "invoiceocean")], [("pdf", "invoiceocean")]]


def test_throughput_scenarios_take_rounds_of_whole_seconds_and_latency_ones_one_window() -> None:
    assert rounds_of([scenario("create"), scenario("create", "invo")], 10, 5) == (5, 2)
    assert rounds_of([scenario("list 25")], 10, 3) == (3, 3)  # wrk takes whole seconds: 9 s, not 10
    assert rounds_of([scenario("get")], 2, 5) == (2, 1)  # a smoke run: no window under a second
    assert rounds_of([scenario("create @64", connections=64)], 10, 5) == (1, 10)  # its p99 is judged
    assert rounds_of([scenario("pdf", connections=1)], 10, 5) == (1, 10)  # its p50 is judged
    assert rounds_of([scenario("get")], 10, 1) == (1, 10)


def test_each_round_rotates_the_windows_so_none_always_goes_first_or_follows_the_same_one() -> None:
    orders = [window_order(3, number) for number in range(4)]
    assert orders == [[-1, 0, 1, 2], [0, 1, 2, -1], [1, 2, -1, 0], [2, -1, 0, 1]]
    assert sorted(order[0] for order in orders) == [-1, 0, 1, 2]


def test_a_scenarios_windows_sum_to_its_rate_with_the_worst_tail_and_every_error() -> None:
    found = merged([result(3_000, 2.0, p50=3.0, p99=20.0), result(1_000, 2.0, p50=4.0, p99=35.0, bad=2),
                    result(2_000, 2.0, p50=3.5, p99=25.0)])
    assert found.requests == 6_000 and found.seconds == 6.0 and found.rps == 1_000.0
    assert found.p50_ms == 3.5 and found.p99_ms == 35.0 and found.max_ms == 70.0
    assert found.non_2xx == 2 and found.first_bad == "418 teapot"
    one = result(10, 1.0)
    assert merged([one]) is one
