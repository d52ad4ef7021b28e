"""access control: doors, sites, time zones, groups, permissions, events (A1, A2, A4, T3)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import yikatong.db

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('access_permission_versions',
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('inputs_digest', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_access_permission_versions_enterprise_id_enterprises')),
    sa.PrimaryKeyConstraint('enterprise_id', name=op.f('pk_access_permission_versions'))
    )
    op.create_table('access_sites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('anti_passback', sa.Boolean(), nullable=False),
    sa.Column('created_at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_access_sites_enterprise_id_enterprises')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_sites')),
    sa.UniqueConstraint('enterprise_id', 'name', name='uq_access_sites_enterprise_name')
    )
    with op.batch_alter_table('access_sites', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_sites_enterprise_id'), ['enterprise_id'], unique=False)

    op.create_table('access_time_zones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('periods', sa.JSON(), nullable=False),
    sa.Column('created_at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_access_time_zones_enterprise_id_enterprises')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_time_zones'))
    )
    with op.batch_alter_table('access_time_zones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_time_zones_enterprise_id'), ['enterprise_id'], unique=False)

    op.create_table('access_doors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=True),
    sa.Column('direction', sa.String(length=8), nullable=False),
    sa.Column('created_at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('removed_at', yikatong.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_access_doors_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['site_id'], ['access_sites.id'], name=op.f('fk_access_doors_site_id_access_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_doors'))
    )
    with op.batch_alter_table('access_doors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_doors_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_doors_site_id'), ['site_id'], unique=False)

    op.create_table('access_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('time_zone_id', sa.Integer(), nullable=False),
    sa.Column('created_at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_access_groups_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['time_zone_id'], ['access_time_zones.id'], name=op.f('fk_access_groups_time_zone_id_access_time_zones')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_groups'))
    )
    with op.batch_alter_table('access_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_groups_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_groups_time_zone_id'), ['time_zone_id'], unique=False)

    op.create_table('access_member_validity',
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_access_member_validity_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_access_member_validity_member_id_members')),
    sa.PrimaryKeyConstraint('member_id', name=op.f('pk_access_member_validity'))
    )
    with op.batch_alter_table('access_member_validity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_member_validity_enterprise_id'), ['enterprise_id'], unique=False)

    op.create_table('access_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('door_id', sa.Integer(), nullable=False),
    sa.Column('terminal_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=True),
    sa.Column('card_no', sa.String(length=16), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('department', sa.String(length=100), nullable=True),
    sa.Column('at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('allowed', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('direction', sa.String(length=8), nullable=True),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('uploaded_at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['door_id'], ['access_doors.id'], name=op.f('fk_access_events_door_id_access_doors')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_access_events_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['terminal_id'], ['terminals.id'], name=op.f('fk_access_events_terminal_id_terminals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_events')),
    sa.UniqueConstraint('terminal_id', 'seq', name='uq_access_events_terminal_seq')
    )
    with op.batch_alter_table('access_events', schema=None) as batch_op:
        batch_op.create_index('ix_access_events_door_at', ['door_id', 'at'], unique=False)
        batch_op.create_index('ix_access_events_enterprise_at', ['enterprise_id', 'at'], unique=False)
        batch_op.create_index('ix_access_events_enterprise_card_at', ['enterprise_id', 'card_no', 'at'], unique=False)
        batch_op.create_index('ix_access_events_member_at', ['member_id', 'at'], unique=False)

    op.create_table('access_terminal_states',
    sa.Column('terminal_id', sa.Integer(), nullable=False),
    sa.Column('permissions_version', sa.Integer(), nullable=False),
    sa.Column('synced_at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['terminal_id'], ['terminals.id'], name=op.f('fk_access_terminal_states_terminal_id_terminals')),
    sa.PrimaryKeyConstraint('terminal_id', name=op.f('pk_access_terminal_states'))
    )
    op.create_table('access_group_departments',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('department', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['access_groups.id'], name=op.f('fk_access_group_departments_group_id_access_groups')),
    sa.PrimaryKeyConstraint('group_id', 'department', name=op.f('pk_access_group_departments'))
    )
    op.create_table('access_group_doors',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('door_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['door_id'], ['access_doors.id'], name=op.f('fk_access_group_doors_door_id_access_doors')),
    sa.ForeignKeyConstraint(['group_id'], ['access_groups.id'], name=op.f('fk_access_group_doors_group_id_access_groups')),
    sa.PrimaryKeyConstraint('group_id', 'door_id', name=op.f('pk_access_group_doors'))
    )
    with op.batch_alter_table('access_group_doors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_group_doors_door_id'), ['door_id'], unique=False)

    op.create_table('access_group_members',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['access_groups.id'], name=op.f('fk_access_group_members_group_id_access_groups')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_access_group_members_member_id_members')),
    sa.PrimaryKeyConstraint('group_id', 'member_id', name=op.f('pk_access_group_members'))
    )
    with op.batch_alter_table('access_group_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_group_members_member_id'), ['member_id'], unique=False)

    op.create_table('access_permissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('door_id', sa.Integer(), nullable=False),
    sa.Column('card_no', sa.String(length=16), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('time_zone_ids', sa.String(length=200), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('removed', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['door_id'], ['access_doors.id'], name=op.f('fk_access_permissions_door_id_access_doors')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_access_permissions_enterprise_id_enterprises')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_permissions')),
    sa.UniqueConstraint('door_id', 'card_no', name='uq_access_permissions_door_card')
    )
    with op.batch_alter_table('access_permissions', schema=None) as batch_op:
        batch_op.create_index('ix_access_permissions_door_version', ['door_id', 'version'], unique=False)
        batch_op.create_index('ix_access_permissions_enterprise_card', ['enterprise_id', 'card_no'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('access_permissions', schema=None) as batch_op:
        batch_op.drop_index('ix_access_permissions_enterprise_card')
        batch_op.drop_index('ix_access_permissions_door_version')

    op.drop_table('access_permissions')
    op.drop_table('access_terminal_states')
    with op.batch_alter_table('access_group_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_group_members_member_id'))

    op.drop_table('access_group_members')
    with op.batch_alter_table('access_group_doors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_group_doors_door_id'))

    op.drop_table('access_group_doors')
    op.drop_table('access_group_departments')
    with op.batch_alter_table('access_events', schema=None) as batch_op:
        batch_op.drop_index('ix_access_events_member_at')
        batch_op.drop_index('ix_access_events_enterprise_card_at')
        batch_op.drop_index('ix_access_events_enterprise_at')
        batch_op.drop_index('ix_access_events_door_at')

    op.drop_table('access_events')
    with op.batch_alter_table('access_member_validity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_member_validity_enterprise_id'))

    op.drop_table('access_member_validity')
    with op.batch_alter_table('access_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_groups_time_zone_id'))
        batch_op.drop_index(batch_op.f('ix_access_groups_enterprise_id'))

    op.drop_table('access_groups')
    with op.batch_alter_table('access_doors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_doors_site_id'))
        batch_op.drop_index(batch_op.f('ix_access_doors_enterprise_id'))

    op.drop_table('access_doors')
    with op.batch_alter_table('access_time_zones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_time_zones_enterprise_id'))

    op.drop_table('access_time_zones')
    with op.batch_alter_table('access_sites', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_sites_enterprise_id'))

    op.drop_table('access_sites')
    op.drop_table('access_permission_versions')
