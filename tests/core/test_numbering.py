"""Numbering: patterns, explicit numbers, and gapless allocation under concurrency and failure."""
from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from sqlalchemy import select, update

from core import numbering
from core.accounts import create_account
from core.commands import CreateInvoice
from core.errors import Invalid
from core.handlers import invoices as invoice_handlers
from core.ledger import Ledger
from core.models import Invoice, NumberCounter
from gateway.db import make_engine
from gateway.migrations import upgrade
from tests.core.numbering_support import DAY, create_many, minimal_invoice


@pytest.mark.parametrize("pattern, seq, day, expected", [
    ("nr-m/mm/yyyy", 1, date(2018, 1, 2), "1/01/2018"),
    ("Pnr-m/mm/yyyy", 3, date(2018, 1, 2), "P3/01/2018"),
    ("nr", 12, date(2021, 1, 25), "12"),
    ("FA-yymm-nr-m", 5, date(2026, 2, 1), "FA-2602-5"),
    ("F/nr", 2, date(2026, 2, 1), "F/2"),
    ("Fyyyy.mm.nr", 7, date(2026, 2, 1), "F2026.02.7"),
])
def test_pattern_renders_counter_and_date_parts(pattern: str, seq: int, day: date, expected: str) -> None:
    assert numbering.render(pattern, seq, day) == expected


def test_period_key_follows_the_counter_token() -> None:
    day = date(2026, 3, 10)
    assert numbering.period_key("nr-m/mm/yyyy", day) == "2026-03"
    assert numbering.period_key("nr-y/yyyy", day) == "2026"
    assert numbering.period_key("nr", day) == ""


def test_explicit_number_is_parsed_only_when_it_matches_the_period() -> None:
    day = date(2018, 1, 4)
    assert numbering.parse_seq("nr-m/mm/yyyy", "55/01/2018", day) == 55
    assert numbering.parse_seq("nr-m/mm/yyyy", "55/02/2018", day) is None
    assert numbering.parse_seq("Pnr-m/mm/yyyy", "P3/01/2018", day) == 3
    assert numbering.parse_seq("nr", "FV/1", day) is None


@pytest.fixture
def acme(backend_ledger: Ledger) -> int:
    return backend_ledger.write(create_account, "Acme").account_id


def test_numbers_restart_each_month_and_per_kind(backend_ledger: Ledger, acme: int) -> None:
    made = [backend_ledger.execute(minimal_invoice(acme, issue_date=d, kind=k)).invoice.number for d, k in [
        (date(2026, 3, 1), "vat"), (date(2026, 3, 2), "vat"), (date(2026, 3, 2), "proforma"),
        (date(2026, 4, 1), "vat")]]
    assert made == ["1/03/2026", "2/03/2026", "P1/03/2026", "1/04/2026"]


def test_next_automatic_number_continues_after_the_highest_explicit_one(backend_ledger: Ledger, acme: int) -> None:
    backend_ledger.execute(minimal_invoice(acme, number="40/03/2026"))
    assert backend_ledger.execute(minimal_invoice(acme)).invoice.number == "41/03/2026"


def test_explicit_counter_without_a_number_renders_the_pattern(backend_ledger: Ledger, acme: int) -> None:
    cmd = minimal_invoice(acme)
    view = backend_ledger.execute(type(cmd)(**{**cmd.__dict__, "seq": 15}))
    assert (view.invoice.number, view.invoice.seq) == ("15/03/2026", 15)


def test_duplicate_number_in_a_series_is_a_validation_error(backend_ledger: Ledger, acme: int) -> None:
    backend_ledger.execute(minimal_invoice(acme, number="7/03/2026"))
    with pytest.raises(Invalid) as caught:
        backend_ledger.execute(minimal_invoice(acme, number="7/03/2026"))
    assert [(e.field, e.code) for e in caught.value.errors] == [("number", "taken")]


