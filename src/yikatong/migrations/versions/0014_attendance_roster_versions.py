"""attendance: roster versions, so a change of shifts applies from its day on (A3, issue 7)

No data is migrated: an enterprise without versions is computed with its shifts as they are, and
its first change keeps that roster as the version of the day before (attendance/roster.py).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import yikatong.db

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('attendance_roster_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('roster', sa.JSON(), nullable=False),
    sa.Column('recorded_at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_attendance_roster_versions_enterprise_id_enterprises')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_roster_versions')),
    sa.UniqueConstraint('enterprise_id', 'effective_from', name='uq_attendance_roster_versions_day')
    )


def downgrade() -> None:
    op.drop_table('attendance_roster_versions')
