"""Correcting a project's records: an outcome fixed or removed, a milestone not yet done changed or
removed. Each row's form names its fields ``<field>_<id>``, so its messages stand next to them."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, post
from litestar.params import FromPath

from incubation.corrections import fix_milestone, fix_outcome, remove_milestone, remove_outcome
from incubation.proposals import MilestoneInput
from incubation.reads import project_for
from incubation.running import OutcomeInput
from web.controllers.incubation_project import saved
from web.deps import USER, AppClock, DbSession, signed_in
from web.flash import see_other
from web.forms import read_form
from web.i18n import gettext as _
from web.refusals import refused

BACK = refused("/incubation/projects/{project_id}")


@post(
    "/incubation/projects/{project_id:int}/outcomes/{outcome_id:int}/fix",
    opt={**USER, **BACK},
    name="incubation_outcome_fix",
)
async def outcome_fix(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    clock: AppClock,
    project_id: FromPath[int],
    outcome_id: FromPath[int],
) -> Response[Any]:
    user = signed_in(request)
    project = await project_for(db_session, user, project_id)
    form = await read_form(request)
    names = [f"{field}_{outcome_id}" for field in ("kind", "unit", "value", "measured_on", "note")]
    values = form.values(*names)
    data = OutcomeInput(*(values[name] for name in names))
    now = clock.now()
    operation = fix_outcome(db_session, user, now, project, outcome_id, data)
    values |= {"editing": f"outcome-{outcome_id}"}
    return await saved(request, db_session, user, now, project, values, operation, _("The outcome is corrected."))


@post(
    "/incubation/projects/{project_id:int}/outcomes/{outcome_id:int}/remove",
    opt={**USER, **BACK},
    name="incubation_outcome_remove",
)
async def outcome_remove(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    clock: AppClock,
    project_id: FromPath[int],
    outcome_id: FromPath[int],
) -> Response[Any]:
    user = signed_in(request)
    project = await project_for(db_session, user, project_id)
    await remove_outcome(db_session, user, clock.now(), project, outcome_id)
    return see_other(request, f"/incubation/projects/{project.id}", ok=_("The outcome is removed."))


@post(
    "/incubation/projects/{project_id:int}/milestones/{milestone_id:int}/fix",
    opt={**USER, **BACK},
    name="incubation_milestone_fix",
)
async def milestone_fix(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    clock: AppClock,
    project_id: FromPath[int],
    milestone_id: FromPath[int],
) -> Response[Any]:
    user = signed_in(request)
    project = await project_for(db_session, user, project_id)
    form = await read_form(request)
    names = [f"milestone_{field}_{milestone_id}" for field in ("title", "due", "owner")]
    values = form.values(*names)
    row = MilestoneInput(*(values[name] for name in names))
    now = clock.now()
    operation = fix_milestone(db_session, user, now, project, milestone_id, row)
    values |= {"editing": f"milestone-{milestone_id}"}
    return await saved(request, db_session, user, now, project, values, operation, _("The milestone is changed."))


@post(
    "/incubation/projects/{project_id:int}/milestones/{milestone_id:int}/remove",
    opt={**USER, **BACK},
    name="incubation_milestone_remove",
)
async def milestone_remove(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    clock: AppClock,
    project_id: FromPath[int],
    milestone_id: FromPath[int],
) -> Response[Any]:
    user = signed_in(request)
    project = await project_for(db_session, user, project_id)
    await remove_milestone(db_session, user, clock.now(), project, milestone_id)
    return see_other(request, f"/incubation/projects/{project.id}", ok=_("The milestone is removed."))


routes = [outcome_fix, outcome_remove, milestone_fix, milestone_remove]
