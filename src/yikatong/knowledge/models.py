from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yikatong.core.clock import now
from yikatong.db import Base, UTCDateTime


class Category(StrEnum):
    business = "business"  # 业务咨询
    cards = "cards"  # 卡片
    purse = "purse"  # 充值消费
    terminal = "terminal"  # 终端
    engineering = "engineering"  # 工程
    technical = "technical"  # 技术说明


class Audience(StrEnum):
    public = "public"  # members and enterprise admins may read it once published
    internal = "internal"  # service staff only


class ArticleStatus(StrEnum):
    draft = "draft"
    published = "published"
    archived = "archived"


class Article(Base):
    """A knowledge-base article (S7). `revision` counts edits; each one is kept in kb_article_revisions."""

    __tablename__ = "kb_articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stable key of built-in content so seeding is idempotent; NULL for staff-written articles.
    seed_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(16), index=True)
    audience: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    author_name: Mapped[str] = mapped_column(String(64))
    updated_by_name: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class ArticleRevision(Base):
    """One saved version of an article: who changed it, when, and what it said."""

    __tablename__ = "kb_article_revisions"
    __table_args__ = (UniqueConstraint("article_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id"))
    revision: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(16))
    audience: Mapped[str] = mapped_column(String(16))
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    editor_name: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)


class ArticleTerm(Base):
    """Search index: one row per distinct term (character bigram, single character, or ASCII word)
    of an article, rewritten in the same transaction as every edit. Portable SQL, no extensions."""

    __tablename__ = "kb_terms"
    __table_args__ = (Index("ix_kb_terms_term", "term"),)

    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id"), primary_key=True)
    term: Mapped[str] = mapped_column(String(32), primary_key=True)
    in_title: Mapped[bool] = mapped_column(Boolean, default=False)
    in_body: Mapped[bool] = mapped_column(Boolean, default=False)
