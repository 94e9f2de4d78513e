"""What was made of an invoice, kept per invoice version: a list presents an unchanged invoice once per change.

Migration 0021 (SQLite) keeps a number per invoice that triggers raise in the transaction of every change to a
row an invoice's answer is read from. Per database, this process keeps what a caller made of an invoice (a
dialect's presented JSON, say) under the number it read the invoice at, with a key for everything else the
making depended on (the dialect, the format, the account's settings...). A read that finds the number it kept
something under takes it from memory; any other reads the invoice again.

Numbers only rise and ids are never reused (0007), so a number is never met twice with different rows, as long
as what is kept was made from rows read at a committed state: callers keep only what they made from a read-only
transaction's rows (core.versioned's rule, per invoice instead of per account).

Where the table is absent (PostgreSQL) every number reads as None, nothing is kept, and pages read rows as before.
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
# Kept per database: ~2-4 KB each for an invoice with five lines presented as JSON, so ~40 MB at most.
KEPT_PER_DATABASE = 10_000


def versioned(reader: Reader) -> bool:
    """Whether invoices have numbers here (SQLite migrated to 0021)."""
    return reader.has_tables(TABLE)


class Kept:
    """Values made of invoices, per database, by (key, invoice id), each under the number it was made at.
    The least recently used goes first once a database holds `limit` of them."""

    def __init__(self, limit: int = KEPT_PER_DATABASE) -> None:
        self.limit = limit
        # Per engine: invoice ids and numbers mean nothing outside the database they were read from.
        self._kept: weakref.WeakKeyDictionary[Engine, OrderedDict[tuple[Hashable, int], tuple[int, bytes]]] = (
            weakref.WeakKeyDictionary())
        self._lock = threading.Lock()

    def found(self, engine: Engine, key: Hashable, numbered: list[tuple[int, int | None]]) -> dict[int, bytes]:
        """What is kept under `key` for these (invoice id, number) pairs at exactly those numbers, by id."""
        kept = self._kept.get(engine)
        if kept is None:
            return {}
        found: dict[int, bytes] = {}
        with self._lock:
            for invoice_id, version in numbered:
                entry = kept.get((key, invoice_id))
                if entry is not None and entry[0] == version:
                    kept.move_to_end((key, invoice_id))
                    found[invoice_id] = entry[1]
        return found

    def keep(self, engine: Engine, key: Hashable, made: list[tuple[int, int | None, bytes]]) -> None:
        """Keep (invoice id, number, value) triples made from a committed state (see the module's note);
        a None number (no table) keeps nothing."""
        with self._lock:
            kept = self._kept.get(engine)
            if kept is None:
                kept = self._kept[engine] = OrderedDict()
            for invoice_id, version, value in made:
                if version is None:
                    continue
                kept[(key, invoice_id)] = (version, value)
                kept.move_to_end((key, invoice_id))
            while len(kept) > self.limit:
                kept.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
