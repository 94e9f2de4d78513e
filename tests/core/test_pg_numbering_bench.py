"""The PostgreSQL numbering benchmark's own parts: its gap check must see gaps, and its writers must run.

The full benchmark (`make bench-postgres`) is minutes long and never part of `make test`; these keep its
verifier honest and its multi-process writers working, in a few seconds.
"""
from __future__ import annotations

import pytest
from sqlalchemy import text

from benchmarks import pg_numbering
from core.accounts import create_account
from core.ledger import Ledger
from gateway.db import make_engine
from gateway.migrations import upgrade
from tests.support.postgres import PostgresServer


def test_the_numbering_check_reports_a_missing_number_and_passes_a_gapless_series(ledger: Ledger) -> None:
    account_id = ledger.write(create_account, "Acme").account_id
    made = [ledger.execute(pg_numbering._command(account_id)).invoice for _ in range(3)]
    assert [i.seq for i in made] == [1, 2, 3]
    assert pg_numbering.numbering_problems(ledger.engine) == []
    with ledger.engine.begin() as db:
        db.execute(text("DELETE FROM invoice_lines WHERE invoice_id = :id"), {"id": made[1].id})
        db.execute(text("DELETE FROM invoices WHERE id = :id"), {"id": made[1].id})
    problems = pg_numbering.numbering_problems(ledger.engine)
    assert len(problems) == 1 and "2 numbers for counter 3" in problems[0] and "[2]" in problems[0]


@pytest.mark.postgres
def test_two_writer_processes_on_one_series_are_counted_and_numbered_gaplessly(
        postgres_server: PostgresServer) -> None:
    url = postgres_server.create_database("bench_writers")
    upgrade(url)
    account_id = Ledger(make_engine(url)).write(create_account, "Acme").account_id
    result = pg_numbering.run_writers(postgres_server, "bench_writers", url, [account_id] * 2, seconds=1.0)
    handed = result.pop("_seqs")[account_id]
    assert result["error_count"] == 0 and len(result["per_writer"]) == 2
    assert result["created"] >= 1 and result["rate_per_s"] == round(result["created"] / 1.0, 1)
    # Warm-up creates and those finishing after the window are numbered too, but not counted.
    assert len(handed) >= result["created"] + 2 * pg_numbering.WARMUP_CREATES
    assert sorted(handed) == list(range(1, len(handed) + 1))
    engine = make_engine(url)
    try:
        assert pg_numbering.numbering_problems(engine) == []
        assert pg_numbering.stored_seqs(engine, account_id) == sorted(handed)
    finally:
        engine.dispose()
