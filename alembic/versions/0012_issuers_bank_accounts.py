"""Issuers and bank accounts (issue 23, items 4): issuers, the account's bank accounts, the departments that
show them on invoices, and the bank accounts each invoice carries (copied when attached, so later edits of an
account do not rewrite an issued document).

Revision ID: 0012
Revises: 0011
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel

import core.models.types
from alembic import op

revision: str = '0012'
down_revision: Union[str, None] = '0011'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _bank_account_values() -> list[sa.Column]:  # type: ignore[type-arg]
    """core.models.banking.BankAccountValues: a bank account's values, which an invoice's copy repeats."""
    return [
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('bank_name', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('bank_account_number', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('bank_currency', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('bank_swift', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('account_description', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('own_bank_account', sa.Boolean(), nullable=False),
        sa.Column('own_bank_account_type', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('factor_bank_account', sa.Boolean(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table('bank_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('number_normalized', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    *_bank_account_values(),
    sa.Column('created_at', core.models.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', core.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sqlite_autoincrement=True
    )
    op.create_index(op.f('ix_bank_accounts_account_id'), 'bank_accounts', ['account_id'], unique=False)
    op.create_index(op.f('ix_bank_accounts_number_normalized'), 'bank_accounts', ['number_normalized'], unique=False)
    op.create_table('issuers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('first_name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('last_name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('tax_no', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('company', sa.Boolean(), nullable=False),
    sa.Column('country', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('city', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('post_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('street', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('participation', core.models.types.DecimalType(), nullable=True),
    sa.Column('role_description', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.Column('created_at', core.models.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', core.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sqlite_autoincrement=True
    )
    op.create_index(op.f('ix_issuers_account_id'), 'issuers', ['account_id'], unique=False)
    op.create_table('bank_account_departments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('bank_account_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('show_on_invoice', sa.Boolean(), nullable=False),
    sa.Column('main_on_department', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ),
    sa.ForeignKeyConstraint(['bank_account_id'], ['bank_accounts.id'], ),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sqlite_autoincrement=True
    )
    op.create_index(op.f('ix_bank_account_departments_account_id'), 'bank_account_departments',
                    ['account_id'], unique=False)
    op.create_index(op.f('ix_bank_account_departments_bank_account_id'), 'bank_account_departments',
                    ['bank_account_id'], unique=False)
    op.create_index(op.f('ix_bank_account_departments_department_id'), 'bank_account_departments',
                    ['department_id'], unique=False)
    op.create_table('invoice_bank_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('bank_account_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    *_bank_account_values(),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sqlite_autoincrement=True
    )
    op.create_index(op.f('ix_invoice_bank_accounts_account_id'), 'invoice_bank_accounts', ['account_id'], unique=False)
    op.create_index(op.f('ix_invoice_bank_accounts_invoice_id'), 'invoice_bank_accounts', ['invoice_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_invoice_bank_accounts_invoice_id'), table_name='invoice_bank_accounts')
    op.drop_index(op.f('ix_invoice_bank_accounts_account_id'), table_name='invoice_bank_accounts')
    op.drop_table('invoice_bank_accounts')
    op.drop_index(op.f('ix_bank_account_departments_department_id'), table_name='bank_account_departments')
    op.drop_index(op.f('ix_bank_account_departments_bank_account_id'), table_name='bank_account_departments')
    op.drop_index(op.f('ix_bank_account_departments_account_id'), table_name='bank_account_departments')
    op.drop_table('bank_account_departments')
    op.drop_index(op.f('ix_issuers_account_id'), table_name='issuers')
    op.drop_table('issuers')
    op.drop_index(op.f('ix_bank_accounts_number_normalized'), table_name='bank_accounts')
    op.drop_index(op.f('ix_bank_accounts_account_id'), table_name='bank_accounts')
    op.drop_table('bank_accounts')
