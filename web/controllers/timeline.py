"""A campaign's timeline for its organizers: add and edit phases, open, close and reopen them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from automation.status import campaign_actions
from campaigns.deadlines import has_started
from campaigns.models import Campaign, Phase, PhaseKind, PhaseStatus
from campaigns.phase_transitions import close_phase, open_phase, reopen_phase
from campaigns.timeline import ConfirmationNeeded
from campaigns.timeline_editing import PhaseInput, add_phase, update_phase
from campaigns.transitions import plan_opening
from core.errors import N_, DomainError, NotFound
from core.numbers import parse_int
from web.controllers.campaign_views import OrganizedCampaign, full_campaign, timeline_context
from web.deps import USER, AppClock, DbSession, form_value, signed_in
from web.flash import is_htmx, see_other
from web.i18n import gettext as _
from web.local_time import LocalTime, read_local_time, stored_time_note, to_local_input
from web.messages import error_messages

PHASE_FIELDS = ("kind", "name", "opens_at", "closes_at", "grace_minutes", "judges_phase_id", "required_judges")
TIME_FIELDS = ("opens_at", "closes_at")
NEW_PHASE: dict[str, str] = {
    "kind": PhaseKind.SUBMISSION.value,
    "name": "",
    "opens_at": "",
    "closes_at": "",
    "grace_minutes": "0",
    "judges_phase_id": "",
    "required_judges": "3",
}


class PhaseForm:
    """A phase form as typed: its values, what they mean, and what the times alone say about themselves."""

    def __init__(self, form: Mapping[str, Any], timezone: str, phase: Phase | None = None) -> None:
        self.values = {name: form_value(form, name) for name in PHASE_FIELDS}
        self.times: dict[str, LocalTime] = {}
        for name in TIME_FIELDS:
            kept = getattr(phase, name) if phase is not None else None
            if kept is not None and self.values[name] == to_local_input(kept, timezone):
                self.times[name] = LocalTime(kept)  # a field left as shown keeps the stored instant (seconds)
            else:
                self.times[name] = read_local_time(self.values[name], timezone)

    def data(self) -> PhaseInput:
        try:
            kind: PhaseKind | None = PhaseKind(self.values["kind"])
        except ValueError:
            kind = None
        return PhaseInput(
            kind=kind,
            name=self.values["name"],
            opens_at=self.times["opens_at"].value,
            closes_at=self.times["closes_at"].value,
            grace_minutes=parse_int(self.values["grace_minutes"] or "0"),
            judges_phase_id=parse_int(self.values["judges_phase_id"]) if self.values["judges_phase_id"] else None,
            required_judges=parse_int(self.values["required_judges"] or "3"),
        )

    def errors(self, exc: DomainError, timezone: str) -> dict[str, str]:
        """The operation's messages; a time the form could not read says why itself."""
        found = error_messages(exc, timezone)
        for name, time in self.times.items():
            if time.error is not None and name in found:
                found[name] = time.error
        return found


def _values_of(phase: Phase, timezone: str) -> dict[str, str]:
    return {
        "kind": phase.kind.value,
        "name": phase.name,
        "opens_at": to_local_input(phase.opens_at, timezone),
        "closes_at": to_local_input(phase.closes_at, timezone),
        "grace_minutes": str(phase.grace_minutes),
        "judges_phase_id": str(phase.judges_phase_id or ""),
        "required_judges": str(phase.required_judges),
    }


def _notes_of(phase: Phase, timezone: str) -> dict[str, str]:
    """Hints for stored times that happen twice in the zone: which instant they mean."""
    notes = {name: stored_time_note(getattr(phase, name), timezone) for name in TIME_FIELDS}
    return {name: note for name, note in notes.items() if note}


def _locked(phase: Phase, now: datetime) -> tuple[str, ...]:
    """Times that record what happened: a closed phase's, a started phase's opening."""
    if phase.status is PhaseStatus.CLOSED:
        return (*TIME_FIELDS, "grace_minutes")
    return ("opens_at",) if has_started(phase, now) else ()


async def _phase_of(db: AsyncSession, campaign: Campaign, phase_id: int) -> Phase:
    phase = await db.scalar(select(Phase).where(Phase.id == phase_id, Phase.campaign_id == campaign.id))
    if phase is None:
        raise NotFound(N_("We could not find that phase."))
    return phase


def _redirect(campaign_id: int) -> Redirect:
    return Redirect(path=f"/campaigns/{campaign_id}/timeline", status_code=303)


