"""Crash consistency: SIGKILL the live server in the middle of writes, restart it, and prove that
what it acknowledged is all there and nothing half-written is.

Three client threads (one per dialect) create invoices, update them and pay them against a real
`invoice-gateway serve` process. At a random moment (seeded RNG; the seed is printed and can be
set with CRASH_SEED) the server's process group gets SIGKILL: no shutdown handler runs. After the
restart, and after every cycle, the test checks:

* every request answered 2xx is fully present: the invoice with its number, both lines and its
  totals as answered; the last acknowledged update (or a later, unanswered one); every payment
  with its allocation to the invoice;
* nothing is partial, read straight from the database: no line without its invoice, no invoice
  without lines, no payment without an allocation, no allocation without its payment or invoice,
  and each invoice's `paid` equals the sum of its allocations;
* numbers are unique per series, and the committed ones are gapless: each counter's seqs are
  exactly 1..last_seq.

20 cycles on SQLite and 10 on PostgreSQL by default (CRASH_CYCLES_SQLITE / CRASH_CYCLES_PG).

On SQLite the writes of the server share commits (core/storage/group_commit.py): a second test runs four
creating clients per dialect at once, so the writer thread's batches hold several creates and the kill
lands inside them (CRASH_CYCLES_BATCH cycles, 8 by default). Whatever was answered was in a committed
batch; whatever the kill cut off may be there or not, never in part.
"""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from core.accounts import create_account
from core.ledger import Ledger
from gateway.db import make_engine
from tests.support.live_server import REPO_ROOT, LiveServer

CYCLES_SQLITE = int(os.environ.get("CRASH_CYCLES_SQLITE", "20"))
CYCLES_PG = int(os.environ.get("CRASH_CYCLES_PG", "10"))
CYCLES_BATCH = int(os.environ.get("CRASH_CYCLES_BATCH", "8"))
CREATORS_PER_DIALECT = 4
ANSWERS_BEFORE_KILL = (1, 8)  # the kill comes after this many answered writes in the cycle...
KILL_JITTER_S = (0.0, 0.15)  # ...and this much later
REQUEST_TIMEOUT_S = 10.0


# ---- what the server acknowledged --------------------------------------------------------------
@dataclass
class Invoice:
    dialect: str
    id: int
    number: str
    gross: Decimal
    marks: list[tuple[str, bool]] = field(default_factory=list)  # (mark, answered 2xx), in request order


@dataclass
class Book:
    """Everything a client was told, shared by the writer threads."""
    invoices: dict[int, Invoice] = field(default_factory=dict)
    payments: list[tuple[str, int, int, Decimal]] = field(default_factory=list)  # dialect, payment, invoice, amount
    requests: int = 0
    acknowledged: int = 0
    unanswered: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


