from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import BigInteger, Date, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import User
from core.db import Base, str_enum
from teams.models import Team


class ProjectStatus(enum.StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    RUNNING = "running"
    IMPLEMENTED = "implemented"
    STOPPED = "stopped"
    DECLINED = "declined"


class OutcomeKind(enum.StrEnum):
    """What a measured outcome counts; ``custom`` is the project's own KPI."""

    COST_SAVED = "cost_saved"
    REVENUE = "revenue"
    HOURS_SAVED = "hours_saved"
    CUSTOM = "custom"


class IncubationProject(Base):
    """A winning entry (its team's, one per team) proposed for incubation, decided, then run."""

    __tablename__ = "incubation_project"

    campaign_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    # the unique team is the unique entry: a second proposal for the same entry is refused
    team_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("team.id", ondelete="CASCADE"), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    sponsor_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    budget_requested: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal(0))
    budget_approved: Mapped[Decimal | None] = mapped_column(Numeric(14, 2), nullable=True)
    status: Mapped[ProjectStatus] = mapped_column(
        str_enum(ProjectStatus, "project_status"),
        default=ProjectStatus.PROPOSED,
    )
    approved_by_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    approved_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    # --- issue 13: the proposal, the decision, the life of the project
    proposed_by_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    proposed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    # the day the project would start; no milestone is due before it
    starts_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    # team time asked: hours per week per member
    team_hours_per_week: Mapped[Decimal | None] = mapped_column(Numeric(5, 1), nullable=True)
    # the KPI the project should move
    kpi_name: Mapped[str] = mapped_column(String(120), default="")
    kpi_unit: Mapped[str] = mapped_column(String(40), default="")
    kpi_baseline: Mapped[Decimal | None] = mapped_column(Numeric(18, 2), nullable=True)
    kpi_target: Mapped[Decimal | None] = mapped_column(Numeric(18, 2), nullable=True)
    decided_by_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    decided_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    decline_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    stop_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)

    team: Mapped[Team] = relationship(lazy="raise")
    sponsor: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[sponsor_id])


class Milestone(Base):
    """A step of a project with its due day and owner (a team member); ticked off when done."""

    __tablename__ = "incubation_milestone"
    __table_args__ = (Index("ix_incubation_milestone_project", "project_id", "due_on"),)

    project_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("incubation_project.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column(Date)
    owner_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    done_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    done_by_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    # set once, by the conditional UPDATE of the overdue reminder: never reminded twice
    reminded_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)

    owner: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[owner_id])


class ProjectUpdate(Base):
    """An entry of a project's log, written by its team (or sponsor)."""

    __tablename__ = "incubation_update"
    __table_args__ = (Index("ix_incubation_update_project", "project_id", "at"),)

    project_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("incubation_project.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    body: Mapped[str] = mapped_column(Text)

    author: Mapped[User | None] = relationship(lazy="raise")


class ProjectOutcome(Base):
    """A measured outcome: what was realised (of a kind, in a unit) since the project's previous
    measurement, measured on a day. The realised value is the sum of a project's outcomes."""

    __tablename__ = "incubation_outcome"
    __table_args__ = (Index("ix_incubation_outcome_project", "project_id", "measured_on"),)

    project_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("incubation_project.id", ondelete="CASCADE"))
    kind: Mapped[OutcomeKind] = mapped_column(str_enum(OutcomeKind, "outcome_kind"))
    unit: Mapped[str] = mapped_column(String(40))
    value: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    measured_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(500), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
