"""Invoice handler rules, driven through commands as the dialects drive them."""
from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from typing import Any

import pytest
from sqlalchemy import func, select

from core.accounts import create_account
from core.commands import (
    CancelInvoice,
    ChangeInvoiceStatus,
    CreateInvoice,
    CreateRecord,
    DeleteInvoice,
    LineSpec,
    RecordPayment,
    UpdateInvoice,
)
from core.errors import Invalid
from core.handlers.invoice_state import view_of
from core.ledger import Ledger
from core.models import Client, Invoice, InvoiceLine

SEED_FIELDS = {"kind": "vat", "sell_date": date(2013, 1, 16), "issue_date": date(2013, 1, 16),
               "payment_to": date(2013, 1, 23), "seller_name": "Wystawca Sp. z o.o.", "seller_tax_no": "5252445767",
               "buyer_name": "Klient1 Sp. z o.o.", "buyer_tax_no": "5252445767"}
SEED_LINES = (LineSpec(name="Produkt A1", tax=23, total_gross=D("10.23"), quantity=D(1)),
              LineSpec(name="Produkt A2", tax=0, total_gross=D(50), quantity=D(3)))


@pytest.fixture
def acme(backend_ledger: Ledger) -> int:
    return backend_ledger.write(create_account, "Acme").account_id


def _count(ledger: Ledger, model: type) -> int:
    return ledger.read(lambda s: s.execute(select(func.count()).select_from(model)).scalar_one())


def test_seed_invoice_totals_58_32_net_1_91_tax_60_23_gross(backend_ledger: Ledger, acme: int) -> None:
    invoice = backend_ledger.execute(CreateInvoice(acme, "test", SEED_FIELDS, SEED_LINES)).invoice
    assert (invoice.price_net, invoice.price_tax, invoice.price_gross) == (D("58.32"), D("1.91"), D("60.23"))
    assert (invoice.number, invoice.status, invoice.payment_to_kind) == ("1/01/2013", "issued", "other_date")
    assert len(invoice.token) == 22


def test_buyer_is_matched_to_an_existing_client_by_name_and_normalised_tax_no(backend_ledger: Ledger,
                                                                              acme: int) -> None:
    first = backend_ledger.execute(CreateInvoice(acme, "test", SEED_FIELDS, SEED_LINES)).invoice
    second = backend_ledger.execute(CreateInvoice(acme, "test", {**SEED_FIELDS, "buyer_tax_no": "PL 525-244-57-67"},
                                               SEED_LINES)).invoice
    assert first.client_id == second.client_id
    assert _count(backend_ledger, Client) == 1


def test_client_id_minus_one_always_creates_a_new_client(backend_ledger: Ledger, acme: int) -> None:
    backend_ledger.execute(CreateInvoice(acme, "test", SEED_FIELDS, SEED_LINES))
    backend_ledger.execute(CreateInvoice(acme, "test", {**SEED_FIELDS, "client_id": -1}, SEED_LINES))
    assert _count(backend_ledger, Client) == 2


def test_product_lines_take_name_price_and_tax_from_the_catalogue(backend_ledger: Ledger, acme: int) -> None:
    product = backend_ledger.execute(CreateRecord("product", acme, {"name": "Szkolenie", "price_net": D("100"),
                                                                 "tax": "23"}))
    view = backend_ledger.execute(CreateInvoice(acme, "test", {"buyer_name": "X", "payment_to_kind": "5",
                                                            "issue_date": date(2026, 1, 2)},
                                             (LineSpec(product_id=product.id, quantity=D(2)),)))
    line = view.lines[0]
    assert (line.name, line.total_net, line.total_gross) == ("Szkolenie", D("200.00"), D("246.00"))
    assert view.invoice.payment_to == date(2026, 1, 7)


def test_correction_invoice_counts_the_difference_between_after_and_before(backend_ledger: Ledger, acme: int) -> None:
    original = backend_ledger.execute(CreateInvoice(acme, "test", SEED_FIELDS, SEED_LINES)).invoice
    line = LineSpec(kind="correction", name="Produkt A1",
                    before=LineSpec(name="Produkt A1", quantity=D(2), total_gross=D(20), tax="23"),
                    after=LineSpec(name="Produkt A1", quantity=D(1), total_gross=D(10), tax="23"))
    view = backend_ledger.execute(CreateInvoice(acme, "test", {"kind": "correction", "from_invoice_id": original.id,
                                                            "issue_date": date(2013, 2, 1)}, (line,)))
    diff = view.lines_of("correction")[0]
    assert (diff.quantity, diff.total_gross, view.invoice.price_gross) == (D(-1), D("-10.00"), D("-10.00"))
    assert view.invoice.buyer_name == original.buyer_name and view.invoice.number == "K1/02/2013"


