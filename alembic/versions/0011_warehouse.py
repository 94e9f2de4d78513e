"""Categories, warehouses, warehouse documents with their actions, and stock per product and warehouse

INVO's product groups become categories: each `groupgs` dictionary entry moves into `categories` (products'
`group_id` follows it into `category_id`), and `products.group_id` goes; the downgrade moves them back.

Invoices keep the `category_id` and `warehouse_id` numbers stored before this revision (0008 kept them as plain
values); from now on a new or changed one must name the account's record, and an invoice whose old number
names no warehouse moves no stock.

`products.category_id` and `invoices.warehouse_document_id` are new references (checked within the account by
core.references, as `invoices.category_id` and `invoices.warehouse_id` now are). `stock` holds the one stored
quantity of each product in each warehouse; only warehouse documents (and the invoices that make them) move it.

New tables are AUTOINCREMENT on SQLite: ids are never reused (0007).

Revision ID: 0011
Revises: 0010
"""
import json
from datetime import datetime, timezone
from typing import Any, Sequence, Union

import sqlalchemy as sa
import sqlmodel

import core.models.types
from alembic import op

revision: str = '0011'
down_revision: Union[str, None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

AUTO = {"sqlite_autoincrement": True}


def _text() -> sqlmodel.AutoString:
    return sqlmodel.sql.sqltypes.AutoString()


def _stamps() -> list[sa.Column]:
    return [sa.Column('created_at', core.models.types.UTCDateTime(), nullable=False),
            sa.Column('updated_at', core.models.types.UTCDateTime(), nullable=False)]


def _named_table(table: str, *columns: sa.Column) -> None:
    """A table of named records of an account (categories, warehouses), with its account index."""
    op.create_table(
        table,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('name', _text(), nullable=False),
        *columns,
        sa.Column('description', _text(), nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id']),
        sa.PrimaryKeyConstraint('id'), **AUTO)
    op.create_index(op.f(f'ix_{table}_account_id'), table, ['account_id'], unique=False)


def upgrade() -> None:
    _named_table('categories')
    _named_table('warehouses', sa.Column('kind', _text(), nullable=True))
    op.create_table(
        'warehouse_documents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('kind', _text(), nullable=False),
        sa.Column('number', _text(), nullable=False),
        sa.Column('warehouse_id', sa.Integer(), nullable=False),
        sa.Column('issue_date', sa.Date(), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=True),
        sa.Column('department_name', _text(), nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=True),
        sa.Column('client_name', _text(), nullable=False),
        sa.Column('description', _text(), nullable=False),
        sa.Column('invoice_id', sa.Integer(), nullable=True),
        sa.Column('extra', sa.JSON(), nullable=False),
        *_stamps(),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id']),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id']),
        sa.ForeignKeyConstraint(['department_id'], ['departments.id']),
        sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id']),
        sa.PrimaryKeyConstraint('id'), **AUTO)
    op.create_index(op.f('ix_warehouse_documents_account_id'), 'warehouse_documents', ['account_id'], unique=False)
    op.create_index('ix_warehouse_documents_account_id_id', 'warehouse_documents', ['account_id', 'id'],
                    unique=False)
    op.create_index(op.f('ix_warehouse_documents_invoice_id'), 'warehouse_documents', ['invoice_id'], unique=False)
    op.create_index(op.f('ix_warehouse_documents_warehouse_id'), 'warehouse_documents', ['warehouse_id'],
                    unique=False)
    op.create_table(
        'warehouse_actions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('warehouse_document_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('kind', _text(), nullable=False),
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('product_name', _text(), nullable=False),
        sa.Column('warehouse_id', sa.Integer(), nullable=False),
        sa.Column('warehouse2_id', sa.Integer(), nullable=True),
        sa.Column('quantity', core.models.types.DecimalType(), nullable=False),
        sa.Column('price_net', core.models.types.DecimalType(), nullable=True),
        sa.Column('tax', _text(), nullable=True),
        sa.Column('purchase_price_net', core.models.types.DecimalType(), nullable=True),
        sa.Column('purchase_tax', _text(), nullable=True),
        sa.Column('created_at', core.models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id']),
        sa.ForeignKeyConstraint(['product_id'], ['products.id']),
        sa.ForeignKeyConstraint(['warehouse2_id'], ['warehouses.id']),
        sa.ForeignKeyConstraint(['warehouse_document_id'], ['warehouse_documents.id']),
        sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id']),
        sa.PrimaryKeyConstraint('id'), **AUTO)
    for column in ('account_id', 'warehouse_document_id', 'product_id', 'warehouse_id'):
        op.create_index(op.f(f'ix_warehouse_actions_{column}'), 'warehouse_actions', [column], unique=False)
    op.create_table(
        'stock',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('warehouse_id', sa.Integer(), nullable=False),
        sa.Column('quantity', core.models.types.DecimalType(), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id']),
        sa.ForeignKeyConstraint(['product_id'], ['products.id']),
        sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('product_id', 'warehouse_id', name='uq_stock_product_warehouse'), **AUTO)
    op.create_index(op.f('ix_stock_account_id'), 'stock', ['account_id'], unique=False)
    op.create_index(op.f('ix_stock_warehouse_id'), 'stock', ['warehouse_id'], unique=False)
    # Plain ADD COLUMN: a batch copy of `invoices` would drop the triggers of 0002 and 0005 (see 0008).
    op.add_column('products', sa.Column('category_id', sa.Integer(), nullable=True))
    op.add_column('invoices', sa.Column('warehouse_document_id', sa.Integer(), nullable=True))
    _groups_to_categories()
    op.drop_column('products', 'group_id')


def _data(value: Any) -> dict[str, Any]:
    return json.loads(value) if isinstance(value, str) else dict(value or {})


def _groups_to_categories() -> None:
    bind = op.get_bind()
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    entries = bind.execute(sa.text("SELECT id, account_id, data FROM dictionary_entries WHERE kind = 'groupgs' "
                                   "ORDER BY id")).all()
    for entry_id, account_id, data in entries:
        values = _data(data)
        category_id = bind.execute(sa.text(
            "INSERT INTO categories (account_id, name, description, created_at, updated_at) "
            "VALUES (:account, :name, :description, :now, :now) RETURNING id"),
            {"account": account_id, "name": str(values.get("name", "")),
             "description": str(values.get("description", "")) or None, "now": now}).scalar_one()
        bind.execute(sa.text("UPDATE products SET category_id = :new WHERE group_id = :old AND account_id = :account"),
                     {"new": category_id, "old": entry_id, "account": account_id})
    bind.execute(sa.text("DELETE FROM dictionary_entries WHERE kind = 'groupgs'"))


def _categories_to_groups() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, account_id, name, description FROM categories ORDER BY id")).all()
    positions: dict[int, int] = {}
    for category_id, account_id, name, description in rows:
        position = positions[account_id] = positions.get(account_id, -1) + 1
        entry_id = bind.execute(sa.text(
            "INSERT INTO dictionary_entries (account_id, kind, position, data) VALUES (:account, 'groupgs', "
            ":position, :data) RETURNING id"),
            {"account": account_id, "position": position,
             "data": json.dumps({"name": name, "description": description or ""})}).scalar_one()
        bind.execute(sa.text("UPDATE products SET group_id = :new WHERE category_id = :old"),
                     {"new": entry_id, "old": category_id})


def downgrade() -> None:
    op.add_column('products', sa.Column('group_id', sa.Integer(), nullable=True))
    _categories_to_groups()
    op.drop_column('invoices', 'warehouse_document_id')
    op.drop_column('products', 'category_id')
    for table in ('stock', 'warehouse_actions', 'warehouse_documents', 'warehouses', 'categories'):
        op.drop_table(table)
