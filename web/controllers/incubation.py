"""Incubation: winners are proposed, executives decide, teams run their projects and report outcomes."""

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
from core.errors import DomainError, NotFound
from core.numbers import parse_int
from core.pagination import paginate
from incubation.access import (
    can_propose,
    can_steer,
    can_update_project,
    project_standing,
    standing,
)
from incubation.models import IncubationProject, OutcomeKind, ProjectStatus
from incubation.rules import is_overdue
from incubation.services import (
    PROJECT_NOT_FOUND,
    MilestoneInput,
    OutcomeInput,
    ProjectInput,
    add_milestone,
    approver_of,
    campaign_titles,
    can_decide,
    candidates,
    change_status,
    create_project,
    decide,
    details,
    next_statuses,
    post_update,
    project_for,
    projects_query,
    proposals_query,
    record_outcome,
    team_members,
    tick_milestone,
    winning_team,
)
from teams.models import Team
from web.deps import EXECUTIVE, USER, AppClock, DbSession, signed_in
from web.flash import see_other
from web.forms import Form, or_form_again, read_form
from web.i18n import gettext as _
from web.messages import error_messages
from web.outcome_chart import build_series
from web.refusals import refused

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


# --- one project ---------------------------------------------------------------------------------


async def _project_page(
    db: AsyncSession,
    user: User,
    now: datetime,
    project: IncubationProject,
    *,
    error: str | None = None,
    errors: Mapping[str, str] | None = None,
    values: Mapping[str, Any] | None = None,
    status: int = 200,
) -> Template:
    campaign = await db.get(Campaign, project.campaign_id)
    tz = campaign.timezone if campaign else "UTC"
    members = await team_members(db, project.team_id)
    who = await project_standing(db, user, project)
    found = await details(db, project)
    overdue = {m.id for m in found.milestones if is_overdue(m.due_on, m.done_at is not None, project.status, now, tz)}
    return Template(
        template_name="incubation/project.html",
        context={
            "project": project,
            "campaign": campaign,
            "members": members,
            "approver": await approver_of(db, project),
            "can_decide": can_decide(user) and project.status is ProjectStatus.PROPOSED,
            "can_steer": can_steer(who),
            "can_update": can_update_project(who, project),
            "next_statuses": [
                s.value
                for s in next_statuses(project.status)
                if s not in (ProjectStatus.APPROVED, ProjectStatus.DECLINED)
            ],
            "milestones": found.milestones,
            "overdue": overdue,
            "updates": found.updates,
            "outcomes": found.outcomes,
            "series": build_series(found.outcomes, project.kpi_unit, project.kpi_target),
            "outcome_kinds": [k.value for k in OutcomeKind],
            "today": now.date().isoformat(),
            "error": error,
            "errors": dict(errors or {}),
            "values": dict(values or {}),
        },
        status_code=status,
    )


@get("/incubation/projects/{project_id:int}", opt=USER, name="incubation_project")
async def project_page(
    request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock, project_id: FromPath[int]
) -> Template:
    user = signed_in(request)
    project = await project_for(db_session, user, project_id)
    return await _project_page(db_session, user, clock.now(), project)


def _again(db: AsyncSession, user: User, now: datetime, project: IncubationProject, values: Mapping[str, Any]) -> Any:
    """The project page again with the messages next to the fields and what was typed."""

    async def render(errors: dict[str, str], status: int) -> Template:
        return await _project_page(db, user, now, project, errors=errors, values=values, status=status)

    return render