def test_failure_after_the_number_is_taken_leaves_no_gap(backend_ledger: Ledger, acme: int,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    real_build = invoice_handlers._build_lines
    calls = {"n": 0}

    def failing_build(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("injected crash after numbering")
        return real_build(*args, **kwargs)

    monkeypatch.setattr(invoice_handlers, "_build_lines", failing_build)
    first = backend_ledger.execute(minimal_invoice(acme)).invoice.seq
    with pytest.raises(RuntimeError):
        backend_ledger.execute(minimal_invoice(acme))
    third = backend_ledger.execute(minimal_invoice(acme)).invoice.seq
    assert (first, third) == (1, 2)
    stored = backend_ledger.read(lambda s: s.execute(select(Invoice.seq).order_by(Invoice.seq)).scalars().all())
    assert stored == [1, 2]


def test_eight_threads_of_250_creates_on_sqlite_number_exactly_1_to_2000(database_url: str) -> None:
    ledger = Ledger(make_engine(database_url))
    account_id = ledger.write(create_account, "Acme").account_id
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: create_many(database_url, account_id, 250), range(8)))
    seqs = sorted(s for chunk in results for s in chunk)
    assert seqs == list(range(1, 2001))
    numbers = ledger.read(lambda s: s.execute(select(Invoice.number).where(Invoice.account_id == account_id))
                          .scalars().all())
    assert len(set(numbers)) == 2000 and "2000/03/2026" in numbers


def test_creates_failing_inside_shared_commits_leave_the_others_numbered_gaplessly(database_url: str) -> None:
    """Eight threads of creates on SQLite, where the writer thread batches them into shared commits; every
    third fails after its handler took its number. Each failure rolls back to its own savepoint: the
    numbers of the rest are exactly 1..n, unique, and the counter stops at n."""
    ledger = Ledger(make_engine(database_url))
    account_id = ledger.write(create_account, "Acme").account_id
    real = ledger.handlers[CreateInvoice]

    def create_then_fail(cmd: CreateInvoice, uow):  # type: ignore[no-untyped-def]
        view = real(cmd, uow)
        if cmd.fields["buyer_name"] == "Fails":
            raise RuntimeError("injected failure after numbering")
        return view
    ledger.register(CreateInvoice, create_then_fail)

    def run(thread: int) -> list[int]:
        seqs = []
        for i in range(30):
            failing = (thread + i) % 3 == 0
            try:
                seqs.append(ledger.execute(minimal_invoice(account_id, buyer_name="Fails" if failing else "Ok"))
                            .invoice.seq)
            except RuntimeError:
                assert failing
        return seqs
    with ThreadPoolExecutor(max_workers=8) as pool:
        answered = sorted(s for chunk in pool.map(run, range(8)) for s in chunk)
    assert answered == list(range(1, 161))
    stored = ledger.read(lambda s: s.execute(select(Invoice.seq, Invoice.number, Invoice.buyer_name)
                                             .where(Invoice.account_id == account_id)).all())
    assert sorted(row.seq for row in stored) == answered
    assert len({row.number for row in stored}) == 160 and {row.buyer_name for row in stored} == {"Ok"}
    assert ledger.read(lambda s: s.execute(select(NumberCounter.last_seq)).scalar_one()) == 160
    ledger.close()
    ledger.engine.dispose()


@pytest.mark.postgres
def test_four_processes_on_postgresql_number_exactly_1_to_n(postgres_url: str) -> None:
    upgrade(postgres_url)
    ledger = Ledger(make_engine(postgres_url))
    account_id = ledger.write(create_account, "Acme").account_id
    per_process = 150
    context = multiprocessing.get_context("spawn")
    with context.Pool(4) as pool:
        results = pool.starmap(create_many, [(postgres_url, account_id, per_process)] * 4)
    assert sorted(s for chunk in results for s in chunk) == list(range(1, 4 * per_process + 1))
    assert DAY.month == 3


