"""The benchmark suite: every scenario of issue 11 per dialect, as a ratio to the reference B.

    make bench                  # SQLite, 10 s per scenario, results/<date>-sqlite.json
    make bench-smoke            # 2 s per scenario; proves the harness, judges nothing
    .venv/bin/python -m benchmarks.run --postgres --seconds 5 --only create,get

B (benchmarks/reference_app.py) and the gateway run on the same core, with wrk pinned to the other core(s),
so each ratio compares like with like on whatever the machine has to give right now. "Right now" is per
operation: an operation's dialects (create, get with its XML, list 25...) and B are measured in ROUNDS rounds of
short windows taken in turn, so each ratio is to the B of the same minute and the dialects of one operation are
compared across the same phases of a shared host (benchmarks/paired.py measured how far those phases move B and
the gateway, unequally, within minutes). A scenario judged by its latency (create @64, pdf) is one window, after
one of B's. The run fails only when the harness breaks or an answer is not 2xx; slow numbers are reported, not judged.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from contextlib import ExitStack
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import harness, scenarios  # noqa: E402
from benchmarks.harness import HarnessError, Request  # noqa: E402

RESULTS = Path(__file__).parent / "results"
# Issue 20's figures, as fractions of B measured in the same run: what is accepted, and the goal beyond it.
TARGETS = {"create": 0.05, "get": 0.25, "get xml": 0.25, "list 25": 0.12}
GOALS = {"create": 0.10, "get": 0.35, "get xml": 0.35, "list 25": 0.15}
# Latency figures: the p99 of creates at 64 connections, and a one-connection PDF's p50 (ms).
P99_TARGET = {"create @64": (100.0, 50.0)}
P50_TARGET = {"pdf": (5.0, 5.0)}
SPREAD_TARGET, SPREAD_GOAL = 0.20, 0.15  # the same operation across dialects, (max - min) / max
XML_WITHIN = 0.25  # an InvoiceOcean get as XML, at most this much slower than as JSON
ROUNDS = 5  # per operation: 10 s a scenario in five 2-s windows (wrk takes whole seconds only)
OPERATION_OF = {"get xml": "get"}  # measured in turn with the JSON gets it is compared with
B_REQUESTS = [Request("GET", f"/invoice?id={i}") for i in range(1, 50)]


def postgres_url(stack: ExitStack) -> str:
    from tests.support.postgres import PostgresServer, postgres_available

    if not postgres_available():
        raise HarnessError("--postgres: no PostgreSQL binaries (apt-get install postgresql)")
    server = stack.enter_context(PostgresServer())
    return server.create_database("bench")


def row_of(scenario: scenarios.Scenario, result: harness.WrkResult, reference_rps: float,
           cpu_ms: float | None = None, reference_cpu_ms: float | None = None) -> dict[str, Any]:
    ratio = result.rps / reference_rps if reference_rps else 0.0
    target, goal = TARGETS.get(scenario.name), GOALS.get(scenario.name)
    # Server CPU per answer, and B's over it: on a shared machine the server's core is not all its own,
    # and CPU time per request moves less with that than requests per second do.
    cpu = {} if cpu_ms is None else {
        "server_cpu_ms_per_request": round(cpu_ms, 4),
        "cpu_ratio_to_b": round(reference_cpu_ms / cpu_ms, 4) if reference_cpu_ms and cpu_ms else None}
    return {**cpu, "scenario": scenario.name, "dialect": scenario.dialect, "rps": round(result.rps, 1),
            "p50_ms": result.p50_ms, "p90_ms": result.p90_ms, "p99_ms": result.p99_ms, "requests": result.requests,
            "connections": scenario.connections, "ratio_to_b": round(ratio, 4), "target_ratio": target,
            "target_met": None if target is None else ratio >= target, "goal_ratio": goal,
            "goal_met": None if goal is None else ratio >= goal, "non_2xx": result.non_2xx,
            "socket_errors": result.socket_errors, "timeouts": result.timeouts, "first_bad": result.first_bad}


def operations(chosen: list[scenarios.Scenario]) -> list[list[scenarios.Scenario]]:
    """The scenarios in their order, consecutive ones of one operation together (its dialects, and an
    InvoiceOcean get as XML with the gets): each group is measured in turn with B."""
    groups: list[list[scenarios.Scenario]] = []
    for scenario in chosen:
        key = OPERATION_OF.get(scenario.name, scenario.name)
        if groups and OPERATION_OF.get(groups[-1][0].name, groups[-1][0].name) == key:
            groups[-1].append(scenario)
        else:
            groups.append([scenario])
    return groups


def rounds_of(group: list[scenarios.Scenario], seconds: float, rounds: int) -> tuple[int, int]:
    """(rounds, seconds per window) for a group: a scenario judged by its latency is one window (a percentile is
    not made of several windows' percentiles); others take `rounds` windows of whole seconds (at least one)."""
    if any(s.name in P99_TARGET or s.name in P50_TARGET for s in group) or rounds <= 1:
        return 1, max(1, round(seconds))
    count = max(1, min(rounds, int(seconds)))
    return count, max(1, int(seconds // count))


def window_order(size: int, number: int) -> list[int]:
    """Round `number`'s windows: B (-1) and the group's scenarios (0..size-1), rotated one place a round, so none
    always goes first or always follows the same one (a steady drift favours none of them)."""
    order = [-1, *range(size)]
    shift = number % len(order)
    return order[shift:] + order[:shift]


def merged(windows: list[harness.WrkResult]) -> harness.WrkResult:
    """A scenario's windows as one result: requests and seconds summed (req/s of them all), errors summed; the
    p50 is the windows' median p50, the p90 and p99 the worst window's (a bound, not a percentile of the whole)."""
    if len(windows) == 1:
        return windows[0]
    bad = next((w.first_bad for w in windows if w.first_bad), "")
    return harness.WrkResult(
        requests=sum(w.requests for w in windows), seconds=sum(w.seconds for w in windows),
        p50_ms=statistics.median(w.p50_ms for w in windows), p90_ms=max(w.p90_ms for w in windows),
        p99_ms=max(w.p99_ms for w in windows), max_ms=max(w.max_ms for w in windows),
        non_2xx=sum(w.non_2xx for w in windows), socket_errors=sum(w.socket_errors for w in windows),
        timeouts=sum(w.timeouts for w in windows), first_bad=bad)


def per_request_ms(cpu_seconds: float, requests: int) -> float | None:
    return cpu_seconds * 1000 / requests if requests and cpu_seconds > 0 else None


def table(rows: list[dict[str, Any]]) -> str:
    head = (f"{'scenario':<14}{'dialect':<14}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'ratio B':>10}"
            f"{'cpu ms':>9}{'cpu B':>8}  target")
    lines = [head, "-" * len(head)]
    for r in rows:
        target = "" if r["target_ratio"] is None else (
            f"{'ok' if r['target_met'] else 'MISS'} (>= {r['target_ratio']:.2f}), goal "
            f"{'met' if r['goal_met'] else 'missed'} (>= {r['goal_ratio']:.2f})")
        for key, limits in (("p99_ms", P99_TARGET), ("p50_ms", P50_TARGET)):
            if r["scenario"] in limits:
                accept, aim = limits[r["scenario"]]
                name = key.split("_")[0]
                target = (f"{'ok' if r[key] <= accept else 'MISS'} ({name} <= {accept:g} ms), goal "
                          f"{'met' if r[key] <= aim else 'missed'} ({name} <= {aim:g} ms)")
        cpu_ms, cpu_ratio = r.get("server_cpu_ms_per_request"), r.get("cpu_ratio_to_b")
        lines.append(f"{r['scenario']:<14}{r['dialect']:<14}{r['rps']:>10.0f}{r['p50_ms']:>10.2f}{r['p99_ms']:>10.2f}"
                     f"{r['ratio_to_b']:>10.3f}{'' if cpu_ms is None else f'{cpu_ms:9.3f}':>9}"
                     f"{'' if cpu_ratio is None else f'{cpu_ratio:8.3f}':>8}  {target}")
    return "\n".join(lines)


def spread(rows: list[dict[str, Any]]) -> dict[str, float]:
    """The same operation across dialects: (max - min) / max of req/s, per scenario (JSON only for get); and
    how much slower an InvoiceOcean get is as XML than as JSON."""
    out = {}
    for name in ("create", "get", "list 25"):
        rates = [r["rps"] for r in rows if r["scenario"] == name]
        if len(rates) > 1 and max(rates):
            out[name] = round((max(rates) - min(rates)) / max(rates), 3)
    json_get = [r["rps"] for r in rows if r["scenario"] == "get" and r["dialect"] == "invoiceocean"]
    xml_get = [r["rps"] for r in rows if r["scenario"] == "get xml"]
    if json_get and xml_get and json_get[0]:
        out["xml under json"] = round(1 - xml_get[0] / json_get[0], 3)
    return out


def spread_verdict(figures: dict[str, float]) -> str:
    parts = []
    for name, value in figures.items():
        if name == "xml under json":
            parts.append(f"XML {value:.0%} under JSON: {'ok' if value <= XML_WITHIN else 'MISS'} (<= {XML_WITHIN:.0%})")
        else:
            verdict = "ok" if value <= SPREAD_TARGET else "MISS"
            parts.append(f"{name} {value:.0%}: {verdict} (<= {SPREAD_TARGET:.0%}), goal "
                         f"{'met' if value <= SPREAD_GOAL else 'missed'} (<= {SPREAD_GOAL:.0%})")
    return "; ".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL 15 instead of SQLite")
    parser.add_argument("--smoke", action="store_true", help="2 s per scenario, results under results/tmp/")
    parser.add_argument("--seconds", type=float, default=None, help="per scenario (default 10, smoke 2)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--only", default="", help="comma-separated scenario names to run (plus B)")
    parser.add_argument("--rounds", type=int, default=ROUNDS,
                        help=f"windows per scenario, an operation's in turn with B's (default {ROUNDS}; 1: one each)")
    parser.add_argument("--out", type=Path, default=None, help="where to write the JSON")
    parser.add_argument("--server-env", action="append", default=[], metavar="GATEWAY_NAME=value",
                        help="a setting of the gateway under test (repeatable); the caller's GATEWAY_* are not passed")
    args = parser.parse_args(argv)
    settings = harness.server_settings(args.server_env)
    seconds = args.seconds or (2.0 if args.smoke else 10.0)
    wrk = harness.ensure_wrk()
    server_pin, load_pin = harness.cores()
    info = harness.machine()
    backend = "postgresql" if args.postgres else "sqlite"
    print(f"machine: {info['cpu_model']}, {info['cores']} cores, load {info['loadavg_start']}, "
          f"commit {info['git_commit'][:10]}{' (dirty)' if info['git_dirty'] else ''}; backend {backend}; "
          f"{seconds:g} s per scenario; pinning {'on' if server_pin else 'off'}"
          f"{'; server ' + ' '.join(f'{k}={v}' for k, v in settings.items()) if settings else ''}", flush=True)
    rows: list[dict[str, Any]] = []
    b_windows: list[harness.WrkResult] = []
    b_cpu_total = 0.0
    with ExitStack() as stack:
        ref = stack.enter_context(harness.reference_server(server_pin))
        harness.run_wrk(wrk, load_pin, ref.url, [Request("GET", "/invoice?id=1")], seconds=1,
                        connections=args.connections)  # warm-up
        tmp = Path(tempfile.mkdtemp(prefix="bench-gw-"))
        url = postgres_url(stack) if args.postgres else f"sqlite:///{tmp / 'bench.sqlite3'}"
        io_account, fk_account = harness.bench_accounts(url)
        gw = stack.enter_context(harness.gateway_server(url, server_pin, log_path=tmp / "server.log",
                                                        settings=settings))
        fx = scenarios.prepare(gw.url, scenarios.fixture_from(io_account, fk_account))
        wanted = {s.strip() for s in args.only.split(",") if s.strip()}
        chosen = [s for s in scenarios.scenarios(fx) if not wanted or s.name in wanted]
        reference = scenarios.Scenario("reference B", "-", [], connections=args.connections)
        for group in operations(chosen):
            count, window = rounds_of(group, seconds, args.rounds)
            for scenario in group:
                scenarios.check(gw.url, scenario.requests[0])
                harness.run_wrk(wrk, load_pin, gw.url, scenario.requests, seconds=1,
                                connections=scenario.connections or args.connections)
            found: dict[int, list[harness.WrkResult]] = {i: [] for i in range(-1, len(group))}
            cpu: dict[int, float] = dict.fromkeys(found, 0.0)
            for number in range(count):
                for index in window_order(len(group), number):
                    server, requests, connections = (
                        (ref, B_REQUESTS, args.connections) if index < 0 else
                        (gw, group[index].requests, group[index].connections or args.connections))
                    cpu_before = server.cpu_seconds()
                    found[index].append(harness.run_wrk(wrk, load_pin, server.url, requests, seconds=window,
                                                        connections=connections))
                    cpu[index] += server.cpu_seconds() - cpu_before
            b = merged(found[-1])
            b_windows.extend(found[-1])
            b_cpu_total += cpu[-1]
            b_cpu_ms = per_request_ms(cpu[-1], b.requests)
            for index, scenario in enumerate(group):
                result = merged(found[index])
                row = row_of(scenario, result, b.rps, per_request_ms(cpu[index], result.requests), b_cpu_ms)
                row["connections"] = scenario.connections or args.connections
                row["reference_rps"], row["windows"] = round(b.rps, 1), f"{count} x {window} s"
                rows.append(row)
                print(f"  {scenario.name:<14}{scenario.dialect:<14}{result.rps:>9.0f} req/s  p50 {result.p50_ms:.2f} ms"
                      f"  B {b.rps:,.0f}  ratio {row['ratio_to_b']:.3f}"
                      f"{'  NON-2XX: ' + result.first_bad if result.non_2xx else ''}", flush=True)
        memory = gw.memory_mb()
        server_log = gw.log()
    all_b = merged(b_windows) if b_windows else harness.WrkResult(0, 0.0, 0.0, 0.0, 0.0, 0.0, 0, 0, 0)
    all_b_cpu_ms = per_request_ms(b_cpu_total, all_b.requests)
    rows.insert(0, row_of(reference, all_b, all_b.rps, all_b_cpu_ms, all_b_cpu_ms))
    info["loadavg_end"] = list(os.getloadavg())
    print()
    print(table(rows))
    print(f"\nacross dialects (max-min)/max: {spread_verdict(spread(rows))}")
    print(f"server memory {memory}; load {info['loadavg_start']} -> {info['loadavg_end']}")
    document = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "backend": backend,
                "smoke": args.smoke, "seconds_per_scenario": seconds, "rounds": args.rounds,
                "connections": args.connections,
                "pinned": bool(server_pin), "server_env": settings, "machine": info, "server_memory": memory,
                "spread_across_dialects": spread(rows), "rows": rows}
    out = args.out or (RESULTS / "tmp" if args.smoke else RESULTS) / (
        f"{datetime.now():%Y-%m-%d}-{backend}{'-smoke' if args.smoke else ''}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(document, indent=2) + "\n")
    print(f"results: {out}")
    # A smoke run on a crowded machine may finish no request of a slow scenario in its window; the
    # direct check above has already proved that scenario's answer, so only a full run counts zero.
    failed = [r for r in rows if r["non_2xx"] or (r["requests"] == 0 and not args.smoke)]
    if failed:
        print("FAILED: answers outside 2xx (or no answers) in: " + ", ".join(
            f"{r['scenario']}/{r['dialect']} ({r['first_bad'] or 'no requests'})" for r in failed), file=sys.stderr)
        if "Traceback" in server_log:
            print(server_log, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
