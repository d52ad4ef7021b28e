"""purse ledger, terminals, merchants

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import yikatong.db


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('owner_id', sa.BigInteger(), nullable=False),
    sa.Column('balance_fen', sa.BigInteger(), nullable=False),
    sa.Column('allow_negative', sa.Boolean(), nullable=False),
    sa.Column('expires_at', yikatong.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('allow_negative OR balance_fen >= 0', name=op.f('ck_accounts_no_negative_balance')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_accounts_enterprise_id_enterprises')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounts')),
    sa.UniqueConstraint('enterprise_id', 'kind', 'owner_id', name=op.f('uq_accounts_enterprise_id'))
    )
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accounts_enterprise_id'), ['enterprise_id'], unique=False)

    op.create_table('merchants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('created_at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_merchants_enterprise_id_enterprises')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_merchants'))
    )
    with op.batch_alter_table('merchants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_merchants_enterprise_id'), ['enterprise_id'], unique=False)

    op.create_table('purse_settings',
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('validity_days', sa.Integer(), nullable=True),
    sa.Column('expiry_rule', sa.String(length=16), nullable=False),
    sa.Column('bill_mode', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_purse_settings_enterprise_id_enterprises')),
    sa.PrimaryKeyConstraint('enterprise_id', name=op.f('pk_purse_settings'))
    )
    op.create_table('terminals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=True),
    sa.Column('door_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_terminals_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], name=op.f('fk_terminals_merchant_id_merchants')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_terminals_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_terminals')),
    sa.UniqueConstraint('user_id', name=op.f('uq_terminals_user_id'))
    )
    with op.batch_alter_table('terminals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_terminals_enterprise_id'), ['enterprise_id'], unique=False)

    op.create_table('transfers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('debit_account_id', sa.Integer(), nullable=False),
    sa.Column('credit_account_id', sa.Integer(), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('reverses_transfer_id', sa.Integer(), nullable=True),
    sa.Column('reference', sa.String(length=64), nullable=False),
    sa.Column('terminal_id', sa.Integer(), nullable=True),
    sa.Column('merchant_id', sa.Integer(), nullable=True),
    sa.Column('debit_balance_after_fen', sa.BigInteger(), nullable=False),
    sa.Column('credit_balance_after_fen', sa.BigInteger(), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('created_at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount_fen > 0', name=op.f('ck_transfers_positive_amount')),
    sa.CheckConstraint('debit_account_id != credit_account_id', name=op.f('ck_transfers_two_accounts')),
    sa.ForeignKeyConstraint(['credit_account_id'], ['accounts.id'], name=op.f('fk_transfers_credit_account_id_accounts')),
    sa.ForeignKeyConstraint(['debit_account_id'], ['accounts.id'], name=op.f('fk_transfers_debit_account_id_accounts')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_transfers_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], name=op.f('fk_transfers_merchant_id_merchants')),
    sa.ForeignKeyConstraint(['reverses_transfer_id'], ['transfers.id'], name=op.f('fk_transfers_reverses_transfer_id_transfers')),
    sa.ForeignKeyConstraint(['terminal_id'], ['terminals.id'], name=op.f('fk_transfers_terminal_id_terminals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transfers')),
    sa.UniqueConstraint('reverses_transfer_id', name=op.f('uq_transfers_reverses_transfer_id'))
    )
    with op.batch_alter_table('transfers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transfers_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_transfers_credit', ['credit_account_id', 'id'], unique=False)
        batch_op.create_index('ix_transfers_debit', ['debit_account_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_transfers_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index('ix_transfers_terminal', ['terminal_id', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('transfers', schema=None) as batch_op:
        batch_op.drop_index('ix_transfers_terminal')
        batch_op.drop_index(batch_op.f('ix_transfers_enterprise_id'))
        batch_op.drop_index('ix_transfers_debit')
        batch_op.drop_index('ix_transfers_credit')
        batch_op.drop_index(batch_op.f('ix_transfers_created_at'))

    op.drop_table('transfers')
    with op.batch_alter_table('terminals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_terminals_enterprise_id'))

    op.drop_table('terminals')
    op.drop_table('purse_settings')
    with op.batch_alter_table('merchants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_merchants_enterprise_id'))

    op.drop_table('merchants')
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accounts_enterprise_id'))

    op.drop_table('accounts')
