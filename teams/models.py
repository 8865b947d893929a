from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    select,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from accounts.models import User
from campaigns.models import Challenge, Phase
from core.db import Base, str_enum

TEAM_NAME_MAX = 80
URL_MAX = 500
ENTRY_TEXT_MAX = 10_000
ENTRY_TITLE_MAX = 200
ENTRY_SUMMARY_MAX = 1_000
EXTENSION_REASON_MAX = 500
ATTACHMENT_NAME_MAX = 255
ATTACHMENT_TYPE_MAX = 100


class TeamStatus(enum.StrEnum):
    ACTIVE = "active"
    ELIMINATED = "eliminated"
    WINNER = "winner"
    WITHDRAWN = "withdrawn"


class InvitationStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    REVOKED = "revoked"


class EntryStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class Team(Base):
    __tablename__ = "team"
    # the status: which teams have withdrawn (``judging.withdrawn``), asked by every judging list
    __table_args__ = (UniqueConstraint("campaign_id", "name_key"), Index("ix_team_status", "status"))

    campaign_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    challenge_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("challenge.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(TEAM_NAME_MAX))
    # case- and space-folded name: two teams of a campaign cannot differ only by case
    name_key: Mapped[str] = mapped_column(String(TEAM_NAME_MAX))
    captain_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("user_account.id"), index=True)
    status: Mapped[TeamStatus] = mapped_column(str_enum(TeamStatus, "team_status"), default=TeamStatus.ACTIVE)

    challenge: Mapped[Challenge] = relationship(lazy="raise")
    captain: Mapped[User] = relationship(lazy="raise")
    memberships: Mapped[list[Membership]] = relationship(back_populates="team", lazy="raise", order_by="Membership.id")


class Membership(Base):
    """A person in a team. ``campaign_id`` is repeated so one person is in one team per campaign."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("campaign_id", "user_id"),)

    team_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("team.id", ondelete="CASCADE"), index=True)
    campaign_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("campaign.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("user_account.id", ondelete="CASCADE"), index=True)

    team: Mapped[Team] = relationship(back_populates="memberships", lazy="raise")
    user: Mapped[User] = relationship(lazy="raise")


class Invitation(Base):
    __tablename__ = "invitation"

    team_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("team.id", ondelete="CASCADE"), index=True)
    invitee_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    invited_by_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("user_account.id"))
    status: Mapped[InvitationStatus] = mapped_column(
        str_enum(InvitationStatus, "invitation_status"), default=InvitationStatus.PENDING
    )

    team: Mapped[Team] = relationship(lazy="raise")
    invitee: Mapped[User] = relationship(lazy="raise", foreign_keys=[invitee_id])
    invited_by: Mapped[User] = relationship(lazy="raise", foreign_keys=[invited_by_id])


class Entry(Base):
    """A team's work for one submission phase; the fields hold the latest saved text.

    That text is the team's own working copy (a draft, possibly saved after the deadline). Everyone
    else (organizers, judges, executives, results, exports, notifications) sees the version
    submitted in time: ``submitted_title`` below, or the ``EntryVersion`` numbered
    ``submitted_version``; an entry never submitted has no public title (``submitted_title`` None).
    """

    __tablename__ = "entry"
    # a phase's submitted entries in id order: the assignment, progress and short-of-judges lists
    __table_args__ = (
        UniqueConstraint("team_id", "phase_id"),
        Index("ix_entry_phase_id_status", "phase_id", "status", "id"),
    )

    team_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("team.id", ondelete="CASCADE"), index=True)
    phase_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("phase.id", ondelete="CASCADE"), index=True)
    status: Mapped[EntryStatus] = mapped_column(str_enum(EntryStatus, "entry_status"), default=EntryStatus.DRAFT)
    title: Mapped[str] = mapped_column(String(ENTRY_TITLE_MAX), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    problem: Mapped[str] = mapped_column(Text, default="")
    solution: Mapped[str] = mapped_column(Text, default="")
    expected_impact: Mapped[str] = mapped_column(Text, default="")
    prototype_url: Mapped[str] = mapped_column(String(URL_MAX), default="")
    video_url: Mapped[str] = mapped_column(String(URL_MAX), default="")
    # the version judges see: the number of the last one submitted in time
    submitted_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    if TYPE_CHECKING:
        # the title of the version submitted in time, None when none was (mapped below EntryVersion)
        submitted_title: Mapped[str | None]

    team: Mapped[Team] = relationship(lazy="raise")
    phase: Mapped[Phase] = relationship(lazy="raise")
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="entry",
        lazy="raise",
        order_by=lambda: [Attachment.created_at, Attachment.id],
        passive_deletes=True,
    )
    # the files of the version submitted in time: what everyone but the team sees
    submitted_attachments: Mapped[list[Attachment]] = relationship(
        primaryjoin=lambda: (Attachment.entry_id == Entry.id) & in_submitted_version(),
        lazy="raise",
        order_by=lambda: [Attachment.created_at, Attachment.id],
        viewonly=True,
    )


class EntryVersion(Base):
    """Every saved state of an entry, drafts and submissions alike."""

    __tablename__ = "entry_version"
    __table_args__ = (UniqueConstraint("entry_id", "number"),)

    entry_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    submitted: Mapped[bool] = mapped_column(default=False)
    saved_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    title: Mapped[str] = mapped_column(String(ENTRY_TITLE_MAX), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    problem: Mapped[str] = mapped_column(Text, default="")
    solution: Mapped[str] = mapped_column(Text, default="")
    expected_impact: Mapped[str] = mapped_column(Text, default="")
    prototype_url: Mapped[str] = mapped_column(String(URL_MAX), default="")
    video_url: Mapped[str] = mapped_column(String(URL_MAX), default="")


# Read with the entry in the same statement (a correlated look-up on the unique (entry_id, number)
# index): every page that lists entries shows what was submitted in time, at no extra statement.
Entry.submitted_title = column_property(
    select(EntryVersion.title)
    .where(EntryVersion.entry_id == Entry.id, EntryVersion.number == Entry.submitted_version)
    .correlate_except(EntryVersion)
    .scalar_subquery()
)


class Extension(Base):
    """One team's later deadline in one submission phase, granted by an organizer with a reason."""

    __tablename__ = "extension"
    __table_args__ = (UniqueConstraint("team_id", "phase_id"),)

    team_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("team.id", ondelete="CASCADE"), index=True)
    phase_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("phase.id", ondelete="CASCADE"), index=True)
    until: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    reason: Mapped[str] = mapped_column(String(EXTENSION_REASON_MAX))
    granted_by_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )

    team: Mapped[Team] = relationship(lazy="raise")
    phase: Mapped[Phase] = relationship(lazy="raise")


