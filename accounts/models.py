from __future__ import annotations

from datetime import datetime

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base

EMAIL_MAX = 254
NAME_MAX = 120
LOCALES = ("en", "zh_CN")  # the languages a person can choose (web.i18n names them)


class Department(Base):
    __tablename__ = "department"

    name: Mapped[str] = mapped_column(String(120), unique=True)


class User(Base):
    __tablename__ = "user_account"

    email: Mapped[str] = mapped_column(String(EMAIL_MAX), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    department_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("department.id", ondelete="SET NULL"), nullable=True, index=True
    )
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_executive: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str | None] = mapped_column(String(16), nullable=True)
    timezone: Mapped[str | None] = mapped_column(String(64), nullable=True)

    department: Mapped[Department | None] = relationship(lazy="raise")


class AuthSession(Base):
    """A signed-in browser. The cookie holds a random token; only its hash is stored."""

    __tablename__ = "auth_session"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    last_seen_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    user_agent: Mapped[str | None] = mapped_column(String(255), nullable=True)

    user: Mapped[User] = relationship(lazy="raise")


class SignInCounter(Base):
    """Sign-in attempts of one throttling key (an account or a client address) in its window.

    The key is a SHA-256 digest, so what people type into the e-mail field (sometimes their
    password) is never stored. One row per key, changed only by single atomic statements
    (accounts.throttle), so the count holds across app instances and parallel requests.
    """

    __tablename__ = "sign_in_counter"

    key: Mapped[str] = mapped_column(String(64), unique=True)
    attempts: Mapped[int] = mapped_column(Integer)
    window_started_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True), index=True)
