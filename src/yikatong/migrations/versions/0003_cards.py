"""cards, person credentials, idempotency

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import yikatong.db


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('card_stock',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('iccid', sa.String(length=20), nullable=True),
    sa.Column('imsi', sa.String(length=15), nullable=True),
    sa.Column('uid', sa.String(length=20), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('batch', sa.String(length=64), nullable=False),
    sa.Column('imported_at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_card_stock')),
    sa.UniqueConstraint('iccid', name=op.f('uq_card_stock_iccid')),
    sa.UniqueConstraint('imsi', name=op.f('uq_card_stock_imsi')),
    sa.UniqueConstraint('uid', name=op.f('uq_card_stock_uid'))
    )
    with op.batch_alter_table('card_stock', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_card_stock_state'), ['state'], unique=False)

    op.create_table('idempotency_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner', sa.String(length=80), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.Column('created_at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_records')),
    sa.UniqueConstraint('owner', 'key', name=op.f('uq_idempotency_records_owner'))
    )
    op.create_table('one_time_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=11), nullable=False),
    sa.Column('purpose', sa.String(length=32), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', yikatong.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_one_time_codes'))
    )
    with op.batch_alter_table('one_time_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_one_time_codes_phone'), ['phone'], unique=False)

    op.create_table('person_credentials',
    sa.Column('phone', sa.String(length=11), nullable=False),
    sa.Column('service_password_hash', sa.String(length=255), nullable=True),
    sa.Column('service_failures', sa.Integer(), nullable=False),
    sa.Column('service_locked_until', yikatong.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('phone', name=op.f('pk_person_credentials'))
    )
    op.create_table('blacklist_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('card_no', sa.String(length=16), nullable=False),
    sa.Column('change', sa.String(length=8), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_blacklist_changes_enterprise_id_enterprises')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_blacklist_changes')),
    sa.UniqueConstraint('enterprise_id', 'version', name=op.f('uq_blacklist_changes_enterprise_id'))
    )
    with op.batch_alter_table('blacklist_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_blacklist_changes_card_no'), ['card_no'], unique=False)
        batch_op.create_index(batch_op.f('ix_blacklist_changes_enterprise_id'), ['enterprise_id'], unique=False)

    op.create_table('blacklist_versions',
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_blacklist_versions_enterprise_id_enterprises')),
    sa.PrimaryKeyConstraint('enterprise_id', name=op.f('pk_blacklist_versions'))
    )
    op.create_table('cards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('card_no', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('phone', sa.String(length=11), nullable=False),
    sa.Column('holder_name', sa.String(length=50), nullable=False),
    sa.Column('stock_id', sa.Integer(), nullable=True),
    sa.Column('iccid', sa.String(length=20), nullable=True),
    sa.Column('imsi', sa.String(length=15), nullable=True),
    sa.Column('uid', sa.String(length=20), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('issued_at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status_changed_at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('replaces_card_id', sa.Integer(), nullable=True),
    sa.Column('restored_from', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['replaces_card_id'], ['cards.id'], name=op.f('fk_cards_replaces_card_id_cards')),
    sa.ForeignKeyConstraint(['stock_id'], ['card_stock.id'], name=op.f('fk_cards_stock_id_card_stock')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cards')),
    sa.UniqueConstraint('card_no', name=op.f('uq_cards_card_no'))
    )
    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cards_phone'), ['phone'], unique=False)
        batch_op.create_index(batch_op.f('ix_cards_status'), ['status'], unique=False)
        batch_op.create_index('uq_cards_live_phone', ['phone'], unique=True, sqlite_where=sa.text("status IN ('active', 'lost')"), postgresql_where=sa.text("status IN ('active', 'lost')"))

    op.create_table('card_applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('mode', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('opened_at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', yikatong.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_reason', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['card_id'], ['cards.id'], name=op.f('fk_card_applications_card_id_cards')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_card_applications_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_card_applications_member_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_card_applications'))
    )
    with op.batch_alter_table('card_applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_card_applications_card_id'), ['card_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_card_applications_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_card_applications_member_id'), ['member_id'], unique=False)
        batch_op.create_index('uq_card_applications_live', ['card_id', 'enterprise_id', 'type'], unique=True, sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))



def downgrade() -> None:
    with op.batch_alter_table('card_applications', schema=None) as batch_op:
        batch_op.drop_index('uq_card_applications_live', sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))
        batch_op.drop_index(batch_op.f('ix_card_applications_member_id'))
        batch_op.drop_index(batch_op.f('ix_card_applications_enterprise_id'))
        batch_op.drop_index(batch_op.f('ix_card_applications_card_id'))

    op.drop_table('card_applications')
    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.drop_index('uq_cards_live_phone', sqlite_where=sa.text("status IN ('active', 'lost')"), postgresql_where=sa.text("status IN ('active', 'lost')"))
        batch_op.drop_index(batch_op.f('ix_cards_status'))
        batch_op.drop_index(batch_op.f('ix_cards_phone'))

    op.drop_table('cards')
    op.drop_table('blacklist_versions')
    with op.batch_alter_table('blacklist_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_blacklist_changes_enterprise_id'))
        batch_op.drop_index(batch_op.f('ix_blacklist_changes_card_no'))

    op.drop_table('blacklist_changes')
    op.drop_table('person_credentials')
    with op.batch_alter_table('one_time_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_one_time_codes_phone'))

    op.drop_table('one_time_codes')
    op.drop_table('idempotency_records')
    with op.batch_alter_table('card_stock', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_card_stock_state'))

    op.drop_table('card_stock')