def test_payments_settle_invoices_in_the_order_given(backend_ledger: Ledger, acme: int) -> None:
    a = backend_ledger.execute(CreateInvoice(acme, "test", {"buyer_name": "X"}, (LineSpec(name="a", price_gross=D(100),
                                                                                       tax="23"),))).invoice
    b = backend_ledger.execute(CreateInvoice(acme, "test", {"buyer_name": "X"}, (LineSpec(name="b", price_gross=D(200),
                                                                                       tax="23"),))).invoice
    backend_ledger.execute(RecordPayment(acme, "test", amount=D(200), invoice_ids=(a.id, b.id)))
    a2, b2 = (backend_ledger.read(view_of, acme, i.id).invoice for i in (a, b))
    assert (a2.status, a2.paid, b2.status, b2.paid) == ("paid", D(100), "partial", D(100))
    backend_ledger.execute(RecordPayment(acme, "test", invoice_ids=(b.id,)))
    assert backend_ledger.read(view_of, acme, b.id).invoice.status == "paid"


def test_failed_validation_changes_nothing(backend_ledger: Ledger, acme: int) -> None:
    before = (_count(backend_ledger, Invoice), _count(backend_ledger, Client), _count(backend_ledger, InvoiceLine))
    with pytest.raises(Invalid) as caught:
        backend_ledger.execute(CreateInvoice(acme, "test", {"buyer_name": "New buyer"},
                                          (LineSpec(name="ok", price_net=D(1), tax="23"),
                                           LineSpec(name="bad", tax="abc"))))
    assert caught.value.errors[0].field == "lines.1.tax"
    assert (_count(backend_ledger, Invoice), _count(backend_ledger, Client),
            _count(backend_ledger, InvoiceLine)) == before


def test_invoice_needs_a_buyer_and_lines(backend_ledger: Ledger, acme: int) -> None:
    with pytest.raises(Invalid) as no_buyer:
        backend_ledger.execute(CreateInvoice(acme, "test", {}, SEED_LINES))
    with pytest.raises(Invalid) as no_lines:
        backend_ledger.execute(CreateInvoice(acme, "test", {"buyer_name": "X"}, ()))
    assert no_buyer.value.errors[0].field == "client_id" and no_lines.value.errors[0].field == "lines"


def test_update_changes_one_line_and_keeps_the_others(backend_ledger: Ledger, acme: int) -> None:
    view = backend_ledger.execute(CreateInvoice(acme, "test", SEED_FIELDS, SEED_LINES))
    first, second = view.lines
    updated = backend_ledger.execute(UpdateInvoice(acme, view.invoice.id, {}, (LineSpec(id=first.id, quantity=D(2)),)))
    lines = {line.id: line for line in updated.lines}
    assert lines[first.id].total_gross == D("20.46") and lines[second.id].total_gross == second.total_gross
    assert updated.invoice.price_gross == D("70.46")


def test_oid_unique_refuses_a_second_invoice_for_the_same_order(backend_ledger: Ledger, acme: int) -> None:
    backend_ledger.execute(CreateInvoice(acme, "test", {**SEED_FIELDS, "oid": "order-1"}, SEED_LINES, oid_unique=True))
    with pytest.raises(Invalid):
        backend_ledger.execute(CreateInvoice(acme, "test", {**SEED_FIELDS, "oid": "order-1"}, SEED_LINES,
                                             oid_unique=True))


def test_status_cancel_and_delete(backend_ledger: Ledger, acme: int) -> None:
    invoice = backend_ledger.execute(CreateInvoice(acme, "test", SEED_FIELDS, SEED_LINES)).invoice
    paid = backend_ledger.execute(ChangeInvoiceStatus(acme, invoice.id, "paid")).invoice
    assert (paid.status, paid.paid) == ("paid", D("60.23"))
    assert backend_ledger.execute(CancelInvoice(acme, invoice.id, "mistake")).invoice.status == "cancelled"
    backend_ledger.execute(DeleteInvoice(acme, invoice.id))
    assert _count(backend_ledger, Invoice) == 0 and _count(backend_ledger, InvoiceLine) == 0


