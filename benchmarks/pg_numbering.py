"""Issue 11's PostgreSQL targets: numbering throughput under concurrent writers, and two server processes.

    make bench-postgres                         # both parts, results/<date>-postgres-numbering.json
    .venv/bin/python -m benchmarks.pg_numbering --seconds 5 --rounds 1 --server-seconds 10   # quicker

1. Numbering through the core (Ledger + CreateInvoice, 5 lines, as the create scenario), one OS process per
   writer (each with its own engine, like a server process, and its own GIL), on a throwaway PostgreSQL 15:
     - 1 writer on one series                      (the reference)
     - 8 writers on one series of one account      (target: >= 0.8 x the 1-writer rate)
     - 8 writers on 8 accounts, one series each    (no shared counter row: the machine's ceiling)
     - 8 writers on one series, numbered first     (the core's create before it took the number last:
                                                    the counter row locked from allocation to commit)
   The four alternate for --rounds rounds, so a change in the machine's load hits all of them alike.
   While the writers run, pg_stat_activity is sampled: how many of them wait on a lock (the counter row).
2. Two `invoice-gateway serve` processes on one database, each driven by its own wrk with the harness's
   mixed workload (70% reads, 30% creates across InvoiceOcean, INVO and fakturan).
After each part every series is checked: numbers unique, and each counter's sequence exactly 1..last_seq;
part 1 also checks that the sequences the writers were handed are exactly the ones stored.

The cluster is tests/support/postgres.py's (fsync and synchronous_commit off): commits cost no disk flush, so
the counter row is held for the transaction's CPU and round trips only. The run fails (exit 1) when a number
is duplicated or missing, or a server answers outside 2xx; a missed ratio is reported, not judged.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, text  # noqa: E402

from benchmarks import harness, scenarios  # noqa: E402
from benchmarks.harness import HarnessError  # noqa: E402

RESULTS = Path(__file__).parent / "results"
TARGET_RATIO = 0.8
DAY = date(2026, 3, 10)  # every create lands in one period, so one counter row per series
LINES = 5
WARMUP_CREATES = 3  # per writer, before the window: imports, connection, statement caches


# -- part 1: writers through the core ---------------------------------------------------------------

def _command(account_id: int) -> Any:
    from core.commands import CreateInvoice, LineSpec

    lines = tuple(LineSpec(name=f"Usługa {i}", price_net=Decimal("100.00"), quantity=Decimal("3"), tax="23")
                  for i in range(LINES))
    return CreateInvoice(account_id=account_id, origin="bench", match_client=False, lines=lines,
                         fields={"buyer_name": "Klient Benchmark Sp. z o.o.", "buyer_tax_no": "5252445767",
                                 "issue_date": DAY})


def writer(url: str, account_id: int, seconds: float, barrier: Any, out: Any, number_first: bool = False) -> None:
    """One writer process: warm up, wait for the others, then create invoices for `seconds`.
    number_first: number as before the core took it last (the lock from the start of the create to commit)."""
    from core.ledger import Ledger
    from gateway.db import make_engine

    if number_first:  # the comparison run only: this process's creates take the path SQLite takes
        from core.storage import postgres

        postgres.STORAGE.numbers_last = False

    engine = make_engine(url)
    ledger = Ledger(engine)
    seqs: list[int] = []
    errors: list[str] = []
    done = 0
    try:
        seqs += [ledger.execute(_command(account_id)).invoice.seq for _ in range(WARMUP_CREATES)]
        barrier.wait(timeout=300)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                seqs.append(ledger.execute(_command(account_id)).invoice.seq)
            except Exception as exc:  # recorded and judged by the parent, never hidden
                errors.append(f"{type(exc).__name__}: {exc}"[:300])
                continue
            if time.monotonic() <= deadline:
                done += 1
    finally:
        engine.dispose()
        out.put({"account_id": account_id, "created": done, "seqs": seqs, "errors": errors,
                 "cpu_s": sum(os.times()[:2])})


@dataclass
class Accounts:
    single: int
    shared: int
    own: list[int]
    first: int  # 1 series, numbered first: the comparison


def make_accounts(url: str, writers: int) -> Accounts:
    from core.accounts import create_account
    from core.ledger import Ledger
    from gateway.db import make_engine
    from gateway.registry import DIALECTS  # noqa: F401  (the dialects register their profiles)

    engine = make_engine(url)
    try:
        ledger = Ledger(engine)
        made = [ledger.write(create_account, f"Writer {i}").account_id for i in range(writers + 3)]
    finally:
        engine.dispose()
    return Accounts(single=made[0], shared=made[1], own=made[2:-1], first=made[-1])


def sample_locks(server: Any, dbname: str, stop: threading.Event, samples: list[tuple[int, int]]) -> None:
    """(writers running a statement, of them waiting on a lock) every 50 ms, from pg_stat_activity."""
    with server.connect(dbname) as conn:
        while not stop.is_set():
            row = conn.execute(
                "SELECT count(*) FILTER (WHERE state = 'active'), "
                "count(*) FILTER (WHERE state = 'active' AND wait_event_type = 'Lock') "
                "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()").fetchone()
            samples.append((int(row[0]), int(row[1])))
            stop.wait(0.05)


def run_writers(server: Any, dbname: str, url: str, account_ids: list[int], seconds: float,
                number_first: bool = False) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(account_ids) + 1)
    out = context.Queue()
    processes = [context.Process(target=writer, args=(url, a, seconds, barrier, out, number_first),
                                   daemon=True)
                 for a in account_ids]
    for p in processes:
        p.start()
    samples: list[tuple[int, int]] = []
    stop = threading.Event()
    try:
        barrier.wait(timeout=300)
        load_before = os.getloadavg()[0]
        sampler = threading.Thread(target=sample_locks, args=(server, dbname, stop, samples), daemon=True)
        sampler.start()
        results = [out.get(timeout=seconds + 300) for _ in processes]
    finally:
        stop.set()
        for p in processes:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
    created = sum(r["created"] for r in results)
    active = statistics.fmean(s[0] for s in samples) if samples else 0.0
    waiting = statistics.fmean(s[1] for s in samples) if samples else 0.0
    return {"writers": len(account_ids), "accounts": len(set(account_ids)), "seconds": seconds,
            "created": created, "rate_per_s": round(created / seconds, 1),
            "per_writer": [r["created"] for r in results],
            "writer_cpu_s": round(sum(r["cpu_s"] for r in results), 1),
            "avg_active_statements": round(active, 2), "avg_waiting_on_lock": round(waiting, 2),
            "loadavg_before": round(load_before, 2), "errors": [e for r in results for e in r["errors"]][:5],
            "error_count": sum(len(r["errors"]) for r in results),
            "_seqs": {a: [s for r in results if r["account_id"] == a for s in r["seqs"]] for a in set(account_ids)}}


def numbering_problems(engine: Engine) -> list[str]:
    """Numbers unique per series, and each counter's seqs exactly 1..last_seq, across the whole database."""
    problems: list[str] = []
    with engine.connect() as db:
        dupes = list(db.execute(text("SELECT account_id, series, number, count(*) FROM invoices "
                                     "GROUP BY account_id, series, number HAVING count(*) > 1")))
        problems += [f"number used twice: {tuple(row)}" for row in dupes[:10]]
        taken: dict[tuple[Any, ...], list[int]] = {}
        for account_id, series, period, seq in db.execute(text(
                "SELECT account_id, series, period_key, seq FROM invoices WHERE seq IS NOT NULL")):
            taken.setdefault((account_id, series, period), []).append(seq)
        for account_id, series, period, last in db.execute(text(
                "SELECT account_id, series, period_key, last_seq FROM number_counters")):
            seqs = sorted(taken.pop((account_id, series, period), []))
            if seqs != list(range(1, last + 1)):
                missing = sorted(set(range(1, last + 1)) - set(seqs))[:5]
                problems.append(f"account {account_id} {series} {period}: {len(seqs)} numbers for counter {last}"
                                f" (missing e.g. {missing})")
        problems += [f"seqs without a counter: {key}" for key in taken]
    return problems


