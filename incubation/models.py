from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import BigInteger, ForeignKey, Numeric, String, Text
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


class IncubationProject(Base):
    __tablename__ = "incubation_project"

    campaign_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
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

    team: Mapped[Team] = relationship(lazy="raise")
    sponsor: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[sponsor_id])
