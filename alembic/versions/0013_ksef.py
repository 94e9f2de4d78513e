"""KSeF: each invoice's e-invoice state, and the queue that sends it (issue 22)

`ksef_documents` holds one row per invoice sent to KSeF (status, KSeF number, links, the FA(3) XML and the
UPO); `ksef_outbox` queues the sends. New tables only: no existing row changes.

Revision ID: 0013
Revises: 0012
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel

import core.models.types
from alembic import op

revision: str = '0013'
down_revision: Union[str, None] = '0012'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_text = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        'ksef_documents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('invoice_id', sa.Integer(), nullable=False),
        sa.Column('mode', _text(), nullable=False),
        sa.Column('status', _text(), nullable=False),
        sa.Column('gov_id', _text(), nullable=False),
        sa.Column('send_date', core.models.types.UTCDateTime(), nullable=True),
        sa.Column('sell_date', sa.Date(), nullable=True),
        sa.Column('error_messages', sa.JSON(), nullable=False),
        sa.Column('verification_link', _text(), nullable=False),
        sa.Column('certificate_link', _text(), nullable=False),
        sa.Column('gov_link', _text(), nullable=False),
        sa.Column('corrected_invoice_number', _text(), nullable=False),
        sa.Column('offline', sa.Boolean(), nullable=False),
        sa.Column('xml', _text(), nullable=False),
        sa.Column('xml_hash', _text(), nullable=False),
        sa.Column('upo', _text(), nullable=False),
        sa.Column('reference', _text(), nullable=False),
        sa.Column('created_at', core.models.types.UTCDateTime(), nullable=False),
        sa.Column('updated_at', core.models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('invoice_id'),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table('ksef_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ksef_documents_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ksef_documents_gov_id'), ['gov_id'], unique=False)
    op.create_table(
        'ksef_outbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('status', _text(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', core.models.types.UTCDateTime(), nullable=True),
        sa.Column('last_error', _text(), nullable=False),
        sa.Column('created_at', core.models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ),
        sa.ForeignKeyConstraint(['document_id'], ['ksef_documents.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table('ksef_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ksef_outbox_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ksef_outbox_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ksef_outbox_status'), ['status'], unique=False)


def downgrade() -> None:
    op.drop_table('ksef_outbox')
    op.drop_table('ksef_documents')
