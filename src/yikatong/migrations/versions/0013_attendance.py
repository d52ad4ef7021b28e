"""attendance: holiday calendar, shifts, clock records, corrections, attendance bills (A3, A4)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import yikatong.db

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('attendance_holidays',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('as_weekday', sa.Integer(), nullable=True),
    sa.Column('created_at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_attendance_holidays_enterprise_id_enterprises')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_holidays')),
    sa.UniqueConstraint('enterprise_id', 'day', name='uq_attendance_holidays_day')
    )
    op.create_table('attendance_shifts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('weekdays', sa.String(length=13), nullable=False),
    sa.Column('start_minute', sa.Integer(), nullable=False),
    sa.Column('end_minute', sa.Integer(), nullable=False),
    sa.Column('grace_minutes', sa.Integer(), nullable=False),
    sa.Column('early_leave_grace_minutes', sa.Integer(), nullable=False),
    sa.Column('required_minutes', sa.Integer(), nullable=True),
    sa.Column('created_at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_attendance_shifts_enterprise_id_enterprises')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_shifts'))
    )
    with op.batch_alter_table('attendance_shifts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_shifts_enterprise_id'), ['enterprise_id'], unique=False)

    op.create_table('attendance_bills',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('phone', sa.String(length=11), nullable=False),
    sa.Column('sms_id', sa.Integer(), nullable=True),
    sa.Column('sent_at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_attendance_bills_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_attendance_bills_member_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_bills')),
    sa.UniqueConstraint('enterprise_id', 'member_id', 'month', name='uq_attendance_bills_member_month')
    )
    op.create_table('attendance_corrections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=True),
    sa.Column('punch_at', yikatong.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_attendance_corrections_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_attendance_corrections_member_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_corrections'))
    )
    with op.batch_alter_table('attendance_corrections', schema=None) as batch_op:
        batch_op.create_index('ix_attendance_corrections_member_day', ['enterprise_id', 'member_id', 'day'], unique=False)

    op.create_table('attendance_shift_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('department', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_attendance_shift_assignments_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_attendance_shift_assignments_member_id_members')),
    sa.ForeignKeyConstraint(['shift_id'], ['attendance_shifts.id'], name=op.f('fk_attendance_shift_assignments_shift_id_attendance_shifts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_shift_assignments')),
    sa.UniqueConstraint('shift_id', 'department', name='uq_attendance_shift_assignments_department'),
    sa.UniqueConstraint('shift_id', 'member_id', name='uq_attendance_shift_assignments_member')
    )
    with op.batch_alter_table('attendance_shift_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_shift_assignments_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendance_shift_assignments_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendance_shift_assignments_shift_id'), ['shift_id'], unique=False)

    op.create_table('attendance_clock_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('terminal_id', sa.Integer(), nullable=False),
    sa.Column('card_no', sa.String(length=16), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('uploaded_at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_attendance_clock_records_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_attendance_clock_records_member_id_members')),
    sa.ForeignKeyConstraint(['terminal_id'], ['terminals.id'], name=op.f('fk_attendance_clock_records_terminal_id_terminals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_clock_records')),
    sa.UniqueConstraint('enterprise_id', 'card_no', 'at', name='uq_attendance_clock_records_card_at')
    )
    with op.batch_alter_table('attendance_clock_records', schema=None) as batch_op:
        batch_op.create_index('ix_attendance_clock_records_member_at', ['enterprise_id', 'member_id', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendance_clock_records_terminal_id'), ['terminal_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('attendance_clock_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_clock_records_terminal_id'))
        batch_op.drop_index('ix_attendance_clock_records_member_at')

    op.drop_table('attendance_clock_records')
    with op.batch_alter_table('attendance_shift_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_shift_assignments_shift_id'))
        batch_op.drop_index(batch_op.f('ix_attendance_shift_assignments_member_id'))
        batch_op.drop_index(batch_op.f('ix_attendance_shift_assignments_enterprise_id'))

    op.drop_table('attendance_shift_assignments')
    with op.batch_alter_table('attendance_corrections', schema=None) as batch_op:
        batch_op.drop_index('ix_attendance_corrections_member_day')

    op.drop_table('attendance_corrections')
    op.drop_table('attendance_bills')
    with op.batch_alter_table('attendance_shifts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_shifts_enterprise_id'))

    op.drop_table('attendance_shifts')
    op.drop_table('attendance_holidays')
