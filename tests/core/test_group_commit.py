"""Group commit on SQLite (core/storage/group_commit.py): the ledger's writes share durable COMMITs, each
write in its own savepoint, and nobody is answered before the COMMIT their write rode in.

To make "these writes share a batch" certain rather than likely, a test parks the writer thread in a job
of its own, queues the writes it means to batch behind it, and only then lets it go.
"""
from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, select, text

from core.accounts import create_account
from core.clock import now_utc
from core.commands import CreateInvoice
from core.ledger import Ledger
from core.models import Invoice, NumberCounter
from core.storage import Batch, GroupCommitter
from core.unit_of_work import UnitOfWork
from gateway.db import make_engine
from gateway.traffic import TrafficRecorder
from tests.core.numbering_support import minimal_invoice

WAIT_S = 30.0  # how long a test waits for the writer to reach a state before it fails


@pytest.fixture
def ledger(database_url: str) -> Iterator[Ledger]:
    ledger = Ledger(make_engine(database_url))
    yield ledger
    ledger.close()
    ledger.engine.dispose()


@pytest.fixture
def acme(ledger: Ledger) -> int:
    return ledger.write(create_account, "Acme").account_id


def committer_of(ledger: Ledger) -> GroupCommitter:
    committer = ledger.storage.committer(ledger.engine)
    assert committer is not None  # SQLite group-commits
    return committer


@contextmanager
def commits_counted(engine: Engine) -> Iterator[list[str]]:
    """The COMMITs of the engine's connections while inside, each by the thread that issued it."""
    seen: list[str] = []

    def count(_conn: Any) -> None:
        seen.append(threading.current_thread().name)
    event.listen(engine, "commit", count)
    try:
        yield seen
    finally:
        event.remove(engine, "commit", count)


def wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, "the writer never got there"
        time.sleep(0.005)


@dataclass
class Parked:
    """The writer thread, held inside a job until release()."""
    committer: GroupCommitter
    gate: threading.Event
    job: Future[None]

    def release(self) -> None:
        self.gate.set()
        self.job.result(timeout=WAIT_S)


@contextmanager
def writer_parked(ledger: Ledger, pool: ThreadPoolExecutor) -> Iterator[Parked]:
    committer = committer_of(ledger)
    inside, gate = threading.Event(), threading.Event()

    def hold(_batch: Batch) -> None:
        inside.set()
        assert gate.wait(WAIT_S)
    parked = Parked(committer, gate, pool.submit(committer.run, hold))
    assert inside.wait(WAIT_S)
    try:
        yield parked
    finally:
        gate.set()


def queue_behind(parked: Parked, pool: ThreadPoolExecutor, calls: list[Callable[[], Any]]) -> list[Future[Any]]:
    """Start the calls in threads and wait until every one is queued for the writer."""
    futures = [pool.submit(call) for call in calls]
    wait_for(lambda: parked.committer.pending() == len(calls))
    return futures


def stored_seqs(ledger: Ledger, account_id: int) -> list[int]:
    return sorted(ledger.read(lambda s: s.execute(select(Invoice.seq).where(Invoice.account_id == account_id))
                              .scalars().all()))


def test_creates_queued_while_a_batch_runs_share_the_next_commit(ledger: Ledger, acme: int) -> None:
    with ThreadPoolExecutor(max_workers=17) as pool, commits_counted(ledger.engine) as commits:
        with writer_parked(ledger, pool) as parked:
            creates = queue_behind(parked, pool, [lambda: ledger.execute(minimal_invoice(acme))] * 16)
            parked.release()
        seqs = sorted(f.result(timeout=WAIT_S).invoice.seq for f in creates)
    assert seqs == list(range(1, 17)) == stored_seqs(ledger, acme)
    assert commits == ["group-commit", "group-commit"]  # the parked job's batch, then all 16 creates in one


def test_the_creates_of_one_batch_write_their_search_documents_together_in_one_statement_before_its_commit(
        database_url: str) -> None:
    """FTS5 writes the terms it holds as a new segment at every SAVEPOINT: written inside each job, every
    document was a segment of its own. The batch writes them all after its last job (Batch.before_commit)."""
    engine = make_engine(database_url)
    statements: list[str] = []
    event.listen(engine, "connect", lambda dbapi, _record: dbapi.set_trace_callback(statements.append))
    ledger = Ledger(engine)
    try:
        acme = ledger.write(create_account, "Acme").account_id
        with ThreadPoolExecutor(max_workers=9) as pool:
            with writer_parked(ledger, pool) as parked:
                statements.clear()
                creates = queue_behind(parked, pool, [
                    lambda n=n: ledger.execute(minimal_invoice(acme, buyer_name=f"Nabywca numer {n}"))
                    for n in range(8)])
                parked.release()
            ids = [f.result(timeout=WAIT_S).invoice.id for f in creates]
        # Statements as sent: SQLite traces what triggers run (as "-- ...") and the statement again after each row's
        # trigger.
        sent = [sql for n, sql in enumerate(statements) if not sql.startswith("--")]
        sent = [sql for n, sql in enumerate(sent) if n == 0 or sql != sent[n - 1]]
        start = sent.index("BEGIN IMMEDIATE")  # the parked job's began before the trace was cleared
        batch = sent[start:sent.index("COMMIT", start) + 1]  # the creates' batch
        writes_of_documents = [sql for sql in batch if sql.startswith("DELETE FROM invoices_fts_deferred")]
        assert len(writes_of_documents) == 1  # one for the batch, not one per create
        last_job, commit = len(batch) - 1 - batch[::-1].index("RELEASE job_0"), batch.index("COMMIT")
        assert last_job < batch.index(writes_of_documents[0]) < commit
        with engine.connect() as connection:
            for n, invoice_id in enumerate(ids):
                found = connection.execute(text("SELECT rowid & ((1 << 40) - 1) FROM invoices_fts WHERE invoices_fts"
                                                " MATCH :needle"), {"needle": f'"Nabywca numer {n}"'}).scalars().all()
                assert found == [invoice_id]
            assert connection.execute(text("SELECT count(*) FROM invoices_fts_deferred")).scalar() == 0
    finally:
        ledger.close()
        engine.dispose()


