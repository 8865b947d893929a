from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import EMAIL_MAX, User
from core.db import Base, str_enum


class NotificationKind(enum.StrEnum):
    """What a notification is about; each person chooses per kind how to receive it."""

    TEAM_INVITATION = "team_invitation"
    PHASE_OPENED = "phase_opened"
    SUBMISSION_REMINDER = "submission_reminder"
    JUDGING_REMINDER = "judging_reminder"
    RESULTS_PUBLISHED = "results_published"
    EXTENSION_GRANTED = "extension_granted"
    AUTOMATION_FAILED = "automation_failed"
    TEAM_ADVANCED = "team_advanced"
    TEAM_ELIMINATED = "team_eliminated"
    AWARDS_TO_APPROVE = "awards_to_approve"
    JOIN_REQUEST = "join_request"
    JOIN_ANSWER = "join_answer"
    CAPTAIN = "captain"
    PROJECT_PROPOSED = "project_proposed"
    PROJECT_DECIDED = "project_decided"
    MILESTONE_OVERDUE = "milestone_overdue"


class MailState(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"  # refused by the server for good, or too many attempts
    UNCERTAIN = "uncertain"  # a worker stopped while sending: perhaps sent; never resent by itself


class Notification(Base):
    """One message to one person. Its text is rendered from ``kind`` and ``params`` in the reader's language."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_read", "user_id", "read_at"),)

    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(str_enum(NotificationKind, "notification_kind"))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    link: Mapped[str] = mapped_column(String(300), default="")
    campaign_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    read_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    # False when the person chose e-mail only for this kind: it then is not listed in the app
    in_app: Mapped[bool] = mapped_column(Boolean, default=True)

    user: Mapped[User] = relationship(lazy="raise")


class NotificationPreference(Base):
    """A person's choice for one kind; without a row, both channels are on."""

    __tablename__ = "notification_preference"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(str_enum(NotificationKind, "notification_kind"))
    in_app: Mapped[bool] = mapped_column(Boolean, default=True)
    email: Mapped[bool] = mapped_column(Boolean, default=True)


class OutboxMail(Base):
    """An e-mail to send: claimed by a worker, sent over SMTP, retried with backoff, never sent twice."""

    __tablename__ = "outbox_mail"
    __table_args__ = (Index("ix_outbox_mail_state_next", "state", "next_attempt_at"),)

    notification_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("notification.id", ondelete="CASCADE"), unique=True
    )
    to_address: Mapped[str] = mapped_column(String(EMAIL_MAX))
    locale: Mapped[str] = mapped_column(String(16))
    state: Mapped[MailState] = mapped_column(str_enum(MailState, "mail_state"), default=MailState.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)

    notification: Mapped[Notification] = relationship(lazy="raise")
