"""terminals: the versions each device holds (T3)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import yikatong.db

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('terminals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('blacklist_version', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('parameters_version', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('last_sync_at', yikatong.db.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('terminals', schema=None) as batch_op:
        batch_op.drop_column('last_sync_at')
        batch_op.drop_column('parameters_version')
        batch_op.drop_column('blacklist_version')