def test_sixteen_threads_of_creates_need_fewer_commits_than_creates(ledger: Ledger, acme: int) -> None:
    with ThreadPoolExecutor(max_workers=16) as pool, commits_counted(ledger.engine) as commits:
        views = list(pool.map(lambda _: [ledger.execute(minimal_invoice(acme)) for _ in range(10)], range(16)))
    seqs = sorted(view.invoice.seq for chunk in views for view in chunk)
    assert seqs == list(range(1, 161)) == stored_seqs(ledger, acme)
    assert 0 < len(commits) < 160


def test_a_lone_create_is_one_commit_by_the_writer_thread(ledger: Ledger, acme: int) -> None:
    with commits_counted(ledger.engine) as commits:
        view = ledger.execute(minimal_invoice(acme))
    assert commits == ["group-commit"]
    assert stored_seqs(ledger, acme) == [view.invoice.seq] == [1]


def failing_on(ledger: Ledger, buyer: str) -> None:
    """Creates for `buyer` fail after their handler did everything, number and commit() included."""
    real = ledger.handlers[CreateInvoice]

    def create_then_fail(cmd: CreateInvoice, uow: UnitOfWork) -> Any:
        view = real(cmd, uow)
        if cmd.fields.get("buyer_name") == buyer:
            raise RuntimeError(f"{buyer} fails after its number was taken")
        return view
    ledger.register(CreateInvoice, create_then_fail)


def test_a_failing_job_rolls_back_only_itself_and_consumes_no_number(ledger: Ledger, acme: int) -> None:
    failing_on(ledger, "Bad")
    buyers = ["Good", "Bad", "Good", "Good", "Bad", "Good"]
    with ThreadPoolExecutor(max_workers=7) as pool, commits_counted(ledger.engine) as commits:
        with writer_parked(ledger, pool) as parked:
            futures = queue_behind(parked, pool, [
                lambda b=buyer: ledger.execute(minimal_invoice(acme, buyer_name=b)) for buyer in buyers])
            parked.release()
        outcomes = [f.exception(timeout=WAIT_S) or f.result().invoice for f in futures]
    assert [type(o).__name__.removesuffix("Record") for o in outcomes] == [  # a create answers with a record
        "RuntimeError" if b == "Bad" else "Invoice" for b in buyers]
    assert len(commits) == 2  # the failures did not cost the others their shared commit
    good = sorted(o.seq for o in outcomes if not isinstance(o, Exception))
    assert good == [1, 2, 3, 4] == stored_seqs(ledger, acme)
    stored_buyers = ledger.read(lambda s: s.execute(select(Invoice.buyer_name)).scalars().all())
    assert stored_buyers == ["Good"] * 4
    last = ledger.read(lambda s: s.execute(select(NumberCounter.last_seq)).scalars().all())
    assert last == [4]


def test_a_failed_commit_fails_every_job_of_its_batch_and_the_next_batch_works(ledger: Ledger, acme: int) -> None:
    refuse = threading.Event()

    def failing_commit(_conn: Any) -> None:
        if refuse.is_set():
            raise OSError("disk I/O error at COMMIT")
    event.listen(ledger.engine, "commit", failing_commit)
    with ThreadPoolExecutor(max_workers=5) as pool:
        with writer_parked(ledger, pool) as parked:
            futures = queue_behind(parked, pool, [lambda: ledger.execute(minimal_invoice(acme))] * 4)
            refuse.set()
            parked.gate.set()
            with pytest.raises(OSError):
                parked.job.result(timeout=WAIT_S)  # the parked job shared the failing commit
        errors = [f.exception(timeout=WAIT_S) for f in futures]
    assert [type(e).__name__ for e in errors] == ["OSError"] * 4
    refuse.clear()
    assert stored_seqs(ledger, acme) == []
    assert ledger.execute(minimal_invoice(acme)).invoice.seq == 1  # nothing of the failed batch was kept
    assert stored_seqs(ledger, acme) == [1]


@dataclass(frozen=True)
class CreateTwo:
    """A command whose handler calls the ledger again, from the writer thread."""
    account_id: int
    second_fails: bool = False


