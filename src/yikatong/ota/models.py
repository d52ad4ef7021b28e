from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from yikatong.core.clock import now
from yikatong.db import Base, UTCDateTime


class ChipState(StrEnum):
    pending = "pending"  # issued, not personalised: the card did not answer (or had no keys to get)
    washed = "washed"  # the enterprise's keys replaced the transport keys (C3)


class Chip(Base):
    """What the platform knows of a card's chip (C3): whose keys it holds and whose purse runs on
    it. One row per issued card; no row for cards issued before over-the-air personalisation."""

    __tablename__ = "ota_chips"

    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"), primary_key=True)
    card_no: Mapped[str] = mapped_column(String(16), unique=True)
    state: Mapped[str] = mapped_column(String(16))
    key_enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"))
    key_version: Mapped[int | None] = mapped_column(Integer)
    # The one purse application of the chip (docs/ota.md): the first enterprise holding the chip's
    # keys that opens a purse; None until then.
    purse_enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"))
    last_error: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
