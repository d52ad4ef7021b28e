from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from yikatong.core.clock import now
from yikatong.db import Base, UTCDateTime


class CardKind(StrEnum):
    rfid_sim = "rfid_sim"  # the member's SIM with a contactless interface, bound to the phone number
    ic = "ic"  # 13.56 MHz contactless IC card for non-subscribers (M3)


class StockState(StrEnum):
    in_stock = "in_stock"
    allocated = "allocated"
    issued = "issued"
    damaged = "damaged"
    destroyed = "destroyed"


class CardStatus(StrEnum):
    active = "active"
    lost = "lost"  # 挂失
    replaced = "replaced"  # 补换卡: superseded by a new card
    cancelled = "cancelled"  # 注销


class AppType(StrEnum):
    identity = "identity"
    access = "access"
    attendance = "attendance"
    purse = "purse"


class AppMode(StrEnum):
    ota = "ota"  # 空中方式
    local = "local"  # 本地方式, at an issuing terminal


class AppStatus(StrEnum):
    active = "active"
    deleted = "deleted"  # C8: removed at the member's request
    revoked = "revoked"  # C7/C9/M5: closed by the platform with the card or the number


LIVE = (CardStatus.active.value, CardStatus.lost.value)


class StockCard(Base):
    """A blank card or SIM in the operator's stock (卡资源, C1)."""

    __tablename__ = "card_stock"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    iccid: Mapped[str | None] = mapped_column(String(20), unique=True)
    imsi: Mapped[str | None] = mapped_column(String(15), unique=True)
    uid: Mapped[str | None] = mapped_column(String(20), unique=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    batch: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)


class Card(Base):
    """A person's card. It belongs to a phone number, not to an enterprise: each enterprise the
    person belongs to opens its own sub-applications on it."""

    __tablename__ = "cards"
    __table_args__ = (
        # M2: one live RFID-SIM (or any live card) per phone number; replaced/cancelled cards free it.
        Index("uq_cards_live_phone", "phone", unique=True,
              sqlite_where=text("status IN ('active', 'lost')"),
              postgresql_where=text("status IN ('active', 'lost')")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    card_no: Mapped[str] = mapped_column(String(16), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    phone: Mapped[str] = mapped_column(String(11), index=True)
    holder_name: Mapped[str] = mapped_column(String(50))
    stock_id: Mapped[int | None] = mapped_column(ForeignKey("card_stock.id"))
    iccid: Mapped[str | None] = mapped_column(String(20))
    imsi: Mapped[str | None] = mapped_column(String(15))
    uid: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(16), index=True)
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    status_changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    replaces_card_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id"))
    # C7: where the new card's data came from: the old card's backup or the platform's records.
    restored_from: Mapped[str | None] = mapped_column(String(16))


class CardApplication(Base):
    """An enterprise sub-application on a card (企业子应用)."""

    __tablename__ = "card_applications"
    __table_args__ = (
        Index("uq_card_applications_live", "card_id", "enterprise_id", "type", unique=True,
              sqlite_where=text("status = 'active'"), postgresql_where=text("status = 'active'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    type: Mapped[str] = mapped_column(String(16))
    mode: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_reason: Mapped[str | None] = mapped_column(String(32))


class BlacklistVersion(Base):
    """The current blacklist version of an enterprise; bumped under a row lock for each change."""

    __tablename__ = "blacklist_versions"

    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


class BlacklistChange(Base):
    """One change of an enterprise's blacklist: a card added or removed at a version (T3)."""

    __tablename__ = "blacklist_changes"
    __table_args__ = (UniqueConstraint("enterprise_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    card_no: Mapped[str] = mapped_column(String(16), index=True)
    change: Mapped[str] = mapped_column(String(8))  # added | removed
    reason: Mapped[str] = mapped_column(String(32))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