# ---- one writer per dialect ----------------------------------------------------------------------
class Writer:
    """Creates, updates and pays invoices in one dialect until told to stop or the server dies."""

    dialect = ""

    def __init__(self, base_url: str, creds: dict[str, Any], book: Book, rng: random.Random,
                 creates_only: bool = False) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=REQUEST_TIMEOUT_S)
        self.creds, self.book, self.rng, self.creates_only = creds, book, rng, creates_only
        self.mine: list[int] = []
        self.touched: set[int] = set()  # invoices updated in this cycle

    def run(self, stop: threading.Event) -> None:
        try:
            self._loop(stop)
        except BaseException as exc:  # handed to the test thread, which re-raises it
            self.error = exc

    error: BaseException | None = None

    def _loop(self, stop: threading.Event) -> None:
        while not stop.is_set():
            choice = self.rng.random()
            target = self.rng.choice(self.mine) if self.mine else None
            if target is None or choice < 0.5 or self.creates_only:
                action: Callable[[], None] = self.create
            elif choice < 0.8 or not self.can_pay:
                action = partial(self.update, target)
            else:
                action = partial(self.pay, target)
            with self.book.lock:
                self.book.requests += 1
            try:
                action()
            except httpx.TransportError:  # the kill: this request's fate is unknown
                with self.book.lock:
                    self.book.unanswered += 1
                return

    can_pay = True

    def _acked(self, response: httpx.Response) -> bool:
        assert response.status_code < 300, f"{self.dialect}: {response.status_code} {response.text[:300]}"
        with self.book.lock:
            self.book.acknowledged += 1
        return True

    def _add(self, invoice: Invoice) -> None:
        with self.book.lock:
            self.book.invoices[invoice.id] = invoice
        self.mine.append(invoice.id)

    def update(self, invoice_id: int) -> None:
        mark = f"m{self.rng.getrandbits(48):x}"
        invoice = self.book.invoices[invoice_id]
        invoice.marks.append((mark, False))
        self.touched.add(invoice_id)
        self._acked(self.send_update(invoice_id, mark))
        invoice.marks[-1] = (mark, True)

    def pay(self, invoice_id: int) -> None:
        response = self.send_payment(invoice_id)
        self._acked(response)
        payment_id = self.payment_id(response)
        with self.book.lock:
            self.book.payments.append((self.dialect, payment_id, invoice_id, Decimal("1.00")))

    # per dialect
    def create(self) -> None: ...
    def send_update(self, invoice_id: int, mark: str) -> httpx.Response: ...
    def send_payment(self, invoice_id: int) -> httpx.Response: ...
    def payment_id(self, response: httpx.Response) -> int: ...
    def read_mark(self, invoice_id: int) -> str: ...


class InvoiceOceanWriter(Writer):
    dialect = "invoiceocean"

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        return self.http.request(method, path, params={"api_token": self.creds["invoiceocean"]["api_token"]},
                                 json=body)

    def create(self) -> None:
        response = self._call("POST", "/invoices.json", {"invoice": {"kind": "vat", "buyer_name": "Crash Buyer",
            "positions": [{"name": "A", "tax": 23, "total_price_gross": "24.60", "quantity": 2},
                          {"name": "B", "tax": 8, "total_price_gross": "5.40", "quantity": 1}]}})
        self._acked(response)
        body = response.json()
        self._add(Invoice(self.dialect, body["id"], body["number"], Decimal(body["price_gross"])))

    def send_update(self, invoice_id: int, mark: str) -> httpx.Response:
        return self._call("PUT", f"/invoices/{invoice_id}.json", {"invoice": {"description": mark}})

    def send_payment(self, invoice_id: int) -> httpx.Response:
        return self._call("POST", "/banking/payments.json", {"banking_payment": {
            "name": "crash", "price": "1.00", "invoice_id": invoice_id, "paid": True}})

    def payment_id(self, response: httpx.Response) -> int:
        return int(response.json()["id"])

    def read_mark(self, invoice_id: int) -> str:
        return str(self._call("GET", f"/invoices/{invoice_id}.json").json()["description"])


class InvoWriter(Writer):
    dialect = "invo"
    can_pay = False  # INVO has no payment resource; its status 3 is covered by the dialect's own tests

    def _call(self, q: dict[str, Any]) -> httpx.Response:
        return self.http.post("/api.json", data={"r": "invoices", "q": json.dumps(q)},
                              auth=(self.creds["invo"]["login"], self.creds["invo"]["password"]))

    def _acked(self, response: httpx.Response) -> bool:
        super()._acked(response)
        assert "error" not in response.json(), response.text
        return True

    def create(self) -> None:
        response = self._call({"action": "add", "c1name": "Crash Buyer", "items": [
            {"product": "A", "count": 2, "pnetto": 10, "vatsm": "23%"},
            {"product": "B", "count": 1, "pnetto": 5, "vatsm": "8%"}]})
        self._acked(response)
        body = json.loads(response.text, parse_float=Decimal)
        self._add(Invoice(self.dialect, body["id"], body["nrdoc"], Decimal(body["vbrutto"])))

    def send_update(self, invoice_id: int, mark: str) -> httpx.Response:
        return self._call({"action": "edit", "id": invoice_id, "notices": mark})

    def read_mark(self, invoice_id: int) -> str:
        return str(self._call({"action": "list", "id": invoice_id}).json()["rows"][0]["notices"])


