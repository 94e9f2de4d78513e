"""Payments in core: allocation in order, over-payments kept on the invoice, and the payment that marking an
invoice paid records and reverting removes. Both backends."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from core.accounts import create_account
from core.commands import ChangeInvoiceStatus, RecordPayment, UpdateInvoice
from core.errors import Invalid
from core.handlers.invoice_state import view_of
from core.handlers.payments import MARKED_PAID
from core.ledger import Ledger
from tests.core.numbering_support import minimal_invoice  # 10.00 net at 23 %: 12.30 payable


@pytest.fixture
def acme(backend_ledger: Ledger) -> int:
    return backend_ledger.write(create_account, "Acme").account_id


def _invoice(ledger: Ledger, account_id: int) -> int:
    return ledger.execute(minimal_invoice(account_id)).invoice.id or 0


def _state(ledger: Ledger, account_id: int, invoice_id: int) -> tuple[str, Decimal, date | None, list[Decimal]]:
    view = ledger.read(view_of, account_id, invoice_id)
    return view.invoice.status, view.invoice.paid, view.invoice.paid_date, [share for _p, share in view.payments]


def test_a_payment_is_shared_in_order_and_the_surplus_stays_on_the_last_invoice(backend_ledger: Ledger,
                                                                                acme: int) -> None:
    first, second = _invoice(backend_ledger, acme), _invoice(backend_ledger, acme)
    view = backend_ledger.execute(RecordPayment(acme, "test", amount=Decimal("30.00"), invoice_ids=(first, second),
                                                paid_date=date(2026, 3, 11)))
    assert [(a.invoice_id, a.amount) for a in view.allocations] == [(first, Decimal("12.30")),
                                                                    (second, Decimal("17.70"))]
    assert _state(backend_ledger, acme, second) == ("paid", Decimal("17.70"), date(2026, 3, 11), [Decimal("17.70")])


def test_marking_paid_records_the_balance_and_reverting_removes_only_it(backend_ledger: Ledger, acme: int) -> None:
    invoice_id = _invoice(backend_ledger, acme)
    backend_ledger.execute(RecordPayment(acme, "test", amount=Decimal("2.30"), invoice_ids=(invoice_id,),
                                         paid_date=date(2026, 3, 11)))
    backend_ledger.execute(UpdateInvoice(acme, invoice_id, fields={"status": "paid", "paid_date": date(2026, 3, 12)}))
    assert _state(backend_ledger, acme, invoice_id) == ("paid", Decimal("12.30"), date(2026, 3, 12),
                                                        [Decimal("2.30"), Decimal("10.00")])
    assert [p.kind for p, _share in backend_ledger.read(view_of, acme, invoice_id).payments][-1] == MARKED_PAID
    backend_ledger.execute(ChangeInvoiceStatus(acme, invoice_id, "draft"))
    assert _state(backend_ledger, acme, invoice_id) == ("draft", Decimal("2.30"), None, [Decimal("2.30")])


def test_a_payment_for_an_invoice_already_paid_is_an_over_payment_of_it(backend_ledger: Ledger, acme: int) -> None:
    invoice_id = _invoice(backend_ledger, acme)
    backend_ledger.execute(ChangeInvoiceStatus(acme, invoice_id, "paid"))
    view = backend_ledger.execute(RecordPayment(acme, "test", amount=Decimal("5.00"), invoice_ids=(invoice_id,)))
    assert [(a.invoice_id, a.amount) for a in view.allocations] == [(invoice_id, Decimal("5.00"))]
    assert _state(backend_ledger, acme, invoice_id)[:2] == ("paid", Decimal("17.30"))


def test_no_client_records_a_payment_of_the_marked_paid_kind(backend_ledger: Ledger, acme: int) -> None:
    with pytest.raises(Invalid) as caught:
        backend_ledger.execute(RecordPayment(acme, "test", amount=Decimal(1), fields={"kind": MARKED_PAID}))
    assert [(e.field, e.code) for e in caught.value.errors] == [("kind", "reserved")]
