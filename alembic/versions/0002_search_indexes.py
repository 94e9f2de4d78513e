"""indexes, keyset paging and full-text search for large ledgers (issue J)

Revision ID: 0002
Revises: 0001
"""
from typing import Sequence, Union

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision: str = '0002'
down_revision: Union[str, None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """RESERVED: filled in by the issue that owns this revision, or removed before commit."""


def downgrade() -> None:
    """RESERVED."""