@post("/incubation/projects/{project_id:int}/decision", opt=EXECUTIVE, name="incubation_project_decision")
async def project_decision(
    request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock, project_id: FromPath[int]
) -> Response[Any]:
    user = signed_in(request)
    project = await project_for(db_session, user, project_id)
    form = await read_form(request)
    values = form.values("decision", "budget_granted", "reason") | {"confirm_over": form.flag("confirm_over")}
    approve = form.text("decision") == "approve"
    now = clock.now()
    await or_form_again(
        request,
        decide(
            db_session,
            user,
            now,
            project,
            approve=approve,
            budget_granted=values["budget_granted"],
            confirm_over=values["confirm_over"],
            reason=values["reason"],
        ),
        _again(db_session, user, now, project, values),
    )
    done = _("The proposal is approved.") if approve else _("The proposal is declined.")
    return see_other(request, f"/incubation/projects/{project.id}", ok=done)


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
    now = clock.now()
    try:
        target = ProjectStatus(form.text("status"))
    except ValueError:
        return await _project_page(db_session, user, now, project, error=_("Choose a valid status."), status=422)
    values = {"reason": form.text("reason")}
    await or_form_again(
        request,
        change_status(db_session, user, now, project, target, reason=form.text("reason")),
        _again(db_session, user, now, project, values),
        when=lambda exc: exc.status_code == 422,
    )
    return see_other(request, f"/incubation/projects/{project.id}", ok=_("The project's status is changed."))


@post(
    "/incubation/projects/{project_id:int}/milestones",
    opt={**USER, **refused("/incubation/projects/{project_id}")},
    name="incubation_milestone_add",
)
async def milestone_add(
    request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock, project_id: FromPath[int]
) -> Response[Any]:
    user = signed_in(request)
    project = await project_for(db_session, user, project_id)
    form = await read_form(request)
    values = form.values("milestone_title", "milestone_due", "milestone_owner")
    row = MilestoneInput(values["milestone_title"], values["milestone_due"], values["milestone_owner"])
    now = clock.now()
    await or_form_again(
        request,
        add_milestone(db_session, user, now, project, row),
        _again(db_session, user, now, project, values),
        when=lambda exc: exc.status_code == 422,
    )
    return see_other(request, f"/incubation/projects/{project.id}", ok=_("The milestone is added."))


@post(
    "/incubation/projects/{project_id:int}/milestones/{milestone_id:int}/done",
    opt={**USER, **refused("/incubation/projects/{project_id}")},
    name="incubation_milestone_done",
)
async def milestone_done(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    clock: AppClock,
    project_id: FromPath[int],
    milestone_id: FromPath[int],
) -> Response[Any]:
    user = signed_in(request)
    project = await project_for(db_session, user, project_id)
    form = await read_form(request)
    done = form.text("done") != "0"
    await tick_milestone(db_session, user, clock.now(), project, milestone_id, done)
    message = _("The milestone is ticked off.") if done else _("The milestone is open again.")
    return see_other(request, f"/incubation/projects/{project.id}", ok=message)


@post(
    "/incubation/projects/{project_id:int}/updates",
    opt={**USER, **refused("/incubation/projects/{project_id}")},
    name="incubation_update_add",
)
async def update_add(
    request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock, project_id: FromPath[int]
) -> Response[Any]:
    user = signed_in(request)
    project = await project_for(db_session, user, project_id)
    form = await read_form(request)
    values = {"body": form.verbatim("body")}
    now = clock.now()
    await or_form_again(
        request,
        post_update(db_session, user, now, project, values["body"]),
        _again(db_session, user, now, project, values),
        when=lambda exc: exc.status_code == 422,
    )
    return see_other(request, f"/incubation/projects/{project.id}", ok=_("The update is posted."))


@post(
    "/incubation/projects/{project_id:int}/outcomes",
    opt={**USER, **refused("/incubation/projects/{project_id}")},
    name="incubation_outcome_add",
)
async def outcome_add(
    request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock, project_id: FromPath[int]
) -> Response[Any]:
    user = signed_in(request)
    project = await project_for(db_session, user, project_id)
    form = await read_form(request)
    values = form.values("kind", "unit", "value", "measured_on", "note")
    data = OutcomeInput(values["kind"], values["unit"], values["value"], values["measured_on"], values["note"])
    now = clock.now()
    await or_form_again(
        request,
        record_outcome(db_session, user, now, project, data),
        _again(db_session, user, now, project, values),
        when=lambda exc: exc.status_code == 422,
    )
    return see_other(request, f"/incubation/projects/{project.id}", ok=_("The outcome is recorded."))


routes = [
    overview,
    propose_list,
    project_new,
    project_create,
    project_page,
    project_decision,
    project_status,
    milestone_add,
    milestone_done,
    update_add,
    outcome_add,
]
