"""Alembic is the only way the schema is made, so the migrations must match the models exactly."""
from __future__ import annotations

import json
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import core.models  # noqa: F401
from gateway.db import make_engine
from gateway.migrations import upgrade

# Structures the migrations make outside the models: 0002's SQLite FTS5 tables (and their shadow
# tables, e.g. invoices_fts_data) and PostgreSQL pg_trgm expression indexes; 0005's SQLite invoice_counts.
SEARCH_PREFIXES = ("invoices_fts", "invoice_lines_fts", "trgm_", "invoice_counts")


def _not_search_index(name: str | None, type_: str, parent_names: object) -> bool:
    return not (name or "").startswith(SEARCH_PREFIXES)


def _drift(url: str) -> list[object]:
    engine = make_engine(url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False,
                                                         "include_name": _not_search_index})
        diff = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    return diff


def test_migrated_sqlite_schema_matches_the_models(database_url: str) -> None:
    assert _drift(database_url) == []


def test_migrations_are_idempotent(database_url: str) -> None:
    upgrade(database_url)
    assert _drift(database_url) == []


def test_migrated_postgresql_schema_matches_the_models(postgres_url: str) -> None:
    upgrade(postgres_url)
    assert _drift(postgres_url) == []


def test_postgresql_amounts_stored_padded_before_0006_lose_the_padding_and_new_ones_keep_their_scale(
        postgres_url: str) -> None:
    from alembic import command
    from sqlalchemy import text

    from gateway.migrations import alembic_config

    command.upgrade(alembic_config(postgres_url), "0005")
    engine = make_engine(postgres_url)
    with engine.begin() as conn:  # what databases made before 0006 have: NUMERIC(24, 6), padded values
        conn.execute(text("ALTER TABLE exchange_rates ALTER COLUMN rate TYPE NUMERIC(24, 6)"))
        conn.execute(text("INSERT INTO accounts (name, prefix, active, timezone, profile, currency, lang, settings, "
                          "created_at) VALUES ('Pad', 'pad', true, 'UTC', 'invoiceocean', 'PLN', 'pl', '{}', now())"))
        conn.execute(text("INSERT INTO exchange_rates (account_id, currency, day, rate, table_no) SELECT id, 'EUR', "
                          "'2026-01-02', 4.21, '' FROM accounts WHERE prefix = 'pad'"))
        assert str(conn.execute(text("SELECT rate FROM exchange_rates")).scalar()) == "4.210000"
    upgrade(postgres_url)
    with engine.begin() as conn:
        assert str(conn.execute(text("SELECT rate FROM exchange_rates")).scalar()) == "4.21"
        conn.execute(text("INSERT INTO exchange_rates (account_id, currency, day, rate, table_no) SELECT id, 'USD', "
                          "'2026-01-02', 3.9000, '' FROM accounts WHERE prefix = 'pad'"))
        assert str(conn.execute(text("SELECT rate FROM exchange_rates WHERE currency = 'USD'")).scalar()) == "3.9000"
        assert conn.execute(text("SELECT numeric_precision FROM information_schema.columns WHERE "
                                 "table_name = 'exchange_rates' AND column_name = 'rate'")).scalar() is None
    engine.dispose()
    assert _drift(postgres_url) == []


def test_0008_moves_seed_fields_kept_in_extra_into_their_columns_and_back_on_downgrade(tmp_path: Path) -> None:
    """Before 0008 the gateway kept category_id, use_moss, ... in an invoice's `extra` as the client sent
    them. 0008 moves each value that reads as its column's type; one that does not stays in `extra`."""
    from alembic import command
    from alembic.script import ScriptDirectory
    from sqlalchemy import text

    from core.ledger import Ledger
    from gateway.migrations import alembic_config
    from tests.core.test_recurring import make_account, make_template

    url = f"sqlite:///{tmp_path / 'gateway.sqlite3'}"
    config = alembic_config(url)
    before = str(ScriptDirectory.from_config(config).get_revision("0008").down_revision)
    upgrade(url)
    engine = make_engine(url)
    ledger = Ledger(engine)
    invoice_id = make_template(ledger, make_account(ledger))
    command.downgrade(config, before)
    kept_before = {"category_id": "7", "use_moss": "yes", "additional_info": True, "delivery_date": "2013-01-16",
                   "exchange_currency_rate": "4,2718", "description_long": "Warunki", "warehouse_id": "store 2",
                   "my_tag": "from-crm"}
    with engine.begin() as conn:
        conn.execute(text("UPDATE invoices SET extra = :extra WHERE id = :id"),
                     {"extra": json.dumps(kept_before), "id": invoice_id})

    upgrade(url)
    columns = ("category_id", "use_moss", "additional_info", "delivery_date", "exchange_currency_rate",
               "description_long", "warehouse_id", "extra")
    with engine.connect() as conn:
        row = conn.execute(text(f"SELECT {', '.join(columns)} FROM invoices WHERE id = :id"),
                           {"id": invoice_id}).one()
    assert tuple(row)[:-1] == (7, 1, 1, "2013-01-16", "4.2718", "Warunki", None)
    assert json.loads(row.extra) == {"warehouse_id": "store 2", "my_tag": "from-crm"}  # unreadable: left as sent

    command.downgrade(config, before)
    with engine.connect() as conn:
        extra = json.loads(conn.execute(text("SELECT extra FROM invoices WHERE id = :id"),
                                        {"id": invoice_id}).scalar_one())
    assert extra == {"category_id": 7, "use_moss": True, "additional_info": True, "delivery_date": "2013-01-16",
                     "exchange_currency_rate": "4.2718", "description_long": "Warunki", "warehouse_id": "store 2",
                     "my_tag": "from-crm"}
    upgrade(url)
    engine.dispose()
    assert _drift(url) == []
