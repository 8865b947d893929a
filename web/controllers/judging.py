"""Judging: the organizer's rubric editor and assignment by hand, the judge's queue and score form."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.access import organized_campaign
from campaigns.deadlines import accepts_writes, effective_close
from campaigns.models import Campaign, Phase, PhaseStatus
from core.errors import DomainError, NotFound, ValidationFailed
from core.numbers import parse_int
from core.pagination import paginate
from judging.assign_by_hand import assign_judge, assignable_entries_query, assignment_board, judge_loads, unassign_judge
from judging.assigning import (
    ALREADY_DECLARED,
    REASON_MAX,
    AlreadyDeclared,
    AutoAssignResult,
    DeclarationResult,
    auto_assign,
    declare_conflict,
    has_declared,
)
from judging.judge_queue import judge_queue
from judging.models import CRITERION_NAME_MAX, FEEDBACK_MAX, Criterion, ScorecardStatus
from judging.phases import ENTRY_NOT_FOUND, judging_phase
from judging.progress import short_entries
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
from judging.rubric_reset import last_reset, reset_refusal
from judging.scorecards import (
    OFF_SCALE,
    AssignedEntry,
    IncompleteScorecard,
    finalise_scorecard,
    get_assigned_entry,
    save_scores,
)
from judging.totals import judge_total, partial_total
from teams.models import Entry
from web.controllers.judging_reset import routes as reset_routes
from web.controllers.judging_setup import routes as setup_routes
from web.deps import USER, AppClock, DbSession, form_value, signed_in
from web.errors import is_htmx
from web.flash import see_other
from web.i18n import format_datetime
from web.i18n import gettext as _

ENTRIES_PAGE_SIZE = 20
CRITERION_FIELDS = ("name", "guidance", "weight", "scale_min", "scale_max", "descriptors")


# --- helpers ----------------------------------------------------------------------------------


def _rubric_path(campaign: Campaign, phase: Phase) -> str:
    return f"/campaigns/{campaign.id}/phases/{phase.id}/rubric"


def _assignments_path(campaign: Campaign, phase: Phase) -> str:
    return f"/campaigns/{campaign.id}/phases/{phase.id}/assignments"


def _float(raw: str) -> float | None:
    try:
        return float(raw)
    except ValueError:
        return None


def _message(exc: DomainError, timezone: str) -> str:
    """The translated message, with times shown in the campaign's time zone."""
    params = {k: format_datetime(v, timezone) if isinstance(v, datetime) else v for k, v in exc.params.items()}
    return _(exc.message, **params)


def _messages(exc: DomainError, timezone: str = "UTC") -> dict[str, str]:
    if isinstance(exc, ValidationFailed):
        return {name: _(message) for name, message in exc.errors.items()}
    return {exc.field or "__all__": _message(exc, timezone)}


async def _organized_phase(db: AsyncSession, user: User, campaign_id: int, phase_id: int) -> tuple[Campaign, Phase]:
    campaign = await organized_campaign(db, campaign_id, user)
    return campaign, await judging_phase(db, campaign, phase_id)


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
    form = await request.form()
    values = {name: form_value(form, name) for name in CRITERION_FIELDS}
    values["descriptors"] = str(form.get("descriptors") or "").strip()
    return values


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
    campaign_id: FromPath[int],
    phase_id: FromPath[int],
    reopened: FromQuery[int | None] = None,
) -> Template:
    campaign, phase = await _organized_phase(db_session, signed_in(request), campaign_id, phase_id)
    return await _rubric_page(db_session, campaign, phase, reopened=reopened)


