"""Profile the hot paths in-process with pyinstrument: create, get and list through each dialect.

    .venv/bin/python -m benchmarks.profile [create|get|list|all] [--requests N] [--html DIR]

The app runs over a fresh migrated SQLite file and is driven through httpx's ASGI transport on one
event loop, with the thread-pool hop made inline: pyinstrument samples one thread, and this way that
thread does all of the gateway's own work (parsing, the ledger, SQL, presenting) and no network.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncio  # noqa: E402

import httpx  # noqa: E402
from pyinstrument import Profiler  # noqa: E402
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", nargs="?", default="all", choices=("create", "get", "list", "all"))
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--html", type=Path, default=None, help="also write pyinstrument HTML here")
    parser.add_argument("--time-only", action="store_true", help="CPU ms per request, no profile")
    args = parser.parse_args()
    url = f"sqlite:///{tempfile.mkdtemp(prefix='bench-prof-')}/profile.sqlite3"
    upgrade(url)
    app = create_app(Settings.from_env(database_url=url))
    io_account = app.state.ledger.write(create_account, "Profile IO").as_dict()
    fk_account = app.state.ledger.write(create_account, "Profile FK", profile="fakturan").as_dict()
    statements = [0]
    event.listen(app.state.engine, "before_cursor_execute", lambda *a: statements.__setitem__(0, statements[0] + 1))
    dialects.kit.context.run_in_threadpool = _inline  # type: ignore[attr-defined]  # patched: reads run inline
    client = SyncClient(app)
    if True:
        fx = scenarios.fixture_from(io_account, fk_account)
        fx.io_client = send(client, Request("POST", f"/clients.json?api_token={fx.io_token}",
                                            {"Content-Type": "application/json"},
                                            json.dumps({"client": {"name": "Klient"}}))).json()["id"]
        fx.fk_client = send(client, Request("POST", "/api/v2/clients", {"Authorization": fx.fk_auth,
                                            "Content-Type": "application/json"},
                                            json.dumps({"company": "Kund AB"}))).json()["data"]["id"]
        ids = {d: [int(send(client, make(fx)).json().get("id") or send(client, make(fx)).json()["data"]["id"])]
               for d, make in (("invoiceocean", scenarios.io_create), ("invo", scenarios.invo_create))}
        ids["fakturan"] = [int(send(client, scenarios.fk_create(fx)).json()["data"]["id"])]
        work: dict[str, list[tuple[str, Callable[[], Request]]]] = {
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
            for _dialect, make in work["create"]:
                send(client, make())
        for what in ([args.what] if args.what != "all" else list(work)):
            for dialect, make in work[what]:
                request = make()
                send(client, request)
                app.state.traffic.flush()  # the traffic log's batch insert is not the request's own SQL
                cpu, before = time.process_time(), statements[0]
                for _ in range(args.requests):
                    send(client, request)
                cpu_ms = (time.process_time() - cpu) / args.requests * 1000
                sql = (statements[0] - before) / args.requests
                print(f"== {what} {dialect}: {cpu_ms:.2f} ms CPU, {sql:.1f} SQL statements per request "
                      "(no profiler)", flush=True)
                if args.time_only:
                    continue
                profiler = Profiler(interval=0.0005)
                started = time.perf_counter()
                with profiler:
                    for _ in range(args.requests):
                        send(client, request)
                per = (time.perf_counter() - started) / args.requests * 1000
                print(f"== {what} {dialect}: {per:.2f} ms per request (in-process, profiler on)")
                print(profiler.output_text(unicode=False, color=False, show_all=False))
                if args.html:
                    args.html.mkdir(parents=True, exist_ok=True)
                    (args.html / f"{what}-{dialect.replace(' ', '-')}.html").write_text(profiler.output_html())


if __name__ == "__main__":
    main()
