"""The SQL backend's ways sit behind one storage object, chosen when the ledger is built."""
from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from core.ledger import Ledger
from core.models import Account
from core.storage import storage_for, storage_of

CORE = Path(__file__).resolve().parents[2] / "core"
# SQLAlchemy hands its column types the backend (core/models/types.py): they are compiled before any
# storage exists, for migrations too.
NAMES_A_BACKEND = {CORE / "storage", CORE / "models" / "types.py"}


def test_the_ledger_picks_the_storage_of_its_backend_once(backend_ledger: Ledger) -> None:
    assert backend_ledger.storage.backend == backend_ledger.engine.dialect.name
    assert backend_ledger.storage is storage_for(backend_ledger.engine)
    assert backend_ledger.read(storage_of) is backend_ledger.storage
    assert backend_ledger.write(storage_of) is backend_ledger.storage


def test_rows_read_for_update_are_locked_only_where_the_backend_needs_it(backend_ledger: Ledger) -> None:
    sql = str(backend_ledger.storage.for_update(select(Account.id)).compile(backend_ledger.engine))
    assert ("FOR UPDATE" in sql) == (backend_ledger.storage.backend == "postgresql")


def test_core_names_a_backend_only_in_its_storage() -> None:
    naming = {path.relative_to(CORE).as_posix() for path in CORE.rglob("*.py")
              if re.search(r"dialect\.name|\"(?:sqlite|postgresql)\"", path.read_text(encoding="utf-8"))
              and not any(path == allowed or allowed in path.parents for allowed in NAMES_A_BACKEND)}
    assert naming == set()
