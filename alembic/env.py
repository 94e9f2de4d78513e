"""Alembic environment: the metadata is SQLModel's, the URL comes from the caller or alembic.ini."""
from __future__ import annotations

from sqlmodel import SQLModel

import core.models  # noqa: F401  registers every table
from alembic import context
from gateway.db import make_engine

config = context.config
target_metadata = SQLModel.metadata


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=False)
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
