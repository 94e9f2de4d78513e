"""Profile the hot paths in-process with pyinstrument: create, get and list through each dialect.

    .venv/bin/python -m benchmarks.profile [create|get|list|all] [--requests N] [--html DIR]

The app runs over a fresh migrated SQLite file and is driven through httpx's ASGI transport on one
event loop, with the thread-pool hop made inline: pyinstrument samples one thread, and this way that
thread does all of the gateway's own work (parsing, the ledger, SQL, presenting) and no network.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncio  # noqa: E402

import httpx  # noqa: E402
from sqlalchemy import event  # noqa: E402

import dialects.kit.context  # noqa: E402
from benchmarks import scenarios  # noqa: E402
from benchmarks.harness import Request  # noqa: E402
from core.accounts import create_account  # noqa: E402
from gateway.app import create_app  # noqa: E402
from gateway.migrations import upgrade  # noqa: E402
from gateway.settings import Settings  # noqa: E402


async def _inline(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return func(*args, **kwargs)


class SyncClient:
    """Blocking calls into the app on one private event loop, in this thread."""

    def __init__(self, app: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1")

    def request(self, method: str, path: str, headers: dict[str, str], content: str | None) -> httpx.Response:
        return self.loop.run_until_complete(self.client.request(method, path, headers=headers, content=content))


def send(client: SyncClient, request: Request) -> Any:
    answer = client.request(request.method, request.path, headers=request.headers, content=request.body)
    if answer.status_code >= 300:
        raise RuntimeError(f"{request.method} {request.path}: {answer.status_code} {answer.text[:200]}")
    return answer


RESULTS = Path(__file__).parent / "results" / "profiles"


class Prepared:
    """A migrated SQLite ledger with two accounts, a client each and 30+ invoices per dialect, the app over
    it, driven in this thread; `work` holds one request maker per scenario and dialect."""

    def __init__(self) -> None:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='bench-prof-')}/profile.sqlite3"
        upgrade(url)
        self.app = app = create_app(Settings.from_env(database_url=url))
        # Counted on SQLite's own trace, hooked before the first connection is made (point reads and plain
        # writes go to the driver, past SQLAlchemy's events): every statement sent, BEGIN/COMMIT/SAVEPOINT
        # included; what triggers run and the traffic log's inserts (not the request's own) left out.
        # A multi-row INSERT whose rows fire triggers is traced again after each row's trigger: counted once.
        self.statements = [0]
        last = [""]

        def traced(sql: str) -> None:
            if sql.startswith("--") or "traffic_log" in sql or sql == last[0]:
                return
            last[0] = sql
            self.statements[0] += 1

        event.listen(app.state.engine, "connect", lambda dbapi, _record: dbapi.set_trace_callback(traced))
        io_account = app.state.ledger.write(create_account, "Profile IO").as_dict()
        fk_account = app.state.ledger.write(create_account, "Profile FK", profile="fakturan").as_dict()
        dialects.kit.context.run_in_threadpool = _inline  # type: ignore[attr-defined]  # patched: reads run inline
        self.client = client = SyncClient(app)
        # As a served app (its lifespan) writes them: in batches, on the access log's own thread (gateway/access.py).
        # Its CPU is the process's, as every figure here is.
        app.state.access_log.start()
        fx = scenarios.fixture_from(io_account, fk_account)
        fx.io_client = send(client, Request("POST", f"/clients.json?api_token={fx.io_token}",
                                            {"Content-Type": "application/json"},
                                            json.dumps({"client": {"name": "Klient"}}))).json()["id"]
        fx.fk_client = send(client, Request("POST", "/api/v2/clients", {"Authorization": fx.fk_auth,
                                            "Content-Type": "application/json"},
                                            json.dumps({"company": "Kund AB"}))).json()["data"]["id"]
        ids = {d: [int(send(client, make(fx)).json()["id"])]
               for d, make in (("invoiceocean", scenarios.io_create), ("invo", scenarios.invo_create))}
        ids["fakturan"] = [int(send(client, scenarios.fk_create(fx)).json()["data"]["id"])]
        self.work: dict[str, list[tuple[str, Callable[[], Request]]]] = {
            "create": [("invoiceocean", lambda: scenarios.io_create(fx)), ("invo", lambda: scenarios.invo_create(fx)),
                       ("fakturan", lambda: scenarios.fk_create(fx))],
            "get": [("invoiceocean", lambda: scenarios.io_get(fx, ids["invoiceocean"][0])),
                    ("invoiceocean xml", lambda: scenarios.io_get(fx, ids["invoiceocean"][0], "xml")),
                    ("invo", lambda: scenarios.invo_get(fx, ids["invo"][0])),
                    ("fakturan", lambda: scenarios.fk_get(fx, ids["fakturan"][0]))],
            "list": [("invoiceocean", lambda: scenarios.io_list(fx)), ("invo", lambda: scenarios.invo_list(fx)),
                     ("fakturan", lambda: scenarios.fk_list(fx))],
        }
        for _ in range(30):  # more than a page, so lists are full
            for _dialect, make in self.work["create"]:
                send(client, make())

    def cpu_ms(self, request: Request, requests: int) -> tuple[float, float]:
        """(CPU ms, SQL statements) per request, after one unmeasured request."""
        send(self.client, request)
        self.app.state.traffic.flush()  # the traffic log's batch insert is not the request's own SQL
        cpu, before = time.process_time(), self.statements[0]
        for _ in range(requests):
            send(self.client, request)
        return (time.process_time() - cpu) / requests * 1000, (self.statements[0] - before) / requests


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", nargs="?", default="all", choices=("create", "get", "list", "all"))
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--html", type=Path, default=None, help="also write pyinstrument HTML here")
    parser.add_argument("--out", type=Path, default=None,
                        help=f"write one flame summary (text) per scenario here (make bench-profile: {RESULTS})")
    parser.add_argument("--time-only", action="store_true", help="CPU ms per request, no profile")
    args = parser.parse_args()
    prepared = Prepared()
    for what in ([args.what] if args.what != "all" else list(prepared.work)):
        for dialect, make in prepared.work[what]:
            request = make()
            cpu_ms, sql = prepared.cpu_ms(request, args.requests)
            print(f"== {what} {dialect}: {cpu_ms:.2f} ms CPU, {sql:.1f} SQL statements per request "
                  "(no profiler)", flush=True)
            if args.time_only:
                continue
            from pyinstrument import Profiler  # the bench extra (make bench-profile); --time-only needs none

            profiler = Profiler(interval=0.0005)
            # pyinstrument samples one thread: for the profile, writes run in the request's thread instead of
            # the group committer's (one transaction each); the CPU figure above is taken with the committer.
            ledger = prepared.app.state.ledger
            committer, ledger._committer = ledger._committer, None
            started = time.perf_counter()
            try:
                with profiler:
                    for _ in range(args.requests):
                        send(prepared.client, request)
            finally:
                ledger._committer = committer
            per = (time.perf_counter() - started) / args.requests * 1000
            summary = profiler.output_text(unicode=False, color=False, show_all=False)
            print(f"== {what} {dialect}: {per:.2f} ms per request (in-process, profiler on)")
            print(summary)
            name = f"{what}-{dialect.replace(' ', '-')}"
            if args.out:
                args.out.mkdir(parents=True, exist_ok=True)
                header = (f"# {what}, {dialect}: {cpu_ms:.2f} ms CPU and {sql:.1f} SQL statements per request "
                          f"(no profiler); {per:.2f} ms per request with the profiler, writes in the request's thread; "
                          f"{args.requests} requests\n"
                          f"# commit {_commit()}; python -m benchmarks.profile {what} --out DIR\n")
                (args.out / f"{name}.txt").write_text(header + _relative(summary))
            if args.html:
                args.html.mkdir(parents=True, exist_ok=True)
                (args.html / f"{name}.html").write_text(profiler.output_html())


def _commit() -> str:
    import subprocess
    root = Path(__file__).resolve().parents[1]
    return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True,
                          text=True).stdout.strip() or "unknown"


def _relative(summary: str) -> str:
    """pyinstrument prints absolute file paths: the committed summaries name files from the repository root
    (and site-packages from there), so they read the same on every machine."""
    root = str(Path(__file__).resolve().parents[1]) + "/"
    text = summary.replace(root, "")
    return re.sub(r"\S*/site-packages/", "site-packages/", text)


if __name__ == "__main__":
    main()
