"""A create's seller side (account, departments, their bank accounts, whether webhooks listen) is read once per
change (core.reference_cache, migration 0019): every change to those rows raises the account's number in the
same transaction, a create reuses what its process read only at the number it finds, and what a transaction
read is kept only once that transaction has committed. Each test changes the rows one way and creates again."""
from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from sqlalchemy import text

from core.accounts import create_account
from core.commands import CreateRecord, UpdateRecord
from core.ledger import Ledger
from core.models import Account, Department
from core.reference_cache import VERSIONS
from tests.core.numbering_support import minimal_invoice
from tests.core.test_banking import main_department


@pytest.fixture
def acme(ledger: Ledger) -> int:
    return ledger.write(create_account, "Acme").account_id


def _seller(ledger: Ledger, account_id: int) -> tuple[str, list[str]]:
    view = ledger.execute(minimal_invoice(account_id))
    return view.invoice.seller_name, [bank.bank_account_number for bank in view.bank_accounts]


def _version(ledger: Ledger, account_id: int) -> int:
    return ledger.read(lambda session: _version_in(session, account_id))


def test_a_department_renamed_or_given_a_bank_account_shows_on_the_next_invoice(ledger: Ledger, acme: int) -> None:
    main = main_department(ledger, acme)
    assert _seller(ledger, acme) == _seller(ledger, acme) == ("Acme", [])  # the second from memory
    ledger.execute(UpdateRecord("department", acme, main, {"name": "Acme Sp. z o.o."}))
    assert _seller(ledger, acme) == ("Acme Sp. z o.o.", [])
    ledger.execute(CreateRecord("bank_account", acme, {"bank_account_number": "PL11 1111"},
                                ({"department_id": main, "show_on_invoice": True},)))
    assert _seller(ledger, acme) == _seller(ledger, acme) == ("Acme Sp. z o.o.", ["PL11 1111"])


def test_the_accounts_own_settings_changed_show_on_the_next_invoice(ledger: Ledger, acme: int) -> None:
    assert ledger.execute(minimal_invoice(acme)).invoice.currency == "PLN"

    def to_euro(session: Any) -> None:
        session.get(Account, acme).currency = "EUR"
    ledger.write(to_euro)
    assert ledger.execute(minimal_invoice(acme)).invoice.currency == "EUR"


def test_a_change_by_another_process_shows_on_the_next_invoice(ledger: Ledger, acme: int, database_url: str) -> None:
    assert _seller(ledger, acme) == _seller(ledger, acme) == ("Acme", [])
    other = sqlite3.connect(database_url.removeprefix("sqlite:///"))  # not this ledger's engine, nor its memory
    try:
        with other:
            other.execute("UPDATE departments SET name = 'Elsewhere' WHERE account_id = ?", (acme,))
    finally:
        other.close()
    assert _seller(ledger, acme) == ("Elsewhere", [])


def test_rows_read_by_a_transaction_that_rolls_back_are_never_reused(ledger: Ledger, acme: int) -> None:
    """The rolled-back rename's number is the next committed rename's too: rows kept from the rolled-back
    transaction would be taken for the committed change's."""
    main = main_department(ledger, acme)
    assert _seller(ledger, acme) == ("Acme", [])
    before, seen = _version(ledger, acme), []

    def rename(name: str) -> Any:
        def write(session: Any) -> None:
            session.get(Department, main).name = name
            session.flush()  # the trigger raises the number in this transaction
            seen.append(_version_in(session, acme))
        return write

    def rename_create_then_fail(session: Any) -> None:
        rename("Never")(session)
        assert ledger.execute(minimal_invoice(acme)).invoice.seller_name == "Never"  # read at that number
        raise RuntimeError("refused after the create")
    with pytest.raises(RuntimeError):
        ledger.write(rename_create_then_fail)
    assert _version(ledger, acme) == before
    ledger.write(rename("Committed"))
    assert seen[0] == seen[1] == _version(ledger, acme) > before  # the same number, given twice
    assert _seller(ledger, acme) == ("Committed", [])


def _version_in(session: Any, account_id: int) -> int:
    return int(session.execute(text(f"SELECT version FROM {VERSIONS.table} WHERE account_id = :a"),
                               {"a": account_id}).scalar() or 0)


def test_each_account_issues_from_its_own_seller_side(ledger: Ledger, acme: int) -> None:
    other = ledger.write(create_account, "Other").account_id
    for _ in range(2):
        assert (_seller(ledger, acme), _seller(ledger, other)) == (("Acme", []), ("Other", []))
