"""a version per account's seller-side rows on SQLite, so a create reads them once per change (issue 20)

Before it writes, every create read its account (and whether a webhook of it is active), the department it is
issued from and the bank accounts that department shows on invoices: four statements and their records, about
a tenth of the writer's CPU per create, for rows that change a few times in an account's life.
`reference_versions` holds a number per account that triggers raise in the transaction of every change to those
tables; a create that finds the number its process read them at takes them from memory (core.reference_cache).

SQLite only, like 0005 and 0018: on PostgreSQL every such change would also lock one more row, and creates read
the rows as before. Not in the models; the schema-drift test skips it by name. An account with no row is at 0.

Revision ID: 0019
Revises: 0018
"""
from typing import Sequence, Union

from alembic import op

revision: str = '0019'
down_revision: Union[str, None] = '0018'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TABLE = "reference_versions"  # core.reference_cache.VERSIONS
# Each table a create takes its seller side from, and the column naming the account its rows belong to.
WATCHED = {"accounts": "id", "departments": "account_id", "bank_accounts": "account_id",
           "bank_account_departments": "account_id", "webhooks": "account_id"}


def _bump(account: str) -> str:
    return (f"INSERT INTO {TABLE} (account_id, version) VALUES ({account}, 1) "
            f"ON CONFLICT (account_id) DO UPDATE SET version = version + 1;")


def _triggers() -> dict[str, str]:
    found = {}
    for table, account in WATCHED.items():
        found[f"{TABLE}_{table}_ai"] = f"AFTER INSERT ON {table} BEGIN {_bump(f'new.{account}')} END"
        found[f"{TABLE}_{table}_ad"] = f"AFTER DELETE ON {table} BEGIN {_bump(f'old.{account}')} END"
        found[f"{TABLE}_{table}_au"] = f"AFTER UPDATE ON {table} BEGIN {_bump(f'new.{account}')} END"  # any column
        # A row moved to another account changes the one it left too.
        found[f"{TABLE}_{table}_am"] = (f"AFTER UPDATE OF {account} ON {table} WHEN old.{account} IS NOT "
                                        f"new.{account} BEGIN {_bump(f'old.{account}')} END")
    return found


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(f"CREATE TABLE {TABLE} (account_id INTEGER NOT NULL PRIMARY KEY, version INTEGER NOT NULL)")
    for name, body in _triggers().items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in _triggers():
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute(f"DROP TABLE IF EXISTS {TABLE}")