@post("/campaigns/{campaign_id:int}/phases/{phase_id:int}/rubric", opt=USER, name="judging_rubric_add")
async def rubric_add(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    clock: AppClock,
    campaign_id: FromPath[int],
    phase_id: FromPath[int],
) -> Response[Any]:
    user = signed_in(request)
    campaign, phase = await _organized_phase(db_session, user, campaign_id, phase_id)
    values = await _criterion_form_values(request)
    path = _rubric_path(campaign, phase)
    try:
        criterion = await add_criterion(db_session, user, clock.now(), phase, _criterion_input(values))
    except ValidationFailed as exc:
        return await _rubric_page(
            db_session, campaign, phase, values=values, errors=_messages(exc), status=exc.status_code
        )
    except DomainError as exc:  # the rubric's state (locked, full): a re-sent form must not add it later
        return see_other(request, path, error=_message(exc, campaign.timezone))
    return see_other(
        request, f"{path}#criterion-{criterion.id}", ok=_("Criterion “%(name)s” added.", name=criterion.name)
    )


@post(
    "/campaigns/{campaign_id:int}/phases/{phase_id:int}/rubric/{criterion_id:int}",
    opt=USER,
    name="judging_rubric_update",
)
async def rubric_update(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    clock: AppClock,
    campaign_id: FromPath[int],
    phase_id: FromPath[int],
    criterion_id: FromPath[int],
) -> Response[Any]:
    user = signed_in(request)
    campaign, phase = await _organized_phase(db_session, user, campaign_id, phase_id)
    values = await _criterion_form_values(request)
    path = _rubric_path(campaign, phase)
    try:
        await update_criterion(db_session, user, clock.now(), phase, criterion_id, _criterion_input(values))
    except NotFound:
        raise
    except ValidationFailed as exc:
        return await _rubric_page(
            db_session,
            campaign,
            phase,
            edit_id=criterion_id,
            values=values,
            errors=_messages(exc),
            status=exc.status_code,
        )
    except DomainError as exc:
        return see_other(request, path, error=_message(exc, campaign.timezone))
    return see_other(request, f"{path}#criterion-{criterion_id}", ok=_("Criterion saved."))


@post(
    "/campaigns/{campaign_id:int}/phases/{phase_id:int}/rubric/{criterion_id:int}/delete",
    opt=USER,
    name="judging_rubric_delete",
)
async def rubric_delete(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    clock: AppClock,
    campaign_id: FromPath[int],
    phase_id: FromPath[int],
    criterion_id: FromPath[int],
) -> Response[Any]:
    user = signed_in(request)
    campaign, phase = await _organized_phase(db_session, user, campaign_id, phase_id)
    path = _rubric_path(campaign, phase)
    try:
        await delete_criterion(db_session, user, clock.now(), phase, criterion_id)
    except NotFound:
        raise
    except DomainError as exc:
        return see_other(request, path, error=_message(exc, campaign.timezone))
    return see_other(request, path, ok=_("Criterion removed."))


@post(
    "/campaigns/{campaign_id:int}/phases/{phase_id:int}/rubric/{criterion_id:int}/move",
    opt=USER,
    name="judging_rubric_move",
)
async def rubric_move(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    clock: AppClock,
    campaign_id: FromPath[int],
    phase_id: FromPath[int],
    criterion_id: FromPath[int],
) -> Response[Any]:
    user = signed_in(request)
    campaign, phase = await _organized_phase(db_session, user, campaign_id, phase_id)
    direction = form_value(await request.form(), "direction")
    path = _rubric_path(campaign, phase)
    try:
        await move_criterion(db_session, user, clock.now(), phase, criterion_id, direction)
    except NotFound:
        raise
    except DomainError as exc:
        return see_other(request, path, error=_message(exc, campaign.timezone))
    return see_other(request, f"{path}#criterion-{criterion_id}")


# --- assignment by hand -----------------------------------------------------------------------


