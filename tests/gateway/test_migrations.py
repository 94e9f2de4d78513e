"""Alembic is the only way the schema is made, so the migrations must match the models exactly."""
from __future__ import annotations

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
