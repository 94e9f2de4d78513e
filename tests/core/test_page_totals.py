"""A page and its total in one statement (core.queries.page_with_total): the total rides the page statement
as a scalar subquery, and a page with no rows (past the end, or nothing matches) still gets its total."""
from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from core.accounts import create_account
from core.commands import CreateInvoice, LineSpec
from core.ledger import Ledger
from core.queries import InvoiceFilter, Page, count_invoices, page_with_total


def test_every_page_carries_the_total_of_its_filter_on_every_backend_even_past_the_end(
        backend_ledger: Ledger) -> None:
    account = backend_ledger.write(create_account, "Totals").account_id
    other = backend_ledger.write(create_account, "Someone else").account_id
    for owner, kind, buyer in ((account, "vat", "Kowalski"), (account, "vat", "Nowak"),
                               (account, "proforma", "Kowalski"), (other, "vat", "Kowalski")):
        backend_ledger.execute(CreateInvoice(owner, "test", {"kind": kind, "buyer_name": buyer,
                                                             "issue_date": date(2026, 3, 1)},
                                             (LineSpec(name="Usługa", tax=23, price_net=D("10"), quantity=D(1)),)))
    filters = {"all": InvoiceFilter(), "vat": InvoiceFilter(kinds=("vat",)), "none": InvoiceFilter(kinds=("x",)),
               "search": InvoiceFilter(search="Kowal"), "short search": InvoiceFilter(search="No"),
               "dated": InvoiceFilter(date_from=date(2026, 1, 1))}
    expected = {"all": 3, "vat": 2, "none": 0, "search": 2, "short search": 1, "dated": 3}
    for page in (Page(1, 2), Page(2, 2), Page(9, 2)):
        for order in ((("id", False),), (("id", True),), (("issue_date", False),)):
            got = {name: backend_ledger.read_plain(page_with_total, account, f, page, order)
                   for name, f in filters.items()}
            assert {name: total for name, (_views, total) in got.items()} == expected, (page, order)
            assert {name: len(views) for name, (views, _total) in got.items()} == {
                name: max(0, min(2, total - page.offset)) for name, total in expected.items()}, (page, order)
    assert {name: backend_ledger.read_plain(count_invoices, account, f) for name, f in filters.items()} == expected