class FakturanWriter(Writer):
    dialect = "fakturan"

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        key = self.creds["fakturan"]
        return self.http.request(method, path, json=body, auth=(key["key_id"], key["password"]))

    def create(self) -> None:
        response = self._call("POST", "/api/v2/invoices", {"client": {"company": "Crash AB"}, "rows": [
            {"product_name": "A", "amount": 2, "product_price": 10, "product_tax": 25},
            {"product_name": "B", "amount": 1, "product_price": 5, "product_tax": 12}]})
        self._acked(response)
        data = response.json()["data"]
        self._add(Invoice(self.dialect, data["id"], str(data["number"]), Decimal(str(data["sum"]))))

    def send_update(self, invoice_id: int, mark: str) -> httpx.Response:
        return self._call("PUT", f"/api/v2/invoices/{invoice_id}", {"our_reference": mark})

    def send_payment(self, invoice_id: int) -> httpx.Response:
        return self._call("POST", f"/api/v2/invoices/{invoice_id}/payments",
                          {"paid_at": "2024-05-02", "amount": "1.00"})

    def payment_id(self, response: httpx.Response) -> int:
        return int(response.json()["data"]["id"])

    def read_mark(self, invoice_id: int) -> str:
        return str(self._call("GET", f"/api/v2/invoices/{invoice_id}").json()["data"]["our_reference"] or "")


WRITERS: tuple[type[Writer], ...] = (InvoiceOceanWriter, InvoWriter, FakturanWriter)


# ---- the checks after each restart ---------------------------------------------------------------
def check_database(url: str, book: Book) -> None:
    """Straight from the tables: nothing partial, numbers unique and gapless, acknowledged rows there."""
    engine = make_engine(url)
    try:
        with engine.connect() as db:
            def rows(sql: str) -> list[Any]:
                return list(db.execute(text(sql)))

            assert rows("SELECT l.id FROM invoice_lines l LEFT JOIN invoices i ON i.id = l.invoice_id "
                        "WHERE i.id IS NULL") == [], "lines without their invoice"
            assert rows("SELECT i.id FROM invoices i LEFT JOIN invoice_lines l ON l.invoice_id = i.id "
                        "WHERE l.id IS NULL") == [], "an invoice without lines"
            assert rows("SELECT p.id FROM payments p LEFT JOIN payment_allocations a ON a.payment_id = p.id "
                        "WHERE a.id IS NULL") == [], "a payment without its allocation"
            assert rows("SELECT a.id FROM payment_allocations a LEFT JOIN payments p ON p.id = a.payment_id "
                        "LEFT JOIN invoices i ON i.id = a.invoice_id WHERE p.id IS NULL OR i.id IS NULL") == [], \
                "an allocation without its payment or invoice"
            paid = {r[0]: (Decimal(str(r[1])), Decimal(str(r[2] or 0))) for r in rows(
                "SELECT i.id, i.paid, (SELECT SUM(a.amount) FROM payment_allocations a WHERE a.invoice_id = i.id) "
                "FROM invoices i")}
            # SQLite keeps money as text, so SUM() there is a float: compare to the cent.
            assert {k: v for k, v in paid.items() if abs(v[0] - v[1]) >= Decimal("0.005")} == {}, \
                "invoice.paid differs from its allocations"
            assert rows("SELECT account_id, series, number FROM invoices GROUP BY account_id, series, number "
                        "HAVING COUNT(*) > 1") == [], "a number used twice"
            seqs: dict[tuple[Any, ...], list[int]] = {}
            for account_id, series, period, seq in rows("SELECT account_id, series, period_key, seq FROM invoices "
                                                         "WHERE seq IS NOT NULL"):
                seqs.setdefault((account_id, series, period), []).append(seq)
            for account_id, series, period, last in rows("SELECT account_id, series, period_key, last_seq "
                                                         "FROM number_counters"):
                taken = sorted(seqs.pop((account_id, series, period), []))
                assert taken == list(range(1, last + 1)), f"gap or excess in {series} {period}: {taken} / {last}"
            assert seqs == {}, f"seqs without a counter: {seqs}"
            stored = {r[0]: r for r in rows("SELECT id, number, seq, price_gross, "
                                            "(SELECT COUNT(*) FROM invoice_lines l WHERE l.invoice_id = invoices.id) "
                                            "FROM invoices")}
            for invoice in book.invoices.values():
                row = stored.get(invoice.id)
                assert row is not None, f"acknowledged {invoice.dialect} invoice {invoice.id} is gone"
                number = str(row[2]) if invoice.dialect == "fakturan" else row[1]  # fakturan's number is the seq
                assert (number, Decimal(str(row[3])), row[4]) == (invoice.number, invoice.gross, 2), (row, invoice)
            allocations = {(r[0], r[1]): Decimal(str(r[2])) for r in rows(
                "SELECT payment_id, invoice_id, amount FROM payment_allocations")}
            for dialect, payment_id, invoice_id, amount in book.payments:
                assert allocations.get((payment_id, invoice_id)) == amount, \
                    f"acknowledged {dialect} payment {payment_id} of invoice {invoice_id} is not allocated"
    finally:
        engine.dispose()


