"""The SQL backend's ways sit behind one storage object, chosen when the ledger is built."""
from __future__ import annotations

import re
import subprocess
import sys
import textwrap
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


def test_a_sqlite_ledger_never_loads_the_postgresql_driver(tmp_path: Path) -> None:
    """PostgreSQL's plain writes use psycopg's RawCursor (core.storage.postgres), imported where they run: at
    import, psycopg would add ~9 MB to every SQLite-only process. In a fresh interpreter: this one may have
    loaded it for another test."""
    script = textwrap.dedent(f"""
        import sys
        from datetime import date
        from decimal import Decimal
        from core.accounts import create_account
        from core.commands import CreateInvoice, LineSpec
        from core.ledger import Ledger
        from gateway.app import create_app
        from gateway.db import make_engine
        from gateway.migrations import upgrade
        url = "sqlite:///{tmp_path / 'ledger.sqlite3'}"
        upgrade(url)
        ledger = Ledger(make_engine(url))
        account = ledger.write(create_account, "Acme").account_id
        ledger.execute(CreateInvoice(account, "test", {{"buyer_name": "Klient"}},
                                     (LineSpec(name="Pozycja", price_net=Decimal(1), tax="23"),), match_client=False))
        print("psycopg" in sys.modules)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          cwd=CORE.parent)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
