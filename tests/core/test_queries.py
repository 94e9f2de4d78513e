"""The read side at scale: full-text search, seeking deep pages, the after_id cursor, counts."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from sqlalchemy import update

from core import queries
from core.accounts import create_account
from core.commands import CreateInvoice, LineSpec, UpdateInvoice
from core.ledger import Ledger
from core.models import Invoice
from core.queries import InvoiceFilter, Page, count_invoices, has_fts, list_invoices


def _invoice(ledger: Ledger, account: int, buyer: str, line: str = "Usługa", day: date = date(2024, 3, 1),
             **fields: object) -> int:
    return ledger.execute(CreateInvoice(account, "test", {"buyer_name": buyer, "issue_date": day, **fields},
                                        (LineSpec(name=line, tax=23, price_net=D(10), quantity=D(1)),))).invoice.id


FIRST_PAGE = Page(1, 25)


def _ids(ledger: Ledger, account: int, f: InvoiceFilter, page: Page = FIRST_PAGE,
         order: tuple[tuple[str, bool], ...] = (("id", False),)) -> list[int]:
    return [v.invoice.id for v in ledger.read(list_invoices, account, f, page, order)]


@pytest.fixture
def acme(backend_ledger: Ledger) -> int:
    return backend_ledger.write(create_account, "Acme").account_id


def test_search_finds_substrings_of_buyer_number_description_and_line_names_case_insensitively(
        backend_ledger: Ledger, acme: int) -> None:
    by_buyer = _invoice(backend_ledger, acme, "Kowalski Handel Sp. z o.o.")
    by_line = _invoice(backend_ledger, acme, "Nowak", line="Audyt bezpieczeństwa")
    by_description = _invoice(backend_ledger, acme, "Wiśniewski", description="Zamówienie 4711/B")
    _invoice(backend_ledger, acme, "Zieliński")
    assert _ids(backend_ledger, acme, InvoiceFilter(search="kowalski handel")) == [by_buyer]
    assert _ids(backend_ledger, acme, InvoiceFilter(search="AUDYT")) == [by_line]
    assert _ids(backend_ledger, acme, InvoiceFilter(search="4711/b")) == [by_description]
    assert _ids(backend_ledger, acme, InvoiceFilter(search="Nowak")) == [by_line]
    assert _ids(backend_ledger, acme, InvoiceFilter(search="wa")) == [by_buyer, by_line]  # short: LIKE
    assert backend_ledger.read(count_invoices, acme, InvoiceFilter(search="ski")) == 3


def test_search_follows_edits_and_never_crosses_accounts(backend_ledger: Ledger, acme: int) -> None:
    other = backend_ledger.write(create_account, "Other").account_id
    mine = _invoice(backend_ledger, acme, "Kowalski")
    _invoice(backend_ledger, other, "Kowalski")
    backend_ledger.execute(UpdateInvoice(acme, mine, {"buyer_name": "Dąbrowski"}, None))
    assert _ids(backend_ledger, acme, InvoiceFilter(search="Kowalski")) == []
    assert _ids(backend_ledger, acme, InvoiceFilter(search="Dąbrowski")) == [mine]
    assert _ids(backend_ledger, acme, InvoiceFilter(search='"quoted" OR *')) == []  # text, not FTS syntax


def test_sqlite_search_uses_the_fts5_index(database_url: str) -> None:
    from gateway.db import make_engine
    ledger = Ledger(make_engine(database_url))
    assert ledger.read(has_fts)


@pytest.mark.parametrize("order", [(("id", False),), (("id", True),), (("issue_date", False),),
                                   (("issue_date", True),)])
def test_a_sought_deep_page_equals_the_offset_page(backend_ledger: Ledger, acme: int, order: tuple,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    days = [date(2024, 1, 1) + timedelta(days=(i * 7) % 5) for i in range(12)]  # repeated dates: ties
    for i, day in enumerate(days):
        _invoice(backend_ledger, acme, f"Buyer {i}", day=day)
    f = InvoiceFilter()
    expected = [_ids(backend_ledger, acme, f, Page(p, 5), order) for p in (1, 2, 3, 4)]
    monkeypatch.setattr(queries, "SEEK_FROM_OFFSET", 1)
    assert [_ids(backend_ledger, acme, f, Page(p, 5), order) for p in (1, 2, 3, 4)] == expected
    assert expected[3] == []


def test_after_id_continues_where_the_last_page_ended(backend_ledger: Ledger, acme: int) -> None:
    ids = [_invoice(backend_ledger, acme, f"Buyer {i}") for i in range(7)]
    first = _ids(backend_ledger, acme, InvoiceFilter(), Page(1, 3))
    assert first == ids[:3]
    assert _ids(backend_ledger, acme, InvoiceFilter(after_id=first[-1]), Page(1, 3)) == ids[3:6]
    assert backend_ledger.read(count_invoices, acme, InvoiceFilter(after_id=ids[5])) == 1


def test_count_matches_the_listed_rows_under_filters(backend_ledger: Ledger, acme: int) -> None:
    for i in range(4):
        _invoice(backend_ledger, acme, f"Buyer {i}", day=date(2024, 1 + i, 10))
    backend_ledger.write(lambda s: s.execute(update(Invoice).where(Invoice.account_id == acme)
                                             .where(Invoice.buyer_name == "Buyer 0").values(status="paid")))
    f = InvoiceFilter(date_from=date(2024, 2, 1), date_to=date(2024, 4, 30), exclude_statuses=("paid",))
    assert backend_ledger.read(count_invoices, acme, f) == len(_ids(backend_ledger, acme, f)) == 3


def test_an_unfiltered_total_stays_exact_through_creates_and_deletes_in_several_accounts(
        backend_ledger: Ledger, acme: int) -> None:
    """On SQLite the whole-account total comes from invoice_counts (migration 0005), kept by triggers;
    it must always equal a real count, and never mix accounts."""
    from sqlalchemy import func, select

    from core.commands import DeleteInvoice
    other = backend_ledger.write(create_account, "Other Counts").account_id
    mine = [_invoice(backend_ledger, acme, f"Klient {i}") for i in range(7)]
    _invoice(backend_ledger, other, "Obcy")
    for invoice_id in mine[:3]:
        backend_ledger.execute(DeleteInvoice(acme, invoice_id))

    def real_count(session: object, account: int) -> int:
        return int(session.execute(select(func.count()).select_from(Invoice)  # type: ignore[attr-defined]
                                   .where(Invoice.account_id == account)).scalar_one())

    for account, expected in ((acme, 4), (other, 1)):
        assert backend_ledger.read(real_count, account) == expected
        assert backend_ledger.read(count_invoices, account, InvoiceFilter()) == expected
        assert backend_ledger.read_plain(queries.page_with_total, account, InvoiceFilter(), Page(1, 2))[1] == expected
    assert backend_ledger.read(count_invoices, acme, InvoiceFilter(search="Klient 6")) == 1  # filtered: counted


def test_sqlite_totals_of_a_whole_account_read_the_maintained_count_not_the_invoices(database_url: str) -> None:
    from gateway.db import make_engine
    ledger = Ledger(make_engine(database_url))
    account = ledger.write(create_account, "Counted").account_id
    _invoice(ledger, account, "Kowalski")
    statements: list[str] = []

    def count_with_log(session: object) -> int:
        dbapi = session.connection().connection.dbapi_connection  # type: ignore[attr-defined]
        dbapi.set_trace_callback(statements.append)  # every statement SQLite runs, however it was sent
        try:
            return count_invoices(session, account, InvoiceFilter())  # type: ignore[arg-type]
        finally:
            dbapi.set_trace_callback(None)

    assert ledger.read(count_with_log) == 1
    assert any("FROM invoice_counts" in s for s in statements)
    assert not any("count(*)" in s.lower() and "FROM invoices" in s for s in statements)


def test_date_range_pages_in_id_order_are_exact_when_dates_do_not_follow_ids(backend_ledger: Ledger,
                                                                             acme: int) -> None:
    """SQLite starts such pages at the first id dated in the range (a skip-scan of the date index); with
    dates out of id order, other filters and open ends, the page must be exactly what a scan gives."""
    days = [date(2024, 5, 1) + timedelta(days=d) for d in (40, 3, 25, 3, 90, 0, 60, 25, 12, 75, 3, 50)]
    ids = [_invoice(backend_ledger, acme, f"K{i % 3}", day=day) for i, day in enumerate(days)]
    dated = list(zip(ids, days, strict=True))
    other = backend_ledger.write(create_account, "Dated Other").account_id
    _invoice(backend_ledger, other, "K0", day=date(2024, 5, 2))

    def expect(low: date | None, high: date | None, buyer: str | None = None) -> list[int]:
        return [i for (i, d), n in zip(dated, range(len(dated)), strict=True)
                if (low is None or d >= low) and (high is None or d <= high)
                and (buyer is None or f"K{n % 3}" == buyer)]

    cases = [(date(2024, 5, 20), None), (None, date(2024, 5, 10)), (date(2024, 5, 4), date(2024, 6, 20)),
             (date(2024, 5, 4), date(2024, 5, 4)), (date(2025, 1, 1), None), (date(2024, 5, 26), date(2024, 6, 9))]
    for low, high in cases:
        f = InvoiceFilter(date_from=low, date_to=high)
        assert _ids(backend_ledger, acme, f) == expect(low, high), (low, high)
        assert _ids(backend_ledger, acme, f, Page(2, 2)) == expect(low, high)[2:4], (low, high)
        assert backend_ledger.read(count_invoices, acme, f) == len(expect(low, high))
    assert _ids(backend_ledger, acme, InvoiceFilter(date_from=date(2024, 5, 4), client_id=None, search="K1")) == \
        expect(date(2024, 5, 4), None, "K1")


def test_sqlite_date_range_pages_start_from_the_first_dated_id_in_the_pages_own_statement(
        database_url: str) -> None:
    from gateway.db import make_engine
    ledger = Ledger(make_engine(database_url))
    account = ledger.write(create_account, "Skip Scan").account_id
    first = _invoice(ledger, account, "A", day=date(2024, 6, 1))
    statements: list[str] = []

    def page_with_log(session: object) -> list[int]:
        dbapi = session.connection().connection.dbapi_connection  # type: ignore[attr-defined]
        dbapi.set_trace_callback(statements.append)
        try:
            return [v.invoice.id for v in list_invoices(session, account,  # type: ignore[arg-type]
                                                        InvoiceFilter(date_from=date(2024, 1, 1)), Page(1, 25))]
        finally:
            dbapi.set_trace_callback(None)

    assert ledger.read(page_with_log) == [first]
    # One statement: the page, its ids from the first dated one, found by the skip-scan as its subquery.
    assert [s for s in statements if "WITH RECURSIVE days" in s] == [s for s in statements if s.startswith("SELECT")]
    assert len([s for s in statements if "invoices.id >= (WITH RECURSIVE days" in s]) == 1


def test_sqlite_date_range_page_of_a_range_without_invoices_is_empty(database_url: str) -> None:
    """The first dated id of an empty range is NULL, and no id is >= NULL: the page is empty, not the account's."""
    from gateway.db import make_engine
    ledger = Ledger(make_engine(database_url))
    account = ledger.write(create_account, "Empty Range").account_id
    _invoice(ledger, account, "A", day=date(2024, 6, 1))
    later = _invoice(ledger, account, "B", day=date(2024, 8, 1))

    def page(date_from: date, date_to: date) -> list[int]:
        return ledger.read(lambda s: [v.invoice.id for v in list_invoices(
            s, account, InvoiceFilter(date_from=date_from, date_to=date_to), Page(1, 25))])

    assert page(date(2024, 6, 2), date(2024, 7, 31)) == []
    assert page(date(2024, 6, 2), date(2024, 8, 31)) == [later]
