"""knowledge base: articles, revisions, search terms (S7)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import yikatong.db


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('kb_articles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seed_key', sa.String(length=64), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('audience', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_name', sa.String(length=64), nullable=False),
    sa.Column('updated_by_name', sa.String(length=64), nullable=False),
    sa.Column('created_at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_at', yikatong.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_kb_articles_author_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_articles')),
    sa.UniqueConstraint('seed_key', name=op.f('uq_kb_articles_seed_key'))
    )
    with op.batch_alter_table('kb_articles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kb_articles_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_kb_articles_status'), ['status'], unique=False)

    op.create_table('kb_article_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('audience', sa.String(length=16), nullable=False),
    sa.Column('editor_id', sa.Integer(), nullable=True),
    sa.Column('editor_name', sa.String(length=64), nullable=False),
    sa.Column('created_at', yikatong.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['kb_articles.id'], name=op.f('fk_kb_article_revisions_article_id_kb_articles')),
    sa.ForeignKeyConstraint(['editor_id'], ['users.id'], name=op.f('fk_kb_article_revisions_editor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_article_revisions')),
    sa.UniqueConstraint('article_id', 'revision', name=op.f('uq_kb_article_revisions_article_id'))
    )
    op.create_table('kb_terms',
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('term', sa.String(length=32), nullable=False),
    sa.Column('in_title', sa.Boolean(), nullable=False),
    sa.Column('in_body', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['kb_articles.id'], name=op.f('fk_kb_terms_article_id_kb_articles')),
    sa.PrimaryKeyConstraint('article_id', 'term', name=op.f('pk_kb_terms'))
    )
    with op.batch_alter_table('kb_terms', schema=None) as batch_op:
        batch_op.create_index('ix_kb_terms_term', ['term'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('kb_terms', schema=None) as batch_op:
        batch_op.drop_index('ix_kb_terms_term')

    op.drop_table('kb_terms')
    op.drop_table('kb_article_revisions')
    with op.batch_alter_table('kb_articles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kb_articles_status'))
        batch_op.drop_index(batch_op.f('ix_kb_articles_category'))

    op.drop_table('kb_articles')