class Attachment(Base):
    """A file of an entry, kept on disk under a generated name; the row holds what we know of it.

    ``content_type`` is what the bytes are (detected from the content, never from the name or
    the browser); ``created_at`` is set from the injected clock when the file is added.

    Files are versioned with the entry's text: ``submitted`` marks the files of the version
    submitted in time (set for the team's files when it submits), the only ones anyone but the
    team sees. A submitted file the team removes is kept, with ``removed_at``, until the team
    submits again; any other removed file is deleted at once (``teams.attachments``).
    """

    __tablename__ = "attachment"

    entry_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    original_name: Mapped[str] = mapped_column(String(ATTACHMENT_NAME_MAX))
    # a random hex name: nothing the user sent ever becomes part of a path
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(ATTACHMENT_TYPE_MAX))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True, index=True
    )
    submitted: Mapped[bool] = mapped_column(default=False, server_default=false())
    removed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)

    entry: Mapped[Entry] = relationship(back_populates="attachments", lazy="raise")
    uploaded_by: Mapped[User | None] = relationship(lazy="raise")


# --- finding teammates: join requests and the board ----------------------------------------------

JOIN_MESSAGE_MAX = 500
PITCH_MAX = 500
SKILL_MAX = 40


class JoinRequestStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class JoinRequest(Base):
    """A person asks to join a team, with a message; the captain accepts or declines it."""

    __tablename__ = "join_request"
    __table_args__ = (Index("ix_join_request_team_status", "team_id", "status"),)

    team_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("team.id", ondelete="CASCADE"))
    campaign_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("campaign.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    message: Mapped[str] = mapped_column(String(JOIN_MESSAGE_MAX), default="")
    status: Mapped[JoinRequestStatus] = mapped_column(
        str_enum(JoinRequestStatus, "join_request_status"), default=JoinRequestStatus.PENDING
    )
    requested_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    decided_by_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )

    team: Mapped[Team] = relationship(lazy="raise")
    user: Mapped[User] = relationship(lazy="raise", foreign_keys=[user_id])


class Seeker(Base):
    """A person without a team who lists themself on a campaign's board, with a pitch and skills."""

    __tablename__ = "seeker"
    __table_args__ = (UniqueConstraint("campaign_id", "user_id"),)

    campaign_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("campaign.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    pitch: Mapped[str] = mapped_column(String(PITCH_MAX), default="")
    listed_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))

    user: Mapped[User] = relationship(lazy="raise")
    skills: Mapped[list[SeekerSkill]] = relationship(lazy="raise", order_by="SeekerSkill.id", viewonly=True)


class SeekerSkill(Base):
    """A skill a seeker offers; ``key`` is the folded form that matching and filters compare."""

    __tablename__ = "seeker_skill"
    __table_args__ = (UniqueConstraint("seeker_id", "key"), Index("ix_seeker_skill_key", "key"))

    seeker_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("seeker.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(SKILL_MAX))
    key: Mapped[str] = mapped_column(String(SKILL_MAX))


class TeamNeed(Base):
    """A skill a team lacks and looks for on the board."""

    __tablename__ = "team_need"
    __table_args__ = (UniqueConstraint("team_id", "key"), Index("ix_team_need_key", "key"))

    team_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("team.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(SKILL_MAX))
    key: Mapped[str] = mapped_column(String(SKILL_MAX))


def in_submitted_version() -> ColumnElement[bool]:
    """The files of the version submitted in time: what everyone but the team sees (the one home of
    that rule, for ``Entry.submitted_attachments`` and the queries of ``teams.attachments``)."""
    return Attachment.submitted.is_(True)
