"""The judge's pages: the queue of assigned entries, the score form (save a draft, finalise) and
declaring a conflict of interest. A judge reaches an entry only through their own assignment.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from campaigns.deadlines import accepts_writes, effective_close
from core.errors import DomainError, NotFound, ValidationFailed
from core.numbers import parse_int
from judging.assigning import (
    ALREADY_DECLARED,
    REASON_MAX,
    AlreadyDeclared,
    DeclarationResult,
    declare_conflict,
    has_declared,
)
from judging.judge_queue import judge_queue
from judging.models import FEEDBACK_MAX, ScorecardStatus
from judging.phases import judging_state
from judging.scorecards import (
    OFF_SCALE,
    AssignedEntry,
    IncompleteScorecard,
    finalise_scorecard,
    get_assigned_entry,
    save_scores,
)
from judging.totals import judge_total, partial_total
from web.deps import USER, AppClock, DbSession, form_value, signed_in
from web.flash import is_htmx, see_other
from web.i18n import gettext as _
from web.messages import error_message, error_messages

# --- the judge's queue ------------------------------------------------------------------------


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
            "states": {g.phase.id: judging_state(g.phase, now) for g in groups},
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
        "state": judging_state(view.phase, now),
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
        errors = error_messages(exc, view.campaign.timezone)
        if isinstance(exc, ValidationFailed):
            message = _("Not saved: please check the highlighted scores.")
        else:
            message = errors.pop("__all__", "") or error_message(exc, view.campaign.timezone)
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
            errors = {field: error_message(exc, view.campaign.timezone)}
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
    conflict_declare,
    queue,
    score_form,
    score_save,
    score_finalise,
]
