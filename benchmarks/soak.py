"""Soak: mixed three-dialect traffic against a live server at 80% of its measured create capacity.

    .venv/bin/python benchmarks/soak.py [--duration 600] [--warmup 20] [--load 0.8] [--database-url URL]

It starts `invoice-gateway serve` on a fresh database (SQLite in a temp folder unless --database-url),
creates an account, then:

1. warm-up: closed-loop creates (InvoiceOcean, INVO, fakturan in turn) from --threads clients for
   --warmup seconds; creates per second is the capacity;
2. soak: an open loop at --load x capacity requests per second for --duration seconds: half creates,
   the rest reads, updates, lists and payments, spread over the three dialects;
3. report: errors (any non-2xx or transport failure), latency percentiles, the server's RSS after the
   warm-up (capacity measurement plus the open loop's first --settle seconds, until its concurrency is
   steady) and at the end (must be within 10%), and numbers unique and gapless per series.

Exits non-zero when any of the three acceptance checks fails. `make soak` runs it with the defaults.
"""
from __future__ import annotations

import argparse
import itertools
import json
import queue
import random
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any, Callable

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from sqlalchemy import text  # noqa: E402

from gateway.db import make_engine  # noqa: E402
from tests.support.live_server import LiveServer  # noqa: E402

LINES_IO = [{"name": "Soak A", "tax": 23, "total_price_gross": "24.60", "quantity": 2},
            {"name": "Soak B", "tax": 8, "total_price_gross": "5.40", "quantity": 1}]
ITEMS_INVO = [{"product": "Soak A", "count": 2, "pnetto": 10, "vatsm": "23%"},
              {"product": "Soak B", "count": 1, "pnetto": 5, "vatsm": "8%"}]
ROWS_FAKTURAN = [{"product_name": "Soak A", "amount": 2, "product_price": 10, "product_tax": 25}]


