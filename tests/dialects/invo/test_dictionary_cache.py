"""INVO's dictionaries are read once per change, not once per request (migration 0018, lookups.read_dictionaries):
every change to an account's entries raises its version in the same transaction, and a read reuses what it
cached only at the version it finds. Each test changes the dictionaries a different way and reads the invoice."""
from __future__ import annotations

import sqlite3
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text

from core.ledger import Ledger
from dialects.invo.lookups import VERSIONS
from tests.core.sql_trace import Trace
from tests.dialects.invo.conftest import Api

ITEM = {"product": "Konsultacja", "count": 2, "pnetto": Decimal("100.00"), "vatsm": "23%"}


@pytest.fixture
def unit(api: Api) -> int:
    return int(api("dictionaries", {"action": "add", "what": "units", "c3": "Roboczogodzina", "c4": "rbh",
                                    "c5": 2})["id"])


@pytest.fixture
def invoice(api: Api, customer_id: int, unit: int) -> int:
    made = api("invoices", {"action": "add", "c1id": customer_id, "mdate": "2026-12-07",
                            "items": [{**ITEM, "unitid": unit}]})
    return int(made["id"])


def item_unit(api: Api, invoice: int) -> int:
    """The unitid INVO shows on the invoice's item: the entry of the account's units with the item's symbol."""
    return int(api("invoices", {"action": "list", "id": invoice, "items": 1})["rows"][0]["items"][0]["unitid"])


def test_a_warm_get_reads_the_version_and_no_dictionary_entries(trace: Trace, api: Api, invoice: int,
                                                                 unit: int) -> None:
    assert item_unit(api, invoice) == unit  # the first read after the change fills the cache
    trace.on = True
    assert item_unit(api, invoice) == unit
    read = [sql for _thread, sql in trace.seen]
    assert any(VERSIONS in sql for sql in read), read
    assert not any("FROM dictionary_entries" in sql for sql in read), read


def test_an_entry_changed_through_invo_shows_in_the_next_read(api: Api, invoice: int, unit: int) -> None:
    assert item_unit(api, invoice) == item_unit(api, invoice) == unit
    api("dictionaries", {"action": "edit", "what": "units", "id": unit, "c4": "h"})  # the item keeps "rbh"
    assert item_unit(api, invoice) == 0
    again = int(api("dictionaries", {"action": "add", "what": "units", "c3": "Godzina", "c4": "rbh"})["id"])
    assert item_unit(api, invoice) == again
    api("dictionaries", {"action": "delete", "what": "units", "id": again})
    assert item_unit(api, invoice) == 0


def test_an_entry_changed_by_another_process_shows_in_the_next_read(api: Api, invoice: int, unit: int,
                                                                    database_url: str) -> None:
    assert item_unit(api, invoice) == item_unit(api, invoice) == unit
    other = sqlite3.connect(database_url.removeprefix("sqlite:///"))  # not the gateway's engine, nor its cache
    try:
        with other:
            other.execute("UPDATE dictionary_entries SET data = json_set(data, '$.symbol', 'x') WHERE id = ?",
                          (unit,))
    finally:
        other.close()
    assert item_unit(api, invoice) == 0


def test_a_change_rolled_back_leaves_the_version_and_what_reads_see(api: Api, invoice: int, unit: int,
                                                                    ledger: Ledger, account: dict[str, Any]) -> None:
    assert item_unit(api, invoice) == unit

    def change_then_fail(session: Any) -> None:
        session.execute(text("UPDATE dictionary_entries SET data = json_set(data, '$.symbol', 'x') WHERE id = :id"),
                        {"id": unit})
        raise RuntimeError("refused after the change")

    def version(session: Any) -> int:
        return int(session.execute(text(f"SELECT version FROM {VERSIONS} WHERE account_id = :a"),
                                   {"a": account["account_id"]}).scalar_one())
    before = ledger.read(version)
    with pytest.raises(RuntimeError):
        ledger.write(change_then_fail)
    assert ledger.read(version) == before
    assert item_unit(api, invoice) == unit


def test_each_account_reads_its_own_dictionaries(api: Api, other_api: Api, invoice: int, unit: int) -> None:
    other_customer = int(other_api("customers", {"action": "add", "name": "Nowak", "taxid": "525-244-57-67"})["id"])
    other_unit = int(other_api("dictionaries", {"action": "add", "what": "units", "c3": "Sztuka", "c4": "rbh"})["id"])
    other_invoice = int(other_api("invoices", {"action": "add", "c1id": other_customer, "mdate": "2026-12-07",
                                               "items": [{**ITEM, "unitid": other_unit}]})["id"])
    for _ in range(2):
        assert (item_unit(api, invoice), item_unit(other_api, other_invoice)) == (unit, other_unit)
