from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yikatong.core.clock import now
from yikatong.db import Base, UTCDateTime


class OfflineRecord(Base):
    """One offline purchase a card made at a POS with a SAM (P7), as uploaded and verified. Stored
    even when it could not be posted (``ledger_short``): the card paid, the data is never lost."""

    __tablename__ = "offline_records"
    __table_args__ = (
        # A card never uses an offline counter twice: a second record with it is a re-upload or a fake.
        UniqueConstraint("enterprise_id", "card_no", "offline_counter", name="uq_offline_records_card_counter"),
        # Nor does a SAM reuse its serial; the TAC covers the serial but not the card's counter, so
        # this is what stops a genuine record being replayed under another counter.
        UniqueConstraint("enterprise_id", "sam_terminal_id", "terminal_serial", name="uq_offline_records_sam_serial"),
        Index("ix_offline_records_flagged", "enterprise_id", "flagged", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    terminal_id: Mapped[int] = mapped_column(ForeignKey("terminals.id"), index=True)  # the uploading POS
    card_no: Mapped[str] = mapped_column(String(16))
    offline_counter: Mapped[int] = mapped_column(Integer)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    transaction_type: Mapped[str] = mapped_column(String(2))
    sam_terminal_id: Mapped[str] = mapped_column(String(12))  # as the SAM wrote it, upper-case hex
    terminal_serial: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)  # the SAM's time
    tac: Mapped[str] = mapped_column(String(8))
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("transfers.id"))
    flagged: Mapped[bool] = mapped_column(default=False)
    flags: Mapped[str] = mapped_column(String(80), default="")  # comma-separated flag codes
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