async def _assignments_page(
    db: AsyncSession,
    campaign: Campaign,
    phase: Phase,
    page: int,
    *,
    entry_errors: dict[int, str] | None = None,
    seed_error: str | None = None,
    seed: str = "1",
    status: int = 200,
    choose: int | None = None,
) -> Template:
    result = await paginate(db, assignable_entries_query(phase), number=page, size=ENTRIES_PAGE_SIZE)
    board = await assignment_board(db, phase, result.items)
    loads = await judge_loads(db, phase.id)
    base = f"/campaigns/{campaign.id}/phases/{phase.id}/assignments"
    return Template(
        template_name="judging/assignments.html",
        context={
            "campaign": campaign,
            "phase": phase,
            "page": result,
            "board": board,
            "base_url": base + "?",
            "action": base,
            "entry_errors": entry_errors or {},
            "seed_error": seed_error,
            "seed": seed,
            "choose": choose,
            "loads": loads,
            "short": await short_entries(db, phase),
            "load_spread": (max(loads.get(j.id, 0) for j in board.pool) - min(loads.get(j.id, 0) for j in board.pool))
            if board.pool
            else 0,
        },
        status_code=status,
    )


@get("/campaigns/{campaign_id:int}/phases/{phase_id:int}/assignments", opt=USER, name="judging_assignments")
async def assignments_page(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    campaign_id: FromPath[int],
    phase_id: FromPath[int],
    page: FromQuery[int] = 1,
    seed: FromQuery[int] = 1,
    choose: FromQuery[int | None] = None,
) -> Template:
    campaign, phase = await _organized_phase(db_session, signed_in(request), campaign_id, phase_id)
    return await _assignments_page(db_session, campaign, phase, page, seed=str(seed), choose=choose)


@get(
    "/campaigns/{campaign_id:int}/phases/{phase_id:int}/assignments/entries/{entry_id:int}/choose",
    opt=USER,
    name="judging_assignment_choose",
)
async def assignment_choose(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    campaign_id: FromPath[int],
    phase_id: FromPath[int],
    entry_id: FromPath[int],
    page: FromQuery[int] = 1,
) -> Template:
    """htmx: the judges one entry can be given (the page lists them for no entry until asked: the pool is long)."""
    campaign, phase = await _organized_phase(db_session, signed_in(request), campaign_id, phase_id)
    entry = await db_session.scalar(assignable_entries_query(phase).where(Entry.id == entry_id))
    if entry is None:
        raise NotFound(ENTRY_NOT_FOUND)
    return Template(
        template_name="judging/_add_judge_choice.html",
        context={
            "entry": entry,
            "board": await assignment_board(db_session, phase, [entry]),
            "action": _assignments_path(campaign, phase),
            "page_number": max(1, page),
        },
    )


@post("/campaigns/{campaign_id:int}/phases/{phase_id:int}/assignments", opt=USER, name="judging_assignment_add")
async def assignment_add(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    clock: AppClock,
    campaign_id: FromPath[int],
    phase_id: FromPath[int],
) -> Response[Any]:
    user = signed_in(request)
    campaign, phase = await _organized_phase(db_session, user, campaign_id, phase_id)
    form = await request.form()
    entry_id = parse_int(form_value(form, "entry_id"))
    judge_id = parse_int(form_value(form, "judge_id"))
    page = max(1, parse_int(form_value(form, "page")) or 1)
    if entry_id is None:
        raise NotFound(ENTRY_NOT_FOUND)
    path = f"{_assignments_path(campaign, phase)}?page={page}#entry-{entry_id}"
    try:
        await assign_judge(db_session, user, clock.now(), phase, entry_id, judge_id)
    except NotFound:
        raise
    except DomainError as exc:  # a conflict of interest, say: a re-sent form must not assign later
        return see_other(request, path, error=_message(exc, campaign.timezone))
    return see_other(request, path, ok=_("Judge assigned."))


