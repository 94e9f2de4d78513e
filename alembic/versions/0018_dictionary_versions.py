"""a version per account's dictionaries on SQLite, so INVO reads them once per change, not once per request (issue 20)

Every INVO get, list with items and create turns vatid/unitid/ptid through the account's dictionaries: about
fourteen rows read and built into records on each request (a tenth of an INVO get's CPU), though an account's
dictionaries change a few times in its life. `dictionary_versions` holds a number per account that triggers
raise in the transaction of every change to its entries; a read that finds the version it cached the entries
under reuses them (dialects.invo.lookups.read_dictionaries), any other reads them again.

SQLite only, like 0005's counts: on PostgreSQL a row every dictionary change updates would be one more row lock,
and the dictionaries are read as before. Not in the models; the schema-drift test skips it by name.
An account with no row yet is at version 0; ids are never reused (0007), so a version is never met twice with
different entries.

Revision ID: 0018
Revises: 0017
"""
from typing import Sequence, Union

from alembic import op

revision: str = '0018'
down_revision: Union[str, None] = '0017'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TABLE = "dictionary_versions"  # dialects.invo.lookups.VERSIONS


def _bump(account: str) -> str:
    return (f"INSERT INTO {TABLE} (account_id, version) VALUES ({account}, 1) "
            f"ON CONFLICT (account_id) DO UPDATE SET version = version + 1;")


TRIGGERS = {
    "dictionary_versions_ai": f"AFTER INSERT ON dictionary_entries BEGIN {_bump('new.account_id')} END",
    "dictionary_versions_ad": f"AFTER DELETE ON dictionary_entries BEGIN {_bump('old.account_id')} END",
    # Any column: a changed name, rate or symbol is a different dictionary.
    "dictionary_versions_au": f"AFTER UPDATE ON dictionary_entries BEGIN {_bump('new.account_id')} END",
    # An entry moved to another account changes the one it left too.
    "dictionary_versions_am": "AFTER UPDATE OF account_id ON dictionary_entries WHEN old.account_id IS NOT "
                              f"new.account_id BEGIN {_bump('old.account_id')} END",
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(f"CREATE TABLE {TABLE} (account_id INTEGER NOT NULL PRIMARY KEY, version INTEGER NOT NULL)")
    for name, body in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute(f"DROP TABLE IF EXISTS {TABLE}")