def test_sek_invoice_keeps_cash_rounding_apart_from_vat(backend_ledger: Ledger, acme: int) -> None:
    invoice = backend_ledger.execute(CreateInvoice(acme, "test", {"buyer_name": "AB", "currency": "SEK"},
                                                (LineSpec(name="x", price_net=D("765.00"), tax="25"),))).invoice
    assert (invoice.price_net, invoice.price_tax, invoice.cash_rounding, invoice.payable) == (
        D("765.00"), D("191.25"), D("-0.25"), D("956.00"))


def test_one_account_cannot_reach_another_accounts_invoice(backend_ledger: Ledger, acme: int) -> None:
    other = backend_ledger.write(create_account, "Other").account_id
    invoice = backend_ledger.execute(CreateInvoice(acme, "test", SEED_FIELDS, SEED_LINES)).invoice
    from core.errors import NotFound
    with pytest.raises(NotFound):
        backend_ledger.read(view_of, other, invoice.id)
    with pytest.raises(NotFound):
        backend_ledger.execute(DeleteInvoice(other, invoice.id))


def _five_lines(acme: int) -> CreateInvoice:
    return CreateInvoice(acme, "test", {"buyer_name": "Klient", "issue_date": date(2026, 3, 10)},
                         tuple(LineSpec(name=f"Pozycja {i}", price_net=D(i + 1), tax="23") for i in range(5)),
                         match_client=False)


def _stored_lines(ledger: Ledger, invoice_id: int) -> list[tuple[int, int, str]]:
    return [tuple(row) for row in ledger.read(lambda s: s.execute(  # type: ignore[misc]
        select(InvoiceLine.id, InvoiceLine.position, InvoiceLine.name)
        .where(InvoiceLine.invoice_id == invoice_id).order_by(InvoiceLine.id)).all())]


def test_the_lines_a_create_answers_with_are_the_stored_ones_in_order(backend_ledger: Ledger, acme: int) -> None:
    view = backend_ledger.execute(_five_lines(acme))
    answered = [(line.id, line.position, line.name) for line in view.lines]
    assert answered == _stored_lines(backend_ledger, view.invoice.id)
    assert [name for _id, _pos, name in answered] == [f"Pozycja {i}" for i in range(5)]


def test_line_ids_of_a_deleted_newest_invoice_are_never_given_again(backend_ledger: Ledger, acme: int) -> None:
    """Line ids are shown (InvoiceOcean positions, INVO items) and sent back to edit a line: a deleted one
    must never name a line of another invoice (AUTOINCREMENT on SQLite; the batch INSERT's ids then stay
    consecutive and in order)."""
    from core.commands import DeleteInvoice

    gone = backend_ledger.execute(_five_lines(acme))
    backend_ledger.execute(DeleteInvoice(acme, gone.invoice.id or 0))
    view = backend_ledger.execute(_five_lines(acme))
    answered = [(line.id, line.position, line.name) for line in view.lines]
    assert sorted(answered) == _stored_lines(backend_ledger, view.invoice.id or 0)
    assert min(line.id or 0 for line in view.lines) > max(line.id or 0 for line in gone.lines)
    assert view.invoice.id != gone.invoice.id


