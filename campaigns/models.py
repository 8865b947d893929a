from __future__ import annotations

import enum
from datetime import datetime

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import Department, User
from core.db import Base, str_enum

TITLE_MAX = 200
TEXT_MAX = 20_000
REMINDER_HOURS_MAX = 60


class CampaignStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"
    ARCHIVED = "archived"


class PhaseKind(enum.StrEnum):
    REGISTRATION = "registration"
    SUBMISSION = "submission"
    JUDGING = "judging"
    RESULTS = "results"


class PhaseStatus(enum.StrEnum):
    PENDING = "pending"
    OPEN = "open"
    CLOSED = "closed"


class RankingScope(enum.StrEnum):
    CHALLENGE = "challenge"
    CAMPAIGN = "campaign"


class AdvancementRule(enum.StrEnum):
    MANUAL = "manual"
    TOP_N = "top_n"
    TOP_PERCENT = "top_percent"
    MIN_SCORE = "min_score"


class CampaignRoleKind(enum.StrEnum):
    ORGANIZER = "organizer"
    JUDGE = "judge"


class NormalisationMode(enum.StrEnum):
    NONE = "none"
    ZSCORE = "zscore"
    JUDGE_EFFECTS = "judge-effects"


class Campaign(Base):
    __tablename__ = "campaign"

    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    sponsor_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True, index=True
    )
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    status: Mapped[CampaignStatus] = mapped_column(
        str_enum(CampaignStatus, "campaign_status"), default=CampaignStatus.DRAFT, index=True
    )
    all_staff_eligible: Mapped[bool] = mapped_column(Boolean, default=True)
    min_team_size: Mapped[int] = mapped_column(Integer, default=1)
    max_team_size: Mapped[int] = mapped_column(Integer, default=5)
    show_judge_names: Mapped[bool] = mapped_column(Boolean, default=False)
    show_ranks: Mapped[bool] = mapped_column(Boolean, default=True)
    published_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    results_published_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    # hours before a submission or judging deadline at which reminders go out, e.g. "24,1"; "" for none
    reminder_hours: Mapped[str] = mapped_column(String(REMINDER_HOURS_MAX), default="24,1", server_default="24,1")

    sponsor: Mapped[User | None] = relationship(lazy="raise")
    challenges: Mapped[list[Challenge]] = relationship(
        back_populates="campaign", lazy="raise", order_by="Challenge.position, Challenge.id"
    )
    phases: Mapped[list[Phase]] = relationship(
        back_populates="campaign", lazy="raise", order_by="Phase.position, Phase.id"
    )
    eligible_departments: Mapped[list[Department]] = relationship(secondary="campaign_department", lazy="raise")


class CampaignDepartment(Base):
    """Departments eligible for a campaign that is not open to all staff."""

    __tablename__ = "campaign_department"
    __table_args__ = (UniqueConstraint("campaign_id", "department_id"),)

    campaign_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("campaign.id", ondelete="CASCADE"))
    department_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("department.id", ondelete="CASCADE"))


class CampaignRole(Base):
    """A person's campaign-scoped role: organizer or judge."""

    __tablename__ = "campaign_role"
    __table_args__ = (UniqueConstraint("campaign_id", "user_id", "role"),)

    campaign_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    role: Mapped[CampaignRoleKind] = mapped_column(str_enum(CampaignRoleKind, "campaign_role_kind"))

    user: Mapped[User] = relationship(lazy="raise")


class Challenge(Base):
    __tablename__ = "challenge"

    campaign_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    expected_impact: Mapped[str] = mapped_column(Text, default="")
    resources: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)

    campaign: Mapped[Campaign] = relationship(back_populates="challenges", lazy="raise")
    owner: Mapped[User | None] = relationship(lazy="raise")


class Phase(Base):
    """One step of a campaign's timeline. ``opens_at`` inclusive, ``closes_at`` exclusive (UTC)."""

    __tablename__ = "phase"

    campaign_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    kind: Mapped[PhaseKind] = mapped_column(str_enum(PhaseKind, "phase_kind"))
    name: Mapped[str] = mapped_column(String(TITLE_MAX))
    position: Mapped[int] = mapped_column(Integer, default=0)
    opens_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    closes_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    grace_minutes: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[PhaseStatus] = mapped_column(str_enum(PhaseStatus, "phase_status"), default=PhaseStatus.PENDING)
    # judging phases: which submission phase they judge, and how
    judges_phase_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("phase.id", ondelete="SET NULL"), nullable=True
    )
    required_judges: Mapped[int] = mapped_column(Integer, default=3)
    normalisation: Mapped[NormalisationMode] = mapped_column(
        str_enum(NormalisationMode, "normalisation_mode"), default=NormalisationMode.NONE
    )
    ranking_scope: Mapped[RankingScope] = mapped_column(
        str_enum(RankingScope, "ranking_scope"), default=RankingScope.CAMPAIGN, server_default="campaign"
    )
    advancement_rule: Mapped[AdvancementRule] = mapped_column(
        str_enum(AdvancementRule, "advancement_rule"), default=AdvancementRule.MANUAL, server_default="manual"
    )
    # N for top N, P for top P %, X for score >= X; None for manual
    advancement_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    # forbid judging a team with a member from the judge's own department
    department_conflict: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    advancement_applied_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)

    campaign: Mapped[Campaign] = relationship(back_populates="phases", lazy="raise")