def check_marks(writers: list[Writer], book: Book, everything: bool = False) -> None:
    """Each invoice shows its last acknowledged update, or one sent after it that the kill cut off.
    After a cycle only the invoices updated in it are read back (the rest cannot have changed)."""
    for writer in writers:
        for invoice_id in (writer.mine if everything else sorted(writer.touched)):
            marks = book.invoices[invoice_id].marks
            last_acked = max((i for i, (_m, acked) in enumerate(marks) if acked), default=-1)
            allowed = {mark for mark, _acked in marks[last_acked:]} if last_acked >= 0 else \
                {"", *(mark for mark, _a in marks)}
            assert writer.read_mark(invoice_id) in allowed, (writer.dialect, invoice_id, marks)


# ---- the server under test ---------------------------------------------------------------------------
class ForkedServer:
    """The live server's database and port, served by processes forked from tests/resilience/forkserver.py,
    so each of the 30 restarts costs a fork rather than 1.7 s of imports. kill() is SIGKILL to the
    serving process; nothing shuts down."""

    def __init__(self, live: LiveServer) -> None:
        self.live, self.base_url, self.database_url = live, live.base_url, live.database_url
        self.pid: int | None = None
        self.log = (live.tmp_dir / "forked.log").open("ab")
        self.zygote = subprocess.Popen(
            [sys.executable, "-m", "tests.resilience.forkserver", "127.0.0.1", str(live.port), live.database_url],
            cwd=REPO_ROOT, env=live.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, text=True)

    def restart(self) -> None:
        assert self.zygote.stdin is not None and self.zygote.stdout is not None
        self.zygote.stdin.write("serve\n")
        self.zygote.stdin.flush()
        self.pid = int(self.zygote.stdout.readline())
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.05)
        raise AssertionError("the forked server did not become healthy")

    def kill(self) -> None:
        if self.pid is not None:
            os.kill(self.pid, signal.SIGKILL)
            while _alive(self.pid):  # the zygote reaps it on its next command; wait for the port to free
                time.sleep(0.01)
            self.pid = None

    def close(self) -> None:
        self.kill()
        self.zygote.terminate()
        self.zygote.wait(timeout=10)
        self.log.close()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[-1][:1] not in ("Z", "X")  # a zombie is dead, just not reaped
    except FileNotFoundError:
        return False


# ---- the cycles ------------------------------------------------------------------------------------
def crash_cycles(live: LiveServer, cycles: int, label: str, per_dialect: int = 1, creates_only: bool = False
                 ) -> Book:
    seed = int(os.environ.get("CRASH_SEED", random.randrange(2**32)))
    print(f"\ncrash consistency on {label}: seed {seed} (CRASH_SEED={seed} repeats it)")
    rng = random.Random(seed)
    engine = make_engine(live.database_url)  # the account directly: a CLI run costs 2 s of imports
    try:
        creds = Ledger(engine).write(create_account, "crash", profile="invoiceocean").as_dict()
    finally:
        engine.dispose()
    live.kill()  # the first crash is of the server as the CLI started it
    server = ForkedServer(live)
    try:
        server.restart()
        book = _cycles(server, cycles, rng, seed, creds, per_dialect, creates_only)
    finally:
        server.close()
    live.restart()  # and the last restart is the CLI's again: it serves everything that was acknowledged
    check_database(live.database_url, book)
    print(f"{label}: {cycles} kills survived; {book.requests} requests, {book.acknowledged} acknowledged, "
          f"{book.unanswered} cut off by the kill; {len(book.invoices)} invoices, {len(book.payments)} payments "
          "verified")
    return book