def stored_seqs(engine: Engine, account_id: int) -> list[int]:
    with engine.connect() as db:
        return sorted(db.execute(text("SELECT seq FROM invoices WHERE account_id = :a"), {"a": account_id})
                      .scalars().all())


def numbering_part(server: Any, seconds: float, rounds: int, writers: int) -> dict[str, Any]:
    from gateway.db import make_engine
    from gateway.migrations import upgrade

    url = server.create_database("numbering")
    upgrade(url)
    accounts = make_accounts(url, writers)
    kinds = {"1 writer": [accounts.single], f"{writers} writers, 1 series": [accounts.shared] * writers,
             f"{writers} writers, {writers} accounts": accounts.own,
             f"{writers} writers, 1 series, number first": [accounts.first] * writers}
    runs: list[dict[str, Any]] = []
    handed: dict[int, list[int]] = {}
    for round_no in range(1, rounds + 1):
        for name, ids in kinds.items():
            result = run_writers(server, "numbering", url, ids, seconds, number_first=name.endswith("number first"))
            for account_id, seqs in result.pop("_seqs").items():
                handed.setdefault(account_id, []).extend(seqs)
            result.update({"scenario": name, "round": round_no})
            runs.append(result)
            print(f"  round {round_no} {name:<38}{result['rate_per_s']:>8.1f} creates/s  "
                  f"waiting on a lock {result['avg_waiting_on_lock']:.2f} of {result['avg_active_statements']:.2f}"
                  f" active  load {result['loadavg_before']:.1f}"
                  f"{'  ERRORS ' + str(result['error_count']) if result['error_count'] else ''}", flush=True)
    engine = make_engine(url)
    try:
        problems = numbering_problems(engine)
        for account_id, seqs in handed.items():
            if sorted(seqs) != stored_seqs(engine, account_id):
                problems.append(f"account {account_id}: the writers were handed other numbers than are stored")
            if len(seqs) != len(set(seqs)):
                problems.append(f"account {account_id}: a number was handed out twice")
        with engine.connect() as db:
            invoices = db.execute(text("SELECT count(*) FROM invoices")).scalar_one()
            version = db.execute(text("SHOW server_version")).scalar_one()
    finally:
        engine.dispose()

    def total(name: str) -> int:
        return sum(r["created"] for r in runs if r["scenario"] == name)

    names = list(kinds)
    def ratio_of(name: str, to: str) -> float:
        return round(total(name) / total(to), 3) if total(to) else 0.0

    def per_round(name: str) -> list[float]:
        rate = {(r["round"], r["scenario"]): r["rate_per_s"] for r in runs}
        return [round(rate[(n, name)] / max(rate[(n, names[0])], 1e-9), 3) for n in range(1, rounds + 1)]

    names = list(kinds)
    ratio = ratio_of(names[1], names[0])
    return {"postgres_version": version, "lines_per_invoice": LINES, "seconds_per_run": seconds, "rounds": rounds,
            "runs": runs, "ratio_8_to_1": ratio, "ratio_8_to_1_per_round": per_round(names[1]),
            "ceiling_ratio_8_accounts_to_1": ratio_of(names[2], names[0]),
            # The same 8 writers with the number taken first (the lock held for the whole create), alternating
            # with the others: the comparison that the machine's load moves least.
            "ratio_8_to_1_number_first": ratio_of(names[3], names[0]),
            "ratio_8_to_1_number_first_per_round": per_round(names[3]),
            "one_series_to_ceiling": ratio_of(names[1], names[2]),
            "one_series_to_ceiling_number_first": ratio_of(names[3], names[2]),
            "target_ratio": TARGET_RATIO,
            "target_met": ratio >= TARGET_RATIO, "invoices_stored": invoices,
            "unique_and_gapless": not problems and not any(r["error_count"] for r in runs),
            "problems": problems[:20]}


