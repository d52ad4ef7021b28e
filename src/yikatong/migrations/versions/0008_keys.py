"""key service: platform root keys, enterprise master keys and profiles, terminals' key mother cards (E2, T1)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import yikatong.db


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('platform_root_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('algorithm_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('material', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_platform_root_keys')),
    sa.UniqueConstraint('algorithm_id', 'version', name=op.f('uq_platform_root_keys_algorithm_id'))
    )
    op.create_table('enterprise_key_profiles',
    sa.Column('enterprise_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('algorithm_id', sa.Integer(), nullable=False),
    sa.Column('current_version', sa.Integer(), nullable=False),
    sa.Column('created_at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_enterprise_key_profiles_enterprise_id_enterprises')),
    sa.PrimaryKeyConstraint('enterprise_id', name=op.f('pk_enterprise_key_profiles'))
    )
    op.create_table('enterprise_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('key_type', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('algorithm_id', sa.Integer(), nullable=False),
    sa.Column('root_key_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('material', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('retired_at', yikatong.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_enterprise_keys_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['root_key_id'], ['platform_root_keys.id'], name=op.f('fk_enterprise_keys_root_key_id_platform_root_keys')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enterprise_keys')),
    sa.UniqueConstraint('enterprise_id', 'key_type', 'version', name=op.f('uq_enterprise_keys_enterprise_id'))
    )
    with op.batch_alter_table('enterprise_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enterprise_keys_enterprise_id'), ['enterprise_id'], unique=False)

    op.create_table('terminal_mother_cards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('terminal_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('key_set_version', sa.Integer(), nullable=False),
    sa.Column('bundle_created_at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('material', sa.LargeBinary(), nullable=False),
    sa.Column('imported_at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_terminal_mother_cards_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['terminal_id'], ['terminals.id'], name=op.f('fk_terminal_mother_cards_terminal_id_terminals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_terminal_mother_cards')),
    sa.UniqueConstraint('terminal_id', name=op.f('uq_terminal_mother_cards_terminal_id'))
    )
    with op.batch_alter_table('terminal_mother_cards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_terminal_mother_cards_enterprise_id'), ['enterprise_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('terminal_mother_cards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_terminal_mother_cards_enterprise_id'))

    op.drop_table('terminal_mother_cards')
    with op.batch_alter_table('enterprise_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enterprise_keys_enterprise_id'))

    op.drop_table('enterprise_keys')
    op.drop_table('enterprise_key_profiles')
    op.drop_table('platform_root_keys')