def _cycles(server: ForkedServer, cycles: int, rng: random.Random, seed: int, creds: dict[str, Any],
            per_dialect: int, creates_only: bool) -> Book:
    book = Book()
    writers: list[Writer] = []
    for cycle in range(cycles):
        stop = threading.Event()
        batch = [cls(server.base_url, creds, book, random.Random(rng.getrandbits(32)), creates_only)
                 for cls in WRITERS for _ in range(per_dialect)]
        for new, old in zip(batch, writers or [None] * len(batch), strict=True):
            if old is not None:
                new.mine = old.mine  # each dialect keeps operating on its own invoices across cycles
        writers = batch
        threads = [threading.Thread(target=w.run, args=(stop,), daemon=True) for w in writers]
        for thread in threads:
            thread.start()
        # The kill point: after a random number of answered writes, then a random fraction of a request
        # more, so it lands before, inside and after commits. (A fixed delay would often land before the
        # first answer on a loaded machine.)
        wanted = book.acknowledged + rng.randint(*ANSWERS_BEFORE_KILL)
        deadline = time.monotonic() + 60
        while book.acknowledged < wanted and time.monotonic() < deadline and all(t.is_alive() for t in threads):
            time.sleep(0.005)
        time.sleep(rng.uniform(*KILL_JITTER_S))
        server.kill()
        stop.set()
        for thread in threads:
            thread.join(timeout=REQUEST_TIMEOUT_S + 5)
            assert not thread.is_alive()
        for writer in writers:
            if writer.error is not None:
                raise AssertionError(f"{writer.dialect} writer, cycle {cycle}, seed {seed}") from writer.error
        server.restart()
        check_database(server.database_url, book)
        check_marks(writers, book, everything=cycle == cycles - 1)  # through the restarted server
        for writer in writers:
            writer.http.close()
    return book


def test_sigkill_during_writes_on_sqlite_loses_nothing_acknowledged_and_leaves_nothing_partial(
        live_server_factory: Callable[..., LiveServer]) -> None:
    server = live_server_factory(env={"GATEWAY_AUTH_FAIL_LIMIT": "0"})
    book = crash_cycles(server, CYCLES_SQLITE, "SQLite")
    assert book.acknowledged > 0 and {i.dialect for i in book.invoices.values()} == {
        "invoiceocean", "invo", "fakturan"}


def test_sigkill_amid_group_commits_of_concurrent_creates_on_sqlite_loses_no_answered_create(
        live_server_factory: Callable[..., LiveServer]) -> None:
    server = live_server_factory(env={"GATEWAY_AUTH_FAIL_LIMIT": "0"})
    book = crash_cycles(server, CYCLES_BATCH, "SQLite, 12 concurrent creators", per_dialect=CREATORS_PER_DIALECT,
                        creates_only=True)
    assert book.acknowledged > 0 and {i.dialect for i in book.invoices.values()} == {
        "invoiceocean", "invo", "fakturan"}


@pytest.mark.postgres
def test_sigkill_during_writes_on_postgresql_loses_nothing_acknowledged_and_leaves_nothing_partial(
        live_server_factory: Callable[..., LiveServer], postgres_url: str) -> None:
    server = live_server_factory(env={"GATEWAY_AUTH_FAIL_LIMIT": "0"}, database_url=postgres_url)
    book = crash_cycles(server, CYCLES_PG, "PostgreSQL")
    assert book.acknowledged > 0 and {i.dialect for i in book.invoices.values()} == {
        "invoiceocean", "invo", "fakturan"}
