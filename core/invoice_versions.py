"""What was made of an invoice, kept per invoice version: a list presents an unchanged invoice once per change.

Migration 0021 (SQLite) keeps a number per invoice that triggers raise in the transaction of every change to a
row an invoice's answer is read from. Per database, this process keeps what a caller made of an invoice (a
dialect's presented JSON, say) under the number it read the invoice at, with a key for everything else the
making depended on (the dialect, the format, the account's settings...). A read that finds the number it kept
something under takes it from memory; any other reads the invoice again.

Numbers only rise and ids are never reused (0007), so a number is never met twice with different rows, as long
as what is kept was made from rows read at a committed state: callers keep only what they made from a read-only
transaction's rows (core.versioned's rule, per invoice instead of per account).

Where the table is absent (PostgreSQL) nothing is kept (versioned() says so), and reads go as before.
"""
from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from typing import Hashable

from sqlalchemy import Engine

from core.reader import Reader

TABLE = "invoice_versions"
# What a page reads as an invoice's number: 0 for an invoice unchanged since before 0021 (no row yet).
VERSION_OF = f"(SELECT {TABLE}.version FROM {TABLE} WHERE {TABLE}.invoice_id = invoices.id)"
# What one database's kept values may take, in bytes of the values (an invoice with five lines is ~2-5 KB as
# JSON or XML, so ~10,000 of them): the least recently used go first past it.
KEPT_BYTES_PER_DATABASE = 32 * 1024 * 1024
# Pages in a row under one key that found nothing kept before the next reads its rows at once (Kept.cold): a client
# polling a page finds it kept on its second read; one paging through everything never does.
COLD_PAGES = 2
COLD_KEYS = 1024  # keys counted per database, the oldest forgotten first


def versioned(reader: Reader) -> bool:
    """Whether invoices have numbers here (SQLite migrated to 0021)."""
    return reader.has_tables(TABLE)


class _Store:
    """One database's kept values, least recently used first, and their size."""

    def __init__(self) -> None:
        self.values: OrderedDict[tuple[Hashable, int], tuple[int, bytes]] = OrderedDict()
        self.size = 0
        self.cold: dict[Hashable, int] = {}  # keys whose last pages found nothing kept: how many in a row


class Kept:
    """Values made of invoices, per database, by (key, invoice id), each under the number it was made at.
    The least recently used go first once a database's values take more than `budget` bytes."""

    def __init__(self, budget: int = KEPT_BYTES_PER_DATABASE) -> None:
        self.budget = budget
        # Per engine: invoice ids and numbers mean nothing outside the database they were read from.
        self._kept: weakref.WeakKeyDictionary[Engine, _Store] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def found(self, engine: Engine, key: Hashable, numbered: list[tuple[int, int]]) -> dict[int, bytes]:
        """What is kept under `key` for these (invoice id, number) pairs at exactly those numbers, by id."""
        found: dict[int, bytes] = {}
        with self._lock:
            store = self._kept.get(engine)
            if store is None:
                return found
            values = store.values
            for invoice_id, version in numbered:
                entry = values.get((key, invoice_id))
                if entry is not None and entry[0] == version:
                    values.move_to_end((key, invoice_id))
                    found[invoice_id] = entry[1]
        return found

    def keep(self, engine: Engine, key: Hashable, made: list[tuple[int, int, bytes]]) -> None:
        """Keep (invoice id, number, value) triples made from a committed state (see the module's note)."""
        with self._lock:
            store = self._kept.get(engine)
            if store is None:
                store = self._kept[engine] = _Store()
            values = store.values
            for invoice_id, version, value in made:
                replaced = values.pop((key, invoice_id), None)
                if replaced is not None:
                    store.size -= len(replaced[1])
                values[(key, invoice_id)] = (version, value)
                store.size += len(value)
            while store.size > self.budget and values:
                store.size -= len(values.popitem(last=False)[1][1])

    def cold(self, engine: Engine, key: Hashable) -> bool:
        """Whether the last COLD_PAGES pages read under `key` found nothing kept (a client paging through
        everything once): the next reads its rows at once, in the page's statement, instead of its keys first."""
        with self._lock:
            store = self._kept.get(engine)
            return store is not None and store.cold.get(key, 0) >= COLD_PAGES

    def mark(self, engine: Engine, key: Hashable, cold: bool) -> None:
        """Count a page read under `key` that found nothing kept (`cold`), or forget the count."""
        with self._lock:
            store = self._kept.get(engine)
            if store is None:
                store = self._kept[engine] = _Store()
            if not cold:
                store.cold.pop(key, None)
                return
            if key not in store.cold and len(store.cold) >= COLD_KEYS:
                store.cold.pop(next(iter(store.cold)))
            store.cold[key] = store.cold.get(key, 0) + 1

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
