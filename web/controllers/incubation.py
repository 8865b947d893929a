"""Incubation: executives turn award winners into projects and move them along; teams follow theirs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.models import Campaign
from core.errors import DomainError, ValidationFailed
from core.numbers import parse_int
from core.pagination import paginate
from incubation.models import IncubationProject, ProjectStatus
from incubation.services import (
    ProjectInput,
    approver_of,
    campaign_titles,
    can_decide,
    candidates,
    change_status,
    create_project,
    next_statuses,
    project_for,
    projects_query,
    winning_team,
)
from teams.models import Membership, Team
from web.deps import EXECUTIVE, USER, AppClock, DbSession, signed_in
from web.flash import see_other
from web.forms import or_form_again, read_form
from web.i18n import gettext as _
from web.messages import error_messages
from web.refusals import refused

PAGE_SIZE = 20
FIELDS = ("team_id", "title", "description", "sponsor_email", "budget_requested", "budget_approved")


# --- the executive's overview -------------------------------------------------------------------


@get("/incubation", opt=EXECUTIVE, name="incubation")
async def overview(db_session: DbSession, clock: AppClock, page: FromQuery[int] = 1) -> Template:
    result = await paginate(db_session, projects_query(), number=page, size=PAGE_SIZE)
    campaigns = await campaign_titles(db_session, {p.campaign_id for p in result.items})
    return Template(
        template_name="incubation/index.html",
        context={
            "page": result,
            "campaigns": campaigns,
            "candidates": await candidates(db_session, clock.now()),
            "base_url": "/incubation?",
        },
    )


# --- a new project ----------------------------------------------------------------------------


async def _form(
    db: AsyncSession,
    actor: User,
    now: Any,
    values: Mapping[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> Template:
    """The project form; the team shown is the chosen winner, if it is one."""
    team: Team | None = None
    campaign: Campaign | None = None
    awards: list[str] = []
    team_id = parse_int(str(values.get("team_id", "")))
    if team_id is not None:
        try:
            team, campaign, awards = await winning_team(db, team_id, now)
        except DomainError as exc:
            errors = {**error_messages(exc), **errors}
    return Template(
        template_name="incubation/new.html",
        context={
            "values": values,
            "errors": errors,
            "team": team,
            "campaign": campaign,
            "awards": awards,
            "actor": actor,
        },
        status_code=status,
    )


@get("/incubation/projects/new", opt=EXECUTIVE, name="incubation_project_new")
async def project_new(
    request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock, team_id: FromQuery[str] = ""
) -> Template:
    actor = signed_in(request)
    values: dict[str, Any] = dict.fromkeys(FIELDS, "")
    values["team_id"] = team_id
    values["approve"] = True
    values["sponsor_email"] = actor.email if actor.is_executive else ""
    if (tid := parse_int(team_id)) is not None:
        try:
            team, _campaign, _awards = await winning_team(db_session, tid, clock.now())
            values["title"] = team.name
        except DomainError:
            pass
    return await _form(db_session, actor, clock.now(), values, {})


@post("/incubation/projects", opt=EXECUTIVE, name="incubation_project_create")
async def project_create(request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock) -> Response[Any]:
    actor = signed_in(request)
    form = await read_form(request)
    values: dict[str, Any] = form.values(*FIELDS)
    values["description"] = form.verbatim("description")
    values["approve"] = form.text("decision") != "propose"
    data = ProjectInput(
        team_id=parse_int(values["team_id"]),
        title=values["title"],
        description=values["description"],
        sponsor_email=values["sponsor_email"],
        budget_requested=values["budget_requested"],
        budget_approved=values["budget_approved"],
        approve=values["approve"],
    )
    now = clock.now()
    project = await or_form_again(
        request,
        create_project(db_session, actor, now, data),
        lambda errors, status: _form(db_session, actor, now, values, errors, status),
    )
    return see_other(request, f"/incubation/projects/{project.id}", ok=_("The incubation project is created."))


# --- one project ---------------------------------------------------------------------------------


async def _project_page(
    db: AsyncSession,
    user: User,
    project: IncubationProject,
    *,
    error: str | None = None,
    status: int = 200,
) -> Template:
    campaign = await db.get(Campaign, project.campaign_id)
    members = (
        await db.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.team_id == project.team_id)
            .order_by(Membership.id)
        )
    ).all()
    return Template(
        template_name="incubation/project.html",
        context={
            "project": project,
            "campaign": campaign,
            "members": members,
            "approver": await approver_of(db, project),
            "can_decide": can_decide(user),
            "next_statuses": [s.value for s in next_statuses(project.status)],
            "error": error,
        },
        status_code=status,
    )


@get("/incubation/projects/{project_id:int}", opt=USER, name="incubation_project")
async def project_page(request: Request[Any, Any, Any], db_session: DbSession, project_id: FromPath[int]) -> Template:
    user = signed_in(request)
    project = await project_for(db_session, user, project_id)
    return await _project_page(db_session, user, project)


# a move the status does not allow (changed meanwhile): nothing to correct, back to the project
@post(
    "/incubation/projects/{project_id:int}/status",
    opt={**EXECUTIVE, **refused("/incubation/projects/{project_id}")},
    name="incubation_project_status",
)
async def project_status(
    request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock, project_id: FromPath[int]
) -> Response[Any]:
    user = signed_in(request)
    project = await project_for(db_session, user, project_id)
    form = await read_form(request)
    try:
        target = ProjectStatus(form.text("status"))
    except ValueError:
        return await _project_page(db_session, user, project, error=_("Choose a valid status."), status=422)
    try:
        await change_status(db_session, user, clock.now(), project, target, reason=form.text("reason"))
    except ValidationFailed as exc:  # the reason is too long: the page again, with the message
        return await _project_page(
            db_session, user, project, error=_(exc.message, **exc.params), status=exc.status_code
        )
    return see_other(request, f"/incubation/projects/{project.id}", ok=_("The project's status is changed."))


routes = [overview, project_new, project_create, project_page, project_status]