@post(
    "/campaigns/{campaign_id:int}/phases/{phase_id:int}/assignments/{assignment_id:int}/delete",
    opt=USER,
    name="judging_assignment_remove",
)
async def assignment_remove(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    clock: AppClock,
    campaign_id: FromPath[int],
    phase_id: FromPath[int],
    assignment_id: FromPath[int],
) -> Response[Any]:
    user = signed_in(request)
    campaign, phase = await _organized_phase(db_session, user, campaign_id, phase_id)
    page = max(1, parse_int(form_value(await request.form(), "page")) or 1)
    path = f"{_assignments_path(campaign, phase)}?page={page}"
    try:
        await unassign_judge(db_session, user, clock.now(), phase, assignment_id)
    except NotFound:
        raise
    except DomainError as exc:
        return see_other(request, path, error=_message(exc, campaign.timezone))
    return see_other(request, path, ok=_("Assignment removed."))


@post(
    "/campaigns/{campaign_id:int}/phases/{phase_id:int}/assignments/auto",
    opt=USER,
    name="judging_assignment_auto",
)
async def assignment_auto(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    clock: AppClock,
    campaign_id: FromPath[int],
    phase_id: FromPath[int],
) -> Response[Any]:
    user = signed_in(request)
    campaign, phase = await _organized_phase(db_session, user, campaign_id, phase_id)
    raw_seed = form_value(await request.form(), "seed")
    seed = parse_int(raw_seed)
    if seed is None or not 0 <= seed <= 2**31:
        return await _assignments_page(
            db_session,
            campaign,
            phase,
            1,
            seed_error=_("Enter the seed as a whole number from 0 to 2147483648."),
            seed=raw_seed,
            status=422,
        )
    result = await auto_assign(db_session, user, clock.now(), phase, seed)
    return see_other(request, f"{_assignments_path(campaign, phase)}?seed={seed}", **_auto_outcome(result, phase))


def _auto_outcome(result: AutoAssignResult, phase: Phase) -> dict[str, str]:
    """The flash messages of an automatic assignment: what changed, and whether entries lack judges."""
    done = _(
        "Automatic assignment done: %(added)s assignments added, %(removed)s replaced, %(kept)s kept "
        "(made by hand or with a started scorecard).",
        added=result.added,
        removed=result.removed,
        kept=result.kept,
    )
    if not result.plan.short:
        return {"ok": f"{done} {_('Every entry has %(k)s judges.', k=phase.required_judges)}"}
    short = _(
        "%(entries)s entries could not get %(k)s judges: %(missing)s judges are missing in all. Invite more "
        "judges, lift challenge limits or lower the number of judges per entry.",
        entries=len(result.plan.short),
        k=phase.required_judges,
        missing=result.plan.missing,
    )
    return {"ok": done, "error": short}


# --- the judge's queue ------------------------------------------------------------------------


def _judging_state(phase: Phase, now: datetime) -> str:
    if accepts_writes(phase, now):
        return "open"
    if phase.status is not PhaseStatus.CLOSED and now < phase.opens_at:
        return "pending"
    return "closed"


@get("/judging", opt=USER, name="judging_queue")
async def queue(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    clock: AppClock,
    conflict: FromQuery[str | None] = None,
    phase: FromQuery[int | None] = None,
) -> Template:
    now = clock.now()
    # a closed phase's entries are listed only when asked for (``?phase=``): its counts are enough
    groups = await judge_queue(db_session, signed_in(request), now, unfold=phase)
    return Template(
        template_name="judging/queue.html",
        context={
            "groups": groups,
            "states": {g.phase.id: _judging_state(g.phase, now) for g in groups},
            "reopened_count": sum(1 for g in groups for item in g.items if item.reopened),
            # after a declared conflict: whether the entry got a replacement ("replaced") or not ("short")
            "conflict": conflict if conflict in ("replaced", "short", "enough") else None,
        },
    )


# --- the score form ---------------------------------------------------------------------------