async def _timeline_page(
    db: AsyncSession,
    campaign_id: int,
    now: datetime,
    *,
    edit_id: int | None = None,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    flash: str | None = None,
    status: int = 200,
    confirm: PhaseInput | None = None,
    extra: dict[str, Any] | None = None,
) -> Template:
    """``edit_id`` None with ``values``: the new-phase form as typed; ``confirm``: the change asked about."""
    campaign = await full_campaign(db, campaign_id)
    tz = campaign.timezone
    forms = {p.id: _values_of(p, tz) for p in campaign.phases}
    form_errors: dict[int | None, dict[str, str]] = {}
    new_values: dict[str, Any] = dict(NEW_PHASE)
    if values is not None:
        if edit_id is None:
            new_values = values
        else:
            forms[edit_id] = values
        form_errors[edit_id] = errors or {}
    return Template(
        template_name="campaigns/timeline.html",
        context={
            **timeline_context(campaign, now, controls=True, flash=flash),
            **(extra or {}),
            "forms": forms,
            "notes": {p.id: _notes_of(p, tz) for p in campaign.phases},
            "locked": {p.id: _locked(p, now) for p in campaign.phases},
            "form_errors": form_errors,
            "new_values": new_values,
            "edit_id": edit_id,
            "confirm_id": edit_id if confirm is not None else None,
            "confirm_new": confirm,
            "kinds": list(PhaseKind),
            "submission_phases": [p for p in campaign.phases if p.kind is PhaseKind.SUBMISSION],
            "actions": await campaign_actions(db, campaign.id),
            "phase_names": {p.id: p.name for p in campaign.phases},
        },
        status_code=status,
    )


@get("/campaigns/{campaign_id:int}/timeline", opt=USER, name="campaign_timeline")
async def timeline(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    campaign: OrganizedCampaign,
    clock: AppClock,
    confirm_open: FromQuery[int | None] = None,
) -> Template:
    """``confirm_open``: a phase whose opening closes a running one, asked about here (without htmx)."""
    now = clock.now()
    extra: dict[str, Any] = {}
    phases = (await full_campaign(db_session, campaign.id)).phases
    target = next((p for p in phases if p.id == confirm_open), None)
    if target is not None and (running := plan_opening(phases, target, now).running):
        question = _(
            "“%(name)s” is still running. Opening “%(phase)s” now closes it at once: please confirm.",
            name=running[0].name,
            phase=target.name,
        )
        extra = {"confirm_open": target.id, "question": question}
    return await _timeline_page(db_session, campaign.id, now, extra=extra)


@post("/campaigns/{campaign_id:int}/phases", opt=USER, name="phase_create")
async def phase_create(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    campaign: OrganizedCampaign,
    clock: AppClock,
    campaign_id: FromPath[int],
) -> Response[Any]:
    user = signed_in(request)
    form = await request.form()
    typed = PhaseForm(form, campaign.timezone)
    data = typed.data()
    try:
        await add_phase(db_session, user, clock.now(), campaign, data, confirmed=form_value(form, "confirm") == "1")
    except DomainError as exc:
        return await _timeline_page(
            db_session,
            campaign_id,
            clock.now(),
            values=typed.values,
            errors=typed.errors(exc, campaign.timezone),
            status=exc.status_code,
            extra={"confirm_add": isinstance(exc, ConfirmationNeeded)},
        )
    return _redirect(campaign.id)


@post("/campaigns/{campaign_id:int}/phases/{phase_id:int}", opt=USER, name="phase_update")
async def phase_update(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    campaign: OrganizedCampaign,
    clock: AppClock,
    campaign_id: FromPath[int],
    phase_id: FromPath[int],
) -> Response[Any]:
    user = signed_in(request)
    phase = await _phase_of(db_session, campaign, phase_id)
    form = await request.form()
    typed = PhaseForm(form, campaign.timezone, phase)
    data = typed.data()
    try:
        await update_phase(
            db_session, user, clock.now(), campaign, phase, data, confirmed=form_value(form, "confirm") == "1"
        )
    except DomainError as exc:
        return await _timeline_page(
            db_session,
            campaign_id,
            clock.now(),
            edit_id=phase_id,
            values=typed.values,
            errors=typed.errors(exc, campaign.timezone),
            status=exc.status_code,
            confirm=data if isinstance(exc, ConfirmationNeeded) else None,
        )
    return _redirect(campaign.id)


