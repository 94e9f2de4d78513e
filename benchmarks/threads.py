"""Where a request's server CPU goes by thread, and what it writes, in the real server under load (issue 20).

    .venv/bin/python -m benchmarks.threads [--only create,list 25] [--dialect fakturan] [--seconds 6]

The server runs as `make bench` runs it (pinned to its core, SQLite, durable commits) and wrk drives each
scenario; before and after the measured window the server's threads are read from /proc: each one's user and
system CPU, and the process's I/O counters. Per request, it prints:

- the event loop's CPU (the main thread: HTTP, parsing, point reads, presenting, logging);
- the busiest other thread's (for a create, the group-commit writer: the SQL, pricing, the commit; for a list,
  one of the thread pool's readers), and all the other threads' together;
- bytes handed to write() and send() (the responses, WAL frames and checkpoints, the access log), those calls,
  and the bytes that reached the disk (WAL and checkpoints).

In-process profilers attribute this badly: py-spy's --gil samples under-count the writer, whose SQLite work
runs with the GIL released, and cProfile's per-call overhead inflates the Python side. /proc's counters are the
kernel's own accounting, so the split is exact, if coarse (a clock tick per thread per sample).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import harness, scenarios  # noqa: E402

IO_KEYS = ("wchar", "syscw", "write_bytes")


def thread_cpu(pid: int) -> dict[int, float]:
    """Seconds of user + system CPU per thread of `pid` so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    found: dict[int, float] = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            fields = Path(f"/proc/{pid}/task/{tid}/stat").read_text().rpartition(")")[2].split()
        except OSError:  # the thread ended between the listing and the read
            continue
        found[int(tid)] = (int(fields[11]) + int(fields[12])) / ticks
    return found


def io_counters(pid: int) -> dict[str, int]:
    pairs = (line.split(": ") for line in Path(f"/proc/{pid}/io").read_text().splitlines())
    return {key: int(value) for key, value in pairs if key in IO_KEYS}


def split(pid: int, before: dict[int, float], after: dict[int, float], requests: int) -> dict[str, float]:
    """Milliseconds per request: the main thread's, the busiest other thread's, the rest's (of the threads
    still running at the end)."""
    used = {tid: after[tid] - before.get(tid, 0.0) for tid in after}
    main = used.pop(pid, 0.0)
    others = sorted(used.values(), reverse=True)
    per = 1000.0 / max(requests, 1)
    return {"event_loop_ms": round(main * per, 3), "busiest_other_ms": round((others[0] if others else 0.0) * per, 3),
            "rest_ms": round(sum(others[1:]) * per, 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="create,get,list 25", help="comma-separated scenario names")
    parser.add_argument("--dialect", default="", help="one dialect's scenarios only")
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--out", type=Path, default=None, help="where to write the JSON (default: print only)")
    parser.add_argument("--server-env", action="append", default=[], metavar="GATEWAY_NAME=value",
                        help="a setting of the gateway under test (repeatable), as in benchmarks.run")
    args = parser.parse_args(argv)
    settings = harness.server_settings(args.server_env)  # a typo fails before the ledger is made
    wanted = {name.strip() for name in args.only.split(",") if name.strip()}
    wrk = harness.ensure_wrk()
    server_pin, load_pin = harness.cores()
    tmp = Path(tempfile.mkdtemp(prefix="bench-threads-"))
    url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    io_account, fk_account = harness.bench_accounts(url)
    rows: list[dict[str, Any]] = []
    failed: list[str] = []
    print(f"{'scenario':<14}{'dialect':<14}{'req/s':>8}{'cpu ms':>8}{'loop':>8}{'busiest':>9}{'rest':>7}"
          f"{'KB out':>9}{'writes':>8}{'KB to disk':>12}")
    with harness.gateway_server(url, server_pin, log_path=tmp / "server.log", settings=settings) as server:
        assert server.process is not None
        pid = server.process.pid
        fx = scenarios.prepare(server.url, scenarios.fixture_from(io_account, fk_account))
        for scenario in scenarios.scenarios(fx):
            if scenario.name not in wanted or (args.dialect and scenario.dialect != args.dialect):
                continue
            connections = scenario.connections or 16
            harness.run_wrk(wrk, load_pin, server.url, scenario.requests, seconds=1, connections=connections)
            cpu_before, io_before, total_before = thread_cpu(pid), io_counters(pid), server.cpu_seconds()
            result = harness.run_wrk(wrk, load_pin, server.url, scenario.requests, seconds=args.seconds,
                                     connections=connections)
            cpu_after, io_after, total_after = thread_cpu(pid), io_counters(pid), server.cpu_seconds()
            per = max(result.requests, 1)
            row = {"scenario": scenario.name, "dialect": scenario.dialect, "rps": round(result.rps, 1),
                   # the process's own total: a thread pool's worker that ended in the window took its CPU along
                   "cpu_ms": round((total_after - total_before) * 1000 / per, 3),
                   **split(pid, cpu_before, cpu_after, result.requests),
                   **{f"{key}_per_request": round((io_after[key] - io_before[key]) / per, 1) for key in IO_KEYS}}
            if result.non_2xx:  # a failing request's cost is not the scenario's: the figures would mislead
                row["non_2xx"], row["first_bad"] = result.non_2xx, result.first_bad
                failed.append(f"{scenario.name} {scenario.dialect}: {result.non_2xx} non-2xx, {result.first_bad}")
            rows.append(row)
            print(f"{row['scenario']:<14}{row['dialect']:<14}{row['rps']:>8.0f}{row['cpu_ms']:>8.3f}"
                  f"{row['event_loop_ms']:>8.3f}{row['busiest_other_ms']:>9.3f}{row['rest_ms']:>7.3f}"
                  f"{row['wchar_per_request'] / 1024:>9.1f}{row['syscw_per_request']:>8.1f}"
                  f"{row['write_bytes_per_request'] / 1024:>12.1f}", flush=True)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({"machine": harness.machine(), "seconds": args.seconds, "rows": rows},
                                       indent=2) + "\n")
        print(f"results: {args.out}")
    for line in failed:
        print(f"FAILED {line[:500]}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
