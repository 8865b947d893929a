"""One incubation project's page: the decision, the status, milestones, updates and outcomes."""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from datetime import datetime
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.models import Campaign
from core.errors import N_, DomainError, NotFound
from incubation.access import (
    can_decide,
    can_steer,
    can_update_project,
    project_standing,
)
from incubation.decisions import change_status, decide
from incubation.exports import outcomes_table
from incubation.models import IncubationProject, OutcomeKind, ProjectStatus
from incubation.proposals import MilestoneInput
from incubation.reads import (
    approver_of,
    details,
    project_for,
    team_members,
)
from incubation.rules import is_overdue, next_statuses
from incubation.running import OutcomeInput, add_milestone, post_update, record_outcome, tick_milestone
from web import downloads
from web.deps import EXECUTIVE, USER, AppClock, DbSession, signed_in
from web.flash import see_other
from web.forms import or_form_again, read_form
from web.i18n import gettext as _
from web.outcome_chart import build_series
from web.refusals import refused

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


@get("/incubation/projects/{project_id:int}/outcomes/{file:str}", opt=USER, name="incubation_outcomes_export")
async def outcomes_export(
    request: Request[Any, Any, Any], db_session: DbSession, project_id: FromPath[int], file: FromPath[str]
) -> Response[bytes]:
    """``outcomes.csv`` or ``outcomes.xlsx``: the project's measured outcomes, oldest first."""
    project = await project_for(db_session, signed_in(request), project_id)
    name, _dot, fmt = file.partition(".")
    if name != "outcomes" or fmt not in downloads.FORMATS:
        raise NotFound(N_("There is no such export."))
    table = await outcomes_table(db_session, project, _)
    return await downloads.sheet(table, fmt, "Outcomes", f"kaizen-project{project.id}-outcomes")


def page_again(
    db: AsyncSession, user: User, now: datetime, project: IncubationProject, values: Mapping[str, Any]
) -> Any:
    """The project page again with the messages next to the fields and what was typed."""

    async def render(errors: dict[str, str], status: int) -> Template:
        return await _project_page(db, user, now, project, errors=errors, values=values, status=status)

    return render


async def saved(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    user: User,
    now: datetime,
    project: IncubationProject,
    values: Mapping[str, Any],
    operation: Awaitable[Any],
    ok: str,
) -> Response[Any]:
    """Run ``operation``; a refusal of what was typed (422) shows the page again with it, else back
    to the project with ``ok``."""
    await or_form_again(request, operation, page_again(db, user, now, project, values), when=_typed_wrong)
    return see_other(request, f"/incubation/projects/{project.id}", ok=ok)


def _typed_wrong(exc: DomainError) -> bool:
    return exc.status_code == 422


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
        page_again(db_session, user, now, project, values),
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
    operation = change_status(db_session, user, now, project, target, reason=form.text("reason"))
    return await saved(
        request, db_session, user, now, project, values, operation, _("The project's status is changed.")
    )


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
    operation = add_milestone(db_session, user, now, project, row)
    return await saved(request, db_session, user, now, project, values, operation, _("The milestone is added."))


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
    operation = post_update(db_session, user, now, project, values["body"])
    return await saved(request, db_session, user, now, project, values, operation, _("The update is posted."))


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
    operation = record_outcome(db_session, user, now, project, data)
    return await saved(request, db_session, user, now, project, values, operation, _("The outcome is recorded."))


routes = [
    project_page,
    outcomes_export,
    project_decision,
    project_status,
    milestone_add,
    milestone_done,
    update_add,
    outcome_add,
]