def test_a_write_started_from_the_writer_thread_runs_inline_in_the_same_commit(ledger: Ledger, acme: int) -> None:
    threads: list[str] = []

    def create_two(cmd: CreateTwo, uow: UnitOfWork) -> list[int]:
        threads.append(threading.current_thread().name)
        first = ledger.execute(minimal_invoice(cmd.account_id)).invoice.seq
        try:
            second = ledger.execute(minimal_invoice(cmd.account_id, buyer_name="Bad" if cmd.second_fails else "B"))
        except RuntimeError:
            return [first]  # the nested write rolled back alone; the outer one goes on
        uow.commit()
        return [first, second.invoice.seq]
    ledger.register(CreateTwo, create_two)
    failing_on(ledger, "Bad")
    with commits_counted(ledger.engine) as commits:
        both = ledger.execute(CreateTwo(acme))
        one = ledger.execute(CreateTwo(acme, second_fails=True))
    assert threads == ["group-commit", "group-commit"]
    assert commits == ["group-commit", "group-commit"]  # one per outer command: the nested ones rode along
    assert (both, one) == ([1, 2], [3]) and stored_seqs(ledger, acme) == [1, 2, 3]


def test_a_unit_of_work_opened_on_the_writer_thread_joins_the_batch(ledger: Ledger, acme: int) -> None:
    def job(batch: Batch) -> int:
        with UnitOfWork(ledger.engine) as uow:  # as the delivery code does, without a ledger
            assert uow.connection is batch.connection
            uow.session.execute(text("UPDATE accounts SET name = 'Renamed' WHERE id = :id"), {"id": acme})
            uow.commit()
        return 1
    with commits_counted(ledger.engine) as commits:
        assert committer_of(ledger).run(job) == 1
    assert len(commits) == 1
    assert ledger.read(lambda s: s.execute(text("SELECT name FROM accounts WHERE id = :id"), {"id": acme})
                       .scalar_one()) == "Renamed"


def test_the_writer_thread_leaves_when_idle_and_comes_back_for_the_next_write(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        committer = GroupCommitter(engine, idle_seconds=0.01)
        assert committer.run(lambda batch: batch.connection.execute(text("SELECT 1")).scalar_one()) == 1
        wait_for(lambda: not committer.running)
        assert committer.run(lambda batch: threading.current_thread().name) == "group-commit"
        committer.stop()
        assert not committer.running
    finally:
        engine.dispose()


def test_closing_the_ledger_ends_its_writer_thread(ledger: Ledger, acme: int) -> None:
    ledger.execute(minimal_invoice(acme))
    committer = committer_of(ledger)
    assert committer.running
    ledger.close()
    assert not committer.running
    assert ledger.execute(minimal_invoice(acme)).invoice.seq == 2


def test_the_traffic_log_rides_the_writers_batches(ledger: Ledger, acme: int) -> None:
    writers: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("INSERT INTO traffic_log"):
            writers.append(threading.current_thread().name)
    event.listen(ledger.engine, "before_cursor_execute", note)
    recorder = TrafficRecorder(ledger.engine)
    recorder.record(created_at=now_utc(), method="GET", path="/invoices.json", status=200, latency_ms=1.0,
                    account_id=acme, dialect="invoiceocean", endpoint="invoices.list", request_id="r1")
    assert recorder.flush() == 1
    assert writers == ["group-commit"]
    assert ledger.read(lambda s: s.execute(text("SELECT count(*) FROM traffic_log")).scalar_one()) == 1


def _open_temp_files() -> list[str]:
    """The SQLite temp files this process holds open (named etilqs_*, unlinked at once), where /proc says."""
    fds = Path("/proc/self/fd")
    found = []
    for fd in fds.iterdir() if fds.is_dir() else ():
        try:
            target = os.readlink(fd)
        except OSError:  # closed since the listing
            continue
        if "etilqs_" in target:
            found.append(target)
    return found


def test_the_writers_savepoint_journals_stay_in_memory_and_its_connection_returns_to_the_pool_as_it_came(
        ledger: Ledger, acme: int) -> None:
    """A create changes ~31 pages inside its job's SAVEPOINT, past the 64 KiB SQLite keeps in memory before it
    spills that journal to a temp file: with the default, every batch opened, wrote and unlinked one."""
    seen: dict[str, Any] = {}

    def job(batch: Batch) -> None:
        seen["temp_store"] = batch.connection.exec_driver_sql("PRAGMA temp_store").scalar_one()
        for n in range(3):  # a few invoices' pages, each changed inside the job's savepoint
            ledger.execute(minimal_invoice(acme, buyer_name=f"Buyer {n}" * 40))
        seen["temp_files"] = _open_temp_files()
        seen["dbapi"] = batch.connection.connection.dbapi_connection
    committer = committer_of(ledger)
    committer.run(job)
    committer.stop()
    assert seen["temp_files"] == []
    assert seen["temp_store"] == 2  # MEMORY
    # Back in the pool, the connection reads as any other: a reader's large sort may spill to disk.
    assert seen["dbapi"].execute("PRAGMA temp_store").fetchone()[0] == 0
