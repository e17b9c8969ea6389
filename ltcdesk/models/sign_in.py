"""Wrong passwords in a row, counted per typed username whether or not it is an account.

A row is keyed by an HMAC-SHA256 of the lower-cased username under a random key kept in
``settings`` (``SIGN_IN_NAME_KEY``), never by the text itself: people type their password in
the username box, and an unknown name must lock exactly as a real one does without the
database keeping what was typed. Rows are forgotten a day after the last wrong password.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ltcdesk.models.base import Base

# settings.key of the per-database HMAC key (64 hex digits), written by migration 0012.
SIGN_IN_NAME_KEY = "sign_in_name_key"
# settings.key present only in a database made by the demo generator (migration 0012 adds it
# to databases whose audit log shows demo data was generated).
DEMO_DATABASE_KEY = "demo_database"


class SignInAttempt(Base):
    __tablename__ = "sign_in_attempts"

    name_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    last_failed_at: Mapped[datetime] = mapped_column(DateTime, index=True)
