"""offline purchase records (P7)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import yikatong.db

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'offline_records',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('enterprise_id', sa.Integer(), nullable=False),
        sa.Column('terminal_id', sa.Integer(), nullable=False),
        sa.Column('card_no', sa.String(length=16), nullable=False),
        sa.Column('offline_counter', sa.Integer(), nullable=False),
        sa.Column('amount_fen', sa.BigInteger(), nullable=False),
        sa.Column('transaction_type', sa.String(length=2), nullable=False),
        sa.Column('sam_terminal_id', sa.String(length=12), nullable=False),
        sa.Column('terminal_serial', sa.BigInteger(), nullable=False),
        sa.Column('at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('tac', sa.String(length=8), nullable=False),
        sa.Column('transfer_id', sa.Integer(), nullable=True),
        sa.Column('flagged', sa.Boolean(), nullable=False),
        sa.Column('flags', sa.String(length=80), nullable=False),
        sa.Column('uploaded_at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], ),
        sa.ForeignKeyConstraint(['terminal_id'], ['terminals.id'], ),
        sa.ForeignKeyConstraint(['transfer_id'], ['transfers.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('enterprise_id', 'card_no', 'offline_counter', name='uq_offline_records_card_counter'),
        sa.UniqueConstraint('enterprise_id', 'sam_terminal_id', 'terminal_serial', name='uq_offline_records_sam_serial'),
    )
    with op.batch_alter_table('offline_records', schema=None) as batch_op:
        batch_op.create_index('ix_offline_records_flagged', ['enterprise_id', 'flagged', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_offline_records_terminal_id'), ['terminal_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('offline_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offline_records_terminal_id'))
        batch_op.drop_index('ix_offline_records_flagged')
    op.drop_table('offline_records')
