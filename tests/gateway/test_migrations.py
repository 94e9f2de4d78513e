"""Alembic is the only way the schema is made, so the migrations must match the models exactly."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import core.models  # noqa: F401
from gateway.db import make_engine
from gateway.migrations import upgrade

# Structures the migrations make outside the models: 0002's SQLite FTS5 tables (and their shadow
# tables, e.g. invoices_fts_data) and PostgreSQL pg_trgm expression indexes; 0005's SQLite invoice_counts and
# 0018's dictionary_versions, 0019's reference_versions and 0021's invoice_versions.
SEARCH_PREFIXES = ("invoices_fts", "invoice_lines_fts", "trgm_", "invoice_counts", "dictionary_versions",
                   "reference_versions", "invoice_versions")


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
    from sqlalchemy import text

    from alembic import command
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


def _sqlite_shape(url: str) -> dict[str, object]:
    """Row ids per table, and the names of every index and trigger, as a SQLite file holds them."""
    from sqlalchemy import text

    engine = make_engine(url)
    with engine.connect() as conn:
        tables = conn.execute(text("SELECT m.name FROM sqlite_master m WHERE m.type = 'table' AND m.name NOT LIKE "
                                   "'%fts%' AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) WHERE name = 'id' "
                                   "AND pk = 1)")).scalars().all()
        shape: dict[str, object] = {t: conn.execute(text(f'SELECT id FROM "{t}" ORDER BY id')).scalars().all()
                                    for t in tables}
        shape["attached"] = conn.execute(text("SELECT type, name, tbl_name FROM sqlite_master WHERE type IN "
                                              "('index', 'trigger') ORDER BY name")).all()
        shape["counts"] = conn.execute(text("SELECT account_id, invoices FROM invoice_counts")).all()
    engine.dispose()
    return shape


def _kept_from(shape: dict[str, object], before: dict[str, object]) -> dict[str, object]:
    """`shape` limited to the tables `before` has: tables a later revision adds are no part of the comparison."""
    added = set(shape) - set(before)
    kept = {name: value for name, value in shape.items() if name not in added}
    kept["attached"] = [row for row in shape["attached"] if row[2] not in added]  # type: ignore[attr-defined]
    return kept


def test_sqlite_tables_rebuilt_by_0007_keep_their_rows_and_ids_and_never_reuse_one(tmp_path: Path) -> None:
    from sqlalchemy import text

    from alembic import command
    from core.accounts import create_account
    from core.commands import DeleteInvoice, RecordPayment
    from core.ledger import Ledger
    from gateway.migrations import alembic_config
    from tests.core.numbering_support import minimal_invoice

    url = f"sqlite:///{tmp_path / 'made-at-0006.sqlite3'}"
    # The ledger writes today's columns, so the rows are made at head and the file is then taken back to 0006,
    # as a database of that time holds them (no AUTOINCREMENT, no record of the deleted id).
    upgrade(url)
    ledger = Ledger(make_engine(url))
    account_id = ledger.write(create_account, "Acme").account_id
    made = [ledger.execute(minimal_invoice(account_id)).invoice.id or 0 for _ in range(3)]
    ledger.execute(RecordPayment(account_id, "test", amount=Decimal("5.00"), invoice_ids=(made[0],)))
    ledger.execute(DeleteInvoice(account_id, made[2]))
    ledger.engine.dispose()
    command.downgrade(alembic_config(url), "0006")
    before = _sqlite_shape(url)

    command.upgrade(alembic_config(url), "0009")  # the rebuild, without the tables later revisions add
    assert _sqlite_shape(url) == before
    upgrade(url)
    assert _drift(url) == []
    engine = make_engine(url)
    with engine.connect() as conn:
        assert "AUTOINCREMENT" in conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'invoices'")).scalar()
        assert conn.execute(text("SELECT seq FROM sqlite_sequence WHERE name = 'invoices'")).scalar() == made[1]
        assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
    engine.dispose()

    ledger = Ledger(make_engine(url))
    newest = ledger.execute(minimal_invoice(account_id)).invoice.id or 0
    ledger.execute(DeleteInvoice(account_id, newest))
    again = ledger.execute(minimal_invoice(account_id)).invoice.id or 0
    assert made[1] < newest < again
    from core.queries import InvoiceFilter, Page, has_fts, page_with_total

    # the full-text index (a search's page and total) and the counts still follow every write
    views, total = ledger.read(page_with_total, account_id, InvoiceFilter(search="Klient"), Page())
    assert ([view.invoice.id for view in views], total, ledger.read(has_fts)) == ([made[0], made[1], again], 3, True)
    with ledger.engine.connect() as conn:
        assert conn.execute(text("SELECT invoices FROM invoice_counts")).scalar() == 3
    ledger.engine.dispose()

    command.downgrade(alembic_config(url), "0006")
    upgrade(url)
    assert _drift(url) == []


def test_0008_moves_seed_fields_kept_in_extra_into_their_columns_and_back_on_downgrade(tmp_path: Path) -> None:
    """Before 0008 the gateway kept category_id, use_moss, ... in an invoice's `extra` as the client sent
    them. 0008 moves each value that reads as its column's type; one that does not stays in `extra`."""
    from alembic.script import ScriptDirectory
    from sqlalchemy import text

    from alembic import command
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


def test_0011_makes_invo_product_groups_categories_and_back_on_downgrade(tmp_path: Path) -> None:
    from sqlalchemy import text

    from alembic import command
    from gateway.migrations import alembic_config

    url = f"sqlite:///{tmp_path / 'groups.sqlite3'}"
    config = alembic_config(url)
    command.upgrade(config, "0009")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO accounts (id, name, prefix, active, profile, timezone, currency, lang, "
                          "settings, created_at) VALUES (1, 'Acme', 'acme', 1, 'invo', 'Europe/Warsaw', 'PLN', "
                          "'pl', '{}', '2024-01-01 00:00:00')"))
        conn.execute(text("INSERT INTO dictionary_entries (id, account_id, kind, position, data) VALUES "
                          "(40, 1, 'groupgs', 0, '{\"name\": \"Komputery\", \"description\": \"monitory\"}'), "
                          "(41, 1, 'groupcu', 0, '{\"name\": \"Lokalni\", \"description\": \"\"}')"))
        conn.execute(text("INSERT INTO products (id, account_id, name, code, ean_code, description, pkwiu, sww, "
                          "service, group_id, unit, price_net, price_gross, tax, currency, notes, website, extra, "
                          "created_at, updated_at) VALUES (7, 1, 'Laptop', '', '', '', '', '', 0, 40, '', '1', '1', "
                          "'23', '', '', '', '{}', '2024-01-01 00:00:00', '2024-01-01 00:00:00')"))
    engine.dispose()
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        [(category_id, name, description)] = conn.execute(text("SELECT id, name, description FROM categories")).all()
        assert (name, description) == ("Komputery", "monitory")
        assert conn.execute(text("SELECT category_id FROM products WHERE id = 7")).scalar() == category_id
        assert conn.execute(text("SELECT kind FROM dictionary_entries")).scalars().all() == ["groupcu"]
    engine.dispose()
    command.downgrade(config, "0009")
    engine = make_engine(url)
    with engine.connect() as conn:
        groups = conn.execute(text("SELECT id, data FROM dictionary_entries WHERE kind = 'groupgs'")).all()
        assert [json.loads(data) for _id, data in groups] == [{"name": "Komputery", "description": "monitory"}]
        assert conn.execute(text("SELECT group_id FROM products WHERE id = 7")).scalar() == groups[0][0]
    engine.dispose()
