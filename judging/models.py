from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import User
from core.db import Base, str_enum
from teams.models import Entry, Team

CRITERION_NAME_MAX = 120
FEEDBACK_MAX = 5_000


class ScorecardStatus(enum.StrEnum):
    DRAFT = "draft"
    FINAL = "final"


class AssignmentSource(enum.StrEnum):
    MANUAL = "manual"
    AUTOMATIC = "automatic"


class AdvancementOutcome(enum.StrEnum):
    ADVANCE = "advance"
    ELIMINATE = "eliminate"


class Criterion(Base):
    """One line of a judging phase's rubric."""

    __tablename__ = "criterion"

    phase_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("phase.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(CRITERION_NAME_MAX))
    guidance: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[float] = mapped_column(Float)
    scale_min: Mapped[int] = mapped_column(Integer, default=1)
    scale_max: Mapped[int] = mapped_column(Integer, default=5)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # optional level descriptors: {"1": "No evidence", "5": "Compelling"}
    descriptors: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Assignment(Base):
    """A judge assigned to an entry in a judging phase."""

    __tablename__ = "assignment"
    # a phase's assignments counted per judge: the loads on the assignment page, the progress page
    __table_args__ = (
        UniqueConstraint("phase_id", "entry_id", "judge_id"),
        Index("ix_assignment_phase_id_judge_id", "phase_id", "judge_id"),
    )

    phase_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("phase.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    judge_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    source: Mapped[AssignmentSource] = mapped_column(
        str_enum(AssignmentSource, "assignment_source"), default=AssignmentSource.MANUAL, server_default="manual"
    )

    entry: Mapped[Entry] = relationship(lazy="raise")
    judge: Mapped[User] = relationship(lazy="raise")


class JudgeChallenge(Base):
    """Limits a judge of a campaign to some of its challenges; a judge without rows judges all."""

    __tablename__ = "judge_challenge"
    __table_args__ = (UniqueConstraint("judge_id", "challenge_id"),)

    campaign_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    judge_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    challenge_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("challenge.id", ondelete="CASCADE"))


class ConflictDeclaration(Base):
    """A judge's declared conflict of interest with an entry: never assigned it again."""

    __tablename__ = "conflict_declaration"
    __table_args__ = (UniqueConstraint("phase_id", "entry_id", "judge_id"),)

    phase_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("phase.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    judge_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(500), default="")
    declared_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class Advancement(Base):
    """The outcome of a judging phase for one team: advance or eliminate, by rule or overridden."""

    __tablename__ = "advancement"
    __table_args__ = (UniqueConstraint("phase_id", "team_id"),)

    phase_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("phase.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("team.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("entry.id", ondelete="SET NULL"), nullable=True)
    outcome: Mapped[AdvancementOutcome] = mapped_column(str_enum(AdvancementOutcome, "advancement_outcome"))
    rank: Mapped[int | None] = mapped_column(Integer, nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    tied_at_cut: Mapped[bool] = mapped_column(default=False)
    overridden: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(String(1000), default="")
    decided_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))

    team: Mapped[Team] = relationship(lazy="raise")


class Scorecard(Base):
    __tablename__ = "scorecard"
    __table_args__ = (UniqueConstraint("phase_id", "entry_id", "judge_id"),)

    phase_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("phase.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    judge_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    status: Mapped[ScorecardStatus] = mapped_column(
        str_enum(ScorecardStatus, "scorecard_status"), default=ScorecardStatus.DRAFT
    )
    feedback: Mapped[str] = mapped_column(Text, default="")
    private_note: Mapped[str] = mapped_column(Text, default="")
    finalised_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)

    scores: Mapped[list[Score]] = relationship(back_populates="scorecard", lazy="raise", order_by="Score.id")
    judge: Mapped[User] = relationship(lazy="raise")


class Score(Base):
    __tablename__ = "score"
    __table_args__ = (UniqueConstraint("scorecard_id", "criterion_id"),)

    scorecard_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("scorecard.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("criterion.id", ondelete="CASCADE"))
    value: Mapped[int] = mapped_column(Integer)

    scorecard: Mapped[Scorecard] = relationship(back_populates="scores", lazy="raise")


class Award(Base):
    """A named prize of a campaign; per-challenge when ``challenge_id`` is set."""

    __tablename__ = "award"

    campaign_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    challenge_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("challenge.id", ondelete="CASCADE"), nullable=True
    )
    name: Mapped[str] = mapped_column(String(120))
    team_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("team.id", ondelete="CASCADE"), index=True)
    citation: Mapped[str] = mapped_column(Text, default="")
    # an executive approves each award before the results can be published
    approved_by_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    approved_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)

    team: Mapped[Team] = relationship(lazy="raise")


class PublishedTeamResult(Base):
    """What one team of a campaign sees of the published results, frozen at (re)publication.

    ``data`` holds the figures of the team's result page as plain values (``judging.published``):
    nothing that changes after publication alters them until an organizer republishes.
    """

    __tablename__ = "published_team_result"

    campaign_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("team.id", ondelete="CASCADE"), unique=True)
    published_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
