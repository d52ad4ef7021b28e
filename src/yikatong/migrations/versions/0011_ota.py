"""over-the-air personalisation: what the platform knows of each card's chip (C3, C4, P1)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-22
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import yikatong.db

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'ota_chips',
        sa.Column('card_id', sa.Integer(), nullable=False),
        sa.Column('card_no', sa.String(length=16), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('key_enterprise_id', sa.Integer(), nullable=True),
        sa.Column('key_version', sa.Integer(), nullable=True),
        sa.Column('purse_enterprise_id', sa.Integer(), nullable=True),
        sa.Column('last_error', sa.String(length=200), nullable=True),
        sa.Column('updated_at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['card_id'], ['cards.id'], ),
        sa.ForeignKeyConstraint(['key_enterprise_id'], ['enterprises.id'], ),
        sa.ForeignKeyConstraint(['purse_enterprise_id'], ['enterprises.id'], ),
        sa.PrimaryKeyConstraint('card_id'),
        sa.UniqueConstraint('card_no'),
    )


def downgrade() -> None:
    op.drop_table('ota_chips')