def test_account_may_set_its_own_pattern_with_a_yearly_reset(backend_ledger: Ledger, acme: int) -> None:
    from core.models import Account

    def use_pattern(session) -> None:  # type: ignore[no-untyped-def]
        account = session.get(Account, acme)
        account.settings = {**account.settings, "numbering": {"vat": "FV/nr-y/yyyy"}}

    backend_ledger.write(use_pattern)
    made = [backend_ledger.execute(minimal_invoice(acme, issue_date=d)).invoice.number
            for d in (date(2026, 3, 1), date(2026, 11, 30), date(2027, 1, 2))]
    assert made == ["FV/1/2026", "FV/2/2026", "FV/1/2027"]


@pytest.mark.parametrize("pattern", ["nr-m/mm/yyyy", "Pnr-m/mm/yyyy", "nr", "FA-yymm-nr-m", "Fyyyy.mm.nr", "INV-dd.m",
                                     "nr-y|nr-y"])
def test_the_sql_rendering_of_a_number_equals_the_python_one(backend_ledger: Ledger, pattern: str) -> None:
    """The number the statements that number a row (numbering._bump_free, _bump_into) render in SQL: the
    pattern's pieces as parameters around the counter."""
    from core.reader import Reader

    day, seq = date(2026, 2, 7), 37
    pieces = numbering._pieces(pattern, day)
    in_sql = backend_ledger.read(lambda s: Reader(s.connection()).scalar(
        "SELECT " + numbering._number_sql(len(pieces), "(SELECT 37)"), pieces))
    assert in_sql == numbering.render(pattern, seq, day)


def test_an_automatic_number_already_stored_is_skipped_not_refused(backend_ledger: Ledger, acme: int) -> None:
    """Rows written around the counter (an import, or a stray number stored before its period's counter
    moved): the allocator steps past them instead of answering "taken" to every later create."""
    first = backend_ledger.execute(minimal_invoice(acme)).invoice
    backend_ledger.write(lambda s: s.execute(update(NumberCounter).values(last_seq=0)))
    backend_ledger.write(lambda s: s.execute(update(Invoice).values(seq=None, period_key="2026-02")))
    made = [backend_ledger.execute(minimal_invoice(acme)).invoice.number for _ in range(2)]
    assert (first.number, made) == ("1/03/2026", ["2/03/2026", "3/03/2026"])


@pytest.mark.parametrize("stray_first", [True, False], ids=["stray-number-first", "automatic-numbers-first"])
def test_an_explicit_number_of_another_period_moves_that_periods_counter(backend_ledger: Ledger, acme: int,
                                                                         stray_first: bool) -> None:
    september = date(2026, 9, 10)
    auto = [] if stray_first else [backend_ledger.execute(minimal_invoice(acme, issue_date=september)).invoice.number]
    stray = backend_ledger.execute(minimal_invoice(acme, issue_date=date(2026, 6, 30), number="3/09/2026")).invoice
    auto += [backend_ledger.execute(minimal_invoice(acme, issue_date=september)).invoice.number for _ in range(3)]
    assert (stray.period_key, stray.seq) == ("2026-09", 3)
    assert auto == (["4/09/2026", "5/09/2026", "6/09/2026"] if stray_first
                    else ["1/09/2026", "4/09/2026", "5/09/2026", "6/09/2026"])
    with pytest.raises(Invalid) as caught:
        backend_ledger.execute(minimal_invoice(acme, issue_date=date(2026, 6, 30), number="4/09/2026"))
    assert [(e.field, e.code) for e in caught.value.errors] == [("number", "taken")]
    june = backend_ledger.execute(minimal_invoice(acme, issue_date=date(2026, 6, 30))).invoice.number
    assert june == "1/06/2026"  # June's own series is untouched


