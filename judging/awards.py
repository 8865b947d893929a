"""Awards and the publication of a campaign's results.

Rules chosen here (DOMAIN.md is silent on them):
- an award goes to a team ranked (not incomplete) in at least one judging phase of the campaign;
  a per-challenge award goes to a team of that challenge; a withdrawn team is never ranked
  (``judging.withdrawn``), and an award given before its team withdrew can be neither approved
  nor published: the results wait until an organizer deletes it;
- results can only be published once at least one award exists, every award is approved, none
  goes to a withdrawn team and no phase of the campaign still runs (``judging.publication``);
  publishing sets
  ``campaign.results_published_at`` once (a second publication changes nothing), opens the
  results phase if it is still pending and its closing time has not passed, and marks the
  award-winning teams ``winner`` (a withdrawn team keeps its status);
- after publication awards are read-only; what teams see is a snapshot taken at publication
  (``judging.published``), replaced only by an explicit, audited republication (with a reason,
  under the same conditions as publishing) that tells the teams;
- every award is approved by an executive (or an admin) before the results can be published; a
  new award starts unapproved (awards are never edited, only added and deleted), and the first
  award waiting for approval announces itself (``AwardsAwaitingApproval``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from accounts.access import Actor, is_person, is_platform_lead
from accounts.models import User
from campaigns.access import CAMPAIGN_NOT_FOUND, can_organize
from campaigns.models import Campaign, Challenge, Phase, PhaseKind, PhaseStatus
from campaigns.phase_transitions import open_phase
from campaigns.timeline import lock_campaign
from core.audit import record
from core.concurrency import serialise
from core.errors import N_, Conflict, NotFound, ValidationFailed
from core.events import publish
from judging.events import AwardsAwaitingApproval, ResultsPublished, ResultsRepublished
from judging.models import Award, PublishedTeamResult
from judging.publication import Blocker, publication_blockers
from judging.published import take_snapshot
from judging.ranking import phase_rankings
from teams.models import Team, TeamStatus

AWARD_NAME_MAX = 120
CITATION_MAX = 5_000
AWARD_NOT_FOUND = N_("We could not find that award.")
RESULTS_PUBLISHED = N_("The results are published: awards can no longer change.")
NOT_PUBLISHED = N_("The results are not published yet: publish them first.")
REASON_MAX = 1_000
REASON_MISSING = N_("Say why the results are published again: the teams are told.")
REASON_TOO_LONG = N_("Keep the reason within 1000 characters.")
ALREADY_APPROVED = N_("This award is approved already.")
AWARD_WITHDRAWN = N_("This award's team has withdrawn, so the award cannot be approved; the organizers can delete it.")


@dataclass
class AwardInput:
    name: str
    team_id: int | None
    challenge_id: int | None = None
    citation: str = ""


async def _require_organizer(session: AsyncSession, campaign: Campaign, actor: Actor) -> None:
    if is_person(actor) and not await can_organize(session, campaign, actor):
        raise NotFound(CAMPAIGN_NOT_FOUND)


def _require_unpublished(campaign: Campaign) -> None:
    if campaign.results_published_at is not None:
        raise Conflict(RESULTS_PUBLISHED)


async def judging_phases(session: AsyncSession, campaign_id: int) -> list[Phase]:
    rows = await session.scalars(
        select(Phase)
        .where(Phase.campaign_id == campaign_id, Phase.kind == PhaseKind.JUDGING)
        .order_by(Phase.position, Phase.id)
    )
    return list(rows.all())


async def ranked_teams(session: AsyncSession, campaign_id: int) -> list[Team]:
    """Teams ranked (not incomplete) in at least one judging phase, by challenge then name."""
    rankings = await phase_rankings(session, await judging_phases(session, campaign_id), named=False)
    ids = {row.team.id for ranking in rankings for row in ranking.rows if row.rank is not None}
    teams = await session.scalars(
        select(Team).where(Team.campaign_id == campaign_id).options(joinedload(Team.challenge))
    )
    found = [t for t in teams.all() if t.id in ids]
    return sorted(found, key=lambda t: (t.challenge.position, t.challenge.id, t.name.lower(), t.id))


async def campaign_awards(session: AsyncSession, campaign_id: int) -> list[Award]:
    """Awards with their teams and the teams' challenges, campaign-wide ones first, in creation order."""
    rows = await session.scalars(
        select(Award)
        .where(Award.campaign_id == campaign_id)
        .options(joinedload(Award.team).joinedload(Team.challenge))
        .order_by(Award.challenge_id.is_not(None), Award.id)
    )
    return list(rows.unique().all())


async def award_winning_teams(session: AsyncSession, campaign_id: int) -> list[Team]:
    """Distinct teams holding at least one award of the campaign, with their challenges, by id.

    Whether the results are published is the caller's question (``campaign.results_published_at``).
    """
    has_award = select(Award.team_id).where(Award.campaign_id == campaign_id)
    rows = await session.scalars(
        select(Team).where(Team.id.in_(has_award)).options(joinedload(Team.challenge)).order_by(Team.id)
    )
    return list(rows.unique().all())


