"""Rows read once per change instead of once per request.

A table of one number per account (migrations 0018 and 0019, SQLite) that triggers raise in the transaction of
every change to the rows the number covers; per database, this process keeps the rows it read at each
account's number. A read that finds the number it kept rows under takes them from memory; any other reads
them again. The number only rises and ids are never reused (0007), so a number is never met twice with
different rows, as long as what is kept was read at a committed state: callers keep rows read in a read-only
transaction, or in a write transaction only once it has committed (core.reference_cache).

Where the table is absent (PostgreSQL, where one more row per change would be one more lock) nothing is kept
and callers read as before. The values kept are shared between requests: callers only read them.
"""
from __future__ import annotations

import threading
import weakref
from typing import Generic, Hashable, TypeVar

from sqlalchemy import Engine

from core.reader import Reader

V = TypeVar("V")

KEPT_PER_DATABASE = 4_096  # keys kept per database; past that the oldest kept goes


class Versions(Generic[V]):
    """The rows one version table covers, kept per database (engine) by key."""

    def __init__(self, table: str, limit: int = KEPT_PER_DATABASE) -> None:
        self.table = table
        self.limit = limit
        # Per engine: account ids and numbers mean nothing outside the database they were read from.
        self._kept: weakref.WeakKeyDictionary[Engine, dict[Hashable, tuple[int, V]]] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def current(self, reader: Reader, account_id: int) -> int | None:
        """The account's number as the reader's transaction sees it; None where there are no numbers."""
        if not reader.has_tables(self.table):
            return None
        return int(reader.scalar(f"SELECT {self.along('?')}", (account_id,)) or 0)

    def along(self, account: str) -> str:
        """The number of the account `account` names (SQL: a parameter, or a column of the statement's rows) as
        one value another statement reads along; NULL for an account with none yet (0). Where the table is."""
        return f"(SELECT {self.table}.version FROM {self.table} WHERE {self.table}.account_id = {account})"

    def kept(self, engine: Engine, key: Hashable, version: int | None) -> V | None:
        """What was kept under `key` at this number, if anything."""
        if version is None:
            return None
        kept = self._kept.get(engine)
        found = kept.get(key) if kept is not None else None
        return found[1] if found is not None and found[0] == version else None

    def keep(self, engine: Engine, key: Hashable, version: int | None, value: V) -> None:
        """Keep `value`, read at this number in a committed state (see the module's note)."""
        if version is None:
            return
        with self._lock:
            kept = self._kept.setdefault(engine, {})
            if len(kept) >= self.limit and key not in kept:
                kept.pop(next(iter(kept)))
            kept[key] = (version, value)
