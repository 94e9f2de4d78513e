"""The account's dictionaries, read once per request: they turn vatid/unitid/ptid/bank_id into
the values invoices and products store, and stored values back into IDs for listings."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from core.models import DictionaryEntry
from core.reader import Reader, placeholders
from core.tax import parse_tax
from core.versioned import Versions
from dialects.invo.errors import invalid
from dialects.invo.parse import as_id


@dataclass(frozen=True)
class Dictionaries:
    entries: dict[str, list[DictionaryEntry]]

    def of(self, kind: str) -> list[DictionaryEntry]:
        return self.entries.get(kind, [])

    def get(self, kind: str, value: Any, field: str) -> DictionaryEntry:
        """The entry an *id field names; an unknown one is a field error on that field."""
        ident = as_id(value, field)
        for entry in self.of(kind):
            if entry.id == ident:
                return entry
        raise invalid(field, f"no such entry in {kind}")

    def tax_entry(self, code: str) -> DictionaryEntry | None:
        for entry in self.of("taxrates"):
            try:
                if parse_tax(str(entry.data.get("symbol", ""))).code == code:
                    return entry
            except ValueError:
                continue
        return None

    def unit_entry(self, symbol: str) -> DictionaryEntry | None:
        return next((e for e in self.of("units") if e.data.get("symbol") == symbol), None)


# What items need: the tax rate and unit entries behind each line's vatid and unitid.
ITEM_KINDS = ("taxrates", "units")


def load_dictionaries(db: Session | Reader, account_id: int, kinds: tuple[str, ...] | None = None) -> Dictionaries:
    """The account's dictionary entries (of `kinds`, or all), as read-only records."""
    reader = db if isinstance(db, Reader) else Reader(db.connection())
    where = "dictionary_entries.account_id = ?"
    params: list[int | str] = [account_id]
    if kinds is not None:
        where += f" AND dictionary_entries.kind IN ({placeholders(kinds)})"
        params.extend(kinds)
    rows = reader.records(DictionaryEntry, where, params,
                          "dictionary_entries.kind, dictionary_entries.position, dictionary_entries.id")
    entries: dict[str, list[DictionaryEntry]] = {}
    for row in rows:
        entries.setdefault(row.kind, []).append(row)
    return Dictionaries(entries)


# Migration 0018 (SQLite): a number per account raised by every change to its entries.
_VERSIONS: Versions[Dictionaries] = Versions("dictionary_versions")
VERSIONS = _VERSIONS.table


def read_dictionaries(reader: Reader, account_id: int, kinds: tuple[str, ...] | None = None) -> Dictionaries:
    """load_dictionaries in a read-only transaction, reused while the account's number is the one they were read
    at (core.versioned): one point read instead of ~14 rows made into records on every INVO get, list and create.

    Read-only transactions only: a write transaction sees its own uncommitted number, and entries kept under it
    would outlive a rollback that gives the number to somebody else's change."""
    version = _VERSIONS.current(reader, account_id)
    found = _VERSIONS.kept(reader.engine, (account_id, kinds), version)
    if found is None:
        found = load_dictionaries(reader, account_id, kinds)
        _VERSIONS.keep(reader.engine, (account_id, kinds), version, found)
    return found


# The invoice's account's number, read along by a statement over invoices (dialects.kit.kept.read_one: what an
# INVO get with items is kept under). SQLite only, like the table.
DICTIONARIES_VERSION = _VERSIONS.along("invoices.account_id")


def tax_symbol(code: str) -> str:
    """Core tax code -> INVO vatsm: "23" -> "23%", symbolic codes ("zw", "np") as they are."""
    try:
        rate = parse_tax(code)
    except ValueError:
        return code
    return rate.code if rate.is_symbolic else f"{rate.code}%"


def payment_type_of(paytype: DictionaryEntry) -> str:
    data = paytype.data
    if int(data.get("cash_percent") or 0) >= 100:
        return "cash"
    if int(data.get("card") or 0):
        return "card"
    return "transfer"