def _award_state(award: Award) -> dict[str, object]:
    return {
        "name": award.name,
        "team_id": award.team_id,
        "challenge_id": award.challenge_id,
        "citation": award.citation,
        "approved_by_id": award.approved_by_id,
        "approved_at": award.approved_at.isoformat() if award.approved_at else None,
    }


async def awaiting_approval(session: AsyncSession, campaign_id: int) -> int:
    """How many awards of the campaign wait for an executive's approval."""
    stmt = select(func.count(Award.id)).where(Award.campaign_id == campaign_id, Award.approved_at.is_(None))
    return await session.scalar(stmt) or 0


async def add_award(session: AsyncSession, actor: User, now: datetime, campaign: Campaign, data: AwardInput) -> Award:
    await _require_organizer(session, campaign, actor)
    _require_unpublished(campaign)
    name, citation = data.name.strip(), data.citation.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = N_("Give the award a name.")
    elif len(name) > AWARD_NAME_MAX:
        errors["name"] = N_("Keep the name within 120 characters.")
    if len(citation) > CITATION_MAX:
        errors["citation"] = N_("Keep the citation within 5000 characters.")
    challenge: Challenge | None = None
    if data.challenge_id is not None:
        challenge = await session.scalar(
            select(Challenge).where(Challenge.id == data.challenge_id, Challenge.campaign_id == campaign.id)
        )
        if challenge is None:
            errors["challenge_id"] = N_("Choose a challenge of this campaign.")
    team = None
    if data.team_id is None:
        errors["team_id"] = N_("Choose the winning team.")
    else:
        team = next((t for t in await ranked_teams(session, campaign.id) if t.id == data.team_id), None)
        if team is None:
            errors["team_id"] = N_("Choose a team that has been ranked.")
        elif challenge is not None and team.challenge_id != challenge.id:
            errors["team_id"] = N_("This team did not enter that challenge.")
    if errors:
        raise ValidationFailed(errors)
    assert team is not None
    # the same award to the same team twice is a form sent again: one at a time per campaign, so
    # two sent at once cannot both pass this check
    await serialise(session, f"awards:{campaign.id}")
    given = await session.scalar(
        select(Award.id).where(
            Award.campaign_id == campaign.id,
            Award.team_id == team.id,
            func.lower(Award.name) == name.lower(),
            Award.challenge_id.is_(None) if challenge is None else Award.challenge_id == challenge.id,
        )
    )
    if given is not None:
        raise ValidationFailed({"name": N_("This team already has an award of this name.")})
    award = Award(
        campaign_id=campaign.id,
        challenge_id=challenge.id if challenge else None,
        name=name,
        team_id=team.id,
        citation=citation,
        approved_by_id=None,
        approved_at=None,
    )
    session.add(award)
    await session.flush()
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="award.create",
        subject=award,
        campaign_id=campaign.id,
        after=_award_state(award),
    )
    if await awaiting_approval(session, campaign.id) == 1:  # the first one waiting: tell the executives once
        await publish(session, AwardsAwaitingApproval(campaign_id=campaign.id, at=now))
    return award


async def approve_award(session: AsyncSession, actor: User, now: datetime, campaign: Campaign, award_id: int) -> Award:
    """An executive (or an admin) approves one award; anyone else does not see it."""
    if not is_platform_lead(actor):
        raise NotFound(AWARD_NOT_FOUND)
    award = await session.scalar(select(Award).where(Award.id == award_id, Award.campaign_id == campaign.id))
    if award is None:
        raise NotFound(AWARD_NOT_FOUND)
    _require_unpublished(campaign)
    if award.approved_at is not None:
        raise Conflict(ALREADY_APPROVED)
    if await session.scalar(select(Team.status).where(Team.id == award.team_id)) is TeamStatus.WITHDRAWN:
        raise Conflict(AWARD_WITHDRAWN)
    before = _award_state(award)
    award.approved_by_id, award.approved_at = actor.id, now
    await session.flush()
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="award.approve",
        subject=award,
        campaign_id=campaign.id,
        before=before,
        after=_award_state(award),
    )
    return award


async def delete_award(session: AsyncSession, actor: User, now: datetime, campaign: Campaign, award_id: int) -> None:
    await _require_organizer(session, campaign, actor)
    award = await session.scalar(select(Award).where(Award.id == award_id, Award.campaign_id == campaign.id))
    if award is None:
        raise NotFound(AWARD_NOT_FOUND)
    _require_unpublished(campaign)
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="award.delete",
        subject=award,
        campaign_id=campaign.id,
        before=_award_state(award),
    )
    await session.delete(award)
    await session.flush()


