"""The bank accounts an invoice carries, on both backends: the department's shown ones by default (the main
department's without a department_id), the given ones instead, matched by normalised number, and kept as
attached when the account changes; plain reads (gets and lists) see the same as the writer's view."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from core.accounts import create_account
from core.commands import CreateRecord, DeleteInvoice, DeleteRecord, UpdateInvoice, UpdateRecord
from core.handlers.banking import normalise_number
from core.invoice_reads import invoice_view, views_of
from core.ledger import Ledger
from core.models import Department, Invoice, InvoiceBankAccount
from tests.core.numbering_support import minimal_invoice


@pytest.fixture
def acme(backend_ledger: Ledger) -> int:
    return backend_ledger.write(create_account, "Acme").account_id


def main_department(ledger: Ledger, account_id: int) -> int:
    return ledger.read(lambda s: s.execute(select(Department.id).where(
        Department.account_id == account_id, col(Department.main).is_(True))).scalar_one())


def _bank(ledger: Ledger, account_id: int, number: str, *links: dict[str, Any], **fields: Any) -> Any:
    return ledger.execute(CreateRecord("bank_account", account_id, {"bank_account_number": number, **fields},
                                       tuple(links)))


def _numbers(view: Any) -> list[str]:
    return [copy.bank_account_number for copy in view.bank_accounts]


def test_a_new_invoice_carries_its_main_departments_shown_accounts(backend_ledger: Ledger, acme: int) -> None:
    main = main_department(backend_ledger, acme)
    _bank(backend_ledger, acme, "PL22 2222", {"department_id": main, "show_on_invoice": True})
    _bank(backend_ledger, acme, "PL11 1111", {"department_id": main, "show_on_invoice": True,
                                               "main_on_department": True})
    _bank(backend_ledger, acme, "PL33 3333", {"department_id": main, "show_on_invoice": False})
    created = backend_ledger.execute(minimal_invoice(acme))
    assert _numbers(created) == ["PL11 1111", "PL22 2222"]  # the main account first
    read = backend_ledger.read_plain(invoice_view, acme, created.invoice.id)
    assert _numbers(read) == _numbers(created)
    listed = backend_ledger.read_plain(lambda r: views_of(r, [read.invoice], with_lines=False))
    assert _numbers(listed[0]) == _numbers(created)


def test_given_accounts_replace_the_departments_and_are_matched_by_number(backend_ledger: Ledger, acme: int) -> None:
    main = main_department(backend_ledger, acme)
    kept = _bank(backend_ledger, acme, "61 1090 1014 0000 0712 1981 2874", {"department_id": main,
                                                                           "show_on_invoice": True},
                 bank_name="Stored")
    given = ({"bank_account_number": "PL61-1090-1014-0000-0712-1981-2874", "bank_name": "Ignored"},)
    created = backend_ledger.execute(replace(minimal_invoice(acme), bank_accounts=given))
    assert [(c.bank_account_id, c.bank_name) for c in created.bank_accounts] == [(kept.id, "Stored")]
    replaced = backend_ledger.execute(UpdateInvoice(acme, created.invoice.id, bank_accounts=(
        {"bank_account_number": "DE89 3704 0044 0532 0130 00"},)))
    assert _numbers(replaced) == ["DE89 3704 0044 0532 0130 00"]
    assert normalise_number("61 1090 1014 0000 0712 1981 2874") == "PL61109010140000071219812874"


def test_an_invoice_keeps_its_copy_when_the_account_changes_and_drops_it_when_deleted(backend_ledger: Ledger,
                                                                                      acme: int) -> None:
    main = main_department(backend_ledger, acme)
    bank = _bank(backend_ledger, acme, "PL11 1111", {"department_id": main, "show_on_invoice": True})
    created = backend_ledger.execute(minimal_invoice(acme))
    backend_ledger.execute(UpdateRecord("bank_account", acme, bank.id, {"bank_account_number": "PL99 9999"}))
    backend_ledger.execute(DeleteRecord("bank_account", acme, bank.id))
    assert _numbers(backend_ledger.read_plain(invoice_view, acme, created.invoice.id)) == ["PL11 1111"]
    backend_ledger.execute(DeleteInvoice(acme, created.invoice.id))
    for model in (InvoiceBankAccount, Invoice):
        assert backend_ledger.read(lambda s, m=model: s.execute(select(func.count()).select_from(m)).scalar_one()) == 0