class Traffic:
    """One client's view of the server: each call returns True on a 2xx, and records latency and errors."""

    def __init__(self, base_url: str, creds: dict[str, Any]) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=30, limits=httpx.Limits(max_connections=64))
        self.creds = creds
        self.ids: list[int] = []  # invoices created, any dialect (one id space)
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.counts: dict[str, int] = {}

    def _timed(self, name: str, send: Callable[[], httpx.Response]) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            response = send()
        except httpx.HTTPError as exc:
            with self.lock:
                self.errors.append(f"{name}: {type(exc).__name__}")
            return None
        elapsed = time.perf_counter() - started
        ok = response.status_code < 300 and not (name.startswith("invo") and '"error"' in response.text[:12])
        with self.lock:
            self.latencies.append(elapsed)
            self.counts[name] = self.counts.get(name, 0) + 1
            if not ok:
                self.errors.append(f"{name}: {response.status_code} {response.text[:200]}")
        return response if ok else None

    def _io(self, method: str, path: str, body: Any = None) -> httpx.Response:
        return self.http.request(method, path, params={"api_token": self.creds["invoiceocean"]["api_token"]},
                                 json=body)

    def _invo(self, q: dict[str, Any], resource: str = "invoices") -> httpx.Response:
        return self.http.post("/api.json", data={"r": resource, "q": json.dumps(q)},
                              auth=(self.creds["invo"]["login"], self.creds["invo"]["password"]))

    def _fk(self, method: str, path: str, body: Any = None) -> httpx.Response:
        key = self.creds["fakturan"]
        return self.http.request(method, path, json=body, auth=(key["key_id"], key["password"]))

    def _remember(self, invoice_id: int) -> None:
        with self.lock:
            self.ids.append(invoice_id)

    def pick(self, rng: random.Random) -> int | None:
        with self.lock:
            return rng.choice(self.ids) if self.ids else None

    # creates
    def create(self, dialect: str) -> None:
        if dialect == "invoiceocean":
            r = self._timed("io.create", lambda: self._io("POST", "/invoices.json", {"invoice": {
                "kind": "vat", "buyer_name": "Soak Buyer", "positions": LINES_IO}}))
            if r is not None:
                self._remember(r.json()["id"])
        elif dialect == "invo":
            r = self._timed("invo.add", lambda: self._invo({"action": "add", "c1name": "Soak", "items": ITEMS_INVO}))
            if r is not None:
                self._remember(r.json()["id"])
        else:
            r = self._timed("fakturan.create", lambda: self._fk("POST", "/api/v2/invoices", {
                "client": {"company": "Soak AB"}, "rows": ROWS_FAKTURAN}))
            if r is not None:
                self._remember(r.json()["data"]["id"])

    # the rest of the mix
    def other(self, rng: random.Random) -> None:
        invoice_id = self.pick(rng)
        if invoice_id is None:
            return self.create("invoiceocean")
        kind = rng.choice(["io.get", "io.update", "io.list", "invo.list", "invo.edit", "fakturan.get",
                           "fakturan.update", "fakturan.payment", "io.payment", "fakturan.list"])
        sends: dict[str, Callable[[], httpx.Response]] = {
            "io.get": lambda: self._io("GET", f"/invoices/{invoice_id}.json"),
            "io.update": lambda: self._io("PUT", f"/invoices/{invoice_id}.json",
                                          {"invoice": {"description": f"soak {rng.random()}"}}),
            "io.list": lambda: self._io("GET", "/invoices.json?per_page=25&period=all"),
            "io.payment": lambda: self._io("POST", "/banking/payments.json", {"banking_payment": {
                "name": "soak", "price": "0.01", "invoice_id": invoice_id, "paid": True}}),
            "invo.list": lambda: self._invo({"action": "list", "id": invoice_id, "items": 1}),
            "invo.edit": lambda: self._invo({"action": "edit", "id": invoice_id, "notices": "soak"}),
            "fakturan.get": lambda: self._fk("GET", f"/api/v2/invoices/{invoice_id}"),
            "fakturan.update": lambda: self._fk("PUT", f"/api/v2/invoices/{invoice_id}", {"our_reference": "soak"}),
            "fakturan.payment": lambda: self._fk("POST", f"/api/v2/invoices/{invoice_id}/payments",
                                                 {"paid_at": "2024-05-02", "amount": "0.01"}),
            "fakturan.list": lambda: self._fk("GET", "/api/v2/invoices?per_page=30"),
        }
        self._timed(kind, sends[kind])


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def measure_capacity(traffic: Traffic, seconds: float, threads: int) -> float:
    """Closed loop: `threads` clients create as fast as they are answered; creates per second."""
    stop = time.monotonic() + seconds
    dialects = itertools.cycle(["invoiceocean", "invo", "fakturan"])
    lock = threading.Lock()
    done = [0]

    def loop() -> None:
        while time.monotonic() < stop:
            with lock:
                dialect = next(dialects)
            traffic.create(dialect)
            with lock:
                done[0] += 1

    workers = [threading.Thread(target=loop) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return done[0] / seconds


def soak(traffic: Traffic, rate: float, seconds: float, pid: int, rng: random.Random) -> list[tuple[float, int]]:
    """Open loop at `rate` requests per second: a request is started on schedule whether or not
    earlier ones are answered (up to 64 in flight), so a slow server shows as latency, not as less load."""
    samples: list[tuple[float, int]] = []
    dialects = itertools.cycle(["invoiceocean", "invo", "fakturan"])
    started = time.monotonic()
    interval = 1.0 / rate
    pending: queue.Queue[None] = queue.Queue(maxsize=64)
    next_sample = started
    with ThreadPoolExecutor(max_workers=64) as pool:
        n = 0
        while (now := time.monotonic()) - started < seconds:
            if now >= next_sample:
                samples.append((now - started, rss_kib(pid)))
                next_sample += 10
            due = started + n * interval
            if due > now:
                time.sleep(min(due - now, 0.05))
                continue
            n += 1
            pending.put(None)
            job = (partial(traffic.create, next(dialects)) if rng.random() < 0.5
                   else partial(traffic.other, random.Random(rng.getrandbits(32))))

            def run(job: Callable[[], None] = job) -> None:
                try:
                    job()
                finally:
                    pending.get()
            pool.submit(run)
    samples.append((time.monotonic() - started, rss_kib(pid)))
    return samples


def numbering_problems(database_url: str) -> list[str]:
    """Numbers unique per series, and each counter's seqs exactly 1..last_seq."""
    engine = make_engine(database_url)
    problems: list[str] = []
    try:
        with engine.connect() as db:
            dupes = list(db.execute(text("SELECT account_id, series, number, COUNT(*) FROM invoices "
                                         "GROUP BY account_id, series, number HAVING COUNT(*) > 1")))
            problems += [f"number used twice: {row}" for row in dupes]
            seqs: dict[tuple[Any, ...], list[int]] = {}
            for account_id, series, period, seq in db.execute(text(
                    "SELECT account_id, series, period_key, seq FROM invoices WHERE seq IS NOT NULL")):
                seqs.setdefault((account_id, series, period), []).append(seq)
            for account_id, series, period, last in db.execute(text(
                    "SELECT account_id, series, period_key, last_seq FROM number_counters")):
                taken = sorted(seqs.pop((account_id, series, period), []))
                if taken != list(range(1, last + 1)):
                    problems.append(f"{series} {period}: {len(taken)} numbers for counter {last}")
            problems += [f"seqs without a counter: {key}" for key in seqs]
    finally:
        engine.dispose()
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=600.0, help="soak seconds (default 600)")
    parser.add_argument("--warmup", type=float, default=20.0, help="capacity measurement seconds")
    parser.add_argument("--settle", type=float, default=30.0,
                        help="open-loop seconds that still count as warm-up: the RSS baseline is taken after them")
    parser.add_argument("--load", type=float, default=0.8, help="fraction of the create capacity")
    parser.add_argument("--threads", type=int, default=4, help="clients in the capacity measurement")
    parser.add_argument("--database-url", default=None, help="default: SQLite in a temp folder")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--json", dest="json_out", default=None, help="also write the summary here")
    parser.add_argument("--log", default=None, help="keep the server's whole log in this file")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    rng = random.Random(seed)
    with LiveServer(database_url=args.database_url, env={"GATEWAY_AUTH_FAIL_LIMIT": "0"}) as server:
        created = server.run_cli("accounts", "create", f"soak-{seed}", "--json")
        if created.returncode != 0:
            raise SystemExit(created.stderr)
        traffic = Traffic(server.base_url, json.loads(created.stdout))
        pid = server._process.pid  # type: ignore[union-attr]  # one process: no --workers
        print(f"soak: server pid {pid} on {server.base_url}, {server.database_url}, seed {seed}", flush=True)
        capacity = measure_capacity(traffic, args.warmup, args.threads)
        warm_errors = len(traffic.errors)
        rate = capacity * args.load
        print(f"warm-up: {capacity:.1f} creates/s measured; soaking at {rate:.1f} req/s for {args.duration:.0f} s",
              flush=True)
        traffic.latencies.clear()
        samples = soak(traffic, rate, args.duration, pid, rng)
        problems = numbering_problems(server.database_url)
        full_log = server.log()
        log_tail = full_log[-2000:]
        if args.log:
            Path(args.log).write_text(full_log)
    # The warm-up ends once the open loop has reached its steady concurrency (threads and pooled
    # connections grow from the closed loop's 4 clients in its first ~20 s); soak_start is reported too.
    settled = [rss for t, rss in samples if t >= args.settle]
    rss_start, rss_end = (settled[0] if len(settled) > 1 else samples[0][1]), samples[-1][1]
    lat = sorted(traffic.latencies)
    summary = {
        "seed": seed, "capacity_creates_per_s": round(capacity, 1), "rate_per_s": round(rate, 1),
        "duration_s": args.duration, "requests": len(lat), "by_kind": traffic.counts,
        "errors": len(traffic.errors), "warmup_errors": warm_errors, "error_samples": traffic.errors[:10],
        "latency_ms": {"p50": round(1000 * statistics.median(lat), 1) if lat else None,
                       "p99": round(1000 * lat[int(len(lat) * 0.99) - 1], 1) if lat else None,
                       "max": round(1000 * lat[-1], 1) if lat else None},
        "rss_kib": {"soak_start": samples[0][1], "after_warmup": rss_start, "settle_s": args.settle,
                    "end": rss_end, "max": max(s[1] for s in samples),
                    "change_pct": round(100 * (rss_end - rss_start) / rss_start, 1)},
        "rss_samples": samples, "invoices": len(traffic.ids), "numbering_problems": problems,
    }
    print(json.dumps({k: v for k, v in summary.items() if k != "rss_samples"}, indent=2, default=str))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(summary, indent=2, default=str))
    failed = []
    if traffic.errors:
        failed.append(f"{len(traffic.errors)} errors")
    if abs(rss_end - rss_start) > 0.10 * rss_start:
        failed.append(f"RSS moved {summary['rss_kib']['change_pct']}%")
    if problems:
        failed.append(f"numbering: {problems[:3]}")
    print("soak: PASS" if not failed else f"soak: FAIL ({'; '.join(failed)})\n{log_tail}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
