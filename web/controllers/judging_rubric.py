"""The organizer's rubric pages: the rubric editor (add, edit, remove, reorder criteria) and
copying a rubric from another phase.

Every route resolves the campaign in the organizer's scope first: anyone else gets 404.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.models import Campaign, Phase
from core.errors import N_, DomainError, NotFound
from core.numbers import parse_int
from judging.models import CRITERION_NAME_MAX, Criterion
from judging.rubric import (
    GUIDANCE_MAX,
    CriterionInput,
    add_criterion,
    delete_criterion,
    descriptors_text,
    move_criterion,
    rubric,
    rubric_locked,
    update_criterion,
)
from judging.rubric_copy import copy_rubric, copy_sources
from judging.rubric_reset import last_reset, reset_refusal
from web.controllers.judging_views import BASE, Organized, phase_path
from web.deps import USER, AppClock, DbSession, form_value, signed_in
from web.flash import is_htmx, see_other
from web.forms import is_invalid, or_form_again, read_form
from web.i18n import gettext as _
from web.refusals import refused

CRITERION_FIELDS = ("name", "guidance", "weight", "scale_min", "scale_max", "descriptors")


# the rubric's state (locked, full, judging begun): a refused change goes back to the rubric, so
# that a re-sent form does not make it later
REFUSED_TO_RUBRIC = {**USER, **refused("/campaigns/{campaign_id}/phases/{phase_id}/rubric")}


def _rubric_path(campaign: Campaign, phase: Phase) -> str:
    return f"/campaigns/{campaign.id}/phases/{phase.id}/rubric"


def _float(raw: str) -> float | None:
    try:
        return float(raw)
    except ValueError:
        return None


# --- rubric editor ----------------------------------------------------------------------------


def _criterion_values(criterion: Criterion) -> dict[str, str]:
    return {
        "name": criterion.name,
        "guidance": criterion.guidance,
        "weight": f"{criterion.weight:g}",
        "scale_min": str(criterion.scale_min),
        "scale_max": str(criterion.scale_max),
        "descriptors": descriptors_text(criterion.descriptors or {}),
    }


def _criterion_input(values: Mapping[str, str]) -> CriterionInput:
    return CriterionInput(
        name=values["name"],
        guidance=values["guidance"],
        weight=_float(values["weight"]),
        scale_min=parse_int(values["scale_min"]),
        scale_max=parse_int(values["scale_max"]),
        descriptors=values["descriptors"],
    )


async def _criterion_form_values(request: Request[Any, Any, Any]) -> dict[str, str]:
    return (await read_form(request)).values(*CRITERION_FIELDS)


async def _rubric_page(
    db: AsyncSession,
    campaign: Campaign,
    phase: Phase,
    *,
    edit_id: int | None = None,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    reopened: int | None = None,
    status: int = 200,
) -> Template:
    criteria = await rubric(db, phase.id)
    forms = {c.id: _criterion_values(c) for c in criteria}
    new_values = {"name": "", "guidance": "", "weight": "1", "scale_min": "1", "scale_max": "5", "descriptors": ""}
    form_errors: dict[int | None, dict[str, str]] = {}
    if values is not None:
        if edit_id is None:
            new_values = values
        else:
            forms[edit_id] = values
    if errors:
        form_errors[edit_id] = errors
    total_weight = sum(c.weight for c in criteria)
    return Template(
        template_name="judging/rubric.html",
        context={
            "campaign": campaign,
            "phase": phase,
            "criteria": criteria,
            "forms": forms,
            "new_values": new_values,
            "form_errors": form_errors,
            "locked": await rubric_locked(db, phase.id),
            "reset_refusal": _(refusal) if (refusal := reset_refusal(campaign, phase)) else "",
            "last_reset": await last_reset(db, phase),
            "reopened": reopened,
            "shares": {c.id: 100 * c.weight / total_weight for c in criteria} if total_weight else {},
            "name_max": CRITERION_NAME_MAX,
            "guidance_max": GUIDANCE_MAX,
        },
        status_code=status,
    )


@get("/campaigns/{campaign_id:int}/phases/{phase_id:int}/rubric", opt=USER, name="judging_rubric")
async def rubric_page(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    organized: Organized,
    reopened: FromQuery[int | None] = None,
) -> Template:
    campaign, phase = organized.campaign, organized.phase
    return await _rubric_page(db_session, campaign, phase, reopened=reopened)


@post("/campaigns/{campaign_id:int}/phases/{phase_id:int}/rubric", opt=REFUSED_TO_RUBRIC, name="judging_rubric_add")
async def rubric_add(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    organized: Organized,
    clock: AppClock,
) -> Response[Any]:
    user = signed_in(request)
    campaign, phase = organized.campaign, organized.phase
    values = await _criterion_form_values(request)
    path = _rubric_path(campaign, phase)
    criterion = await or_form_again(
        request,
        add_criterion(db_session, user, clock.now(), phase, _criterion_input(values)),
        lambda errors, status: _rubric_page(db_session, campaign, phase, values=values, errors=errors, status=status),
        when=is_invalid,
    )
    return see_other(
        request, f"{path}#criterion-{criterion.id}", ok=_("Criterion “%(name)s” added.", name=criterion.name)
    )


@post(
    "/campaigns/{campaign_id:int}/phases/{phase_id:int}/rubric/{criterion_id:int}",
    opt=REFUSED_TO_RUBRIC,
    name="judging_rubric_update",
)
async def rubric_update(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    organized: Organized,
    clock: AppClock,
    criterion_id: FromPath[int],
) -> Response[Any]:
    user = signed_in(request)
    campaign, phase = organized.campaign, organized.phase
    values = await _criterion_form_values(request)
    path = _rubric_path(campaign, phase)
    await or_form_again(
        request,
        update_criterion(db_session, user, clock.now(), phase, criterion_id, _criterion_input(values)),
        lambda errors, status: _rubric_page(
            db_session, campaign, phase, edit_id=criterion_id, values=values, errors=errors, status=status
        ),
        when=is_invalid,
    )
    return see_other(request, f"{path}#criterion-{criterion_id}", ok=_("Criterion saved."))


@post(
    "/campaigns/{campaign_id:int}/phases/{phase_id:int}/rubric/{criterion_id:int}/delete",
    opt=REFUSED_TO_RUBRIC,
    name="judging_rubric_delete",
)
async def rubric_delete(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    organized: Organized,
    clock: AppClock,
    criterion_id: FromPath[int],
) -> Response[Any]:
    user = signed_in(request)
    campaign, phase = organized.campaign, organized.phase
    path = _rubric_path(campaign, phase)
    await delete_criterion(db_session, user, clock.now(), phase, criterion_id)
    return see_other(request, path, ok=_("Criterion removed."))


@post(
    "/campaigns/{campaign_id:int}/phases/{phase_id:int}/rubric/{criterion_id:int}/move",
    opt=REFUSED_TO_RUBRIC,
    name="judging_rubric_move",
)
async def rubric_move(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    organized: Organized,
    clock: AppClock,
    criterion_id: FromPath[int],
) -> Response[Any]:
    user = signed_in(request)
    campaign, phase = organized.campaign, organized.phase
    direction = (await read_form(request)).text("direction")
    path = _rubric_path(campaign, phase)
    await move_criterion(db_session, user, clock.now(), phase, criterion_id, direction)
    return see_other(request, f"{path}#criterion-{criterion_id}")


# --- rubric copy ------------------------------------------------------------------------------


async def _copy_page(
    db: AsyncSession,
    user: User,
    campaign: Campaign,
    phase: Phase,
    *,
    fragment: bool,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    return Template(
        template_name="judging/_copy_rubric.html" if fragment else "judging/copy_rubric.html",
        context={
            "campaign": campaign,
            "phase": phase,
            "sources": await copy_sources(db, user, phase),
            "has_criteria": bool(await rubric(db, phase.id)),
            "locked": await rubric_locked(db, phase.id),
            "errors": errors or {},
            "values": values or {},
        },
        status_code=status,
    )


@get(f"{BASE}/rubric/copy", opt=USER, name="judging_rubric_copy_form")
async def copy_form(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    organized: Organized,
) -> Template:
    user = signed_in(request)
    campaign, phase = organized.campaign, organized.phase
    return await _copy_page(db_session, user, campaign, phase, fragment=is_htmx(request))


@post(f"{BASE}/rubric/copy", opt=USER, name="judging_rubric_copy")
async def copy_post(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    organized: Organized,
    clock: AppClock,
) -> Response[Any]:
    user = signed_in(request)
    campaign, phase = organized.campaign, organized.phase
    form = await request.form()
    values = {"source": form_value(form, "source"), "replace": form_value(form, "replace")}
    source = parse_int(values["source"])
    try:
        if source is None:
            raise NotFound(N_("Choose a rubric to copy."), field="source")
        await copy_rubric(db_session, user, clock.now(), phase, source, replace=bool(values["replace"]))
    except DomainError as exc:
        errors = {exc.field or "__all__": _(exc.message, **exc.params)}
        status = 422 if exc.status_code == 404 else exc.status_code
        if status != 422 and not is_htmx(
            request
        ):  # the rubric's state, not the form: a re-sent form must not copy later
            return see_other(request, f"{phase_path(campaign, phase)}/rubric/copy", error=errors.popitem()[1])
        return await _copy_page(
            db_session, user, campaign, phase, fragment=is_htmx(request), errors=errors, values=values, status=status
        )
    return see_other(request, f"{phase_path(campaign, phase)}/rubric", ok=_("The rubric was copied."))


routes = [
    rubric_page,
    rubric_add,
    rubric_update,
    rubric_delete,
    rubric_move,
    copy_form,
    copy_post,
]