def _score_values(form: Mapping[str, Any]) -> tuple[dict[int, int], dict[str, str]]:
    """Scores posted as ``c<criterion id>=<level>``; what is not a whole number is an error."""
    values: dict[int, int] = {}
    errors: dict[str, str] = {}
    for key in form:
        if not key.startswith("c") or (criterion_id := parse_int(key[1:])) is None:
            continue
        raw = form_value(form, key)
        if not raw:
            continue
        value = parse_int(raw)
        if value is None:
            errors[key] = _(OFF_SCALE)
        else:
            values[criterion_id] = value
    return values, errors


def _score_context(
    view: AssignedEntry,
    now: datetime,
    *,
    values: dict[int, int] | None = None,
    feedback: str | None = None,
    private_note: str | None = None,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    saved: bool = False,
    oob: bool = False,
) -> dict[str, Any]:
    card = view.scorecard
    chosen = values if values is not None else view.scores
    final = card is not None and card.status is ScorecardStatus.FINAL
    writable = accepts_writes(view.phase, now)
    # the total counts only scores on their criterion's scale (an off-scale one is shown as an error)
    counted = {
        c.id: chosen[c.id] for c in view.criteria if c.id in chosen and c.scale_min <= chosen[c.id] <= c.scale_max
    }
    return {
        "view": view,
        "campaign": view.campaign,
        "phase": view.phase,
        "version": view.version,
        "criteria": view.criteria,
        "values": chosen,
        "feedback": feedback if feedback is not None else (card.feedback if card else ""),
        "private_note": private_note if private_note is not None else (card.private_note if card else ""),
        "errors": errors or {},
        "message": message,
        "saved": saved,
        "saved_at": now,
        "oob": oob,
        "final": final,
        "writable": writable,
        "state": _judging_state(view.phase, now),
        "deadline": effective_close(view.phase),
        "total": judge_total(view.criteria, counted),
        "partial": partial_total(view.criteria, counted),
        "scored": len(counted),
        "feedback_max": FEEDBACK_MAX,
        "base": f"/judging/{view.phase.id}/entries/{view.entry.id}",
        "conflict_errors": {},
        "conflict_reason": "",
        "reason_max": REASON_MAX,
    }


@get("/judging/{phase_id:int}/entries/{entry_id:int}", opt=USER, name="judging_score_form")
async def score_form(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    clock: AppClock,
    phase_id: FromPath[int],
    entry_id: FromPath[int],
) -> Template:
    view = await get_assigned_entry(db_session, signed_in(request), phase_id, entry_id)
    return Template(template_name="judging/score.html", context=_score_context(view, clock.now()))


async def _score_post(
    request: Request[Any, Any, Any], db: AsyncSession, now: datetime, phase_id: int, entry_id: int, *, finalise: bool
) -> Response[Any]:
    user = signed_in(request)
    form = await request.form()
    values, bad = _score_values(form)
    feedback = str(form.get("feedback") or "")
    private_note = str(form.get("private_note") or "")
    htmx = is_htmx(request)
    try:
        if bad:
            await get_assigned_entry(db, user, phase_id, entry_id)  # 404 first for anyone not assigned
            raise ValidationFailed(bad)
        if finalise:
            view = await finalise_scorecard(db, user, phase_id, entry_id, values, feedback, private_note, now)
        else:
            view = await save_scores(db, user, phase_id, entry_id, values, feedback, private_note, now)
    except NotFound:
        raise
    except DomainError as exc:
        if isinstance(exc, IncompleteScorecard):
            await db.commit()  # the draft is kept although finalising was refused
        view = await get_assigned_entry(db, user, phase_id, entry_id)
        errors = _messages(exc, view.campaign.timezone)
        if isinstance(exc, ValidationFailed):
            message = _("Not saved: please check the highlighted scores.")
        else:
            message = errors.pop("__all__", "") or _message(exc, view.campaign.timezone)
        context = _score_context(
            view,
            now,
            values={**view.scores, **values} if isinstance(exc, IncompleteScorecard) else values,
            feedback=feedback,
            private_note=private_note,
            errors=errors,
            message=message,
            oob=htmx,
        )
        template = "judging/_status.html" if htmx else "judging/score.html"
        return Template(template_name=template, context=context, status_code=exc.status_code)
    if finalise:  # htmx too: a client redirect to the queue
        return see_other(request, "/judging", ok=_("Your scorecard for %(title)s is final.", title=view.version.title))
    if htmx:
        context = _score_context(view, now, saved=True, oob=True)
        return Template(template_name="judging/_status.html", context=context)
    return see_other(request, f"/judging/{phase_id}/entries/{entry_id}", ok=_("Your draft is saved."))