def test_a_create_writes_its_lines_in_one_insert_and_rereads_nothing(backend_ledger: Ledger, acme: int,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy import event

    from core.reader import Reader
    from core.storage import writes

    seen: list[str] = []
    listener = lambda *args: seen.append(" ".join(args[2].split()))  # noqa: E731
    plain = Reader.execute

    def execute(self: Reader, sql: str, params: Any = ()) -> Any:  # the plain reads (core.reader) too
        seen.append(" ".join(sql.split()))
        return plain(self, sql, params)

    monkeypatch.setattr(Reader, "execute", execute)
    plain_write = writes.run

    def run(cursor: Any, sql: str, params: Any) -> Any:  # the plain writes (core.storage.writes) too
        seen.append(" ".join(sql.split()))
        return plain_write(cursor, sql, params)

    monkeypatch.setattr(writes, "run", run)
    event.listen(backend_ledger.engine, "before_cursor_execute", listener)
    try:
        backend_ledger.execute(_five_lines(acme))
    finally:
        event.remove(backend_ledger.engine, "before_cursor_execute", listener)
    writes = [s.split(" (")[0].split(" SET")[0] for s in seen if s.startswith(("INSERT", "UPDATE", "WITH"))]
    # sqlite_master: the storage asks once per connection which SQLite-only tables exist (has_tables), not per create
    # (the account's read names webhooks in its subquery, after its own FROM accounts)
    reads = ["accounts" if " FROM accounts CROSS JOIN " in s else s.split(" WHERE")[0].split(" FROM ")[-1] for s in seen
             if s.startswith("SELECT") and "sqlite_master" not in s]
    # ... and, in the same transaction, its domain event (core/events.py), after reading which webhooks listen.
    if backend_ledger.engine.dialect.name == "sqlite":  # numbered first, inserted with its number
        # the search document's mark around the invoice and its lines: written once, not once for the header
        # and once per line (migrations 0015, 0016)
        assert writes == ["INSERT INTO number_counters", "INSERT INTO invoices_fts_deferred", "INSERT INTO invoices",
                          "INSERT INTO invoice_lines", "INSERT INTO events"]
    else:  # numbered last: counter and number in one statement, just before the commit
        assert writes == ["INSERT INTO invoices", "INSERT INTO invoice_lines", "WITH counter AS", "INSERT INTO events"]
    # number_counters (numbered last): the one read that makes sure the next automatic number is not already
    # stored (numbering.skip_taken: issue 24, a stray number must never block a series); numbered first, the
    # counter's upsert returns that answer itself (numbering.allocate).
    # The seller side (core.reference_cache), read at once on the account's first create: accounts, with whether
    # any webhook of the account listens, so that the event needs no read of them; its departments; their bank
    # accounts shown on invoices, which a new invoice carries (issue 23). On SQLite the account's number
    # (reference_versions, 0019) comes first; a later create finds it unchanged and reads none of the three.
    seller = ["accounts", "departments",
              "bank_accounts JOIN bank_account_departments AS link ON link.bank_account_id = bank_accounts.id"]
    if backend_ledger.engine.dialect.name == "sqlite":
        assert reads == ["reference_versions", *seller]
    else:
        assert reads == [*seller, "number_counters"]


def test_on_postgresql_a_create_sends_nothing_psycopg_must_parse_again(postgres_url: str,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """psycopg rewrites `%(name)s` placeholders to `$n` by parsing the query, and caches that only for statements
    of at most 50 parameters: the invoice's INSERT (88) and its lines' (125) were parsed on every create. Now
    they go on a raw cursor in `$n` form (core.storage.postgres.insert_sql); the rest are cached after once.
    Nor does a create build a statement with SQLAlchemy's expression language any more (the number's was ~40 %
    of its CPU: numbering._bump_into): nothing goes through SQLAlchemy's execution."""
    from psycopg import _queries
    from sqlalchemy import event

    from gateway.db import make_engine
    from gateway.migrations import upgrade

    upgrade(postgres_url)
    ledger = Ledger(make_engine(postgres_url))
    account = ledger.write(create_account, "Acme").account_id
    ledger.execute(_five_lines(account))  # the short statements' conversions, cached once
    parsed: list[bytes] = []
    split = _queries._split_query

    def recorded(query: bytes, *args: Any, **kwargs: Any) -> Any:
        parsed.append(query)
        return split(query, *args, **kwargs)

    monkeypatch.setattr(_queries, "_split_query", recorded)
    built: list[str] = []
    listener = lambda *args: built.append(args[2])  # noqa: E731
    event.listen(ledger.engine, "before_cursor_execute", listener)
    try:
        view = ledger.execute(_five_lines(account))
    finally:
        event.remove(ledger.engine, "before_cursor_execute", listener)
    assert parsed == []
    assert built == []
    assert [line.name for line in view.lines] == [f"Pozycja {i}" for i in range(5)]
    assert _stored_lines(ledger, view.invoice.id or 0) == [(line.id, line.position, line.name) for line in view.lines]


def test_a_public_token_is_22_uniform_base62_letters_and_a_short_draw_is_drawn_again(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import string
    from collections import Counter

    from core.handlers import invoice_state
    letters = Counter(ch for _ in range(4_000) for ch in invoice_state.new_token())
    alphabet = string.ascii_letters + string.digits
    assert set(letters) == set(alphabet)
    expected = 4_000 * 22 / 62  # ~1,419 each; a letter past ±20 % would be a bias of the mapping, not chance
    assert all(0.8 * expected < count < 1.2 * expected for count in letters.values()), letters
    # Bytes 248..255 are refused (they would favour the first eight letters): a draw that keeps fewer than 22
    # is thrown away whole, and byte 247 is the last letter, byte 0 the first.
    draws = iter([bytes([255] * 10 + [0] * 18), bytes([247] * 22 + [248] * 6)])
    monkeypatch.setattr(invoice_state.secrets, "token_bytes", lambda n: next(draws))
    assert invoice_state.new_token() == alphabet[247 % 62] * 22
