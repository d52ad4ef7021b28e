"""service desk: tickets, history, SLA flags, teams, engineers, dispatch rules (S1–S8)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import yikatong.db


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('service_teams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('city', sa.String(length=50), nullable=False),
    sa.Column('covers_urban', sa.Boolean(), nullable=False),
    sa.Column('covers_suburban', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_teams'))
    )
    with op.batch_alter_table('service_teams', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_teams_city'), ['city'], unique=False)

    op.create_table('dispatch_rules',
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('require_on_duty', sa.Boolean(), nullable=False),
    sa.Column('category_skills', sa.JSON(), nullable=False),
    sa.Column('max_open_per_engineer', sa.Integer(), nullable=True),
    sa.Column('updated_at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_dispatch_rules_enterprise_id_enterprises')),
    sa.PrimaryKeyConstraint('enterprise_id', name=op.f('pk_dispatch_rules'))
    )
    op.create_table('field_engineers',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('skills', sa.JSON(), nullable=False),
    sa.Column('on_duty', sa.Boolean(), nullable=False),
    sa.Column('phone', sa.String(length=11), nullable=True),
    sa.Column('last_dispatched_at', yikatong.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['service_teams.id'], name=op.f('fk_field_engineers_team_id_service_teams')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_field_engineers_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_field_engineers'))
    )
    with op.batch_alter_table('field_engineers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_field_engineers_team_id'), ['team_id'], unique=False)

    op.create_table('tickets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('tier', sa.Integer(), nullable=False),
    sa.Column('max_tier', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=True),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('phone', sa.String(length=11), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by_role', sa.String(length=32), nullable=True),
    sa.Column('linked_ticket_id', sa.Integer(), nullable=True),
    sa.Column('handler_id', sa.Integer(), nullable=True),
    sa.Column('department', sa.String(length=100), nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_tier', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('required_skill', sa.String(length=32), nullable=True),
    sa.Column('engineer_id', sa.Integer(), nullable=True),
    sa.Column('dispatch_mode', sa.String(length=16), nullable=True),
    sa.Column('appointment_at', yikatong.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('rating_comment', sa.Text(), nullable=True),
    sa.Column('resume_status', sa.String(length=16), nullable=True),
    sa.Column('zone', sa.String(length=16), nullable=True),
    sa.Column('first_response_due_at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('arrive_due_at', yikatong.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolve_due_at', yikatong.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('paused_at', yikatong.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('paused_seconds', sa.Integer(), nullable=False),
    sa.Column('first_response_sla', sa.String(length=16), nullable=True),
    sa.Column('arrive_sla', sa.String(length=16), nullable=True),
    sa.Column('resolve_sla', sa.String(length=16), nullable=True),
    sa.Column('created_at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('first_response_at', yikatong.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answered_at', yikatong.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('assigned_at', yikatong.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('dispatched_at', yikatong.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('arrived_at', yikatong.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', yikatong.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('replied_at', yikatong.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('rated_at', yikatong.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', yikatong.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_tickets_created_by_id_users')),
    sa.ForeignKeyConstraint(['engineer_id'], ['users.id'], name=op.f('fk_tickets_engineer_id_users')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_tickets_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['handler_id'], ['users.id'], name=op.f('fk_tickets_handler_id_users')),
    sa.ForeignKeyConstraint(['linked_ticket_id'], ['tickets.id'], name=op.f('fk_tickets_linked_ticket_id_tickets')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_tickets_member_id_members')),
    sa.ForeignKeyConstraint(['team_id'], ['service_teams.id'], name=op.f('fk_tickets_team_id_service_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tickets'))
    )
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tickets_channel'), ['channel'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_engineer_id'), ['engineer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index('ix_tickets_grab', ['team_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_linked_ticket_id'), ['linked_ticket_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_phone'), ['phone'], unique=False)
        batch_op.create_index('ix_tickets_queue', ['tier', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_status'), ['status'], unique=False)

    op.create_table('ticket_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_username', sa.String(length=64), nullable=False),
    sa.Column('actor_role', sa.String(length=32), nullable=True),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_events_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_events'))
    )
    with op.batch_alter_table('ticket_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_events_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('ticket_sla_flags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('clock', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('due_at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_sla_flags_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_sla_flags')),
    sa.UniqueConstraint('ticket_id', 'clock', 'kind', name=op.f('uq_ticket_sla_flags_ticket_id'))
    )
    with op.batch_alter_table('ticket_sla_flags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_sla_flags_ticket_id'), ['ticket_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('ticket_sla_flags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_sla_flags_ticket_id'))

    op.drop_table('ticket_sla_flags')
    with op.batch_alter_table('ticket_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_events_ticket_id'))

    op.drop_table('ticket_events')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tickets_status'))
        batch_op.drop_index('ix_tickets_queue')
        batch_op.drop_index(batch_op.f('ix_tickets_phone'))
        batch_op.drop_index(batch_op.f('ix_tickets_linked_ticket_id'))
        batch_op.drop_index('ix_tickets_grab')
        batch_op.drop_index(batch_op.f('ix_tickets_enterprise_id'))
        batch_op.drop_index(batch_op.f('ix_tickets_engineer_id'))
        batch_op.drop_index(batch_op.f('ix_tickets_created_by_id'))
        batch_op.drop_index(batch_op.f('ix_tickets_created_at'))
        batch_op.drop_index(batch_op.f('ix_tickets_channel'))

    op.drop_table('tickets')
    with op.batch_alter_table('field_engineers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_field_engineers_team_id'))

    op.drop_table('field_engineers')
    op.drop_table('dispatch_rules')
    with op.batch_alter_table('service_teams', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_teams_city'))

    op.drop_table('service_teams')
