"""Plain-SQL reads (core.reader, core.invoice_reads) give exactly what the ORM gives, on both backends."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal as D
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.accounts import create_account
from core.commands import CreateInvoice, LineSpec, RecordPayment, SendInvoice
from core.errors import NotFound
from core.handlers.invoice_state import account_of, view_of
from core.invoice_reads import account_record, invoice_view, invoices_by_id, views_of
from core.ledger import Ledger
from core.models import Invoice, InvoiceLine
from core.reader import Record, read_plain
from core.storage.sqlite import _utc


def _columns(model: type, obj: Any) -> dict[str, Any]:
    return {c.name: getattr(obj, c.name) for c in model.__table__.columns}  # type: ignore[attr-defined]


def _same(model: type, orm: Any, record: Any) -> None:
    expected, got = _columns(model, orm), _columns(model, record)
    assert got == expected
    for name, value in expected.items():  # equal *and* of the same type: Decimal stays Decimal, aware datetimes
        assert type(got[name]) is type(value), name
        if isinstance(value, datetime):
            assert got[name].tzinfo is not None, name


@pytest.fixture
def rich_invoice(backend_ledger: Ledger) -> tuple[int, int]:
    account = backend_ledger.write(create_account, "Plain Reads").account_id
    lines = (LineSpec(name="Usługa ąęś", tax=23, price_net=D("100.10"), quantity=D("3.5"), unit="godz.",
                      discount_percent=D("10")),
             LineSpec(name="Zwolniona", tax="zw", price_net=D("50"), quantity=D(1), code="X-1"),
             LineSpec(kind="text", name="Tylko tekst"))
    view = backend_ledger.execute(CreateInvoice(account, "test", {
        "buyer_name": "Kowalski", "buyer_email": "k@example.com", "issue_date": date(2026, 3, 1),
        "payment_to_kind": "14", "description": "Opis",
        "exchange_rate": D("4.2134"), "extra": {"dialect_only": [1, "a"]}, "show_discount": True}, lines))
    invoice_id = view.invoice.id
    backend_ledger.execute(RecordPayment(account, "test", D("100"), (invoice_id,), date(2026, 3, 5)))
    backend_ledger.execute(RecordPayment(account, "test", D("20.5"), (invoice_id,), date(2026, 3, 6)))
    backend_ledger.execute(SendInvoice(account, invoice_id, "email"))
    return account, invoice_id


def test_an_invoice_view_read_in_plain_sql_equals_the_orm_view_column_for_column(
        backend_ledger: Ledger, rich_invoice: tuple[int, int]) -> None:
    account, invoice_id = rich_invoice
    orm = backend_ledger.read(view_of, account, invoice_id)
    plain = read_plain(backend_ledger.engine, invoice_view, account, invoice_id)
    assert isinstance(plain.invoice, Record) and not isinstance(plain.invoice, Invoice)
    _same(Invoice, orm.invoice, plain.invoice)
    assert plain.invoice.payable == orm.invoice.payable  # the model's properties come along
    assert [line.name for line in plain.lines] == [line.name for line in orm.lines]
    for orm_line, plain_line in zip(orm.lines, plain.lines, strict=True):
        _same(InvoiceLine, orm_line, plain_line)
    assert [(p.id, p.amount, p.paid_date, amount) for p, amount in plain.payments] == \
        [(p.id, p.amount, p.paid_date, amount) for p, amount in orm.payments]
    assert all(type(amount) is D for _, amount in plain.payments) and len(plain.payments) == 2


def test_another_accounts_invoice_is_not_found_in_plain_reads(backend_ledger: Ledger,
                                                              rich_invoice: tuple[int, int]) -> None:
    _account, invoice_id = rich_invoice
    other = backend_ledger.write(create_account, "Someone Else").account_id
    with pytest.raises(NotFound):
        read_plain(backend_ledger.engine, invoice_view, other, invoice_id)
    with pytest.raises(NotFound):
        read_plain(backend_ledger.engine, invoice_view, other, 10**12)


def test_pages_of_records_keep_the_asked_order_and_carry_their_lines(backend_ledger: Ledger,
                                                                     rich_invoice: tuple[int, int]) -> None:
    account, first = rich_invoice
    second = backend_ledger.execute(CreateInvoice(account, "test", {"buyer_name": "Nowak"}, (
        LineSpec(name="B", tax=8, price_net=D(1), quantity=D(2)),))).invoice.id

    def page(reader: Any) -> Any:
        return views_of(reader, invoices_by_id(reader, [second, first, 10**9]), with_lines=True)

    views = read_plain(backend_ledger.engine, page)
    assert [v.invoice.id for v in views] == [second, first]
    assert [len(v.lines) for v in views] == [1, 3]
    orm = backend_ledger.read(view_of, account, first)
    _same(Invoice, orm.invoice, views[1].invoice)


def test_an_account_record_equals_the_orm_account(backend_ledger: Ledger, rich_invoice: tuple[int, int]) -> None:
    from core.models import Account
    account, _ = rich_invoice
    _same(Account, backend_ledger.read(account_of, account), read_plain(backend_ledger.engine, account_record, account))
    with pytest.raises(NotFound):
        read_plain(backend_ledger.engine, account_record, 10**9)


def test_a_listed_page_holds_records_equal_to_the_orm_invoices_with_their_lines(
        backend_ledger: Ledger, rich_invoice: tuple[int, int]) -> None:
    from core.queries import InvoiceFilter, Page, list_invoices
    account, invoice_id = rich_invoice
    listed = read_plain(backend_ledger.engine, list_invoices, account, InvoiceFilter(), Page(1, 25), with_lines=True)
    orm = backend_ledger.read(view_of, account, invoice_id)
    assert [v.invoice.id for v in listed] == [invoice_id]
    _same(Invoice, orm.invoice, listed[0].invoice)
    for orm_line, plain_line in zip(orm.lines, listed[0].lines, strict=True):
        _same(InvoiceLine, orm_line, plain_line)


def test_point_reads_see_every_commit_made_since_the_last_one_and_leave_no_transaction_open(
        backend_ledger: Ledger, rich_invoice: tuple[int, int]) -> None:
    """The point-read connection outlives its reads (a thread's own, on SQLite): a read must never
    see an older snapshot than the last commit, nor hold one between reads."""
    from core.commands import UpdateInvoice
    account, invoice_id = rich_invoice
    before = backend_ledger.read_point(invoice_view, account, invoice_id)
    backend_ledger.execute(UpdateInvoice(account, invoice_id, {"description": "Zmieniony opis"}, None))
    after = backend_ledger.read_point(invoice_view, account, invoice_id)
    assert (before.invoice.description, after.invoice.description) == ("Opis", "Zmieniony opis")
    _same(Invoice, backend_ledger.read(view_of, account, invoice_id).invoice, after.invoice)
    with pytest.raises(NotFound):
        backend_ledger.read_point(invoice_view, account + 1000, invoice_id)
    # the failed read rolled back too: a writer can still take the lock and commit at once
    backend_ledger.execute(UpdateInvoice(account, invoice_id, {"description": "Jeszcze raz"}, None))
    assert backend_ledger.read_point(invoice_view, account, invoice_id).invoice.description == "Jeszcze raz"


def test_point_reads_from_several_threads_each_use_a_connection_of_their_own(
        backend_ledger: Ledger, rich_invoice: tuple[int, int]) -> None:
    from concurrent.futures import ThreadPoolExecutor
    account, invoice_id = rich_invoice
    with ThreadPoolExecutor(4) as pool:
        numbers = list(pool.map(lambda _: backend_ledger.read_point(invoice_view, account, invoice_id).invoice.number,
                                range(200)))
    assert set(numbers) == {backend_ledger.read(view_of, account, invoice_id).invoice.number}


def test_every_record_gets_a_json_value_of_its_own_even_the_empty_one_every_line_carries(
        backend_ledger: Ledger, rich_invoice: tuple[int, int]) -> None:
    """A line's `extra` is '{}' almost always and is read without the JSON parser on SQLite: still a dict of
    each record's own, so a caller that fills one changes no other."""
    account, invoice_id = rich_invoice
    lines = backend_ledger.read_point(invoice_view, account, invoice_id).lines
    extras = [line.extra for line in lines]
    assert extras == [{}] * len(lines) and len({id(extra) for extra in extras}) == len(lines) >= 2
    extras[0]["changed"] = True
    again = backend_ledger.read_point(invoice_view, account, invoice_id).lines
    assert [line.extra for line in again] == [{}] * len(lines)


@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
       st.sampled_from([" ", "T"]), st.sampled_from(["auto", "seconds", "milliseconds", "microseconds"]),
       st.sampled_from(["", "+00:00", "+02:00", "-05:30", "Z"]), st.booleans())
def test_stored_utc_text_reads_as_parsing_it_and_then_naming_utc(moment: datetime, sep: str, timespec: str,
                                                                 offset: str, date_alone: bool) -> None:
    """core.storage.sqlite._utc appends the offset instead of replace(): the same instant, the same tzinfo object."""
    text = moment.date().isoformat() if date_alone else moment.isoformat(sep, timespec) + offset
    expected = datetime.fromisoformat(text).replace(tzinfo=timezone.utc)
    found = _utc(text)
    assert found == expected and found.tzinfo is timezone.utc
