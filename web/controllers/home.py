"""The home page: what the signed-in person can do next.

Its panels' rows come from web/controllers/home_queries.py, a constant number of queries
whatever the data size; this module turns them into cards and next steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from litestar import Request, get
from litestar.response import Template

from campaigns.deadlines import current_phase
from campaigns.models import Campaign, Phase
from teams.models import EntryStatus, Team
from teams.next_steps import team_steps, team_window_close
from teams.rules import TeamOffer, team_offer
from web.controllers.home_queries import (
    InvitationCard,
    JudgingPhaseWork,
    entry_statuses,
    extensions_of,
    invitations_of,
    judging_work,
    my_teams,
    open_campaigns_for,
    organized_by,
    pending_requests_of,
    phases_of,
    projects_of,
)
from web.deps import USER, AppClock, DbSession, signed_in


@dataclass(frozen=True)
class TeamCard:
    team: Team
    campaign: Campaign
    entry_status: EntryStatus | None
    current: Phase | None
    project_id: int | None


@dataclass(frozen=True)
class NextStep:
    """One line of "what to do next": what (``kind``), by when, where, and the link to do it."""

    kind: str  # submit, edit_until, prepare, find_members, requests, invitation, judging, form_team
    due: datetime | None
    timezone: str
    campaign_title: str
    link: str
    team_name: str = ""
    phase_name: str = ""
    opens_at: datetime | None = None
    extended: bool = False
    count: int = 0


@dataclass(frozen=True)
class JudgingWork:
    assigned: int
    final: int

    @property
    def remaining(self) -> int:
        return max(0, self.assigned - self.final)


def _step_order(step: NextStep) -> tuple[bool, datetime, str]:
    return (step.due is None, step.due or datetime.max.replace(tzinfo=UTC), step.kind)


def _team_next_steps(
    teams: list[tuple[Team, Campaign]],
    phases: dict[int, list[Phase]],
    statuses: dict[int, dict[int, EntryStatus]],
    members: dict[int, int],
    extensions: dict[int, dict[int, datetime]],
    now: datetime,
) -> list[NextStep]:
    steps = []
    for team, campaign in teams:
        found = team_steps(
            campaign,
            team.status,
            phases.get(campaign.id, []),
            statuses.get(team.id, {}),
            members.get(team.id, 0),
            extensions.get(team.id, {}),
            now,
        )
        for step in found:
            link = f"/teams/{team.id}" if step.phase is None else f"/teams/{team.id}/entry?phase={step.phase.id}"
            steps.append(
                NextStep(
                    kind=step.kind.value,
                    due=step.due,
                    timezone=campaign.timezone,
                    campaign_title=campaign.title,
                    link=link,
                    team_name=team.name,
                    phase_name=step.phase.name if step.phase else "",
                    opens_at=step.opens_at,
                    extended=step.extended,
                    count=step.missing,
                )
            )
    return steps


def _request_steps(
    teams: list[tuple[Team, Campaign]], requests: dict[int, int], phases: dict[int, list[Phase]], now: datetime
) -> list[NextStep]:
    """Answer the requests to join that wait, in each team the person captains, while teams can change."""
    steps = []
    for team, campaign in teams:
        due = team_window_close(phases.get(campaign.id, []), now)
        if requests.get(team.id) and due is not None:
            steps.append(
                NextStep(
                    kind="requests",
                    due=due,
                    timezone=campaign.timezone,
                    campaign_title=campaign.title,
                    link=f"/teams/{team.id}#requests",
                    team_name=team.name,
                    count=requests[team.id],
                )
            )
    return steps


def _form_team_steps(
    offers: dict[int, TeamOffer],
    open_campaigns: list[Campaign],
    invited: set[int],
    phases: dict[int, list[Phase]],
    now: datetime,
) -> list[NextStep]:
    """Form a team in each open campaign that offers it, unless an invitation there waits for an answer."""
    return [
        NextStep(
            kind="form_team",
            due=team_window_close(phases.get(campaign.id, []), now),
            timezone=campaign.timezone,
            campaign_title=campaign.title,
            link=f"/campaigns/{campaign.id}/teams/new",
        )
        for campaign in open_campaigns
        if offers[campaign.id].can_form and campaign.id not in invited
    ]


def _next_steps(
    team_steps_: list[NextStep],
    invitations: list[InvitationCard],
    phases: dict[int, list[Phase]],
    judging: list[JudgingPhaseWork],
    now: datetime,
) -> list[NextStep]:
    """Everything the person should do, soonest deadline first."""
    steps = list(team_steps_)
    for card in invitations:
        steps.append(
            NextStep(
                kind="invitation",
                due=team_window_close(phases.get(card.campaign.id, []), now),
                timezone=card.campaign.timezone,
                campaign_title=card.campaign.title,
                link="/invitations",
                team_name=card.invitation.team.name,
            )
        )
    for work in judging:
        if work.assigned > work.final:
            steps.append(
                NextStep(
                    kind="judging",
                    due=work.due,
                    timezone=work.timezone,
                    campaign_title=work.campaign_title,
                    link="/judging",
                    phase_name=work.phase_name,
                    count=work.assigned - work.final,
                )
            )
    return sorted(steps, key=_step_order)


@get("/", opt=USER, name="home")
async def home(request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock) -> Template:
    user = signed_in(request)
    now = clock.now()
    teams, members = await my_teams(db_session, user)
    team_ids = [team.id for team, _c in teams]
    statuses = await entry_statuses(db_session, team_ids)
    extensions = await extensions_of(db_session, team_ids)
    projects = await projects_of(db_session, team_ids)
    requests = await pending_requests_of(db_session, [team.id for team, _c in teams if team.captain_id == user.id])
    invitations, invitation_count = await invitations_of(db_session, user)
    judging_phases = await judging_work(db_session, user, now)
    organized = await organized_by(db_session, user)
    open_campaigns = await open_campaigns_for(db_session, user)
    my_campaign_ids = {campaign.id for _t, campaign in teams}
    open_campaigns = [c for c in open_campaigns if c.id not in my_campaign_ids]
    invited_ids = {card.campaign.id for card in invitations}
    phases = await phases_of(db_session, my_campaign_ids | invited_ids | {c.id for c in open_campaigns})
    cards = [
        TeamCard(
            team=team,
            campaign=campaign,
            entry_status=next(reversed(statuses[team.id].values())) if statuses.get(team.id) else None,
            current=current_phase(phases.get(campaign.id, []), now),
            project_id=projects.get(team.id),
        )
        for team, campaign in teams
    ]
    # open campaigns are the eligible ones the person has no team in (see above)
    offers = {c.id: team_offer(c, phases.get(c.id, []), now, eligible=True, team=None) for c in open_campaigns}
    mine = _team_next_steps(teams, phases, statuses, members, extensions, now)
    # nobody is asked to compete in a campaign they run
    organized_ids = {c.id for c in organized}
    joinable = [c for c in open_campaigns if c.id not in organized_ids]
    mine += _request_steps(teams, requests, phases, now)
    mine += _form_team_steps(offers, joinable, invited_ids, phases, now)
    return Template(
        template_name="home.html",
        context={
            "next_steps": _next_steps(mine, invitations, phases, judging_phases, now),
            "offers": offers,
            "teams": cards,
            "invitations": invitations,
            "invitation_count": invitation_count,
            "judging": JudgingWork(
                assigned=sum(w.assigned for w in judging_phases), final=sum(w.final for w in judging_phases)
            ),
            "organized": organized,
            "open_campaigns": open_campaigns,
            "open_current": {c.id: current_phase(phases.get(c.id, []), now) for c in open_campaigns},
            "now": now,
        },
    )


routes = [home]