@pytest.mark.parametrize("pattern, number, period, seq", [
    ("nr-m/mm/yyyy", "3/09/2026", "2026-09", 3), ("Pnr-m/mm/yyyy", "P12/01/2027", "2027-01", 12),
    ("FA-yymm-nr-m", "FA-2611-4", "2026-11", 4), ("nr-y/yyyy", "8/2025", "2025", 8),
    ("nr-m/mm/yyyy", "3/13/2026", "2026-06", None), ("nr-m/mm/yyyy", "FV 12/2026", "2026-06", None),
])
def test_an_explicit_number_belongs_to_the_period_it_spells(pattern: str, number: str, period: str,
                                                            seq: int | None) -> None:
    class NoSession:  # a number that spells no period touches no counter
        pass
    if seq is None:
        got = numbering.reserve_explicit(NoSession(), 1, "vat", pattern, date(2026, 6, 30), number)  # type: ignore[arg-type]
        assert (got.period_key, got.seq) == (period, None)
        return
    spelled = numbering._period_day(pattern, number, date(2026, 6, 30))
    assert spelled is not None and (numbering.period_key(pattern, spelled[0]), spelled[1]) == (period, seq)


def _pause_before_numbering(monkeypatch: pytest.MonkeyPatch, paused: threading.Event,
                            release: threading.Event) -> None:
    """The first create to reach its lines waits there (after its invoice row is in, before its number)."""
    real = invoice_handlers._insert_lines
    first = threading.Lock()

    def waiting(*args, **kwargs):  # type: ignore[no-untyped-def]
        real(*args, **kwargs)
        if first.acquire(blocking=False):
            paused.set()
            assert release.wait(30)

    monkeypatch.setattr(invoice_handlers, "_insert_lines", waiting)


@pytest.mark.postgres
def test_a_create_not_yet_numbered_holds_back_no_other_writer_and_is_invisible(
        postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    upgrade(postgres_url)
    ledger = Ledger(make_engine(postgres_url))
    account_id = ledger.write(create_account, "Acme").account_id
    paused, release = threading.Event(), threading.Event()
    _pause_before_numbering(monkeypatch, paused, release)
    with ThreadPoolExecutor(max_workers=2) as pool:
        slow = pool.submit(lambda: ledger.execute(minimal_invoice(account_id)).invoice)
        try:
            assert paused.wait(30)
            # Its invoice and lines are written, uncommitted: nobody else sees a row, parked or not.
            assert ledger.read(lambda s: s.execute(select(Invoice.id)).scalars().all()) == []
            # Numbered last, it holds no counter lock yet: a second create of the series goes through.
            fast = pool.submit(lambda: ledger.execute(minimal_invoice(account_id)).invoice).result(timeout=10)
        finally:
            release.set()
        late = slow.result(timeout=30)
    assert (fast.seq, fast.number, late.seq, late.number) == (1, "1/03/2026", 2, "2/03/2026")
    stored = ledger.read(lambda s: s.execute(select(Invoice.series, Invoice.seq, Invoice.number).order_by(Invoice.seq))
                         .all())
    assert [tuple(row) for row in stored] == [("vat", 1, "1/03/2026"), ("vat", 2, "2/03/2026")]
    ledger.engine.dispose()


def test_a_client_number_and_counter_are_kept_when_numbered_last(backend_ledger: Ledger, acme: int) -> None:
    given = backend_ledger.execute(minimal_invoice(acme, number="FV 12/2026")).invoice
    cmd = minimal_invoice(acme)
    by_seq = backend_ledger.execute(type(cmd)(**{**cmd.__dict__, "seq": 9})).invoice
    auto = backend_ledger.execute(minimal_invoice(acme)).invoice
    assert [(i.series, i.seq, i.number) for i in (given, by_seq, auto)] == [
        ("vat", None, "FV 12/2026"), ("vat", 9, "9/03/2026"), ("vat", 10, "10/03/2026")]
    stored = backend_ledger.read(lambda s: s.execute(select(Invoice.series, Invoice.seq, Invoice.number)
                                                     .order_by(Invoice.id)).all())
    assert [tuple(row) for row in stored] == [(i.series, i.seq, i.number) for i in (given, by_seq, auto)]