# -- part 2: two server processes under the mixed workload ------------------------------------------

def two_servers_part(server: Any, seconds: float, connections: int) -> dict[str, Any]:
    from gateway.db import make_engine

    url = server.create_database("servers")
    io_account, fk_account = harness.bench_accounts(url)
    wrk = harness.ensure_wrk()
    tmp = Path(tempfile.mkdtemp(prefix="bench-pg2-"))
    engine = make_engine(url)

    def origins() -> Counter[str]:
        with engine.connect() as db:
            return Counter(dict(db.execute(text("SELECT origin, count(*) FROM invoices GROUP BY origin")).all()))

    try:
        # Not pinned: two servers, two load generators and PostgreSQL share whatever cores there are.
        with harness.gateway_server(url, [], log_path=tmp / "server-1.log") as one, \
                harness.gateway_server(url, [], log_path=tmp / "server-2.log") as two:
            fx = scenarios.prepare(one.url, scenarios.fixture_from(io_account, fk_account))
            mixed = next(s for s in scenarios.scenarios(fx) if s.name.startswith("mixed"))
            for gw in (one, two):
                scenarios.check(gw.url, mixed.requests[0])
            before = origins()
            results: dict[str, harness.WrkResult] = {}
            failures: list[BaseException] = []

            def drive(name: str, gw: harness.Server) -> None:
                try:
                    results[name] = harness.run_wrk(wrk, [], gw.url, mixed.requests, seconds=seconds,
                                                    connections=connections)
                except BaseException as exc:  # re-raised below, after both have finished
                    failures.append(exc)

            threads = [threading.Thread(target=drive, args=(n, g)) for n, g in (("server 1", one), ("server 2", two))]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            if failures:
                raise failures[0]
            logs = {"server 1": one.log(), "server 2": two.log()}
            memory = {"server 1": one.memory_mb(), "server 2": two.memory_mb()}
        created = origins() - before
        problems = numbering_problems(engine)
        with engine.connect() as db:
            series = [{"account_id": a, "series": s, "period": p, "last_seq": n} for a, s, p, n in db.execute(text(
                "SELECT account_id, series, period_key, last_seq FROM number_counters ORDER BY 1, 2, 3"))]
    finally:
        engine.dispose()
    per_server = {name: {"requests": r.requests, "rps": round(r.rps, 1), "p50_ms": r.p50_ms, "p99_ms": r.p99_ms,
                         "non_2xx": r.non_2xx, "socket_errors": r.socket_errors, "timeouts": r.timeouts,
                         "first_bad": r.first_bad} for name, r in results.items()}
    tracebacks = [name for name, log in logs.items() if "Traceback" in log]
    return {"seconds": seconds, "connections_per_server": connections, "servers": per_server,
            "requests": sum(r.requests for r in results.values()),
            "creates_in_window_by_origin": dict(created), "creates_in_window": sum(created.values()),
            "counters": series, "server_memory": memory, "tracebacks_in_logs": tracebacks,
            "non_2xx": sum(r.non_2xx for r in results.values()),
            "unique_and_gapless": not problems, "problems": problems[:20]}