async def publication_blockers_of(session: AsyncSession, campaign: Campaign, now: datetime) -> list[Blocker]:
    """Why the campaign's results cannot be published at ``now`` (empty: they can), in three queries."""
    counts = await session.execute(
        select(func.count(Award.id), func.count(Award.id).filter(Award.approved_at.is_(None))).where(
            Award.campaign_id == campaign.id
        )
    )
    awards, unapproved = counts.one()
    withdrawn = await session.scalars(
        select(Team.name)
        .join(Award, Award.team_id == Team.id)
        .where(Award.campaign_id == campaign.id, Team.status == TeamStatus.WITHDRAWN)
        .distinct()
        .order_by(Team.name)
    )
    phases = await session.scalars(select(Phase).where(Phase.campaign_id == campaign.id))
    return publication_blockers(awards, unapproved, list(phases.all()), now, withdrawn=list(withdrawn.all()))


async def publish_results(session: AsyncSession, actor: Actor, now: datetime, campaign: Campaign) -> bool:
    """Publishes the results (``actor`` ``SCHEDULER``: the scheduler, no rights checked).
    True when this call published them."""
    await _require_organizer(session, campaign, actor)
    # under the campaign's lock: no phase opens or reopens while the blockers are decided
    campaign = await lock_campaign(session, campaign.id, by_person=is_person(actor))
    if campaign.results_published_at is not None:
        return False
    blockers = await publication_blockers_of(session, campaign, now)
    if blockers:
        first: dict[str, Any] = dict(blockers[0].params)
        raise Conflict(blockers[0].message, **first)
    result = await session.execute(
        update(Campaign)
        .where(Campaign.id == campaign.id, Campaign.results_published_at.is_(None))
        .values(results_published_at=now)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(campaign)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False  # published meanwhile by someone else

    winners = await award_winning_teams(session, campaign.id)
    promoted = [t for t in winners if t.status not in (TeamStatus.WINNER, TeamStatus.WITHDRAWN)]
    if promoted:
        await session.execute(
            update(Team)
            .where(Team.id.in_([t.id for t in promoted]))
            .values(status=TeamStatus.WINNER)
            .execution_options(synchronize_session=False)
        )
    for team in promoted:
        await record(
            session,
            at=now,
            actor_id=actor.id,
            action="team.winner",
            subject=team,
            campaign_id=campaign.id,
            before={"status": team.status.value},
            after={"status": TeamStatus.WINNER.value},
        )
        await session.refresh(team)

    results_phase = await session.scalar(
        select(Phase)
        .where(Phase.campaign_id == campaign.id, Phase.kind == PhaseKind.RESULTS)
        .order_by(Phase.position, Phase.id)
        .limit(1)
    )
    opened = False
    if results_phase is not None and results_phase.status is PhaseStatus.PENDING:
        try:
            opened = await open_phase(session, actor, now, results_phase, confirmed=True, publishing=True)
        except Conflict:
            opened = False  # its closing time has passed, or the campaign is closed: nothing to open
    snapshot = await take_snapshot(session, campaign, now)
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="results.publish",
        subject=campaign,
        campaign_id=campaign.id,
        before={"results_published_at": None},
        after={
            "results_published_at": now.isoformat(),
            "winners": [t.id for t in winners],
            "results_phase_opened": opened,
            "teams_frozen": snapshot,
        },
    )
    await publish(session, ResultsPublished(campaign_id=campaign.id, at=now))
    return True


async def republish_results(
    session: AsyncSession, actor: User, now: datetime, campaign: Campaign, reason: str
) -> datetime | None:
    """Publishes the current results again, replacing what teams see, with a reason, audited; the
    teams and judges are told. Same conditions as publishing; returns the previous publication time."""
    await _require_organizer(session, campaign, actor)
    reason = reason.strip()
    if not reason:
        raise ValidationFailed({"reason": REASON_MISSING})
    if len(reason) > REASON_MAX:
        raise ValidationFailed({"reason": REASON_TOO_LONG})
    campaign = await lock_campaign(session, campaign.id, by_person=True)
    if campaign.results_published_at is None:
        raise Conflict(NOT_PUBLISHED)
    blockers = await publication_blockers_of(session, campaign, now)
    if blockers:
        first: dict[str, Any] = dict(blockers[0].params)
        raise Conflict(blockers[0].message, **first)
    previous = await session.scalar(
        select(PublishedTeamResult.published_at).where(PublishedTeamResult.campaign_id == campaign.id).limit(1)
    )
    snapshot = await take_snapshot(session, campaign, now)
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="results.republish",
        subject=campaign,
        campaign_id=campaign.id,
        before={"published_at": (previous or campaign.results_published_at).isoformat()},
        after={"published_at": now.isoformat(), "teams_frozen": snapshot},
        reason=reason,
    )
    await publish(session, ResultsRepublished(campaign_id=campaign.id, at=now, reason=reason))
    return previous or campaign.results_published_at
