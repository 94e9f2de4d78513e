"""Alembic is the only way the schema is made, so the migrations must match the models exactly."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import core.models  # noqa: F401
from gateway.db import make_engine
from gateway.migrations import upgrade


def _drift(url: str) -> list[object]:
    engine = make_engine(url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
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