@post("/judging/{phase_id:int}/entries/{entry_id:int}/scores", opt=USER, name="judging_score_save")
async def score_save(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    clock: AppClock,
    phase_id: FromPath[int],
    entry_id: FromPath[int],
) -> Response[Any]:
    return await _score_post(request, db_session, clock.now(), phase_id, entry_id, finalise=False)


@post("/judging/{phase_id:int}/entries/{entry_id:int}/finalise", opt=USER, name="judging_score_finalise")
async def score_finalise(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    clock: AppClock,
    phase_id: FromPath[int],
    entry_id: FromPath[int],
) -> Response[Any]:
    return await _score_post(request, db_session, clock.now(), phase_id, entry_id, finalise=True)


@post("/judging/{phase_id:int}/entries/{entry_id:int}/conflict", opt=USER, name="judging_declare_conflict")
async def conflict_declare(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    clock: AppClock,
    phase_id: FromPath[int],
    entry_id: FromPath[int],
) -> Response[Any]:
    user = signed_in(request)
    now = clock.now()
    try:
        view = await get_assigned_entry(db_session, user, phase_id, entry_id)  # 404 for anyone not assigned
    except NotFound:
        if await has_declared(db_session, user, phase_id, entry_id):  # the form sent again: it was recorded
            return see_other(request, "/judging", info=_(ALREADY_DECLARED))
        raise
    form = await request.form()
    reason = str(form.get("reason") or "")
    errors: dict[str, str] = {}
    if form_value(form, "confirm") != "yes":
        errors["confirm"] = _("Tick the box to confirm that you have a conflict of interest with this entry.")
    status = 422
    result: DeclarationResult | None = None
    if not errors:
        try:
            result = await declare_conflict(db_session, user, now, phase_id, entry_id, reason)
        except NotFound:
            raise
        except AlreadyDeclared as exc:  # the entry is no longer the judge's: back to their queue
            await db_session.rollback()
            return see_other(request, "/judging", info=_(exc.message))
        except DomainError as exc:
            field = "reason" if isinstance(exc, ValidationFailed) else "conflict"
            errors = {field: _message(exc, view.campaign.timezone)}
            status = exc.status_code
    if result is None and status != 422:  # the scorecard's state (final, judging closed), not the form
        message = _("Your conflict of interest was not recorded.")
        return see_other(request, f"/judging/{phase_id}/entries/{entry_id}", error=f"{message} {errors.popitem()[1]}")
    if result is None:
        context = _score_context(view, now, message=_("Your conflict of interest was not recorded."))
        context.update(conflict_errors=errors, conflict_reason=reason)
        return Template(template_name="judging/score.html", context=context, status_code=status)
    # the judge is told whether the entry found another judge, never told of one that was not found
    outcome = "replaced" if result.replacement_id is not None else ("short" if result.short else "enough")
    return see_other(request, f"/judging?conflict={outcome}")


routes = [
    *setup_routes,
    *reset_routes,
    assignment_auto,
    conflict_declare,
    rubric_page,
    rubric_add,
    rubric_update,
    rubric_delete,
    rubric_move,
    assignments_page,
    assignment_choose,
    assignment_add,
    assignment_remove,
    queue,
    score_form,
    score_save,
    score_finalise,
]