# -- the run ----------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="per writer run (default 15)")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds of the three runs (default 2)")
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--server-seconds", type=float, default=30.0, help="mixed load on two servers (default 30)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections per server (default 8)")
    parser.add_argument("--skip-servers", action="store_true", help="only the numbering part")
    parser.add_argument("--out", type=Path, default=None, help="where to write the JSON")
    args = parser.parse_args(argv)
    from tests.support.postgres import PostgresServer, postgres_available

    if not postgres_available():
        raise HarnessError("no PostgreSQL binaries (apt-get install postgresql)")
    info = harness.machine()
    print(f"machine: {info['cpu_model']}, {info['cores']} cores, load {info['loadavg_start']}, "
          f"commit {info['git_commit'][:10]}{' (dirty)' if info['git_dirty'] else ''}", flush=True)
    document: dict[str, Any] = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                                "backend": "postgresql", "cluster": "fsync=off, synchronous_commit=off, "
                                "unix socket (tests/support/postgres.py)", "machine": info}
    with PostgresServer() as server:
        print(f"numbering through the core: {args.writers} writer processes, {args.seconds:g} s per run, "
              f"{args.rounds} round(s)", flush=True)
        numbering = document["numbering"] = numbering_part(server, args.seconds, args.rounds, args.writers)
        print(f"  8/1 ratio {numbering['ratio_8_to_1']:.3f} (per round {numbering['ratio_8_to_1_per_round']}; "
              f"target >= {TARGET_RATIO}: {'ok' if numbering['target_met'] else 'MISS'}); numbered first "
              f"{numbering['ratio_8_to_1_number_first']:.3f} (per round "
              f"{numbering['ratio_8_to_1_number_first_per_round']}); ceiling with "
              f"{args.writers} accounts {numbering['ceiling_ratio_8_accounts_to_1']:.3f}; "
              f"{numbering['invoices_stored']} invoices, unique and gapless: {numbering['unique_and_gapless']}",
              flush=True)
        if not args.skip_servers:
            print(f"two server processes, mixed 70/30 load, {args.server_seconds:g} s", flush=True)
            servers = document["two_servers"] = two_servers_part(server, args.server_seconds, args.connections)
            for name, row in servers["servers"].items():
                print(f"  {name}: {row['rps']:.0f} req/s  p50 {row['p50_ms']:.1f} ms  p99 {row['p99_ms']:.1f} ms"
                      f"  non-2xx {row['non_2xx']}", flush=True)
            print(f"  creates {servers['creates_in_window']} {servers['creates_in_window_by_origin']}; "
                  f"unique and gapless: {servers['unique_and_gapless']}", flush=True)
    info["loadavg_end"] = list(os.getloadavg())
    out = args.out or RESULTS / f"{datetime.now():%Y-%m-%d}-postgres-numbering.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(document, indent=2, default=str) + "\n")
    print(f"results: {out}")
    failed = [*document["numbering"]["problems"], *(e for r in document["numbering"]["runs"] for e in r["errors"])]
    if "two_servers" in document:
        part = document["two_servers"]
        failed += part["problems"] + [f"{part['non_2xx']} answers outside 2xx"] * bool(part["non_2xx"])
        failed += [f"traceback in the log of {name}" for name in part["tracebacks_in_logs"]]
    if failed or not document["numbering"]["unique_and_gapless"]:
        print("FAILED:\n  " + "\n  ".join(failed or ["writer errors, see the JSON"]), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
