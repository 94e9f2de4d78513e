"""A scenario's ratio to B from short windows taken in turn with B's, to tell a change from the host's phases.

    .venv/bin/python -m benchmarks.paired [--only get,create] [--dialect invo] [--rounds 8] [--seconds 3]

`make bench` measured B once, for ten seconds, and then each scenario once, minutes later. On a shared host
that is two samples of two moving figures: alternating 3-second windows of B and of an InvoiceOcean get a minute
long (2026-12-07) read B at 9,758-16,908 req/s and the get at 2,790-3,649, and the two do not move together. When
the host slows down B loses more than the gateway does (B ~10,000 with the get's ratio ~0.28; B ~16,700 with it
~0.20), so a run's ratios depended on the phase each of its windows fell in, by more than most changes move them.
(`benchmarks.run` now takes each operation's windows in rounds with B's, from what was learnt here.)

Here each round measures B and the scenario back to back (which goes first alternates, so a steady drift
does not favour either), and the scenario's figure is the median of the rounds' ratios, with their range and
the ratio of the sums: what the same code gives across the phases the host went through meanwhile, the figure
to compare a change by (run this before and after it, a while apart or interleaved). The verdicts of issue 20's
targets are those of `benchmarks.run`; its full run stays the measure of record (the whole table).
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import harness, scenarios  # noqa: E402
from benchmarks.run import B_REQUESTS, TARGETS, window_order  # noqa: E402


@dataclass(frozen=True)
class Round:
    b_rps: float
    rps: float
    b_first: bool

    @property
    def ratio(self) -> float:
        return self.rps / self.b_rps if self.b_rps else 0.0


def summary(rounds: list[Round]) -> dict[str, Any]:
    """The rounds' ratios: median, lowest and highest, and the ratio of the summed rates (every window is as
    long as the others, so that is the ratio of all requests over all of B's)."""
    if not rounds:
        return {"rounds": 0}
    ratios = [r.ratio for r in rounds]
    b_rates = [r.b_rps for r in rounds]
    return {"rounds": len(rounds), "median": round(statistics.median(ratios), 4), "low": round(min(ratios), 4),
            "high": round(max(ratios), 4), "of_sums": round(sum(r.rps for r in rounds) / sum(b_rates), 4),
            "b_low": round(min(b_rates)), "b_high": round(max(b_rates))}


def b_goes_first(round_number: int) -> bool:
    # benchmarks.run's rotation of one scenario and B: they take turns going first
    return window_order(1, round_number)[0] < 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="create,get,get xml,list 25", help="comma-separated scenario names")
    parser.add_argument("--dialect", default="", help="one dialect's scenarios only")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=3.0, help="per window (B's and the scenario's alike)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--out", type=Path, default=None, help="where to write the JSON (default: print only)")
    parser.add_argument("--server-env", action="append", default=[], metavar="GATEWAY_NAME=value",
                        help="a setting of the gateway under test (repeatable), as in benchmarks.run")
    args = parser.parse_args(argv)
    settings = harness.server_settings(args.server_env)
    wanted = {name.strip() for name in args.only.split(",") if name.strip()}
    wrk = harness.ensure_wrk()
    server_pin, load_pin = harness.cores()
    info = harness.machine()
    tmp = Path(tempfile.mkdtemp(prefix="bench-paired-"))
    url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    io_account, fk_account = harness.bench_accounts(url)
    results: list[dict[str, Any]] = []
    with harness.reference_server(server_pin) as ref, \
            harness.gateway_server(url, server_pin, log_path=tmp / "server.log", settings=settings) as gw:
        fx = scenarios.prepare(gw.url, scenarios.fixture_from(io_account, fk_account))
        chosen = [s for s in scenarios.scenarios(fx) if s.name in wanted
                  and (not args.dialect or s.dialect == args.dialect)]
        for scenario in chosen:
            connections = scenario.connections or args.connections
            scenarios.check(gw.url, scenario.requests[0])
            for url_, requests in ((ref.url, B_REQUESTS), (gw.url, scenario.requests)):  # warm both
                harness.run_wrk(wrk, load_pin, url_, requests, seconds=1, connections=connections)
            rounds: list[Round] = []
            for number in range(args.rounds):
                first = b_goes_first(number)
                rates: dict[bool, float] = {}
                for is_b in (first, not first):
                    target, requests = (ref.url, B_REQUESTS) if is_b else (gw.url, scenario.requests)
                    result = harness.run_wrk(wrk, load_pin, target, requests, seconds=args.seconds,
                                             connections=args.connections if is_b else connections)
                    if not is_b and result.non_2xx:
                        raise harness.HarnessError(f"{scenario.name}/{scenario.dialect}: {result.first_bad}")
                    rates[is_b] = result.rps
                rounds.append(Round(rates[True], rates[False], first))
            found = summary(rounds)
            target = TARGETS.get(scenario.name)
            verdict = "" if target is None else ("ok" if found["median"] >= target else "MISS") + f" (>= {target})"
            print(f"{scenario.name:<10}{scenario.dialect:<14} median {found['median']:.3f}  "
                  f"range {found['low']:.3f}-{found['high']:.3f}  of sums {found['of_sums']:.3f}  "
                  f"B {found['b_low']:,}-{found['b_high']:,}  {verdict}", flush=True)
            results.append({"scenario": scenario.name, "dialect": scenario.dialect, **found,
                            "ratios": [round(r.ratio, 4) for r in rounds], "b_rps": [round(r.b_rps) for r in rounds],
                            "rps": [round(r.rps) for r in rounds]})
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({"machine": info, "seconds_per_window": args.seconds,
                                        "connections": args.connections, "results": results}, indent=2) + "\n")
        print(f"results: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
