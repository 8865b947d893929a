"""Incubation: the executive's overview and queue, the winners that may be proposed, a new proposal.
One project's page is web/controllers/incubation_project.py."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.models import Campaign
from core.errors import N_, DomainError, NotFound
from core.numbers import parse_int
from core.pagination import paginate
from incubation.access import (
    can_decide,
    can_propose,
    standing,
)
from incubation.exports import projects_table
from incubation.project_fields import PROJECT_NOT_FOUND
from incubation.proposals import MilestoneInput, ProjectInput, create_project
from incubation.reads import (
    campaign_titles,
    candidates,
    projects_query,
    proposals_query,
    team_members,
    winning_team,
)
from teams.models import Team
from web import downloads
from web.deps import EXECUTIVE, USER, AppClock, DbSession, signed_in
from web.flash import see_other
from web.forms import Form, or_form_again, read_form
from web.i18n import gettext as _
from web.messages import error_messages

PAGE_SIZE = 20
MILESTONE_ROWS = 3
FIELDS = (
    "team_id",
    "title",
    "description",
    "sponsor_email",
    "budget_requested",
    "budget_approved",
    "team_hours",
    "starts_on",
    "kpi_name",
    "kpi_unit",
    "kpi_baseline",
    "kpi_target",
)
MILESTONE_FIELDS = tuple(f"milestone_{f}_{i}" for i in range(MILESTONE_ROWS) for f in ("title", "due", "owner"))


# --- the executive's overview: the queue of proposals, winners without one, every project -------


@get("/incubation", opt=EXECUTIVE, name="incubation")
async def overview(db_session: DbSession, clock: AppClock, page: FromQuery[int] = 1) -> Template:
    result = await paginate(db_session, projects_query(), number=page, size=PAGE_SIZE)
    queue = list((await db_session.scalars(proposals_query().limit(PAGE_SIZE))).all())
    campaigns = await campaign_titles(db_session, {p.campaign_id for p in [*result.items, *queue]})
    return Template(
        template_name="incubation/index.html",
        context={
            "page": result,
            "queue": queue,
            "campaigns": campaigns,
            "candidates": await candidates(db_session, clock.now()),
            "base_url": "/incubation?",
        },
    )


@get("/incubation/export/{file:str}", opt=EXECUTIVE, name="incubation_export")
async def projects_export(db_session: DbSession, file: FromPath[str]) -> Response[bytes]:
    """``projects.csv`` or ``projects.xlsx``: every project, newest first, with its realised value."""
    name, _dot, fmt = file.partition(".")
    if name != "projects" or fmt not in downloads.FORMATS:
        raise NotFound(N_("There is no such export."))
    table = await projects_table(db_session, _)
    return await downloads.sheet(table, fmt, "Projects", "kaizen-incubation-projects")


@get("/incubation/propose", opt=USER, name="incubation_propose")
async def propose_list(request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock) -> Template:
    """A team member's winning entries that can still be proposed."""
    user = signed_in(request)
    found = await candidates(db_session, clock.now(), user=None if can_decide(user) else user)
    return Template(template_name="incubation/propose.html", context={"candidates": found})


# --- a new proposal ------------------------------------------------------------------------------


async def _form(
    db: AsyncSession,
    actor: User,
    now: datetime,
    values: Mapping[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> Template:
    """The proposal form; the team shown is the chosen winner, if it is one."""
    team: Team | None = None
    campaign: Campaign | None = None
    awards: list[str] = []
    members: list[User] = []
    team_id = parse_int(str(values.get("team_id", "")))
    if team_id is not None:
        try:
            team, campaign, awards = await winning_team(db, team_id, now)
        except DomainError as exc:
            errors = {**error_messages(exc), **errors}
        else:
            if not can_propose(await standing(db, actor, team.id, campaign.id)):
                raise NotFound(PROJECT_NOT_FOUND)
            members = await team_members(db, team.id)
    return Template(
        template_name="incubation/new.html",
        context={
            "values": values,
            "errors": errors,
            "team": team,
            "campaign": campaign,
            "awards": awards,
            "members": members,
            "actor": actor,
            "can_decide": can_decide(actor),
            "milestone_rows": range(MILESTONE_ROWS),
        },
        status_code=status,
    )


@get("/incubation/projects/new", opt=USER, name="incubation_project_new")
async def project_new(
    request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock, team_id: FromQuery[str] = ""
) -> Template:
    actor = signed_in(request)
    values: dict[str, Any] = dict.fromkeys((*FIELDS, *MILESTONE_FIELDS), "")
    values["team_id"] = team_id
    values["approve"] = can_decide(actor)
    values["sponsor_email"] = actor.email if actor.is_executive else ""
    values["starts_on"] = clock.now().date().isoformat()
    if (tid := parse_int(team_id)) is not None:
        try:
            team, _campaign, _awards = await winning_team(db_session, tid, clock.now())
            values["title"] = team.name
        except DomainError:
            pass
    elif not can_decide(actor):
        raise NotFound(PROJECT_NOT_FOUND)
    return await _form(db_session, actor, clock.now(), values, {})


def _milestone_rows(form: Form) -> list[MilestoneInput]:
    return [
        MilestoneInput(
            form.text(f"milestone_title_{i}"), form.text(f"milestone_due_{i}"), form.text(f"milestone_owner_{i}")
        )
        for i in range(MILESTONE_ROWS)
    ]


@post("/incubation/projects", opt=USER, name="incubation_project_create")
async def project_create(request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock) -> Response[Any]:
    actor = signed_in(request)
    form = await read_form(request)
    values: dict[str, Any] = form.values(*FIELDS, *MILESTONE_FIELDS)
    values["description"] = form.verbatim("description")
    values["approve"] = can_decide(actor) and form.text("decision") != "propose"
    values["confirm_over"] = form.flag("confirm_over")
    data = ProjectInput(
        team_id=parse_int(values["team_id"]),
        title=values["title"],
        description=values["description"],
        sponsor_email=values["sponsor_email"],
        budget_requested=values["budget_requested"],
        budget_approved=values["budget_approved"],
        approve=values["approve"],
        confirm_over=values["confirm_over"],
        team_hours=values["team_hours"],
        starts_on=values["starts_on"],
        kpi_name=values["kpi_name"],
        kpi_unit=values["kpi_unit"],
        kpi_baseline=values["kpi_baseline"],
        kpi_target=values["kpi_target"],
        milestones=_milestone_rows(form),
    )
    now = clock.now()
    project = await or_form_again(
        request,
        create_project(db_session, actor, now, data),
        lambda errors, status: _form(db_session, actor, now, values, errors, status),
    )
    done = _("The incubation project is created.") if values["approve"] else _("The proposal is sent.")
    return see_other(request, f"/incubation/projects/{project.id}", ok=done)


routes = [overview, projects_export, propose_list, project_new, project_create]
