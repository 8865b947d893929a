"""Applying a judging phase's advancement rule, and overriding an outcome by hand.

Rules chosen here (DOMAIN.md is silent on them):
- the rule is applied once per phase (``Phase.advancement_applied_at``, set by a conditional
  UPDATE, so the scheduler and an organizer racing it apply it once); an organizer may apply it
  by hand before the phase closes; a manual rule is never applied: each team is decided by
  overriding;
- an incomplete entry is left undecided (no ``Advancement`` row): the organizer decides it by
  hand, and the report of the automatic step lists it;
- an outcome overridden before the rule is applied is kept as it is;
- eliminating sets an active team ``eliminated``; a winner or withdrawn team keeps its status;
  advancing a team eliminated by this phase makes it active again.
Teams hear of it through the events ``AdvancementApplied`` and ``AdvancementOverridden``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.access import Actor, is_person
from accounts.models import User
from campaigns.access import CAMPAIGN_NOT_FOUND, can_organize
from campaigns.models import AdvancementRule, Campaign, Phase, PhaseKind, RankingScope
from core.audit import record
from core.concurrency import add_unique
from core.errors import N_, Conflict, NotFound, ValidationFailed
from core.events import publish
from judging.advancement_rules import BAD_RULE, MANUAL_RULE, Decision, Ranked, decide
from judging.events import AdvancementApplied, AdvancementOverridden
from judging.models import Advancement, AdvancementOutcome
from judging.phases import PHASE_NOT_FOUND
from judging.ranking import phase_ranking
from judging.ranking_rows import PhaseRanking, RankingRow
from teams.models import Team, TeamStatus

REASON_MAX = 1000
TEAM_NOT_FOUND = N_("We could not find that team in this phase.")
OUTCOMES_FINAL = N_("The results are published, so the outcomes of this phase can no longer change.")


@dataclass
class AdvancementReport:
    advanced: list[int] = field(default_factory=list)
    eliminated: list[int] = field(default_factory=list)
    tied: list[int] = field(default_factory=list)
    undecided: list[int] = field(default_factory=list)  # incomplete entries: decide by hand
    kept: list[int] = field(default_factory=list)  # overridden before the rule was applied


async def _campaign_of(session: AsyncSession, actor: Actor, phase: Phase) -> Campaign:
    campaign = await session.get(Campaign, phase.campaign_id)
    if campaign is None or phase.kind is not PhaseKind.JUDGING:
        raise NotFound(PHASE_NOT_FOUND)
    if is_person(actor) and not await can_organize(session, campaign, actor):
        raise NotFound(CAMPAIGN_NOT_FOUND)
    return campaign


async def _changeable_campaign_of(session: AsyncSession, actor: Actor, phase: Phase) -> Campaign:
    """The campaign, while its outcomes may still change: published results are final (a team's
    status is part of what they show), so no override and no rule applies after publication."""
    campaign = await _campaign_of(session, actor, phase)
    # shared, on PostgreSQL: a publication (which updates the row first) waits for this change,
    # or this change for the publication, whose time it then reads
    published_at = await session.scalar(
        select(Campaign.results_published_at).where(Campaign.id == campaign.id).with_for_update(read=True)
    )
    if published_at is not None:
        raise Conflict(OUTCOMES_FINAL)
    return campaign


async def ranking_of(session: AsyncSession, phase: Phase) -> PhaseRanking:
    return await phase_ranking(session, phase, phase.ranking_scope.value)


async def phase_advancements(session: AsyncSession, phase_id: int) -> dict[int, Advancement]:
    """The outcomes recorded for a phase, by team id."""
    rows = await session.scalars(select(Advancement).where(Advancement.phase_id == phase_id))
    return {a.team_id: a for a in rows.all()}


def _state(a: Advancement | None) -> dict[str, object] | None:
    if a is None:
        return None
    return {"outcome": a.outcome.value, "rank": a.rank, "score": a.score, "tied_at_cut": a.tied_at_cut}


async def _set_status(session: AsyncSession, actor: Actor, now: datetime, team: Team, target: TeamStatus) -> None:
    if team.status is target:
        return
    before = team.status
    await session.execute(
        update(Team).where(Team.id == team.id).values(status=target).execution_options(synchronize_session=False)
    )
    await session.refresh(team)
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action=f"team.{target.value}",
        subject=team,
        campaign_id=team.campaign_id,
        before={"status": before.value},
        after={"status": target.value},
    )


def ranked_rows(phase: Phase, rows: list[RankingRow]) -> list[Ranked]:
    """The ranking's rows as the pure rule sees them: keyed by team, scoped by the phase's ranking scope."""
    challenge_scope = phase.ranking_scope is RankingScope.CHALLENGE
    return [Ranked(r.team.id, r.challenge.id if challenge_scope else None, r.rank, r.score, r.incomplete) for r in rows]


def preview_outcomes(phase: Phase, rows: list[RankingRow]) -> dict[int, Decision]:
    """What the rule would decide now, by team, before it is applied; nothing where the rule is
    manual, applied already or cannot be applied (``apply_blocker`` says why)."""
    if phase.advancement_rule is AdvancementRule.MANUAL or phase.advancement_applied_at is not None:
        return {}
    try:
        return {d.key: d for d in decide(ranked_rows(phase, rows), phase.advancement_rule, phase.advancement_value)}
    except ValueError:
        return {}


async def apply_advancement(
    session: AsyncSession, actor: Actor, now: datetime, phase: Phase
) -> AdvancementReport | None:
    """Applies the phase's rule (``actor`` ``SCHEDULER``: the scheduler, no rights checked).
    None when it was applied already."""
    await _changeable_campaign_of(session, actor, phase)
    if phase.advancement_rule is AdvancementRule.MANUAL:
        raise Conflict(MANUAL_RULE)
    # claim first: the row lock makes a concurrent rubric reset wait, or see the claim and refuse,
    # so the ranking below reads the scorecards as they stay (a refused rule undoes the claim)
    result = await session.execute(
        update(Phase)
        .where(Phase.id == phase.id, Phase.advancement_applied_at.is_(None))
        .values(advancement_applied_at=now)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(phase)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    ranking = await ranking_of(session, phase)
    rows = {row.team.id: row for row in ranking.rows}
    # the rows carry plain values: the teams whose status may change, as ORM objects, in one statement
    teams = {t.id: t for t in (await session.scalars(select(Team).where(Team.campaign_id == phase.campaign_id))).all()}
    try:
        decisions = decide(
            ranked_rows(phase, ranking.rows),
            phase.advancement_rule,
            phase.advancement_value,
        )
    except ValueError as exc:  # undo the claim, whatever the caller does with the transaction
        await session.execute(update(Phase).where(Phase.id == phase.id).values(advancement_applied_at=None))
        await session.refresh(phase)
        raise Conflict(BAD_RULE) from exc
    existing = await phase_advancements(session, phase.id)
    report = AdvancementReport()
    for d in decisions:
        if d.outcome is None:
            report.undecided.append(d.key)
            continue
        if d.key in existing:
            report.kept.append(d.key)
            continue
        row = rows[d.key]
        outcome = AdvancementOutcome(d.outcome)
        advancement = _new_row(phase, row, outcome, now, tied=d.tied_at_cut)
        session.add(advancement)
        await session.flush()
        await record(
            session,
            at=now,
            actor_id=actor.id,
            action="advancement.decide",
            subject=advancement,
            campaign_id=phase.campaign_id,
            after=_state(advancement),
        )
        (report.advanced if outcome is AdvancementOutcome.ADVANCE else report.eliminated).append(d.key)
        if d.tied_at_cut:
            report.tied.append(d.key)
        team = teams[row.team.id]
        if outcome is AdvancementOutcome.ELIMINATE and team.status is TeamStatus.ACTIVE:
            await _set_status(session, actor, now, team, TeamStatus.ELIMINATED)
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="phase.advance",
        subject=phase,
        campaign_id=phase.campaign_id,
        before={"advancement_applied_at": None},
        after={
            "advancement_applied_at": now.isoformat(),
            "advanced": report.advanced,
            "eliminated": report.eliminated,
            "tied_at_cut": report.tied,
            "undecided": report.undecided,
        },
    )
    await publish(
        session,
        AdvancementApplied(phase.id, now, tuple(report.advanced), tuple(report.eliminated)),
    )
    return report


def _new_row(phase: Phase, row: RankingRow, outcome: AdvancementOutcome, now: datetime, *, tied: bool) -> Advancement:
    return Advancement(
        phase_id=phase.id,
        team_id=row.team.id,
        entry_id=row.entry.id,
        outcome=outcome,
        rank=row.rank,
        score=row.score,
        tied_at_cut=tied,
        overridden=False,
        reason="",
        decided_at=now,
    )


async def _advancement_for_update(session: AsyncSession, phase_id: int, team_id: int) -> Advancement | None:
    """A team's recorded outcome, locked until the transaction ends, so concurrent overrides apply one by one."""
    found: Advancement | None = await session.scalar(
        select(Advancement)
        .where(Advancement.phase_id == phase_id, Advancement.team_id == team_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return found


async def override_advancement(
    session: AsyncSession,
    actor: User,
    now: datetime,
    phase: Phase,
    team_id: int,
    outcome: AdvancementOutcome,
    reason: str,
) -> Advancement:
    """Sets one team's outcome by hand, with a reason, audited before and after."""
    await _changeable_campaign_of(session, actor, phase)
    ranking = await ranking_of(session, phase)
    row = ranking.row_of_team(team_id)
    if row is None:
        raise NotFound(TEAM_NOT_FOUND)
    reason = reason.strip()
    if not reason:
        raise ValidationFailed({"reason": N_("Give the reason for this decision.")})
    if len(reason) > REASON_MAX:
        raise ValidationFailed({"reason": N_("Keep the reason within 1000 characters.")})
    # a shared lock on the phase: applying the rule (an UPDATE of the phase row first) waits for this
    # override, or this override for it, so the rule never records an outcome beside this one
    await session.execute(select(Phase.id).where(Phase.id == phase.id).with_for_update(read=True))
    advancement = await _advancement_for_update(session, phase.id, team_id)
    before = _state(advancement)
    if advancement is None:
        advancement = _new_row(phase, row, outcome, now, tied=False)
        if not await add_unique(session, advancement):
            # another override of the team was recorded meanwhile: this one applies after it, as if sent later
            advancement = await _advancement_for_update(session, phase.id, team_id)
            assert advancement is not None
            before = _state(advancement)
    advancement.outcome = outcome
    advancement.overridden = True
    advancement.reason = reason
    advancement.decided_at = now
    await session.flush()
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="advancement.override",
        subject=advancement,
        campaign_id=phase.campaign_id,
        before=before,
        after=_state(advancement),
        reason=reason,
    )
    team = await session.get_one(Team, row.team.id)
    if outcome is AdvancementOutcome.ELIMINATE and team.status is TeamStatus.ACTIVE:
        await _set_status(session, actor, now, team, TeamStatus.ELIMINATED)
    elif outcome is AdvancementOutcome.ADVANCE and team.status is TeamStatus.ELIMINATED:
        await _set_status(session, actor, now, team, TeamStatus.ACTIVE)
    await publish(session, AdvancementOverridden(phase.id, team_id, outcome.value, now))
    return advancement


# --- the organizer's list of outcomes -----------------------------------------------------------

SHOWS = ("all", "advance", "eliminate", "undecided", "tied")


@dataclass(frozen=True)
class Decided:
    """A recorded outcome, as the list filters it (the full row is loaded for the page shown only)."""

    outcome: AdvancementOutcome
    tied_at_cut: bool


async def decided_outcomes(session: AsyncSession, phase_id: int) -> dict[int, Decided]:
    """The outcomes recorded for a phase, by team id: two columns, one query, no ORM objects."""
    rows = await session.execute(
        select(Advancement.team_id, Advancement.outcome, Advancement.tied_at_cut).where(
            Advancement.phase_id == phase_id
        )
    )
    return {team_id: Decided(outcome, tied) for team_id, outcome, tied in rows.tuples()}


async def advancements_of(session: AsyncSession, phase_id: int, team_ids: list[int]) -> dict[int, Advancement]:
    """The recorded outcomes of some teams of a phase (the page shown), by team id: one query."""
    if not team_ids:
        return {}
    rows = await session.scalars(
        select(Advancement).where(Advancement.phase_id == phase_id, Advancement.team_id.in_(team_ids))
    )
    return {a.team_id: a for a in rows.all()}


def list_state(row: RankingRow, decided: Decided | None, preview: Decision | None) -> tuple[str, bool]:
    """Where a ranking row stands for the list's filter: ``advance``, ``eliminate`` (recorded, or what the
    rule would decide now) or ``undecided``; and whether it is tied at the cut."""
    if decided is not None:
        return decided.outcome.value, decided.tied_at_cut
    if row.incomplete or preview is None or preview.outcome is None:
        return "undecided", False
    return preview.outcome, preview.tied_at_cut


async def teams_named(session: AsyncSession, campaign_id: int, search: str) -> set[int]:
    """The ids of the campaign's teams whose name contains ``search`` (any case): one query."""
    rows = await session.scalars(
        select(Team.id).where(
            Team.campaign_id == campaign_id,
            Team.name_key.contains(" ".join(search.casefold().split()), autoescape=True),
        )
    )
    return set(rows.all())


def filter_outcomes(
    rows: list[RankingRow],
    decided: dict[int, Decided],
    preview: dict[int, Decision],
    *,
    challenge_id: int | None = None,
    show: str = "all",
    team_ids: set[int] | None = None,
) -> tuple[list[RankingRow], dict[str, int]]:
    """The ranking rows the organizer asked for, in ranking order, and how many rows each ``show`` choice
    holds within the challenge and teams chosen (``team_ids``: those a search found; one pass over the
    cached ranking, no query)."""
    counts = dict.fromkeys(SHOWS, 0)
    kept: list[RankingRow] = []
    for row in rows:
        if challenge_id is not None and row.challenge.id != challenge_id:
            continue
        if team_ids is not None and row.team.id not in team_ids:
            continue
        state, tied = list_state(row, decided.get(row.team.id), preview.get(row.team.id))
        counts["all"] += 1
        counts[state] += 1
        if tied:
            counts["tied"] += 1
        if show == "all" or show == state or (show == "tied" and tied):
            kept.append(row)
    return kept, counts