async def _answer(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    campaign_id: int,
    now: datetime,
    *,
    status: int = 200,
    flash: str | None = None,
    **extra: Any,
) -> Response[Any]:
    """After a phase button: back to the timeline page (redirect-after-post; for htmx a client
    redirect, so the edit forms and the automatic steps show the times that now hold too), a
    refusal as a flash message, so that a reload repeats nothing. A refusal or a question to an
    htmx request comes as the timeline fragment: nothing changed, so nothing else is stale."""
    if is_htmx(request) and status >= 300:
        campaign = await full_campaign(db, campaign_id)
        return Template(
            template_name="campaigns/_timeline.html",
            context={**timeline_context(campaign, now, controls=True, flash=flash), **extra},
            status_code=status,
        )
    return see_other(request, f"/campaigns/{campaign_id}/timeline", error=flash)


def _refusal(exc: DomainError, timezone: str) -> str:
    return next(iter(error_messages(exc, timezone).values()))


@post("/campaigns/{campaign_id:int}/phases/{phase_id:int}/open", opt=USER, name="phase_open")
async def phase_open(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    campaign: OrganizedCampaign,
    clock: AppClock,
    campaign_id: FromPath[int],
    phase_id: FromPath[int],
) -> Response[Any]:
    """Opens the next phase now; closing a running one first is confirmed on the page."""
    user = signed_in(request)
    phase = await _phase_of(db_session, campaign, phase_id)
    confirmed = form_value(await request.form(), "confirm") == "1"
    now = clock.now()
    try:
        await open_phase(db_session, user, now, phase, confirmed=confirmed)
    except ConfirmationNeeded as exc:
        if not is_htmx(request):  # the question is asked by the timeline page itself, on a GET
            return Redirect(path=f"/campaigns/{campaign_id}/timeline?confirm_open={phase.id}#phase-{phase.id}")
        question = _refusal(exc, campaign.timezone)
        return await _answer(
            request, db_session, campaign_id, now, status=exc.status_code, confirm_open=phase.id, question=question
        )
    except DomainError as exc:
        return await _answer(
            request, db_session, campaign_id, now, status=exc.status_code, flash=_refusal(exc, campaign.timezone)
        )
    return await _answer(request, db_session, campaign_id, now)


@post("/campaigns/{campaign_id:int}/phases/{phase_id:int}/close", opt=USER, name="phase_close")
async def phase_close(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    campaign: OrganizedCampaign,
    clock: AppClock,
    campaign_id: FromPath[int],
    phase_id: FromPath[int],
) -> Response[Any]:
    user = signed_in(request)
    phase = await _phase_of(db_session, campaign, phase_id)
    now = clock.now()
    try:
        await close_phase(db_session, user, now, phase)
    except DomainError as exc:
        return await _answer(
            request, db_session, campaign_id, now, status=exc.status_code, flash=_refusal(exc, campaign.timezone)
        )
    return await _answer(request, db_session, campaign_id, now)


@post("/campaigns/{campaign_id:int}/phases/{phase_id:int}/reopen", opt=USER, name="phase_reopen")
async def phase_reopen(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    campaign: OrganizedCampaign,
    clock: AppClock,
    campaign_id: FromPath[int],
    phase_id: FromPath[int],
) -> Response[Any]:
    """Runs a closed phase again until a new closing time (+ grace), audited."""
    user = signed_in(request)
    phase = await _phase_of(db_session, campaign, phase_id)
    form = await request.form()
    values = {"closes_at": form_value(form, "closes_at"), "grace_minutes": form_value(form, "grace_minutes") or "0"}
    closes = read_local_time(values["closes_at"], campaign.timezone)
    now = clock.now()
    try:
        await reopen_phase(db_session, user, now, phase, closes.value, parse_int(values["grace_minutes"]))
    except DomainError as exc:
        errors = error_messages(exc, campaign.timezone)
        if closes.error is not None and "closes_at" in errors:
            errors["closes_at"] = closes.error
        if "__all__" in errors:  # the timeline's state, not the form: said above the timeline
            return await _answer(request, db_session, campaign_id, now, status=exc.status_code, flash=errors["__all__"])
        if not is_htmx(request):
            reopen = {"reopen_id": phase.id, "reopen_values": values, "reopen_errors": errors}
            return await _timeline_page(db_session, campaign_id, now, status=exc.status_code, extra=reopen)
        return await _answer(
            request,
            db_session,
            campaign_id,
            now,
            status=exc.status_code,
            reopen_id=phase.id,
            reopen_values=values,
            reopen_errors=errors,
        )
    return await _answer(request, db_session, campaign_id, now)


routes = [timeline, phase_create, phase_update, phase_open, phase_close, phase_reopen]
