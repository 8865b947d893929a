"""Campaigns: the list, the campaign page, and the organizer's pages (details, challenges,
timeline, people, publication, phase controls)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from accounts.models import User
from automation.status import campaign_actions
from campaigns.access import can_organize, organized_campaign, visible_campaign
from campaigns.deadlines import NonexistentLocalTime, current_phase, local_to_utc, phase_state, utc_to_local
from campaigns.models import (
    Campaign,
    CampaignRole,
    CampaignRoleKind,
    Challenge,
    Phase,
    PhaseKind,
)
from campaigns.publication import publication_blocker
from campaigns.services import (
    CampaignInput,
    ChallengeInput,
    ConfirmationNeeded,
    PhaseInput,
    add_challenge,
    add_person,
    add_phase,
    close_campaign,
    close_phase,
    create_campaign,
    open_phase,
    publish_campaign,
    remove_person,
    update_campaign,
    update_challenge,
    update_phase,
    visible_campaigns_query,
)
from core.errors import N_, DomainError, NotFound, ValidationFailed
from core.pagination import paginate
from web.deps import EXECUTIVE, USER, AppClock, DbSession, form_value, signed_in
from web.errors import is_htmx
from web.flash import see_other
from web.i18n import gettext as _
from web.timeline_chart import build_chart

PAGE_SIZE = 20
PEOPLE_PAGE_SIZE = 50
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
COMMON_TIMEZONES = (
    "UTC",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Warsaw",
    "Europe/Istanbul",
    "Africa/Johannesburg",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Tokyo",
    "Australia/Sydney",
    "America/Sao_Paulo",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
)
CAMPAIGN_FIELDS = ("title", "description", "timezone", "min_team_size", "max_team_size", "reminder_hours")
CHALLENGE_FIELDS = ("title", "description", "expected_impact", "resources")
PHASE_FIELDS = ("kind", "name", "opens_at", "closes_at", "grace_minutes", "judges_phase_id", "required_judges")


# --- form helpers -----------------------------------------------------------------------------


def _int(raw: str) -> int | None:
    try:
        return int(raw)
    except ValueError:
        return None


def _local_time(raw: str, timezone: str) -> datetime | None:
    """A <input type=datetime-local> value, read in the campaign's time zone, as UTC."""
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        return None
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    try:
        return local_to_utc(value, timezone)
    except NonexistentLocalTime:  # in the gap of a clock change: not a time that exists there
        return None


def _to_local(value: datetime, timezone: str) -> str:
    return utc_to_local(value, timezone).strftime(LOCAL_FORMAT)


def _messages(exc: DomainError) -> dict[str, str]:
    """Translated messages by form field; ``__all__`` for a message about the whole form."""
    if isinstance(exc, ValidationFailed):
        return {field: _(message) for field, message in exc.errors.items()}
    return {exc.field or "__all__": _(exc.message, **exc.params)}


def _values(form: Mapping[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {name: form_value(form, name) for name in names}


def _campaign_values(form: Mapping[str, Any]) -> dict[str, Any]:
    values = _values(form, CAMPAIGN_FIELDS)
    values["show_judge_names"] = bool(form_value(form, "show_judge_names"))
    values["show_ranks"] = bool(form_value(form, "show_ranks"))
    return values


def _campaign_input(values: Mapping[str, Any]) -> CampaignInput:
    return CampaignInput(
        title=values["title"],
        description=values["description"],
        timezone=values["timezone"],
        min_team_size=_int(values["min_team_size"]),
        max_team_size=_int(values["max_team_size"]),
        show_judge_names=values["show_judge_names"],
        show_ranks=values["show_ranks"],
        reminder_hours=values["reminder_hours"],
    )


def _campaign_values_of(campaign: Campaign) -> dict[str, Any]:
    return {
        "title": campaign.title,
        "description": campaign.description,
        "timezone": campaign.timezone,
        "min_team_size": str(campaign.min_team_size),
        "max_team_size": str(campaign.max_team_size),
        "show_judge_names": campaign.show_judge_names,
        "show_ranks": campaign.show_ranks,
        "reminder_hours": campaign.reminder_hours,
    }


def _challenge_input(values: Mapping[str, Any]) -> ChallengeInput:
    return ChallengeInput(**{name: values[name] for name in CHALLENGE_FIELDS})


def _phase_input(values: Mapping[str, Any], timezone: str) -> PhaseInput:
    try:
        kind: PhaseKind | None = PhaseKind(values["kind"])
    except ValueError:
        kind = None
    return PhaseInput(
        kind=kind,
        name=values["name"],
        opens_at=_local_time(values["opens_at"], timezone),
        closes_at=_local_time(values["closes_at"], timezone),
        grace_minutes=_int(values["grace_minutes"] or "0"),
        judges_phase_id=_int(values["judges_phase_id"]) if values["judges_phase_id"] else None,
        required_judges=_int(values["required_judges"] or "3"),
    )


def _untouched_times_kept(data: PhaseInput, values: Mapping[str, Any], phase: Phase, timezone: str) -> PhaseInput:
    """A datetime-local field holds whole minutes: a field left as shown keeps the stored instant."""
    if values["opens_at"] == _to_local(phase.opens_at, timezone):
        data.opens_at = phase.opens_at
    if values["closes_at"] == _to_local(phase.closes_at, timezone):
        data.closes_at = phase.closes_at
    return data


def _phase_values_of(phase: Phase, timezone: str) -> dict[str, Any]:
    return {
        "kind": phase.kind.value,
        "name": phase.name,
        "opens_at": _to_local(phase.opens_at, timezone),
        "closes_at": _to_local(phase.closes_at, timezone),
        "grace_minutes": str(phase.grace_minutes),
        "judges_phase_id": str(phase.judges_phase_id or ""),
        "required_judges": str(phase.required_judges),
    }


def _redirect(path: str) -> Redirect:
    return Redirect(path=path, status_code=303)


# --- loading --------------------------------------------------------------------------------


async def _full_campaign(db: AsyncSession, campaign_id: int) -> Campaign:
    """The campaign with its sponsor, challenges and phases: three queries whatever their number."""
    campaign = await db.scalar(
        select(Campaign)
        .where(Campaign.id == campaign_id)
        .options(joinedload(Campaign.sponsor), selectinload(Campaign.challenges), selectinload(Campaign.phases))
        .execution_options(populate_existing=True)
    )
    if campaign is None:
        raise NotFound(N_("We could not find that campaign."))
    return campaign


async def _challenge_of(db: AsyncSession, campaign: Campaign, challenge_id: int) -> Challenge:
    challenge = await db.scalar(
        select(Challenge).where(Challenge.id == challenge_id, Challenge.campaign_id == campaign.id)
    )
    if challenge is None:
        raise NotFound(N_("We could not find that challenge."))
    return challenge


async def _phase_of(db: AsyncSession, campaign: Campaign, phase_id: int) -> Phase:
    phase = await db.scalar(select(Phase).where(Phase.id == phase_id, Phase.campaign_id == campaign.id))
    if phase is None:
        raise NotFound(N_("We could not find that phase."))
    return phase


def _timeline_context(campaign: Campaign, now: datetime, *, controls: bool, flash: str | None = None) -> dict[str, Any]:
    phases = list(campaign.phases)
    current = current_phase(phases, now)
    states = {p.id: phase_state(p, now).value for p in phases}
    return {
        "campaign": campaign,
        "phases": phases,
        "states": states,
        "chart": build_chart(phases, states, now),
        "current_id": current.id if current else None,
        "controls": controls,
        "flash": flash,
        "now": now,
    }


# --- list and campaign page ---------------------------------------------------------------------


@get("/campaigns", opt=USER, name="campaigns")
async def campaign_list(
    request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock, page: FromQuery[int] = 1
) -> Template:
    user = signed_in(request)
    stmt = visible_campaigns_query(user).options(selectinload(Campaign.phases))
    result = await paginate(db_session, stmt, number=page, size=PAGE_SIZE)
    now = clock.now()
    current = {c.id: current_phase(list(c.phases), now) for c in result.items}
    return Template(
        template_name="campaigns/list.html",
        context={
            "page": result,
            "current": current,
            "can_create": user.is_executive or user.is_admin,
            "base_url": "/campaigns?",
        },
    )


async def _campaign_page(db: AsyncSession, user: User, campaign_id: int, now: datetime) -> Template:
    await visible_campaign(db, campaign_id, user)
    campaign = await _full_campaign(db, campaign_id)
    organizer = await can_organize(db, campaign, user)
    submissions = sum(1 for p in campaign.phases if p.kind is PhaseKind.SUBMISSION)
    blocker = publication_blocker(len(campaign.challenges), submissions)
    return Template(
        template_name="campaigns/detail.html",
        context={
            **_timeline_context(campaign, now, controls=False),
            "organizer": organizer,
            # why "Publish" cannot succeed yet, shown beside the disabled button
            "publish_blocked": _(blocker) if blocker else None,
        },
    )


@get("/campaigns/{campaign_id:int}", opt=USER, name="campaign")
async def campaign_page(
    request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock, campaign_id: FromPath[int]
) -> Template:
    return await _campaign_page(db_session, signed_in(request), campaign_id, clock.now())


# --- create and edit ----------------------------------------------------------------------------


def _campaign_form(
    campaign: Campaign | None, values: dict[str, Any], errors: dict[str, str], status: int = 200
) -> Template:
    return Template(
        template_name="campaigns/form.html",
        context={"campaign": campaign, "values": values, "errors": errors, "timezones": COMMON_TIMEZONES},
        status_code=status,
    )


@get("/campaigns/new", opt=EXECUTIVE, name="campaign_new")
async def campaign_new() -> Template:
    defaults = {
        "title": "",
        "description": "",
        "timezone": "UTC",
        "min_team_size": "1",
        "max_team_size": "5",
        "show_judge_names": False,
        "show_ranks": True,
        "reminder_hours": "24,1",
    }
    return _campaign_form(None, defaults, {})


@post("/campaigns", opt=EXECUTIVE, name="campaign_create")
async def campaign_create(request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock) -> Response[Any]:
    user = signed_in(request)
    values = _campaign_values(await request.form())
    try:
        campaign = await create_campaign(db_session, user, clock.now(), _campaign_input(values))
    except DomainError as exc:
        return _campaign_form(None, values, _messages(exc), exc.status_code)
    return see_other(request, f"/campaigns/{campaign.id}", ok=_("Campaign created as a draft."))


@get("/campaigns/{campaign_id:int}/edit", opt=USER, name="campaign_edit")
async def campaign_edit(request: Request[Any, Any, Any], db_session: DbSession, campaign_id: FromPath[int]) -> Template:
    campaign = await organized_campaign(db_session, campaign_id, signed_in(request))
    return _campaign_form(campaign, _campaign_values_of(campaign), {})


@post("/campaigns/{campaign_id:int}/edit", opt=USER, name="campaign_update")
async def campaign_update(
    request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock, campaign_id: FromPath[int]
) -> Response[Any]:
    user = signed_in(request)
    campaign = await organized_campaign(db_session, campaign_id, user)
    values = _campaign_values(await request.form())
    try:
        await update_campaign(db_session, user, clock.now(), campaign, _campaign_input(values))
    except DomainError as exc:
        return _campaign_form(campaign, values, _messages(exc), exc.status_code)
    return see_other(request, f"/campaigns/{campaign.id}", ok=_("The campaign details are saved."))


@post("/campaigns/{campaign_id:int}/publish", opt=USER, name="campaign_publish")
async def campaign_publish(
    request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock, campaign_id: FromPath[int]
) -> Response[Any]:
    user = signed_in(request)
    campaign = await organized_campaign(db_session, campaign_id, user)
    path = f"/campaigns/{campaign.id}"
    try:
        await publish_campaign(db_session, user, clock.now(), campaign)
    except DomainError as exc:
        return see_other(request, path, error=_(exc.message, **exc.params))
    return see_other(request, path, ok=_("The campaign is published: everyone eligible can see it now."))


@post("/campaigns/{campaign_id:int}/close", opt=USER, name="campaign_close")
async def campaign_close(
    request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock, campaign_id: FromPath[int]
) -> Response[Any]:
    user = signed_in(request)
    campaign = await organized_campaign(db_session, campaign_id, user)
    path = f"/campaigns/{campaign.id}"
    try:
        await close_campaign(db_session, user, clock.now(), campaign)
    except DomainError as exc:
        return see_other(request, path, error=_(exc.message, **exc.params))
    return see_other(request, path, ok=_("The campaign is closed."))


# --- challenges ---------------------------------------------------------------------------------


def _challenge_form(
    campaign: Campaign, challenge: Challenge | None, values: dict[str, Any], errors: dict[str, str], status: int = 200
) -> Template:
    return Template(
        template_name="campaigns/challenge_form.html",
        context={"campaign": campaign, "challenge": challenge, "values": values, "errors": errors},
        status_code=status,
    )


@get("/campaigns/{campaign_id:int}/challenges/new", opt=USER, name="challenge_new")
async def challenge_new(request: Request[Any, Any, Any], db_session: DbSession, campaign_id: FromPath[int]) -> Template:
    campaign = await organized_campaign(db_session, campaign_id, signed_in(request))
    return _challenge_form(campaign, None, dict.fromkeys(CHALLENGE_FIELDS, ""), {})


@post("/campaigns/{campaign_id:int}/challenges", opt=USER, name="challenge_create")
async def challenge_create(
    request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock, campaign_id: FromPath[int]
) -> Response[Any]:
    user = signed_in(request)
    campaign = await organized_campaign(db_session, campaign_id, user)
    values = _values(await request.form(), CHALLENGE_FIELDS)
    try:
        await add_challenge(db_session, user, clock.now(), campaign, _challenge_input(values))
    except DomainError as exc:
        return _challenge_form(campaign, None, values, _messages(exc), exc.status_code)
    return see_other(request, f"/campaigns/{campaign.id}#challenges", ok=_("Challenge added."))


@get("/campaigns/{campaign_id:int}/challenges/{challenge_id:int}/edit", opt=USER, name="challenge_edit")
async def challenge_edit(
    request: Request[Any, Any, Any], db_session: DbSession, campaign_id: FromPath[int], challenge_id: FromPath[int]
) -> Template:
    campaign = await organized_campaign(db_session, campaign_id, signed_in(request))
    challenge = await _challenge_of(db_session, campaign, challenge_id)
    values = {name: getattr(challenge, name) for name in CHALLENGE_FIELDS}
    return _challenge_form(campaign, challenge, values, {})


@post("/campaigns/{campaign_id:int}/challenges/{challenge_id:int}/edit", opt=USER, name="challenge_update")
async def challenge_update(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    clock: AppClock,
    campaign_id: FromPath[int],
    challenge_id: FromPath[int],
) -> Response[Any]:
    user = signed_in(request)
    campaign = await organized_campaign(db_session, campaign_id, user)
    challenge = await _challenge_of(db_session, campaign, challenge_id)
    values = _values(await request.form(), CHALLENGE_FIELDS)
    try:
        await update_challenge(db_session, user, clock.now(), campaign, challenge, _challenge_input(values))
    except DomainError as exc:
        return _challenge_form(campaign, challenge, values, _messages(exc), exc.status_code)
    return see_other(request, f"/campaigns/{campaign.id}#challenges", ok=_("Challenge saved."))


# --- timeline -----------------------------------------------------------------------------------


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
) -> Template:
    """``confirm``: the change of ``edit_id`` the organizer is asked to confirm."""
    campaign = await _full_campaign(db, campaign_id)
    tz = campaign.timezone
    forms = {p.id: _phase_values_of(p, tz) for p in campaign.phases}
    form_errors: dict[int | None, dict[str, str]] = {}
    new_values: dict[str, Any] = {
        "kind": PhaseKind.SUBMISSION.value,
        "name": "",
        "opens_at": "",
        "closes_at": "",
        "grace_minutes": "0",
        "judges_phase_id": "",
        "required_judges": "3",
    }
    if values is not None:
        if edit_id is None:
            new_values = values
        else:
            forms[edit_id] = values
        form_errors[edit_id] = errors or {}
    return Template(
        template_name="campaigns/timeline.html",
        context={
            **_timeline_context(campaign, now, controls=True, flash=flash),
            "forms": forms,
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
    request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock, campaign_id: FromPath[int]
) -> Template:
    campaign = await organized_campaign(db_session, campaign_id, signed_in(request))
    return await _timeline_page(db_session, campaign.id, clock.now())


@post("/campaigns/{campaign_id:int}/phases", opt=USER, name="phase_create")
async def phase_create(
    request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock, campaign_id: FromPath[int]
) -> Response[Any]:
    user = signed_in(request)
    campaign = await organized_campaign(db_session, campaign_id, user)
    values = _values(await request.form(), PHASE_FIELDS)
    try:
        await add_phase(db_session, user, clock.now(), campaign, _phase_input(values, campaign.timezone))
    except DomainError as exc:
        return await _timeline_page(
            db_session, campaign_id, clock.now(), values=values, errors=_messages(exc), status=exc.status_code
        )
    return _redirect(f"/campaigns/{campaign.id}/timeline")


@post("/campaigns/{campaign_id:int}/phases/{phase_id:int}", opt=USER, name="phase_update")
async def phase_update(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    clock: AppClock,
    campaign_id: FromPath[int],
    phase_id: FromPath[int],
) -> Response[Any]:
    user = signed_in(request)
    campaign = await organized_campaign(db_session, campaign_id, user)
    phase = await _phase_of(db_session, campaign, phase_id)
    form = await request.form()
    values = _values(form, PHASE_FIELDS)
    confirmed = form_value(form, "confirm") == "1"
    data = _untouched_times_kept(_phase_input(values, campaign.timezone), values, phase, campaign.timezone)
    try:
        await update_phase(db_session, user, clock.now(), campaign, phase, data, confirmed=confirmed)
    except DomainError as exc:
        return await _timeline_page(
            db_session,
            campaign_id,
            clock.now(),
            edit_id=phase_id,
            values=values,
            errors=_messages(exc),
            status=exc.status_code,
            confirm=data if isinstance(exc, ConfirmationNeeded) else None,
        )
    return _redirect(f"/campaigns/{campaign.id}/timeline")


async def _phase_action(
    request: Request[Any, Any, Any], db: AsyncSession, now: datetime, campaign_id: int, phase_id: int, *, open_: bool
) -> Response[Any]:
    user = signed_in(request)
    campaign = await organized_campaign(db, campaign_id, user)
    phase = await _phase_of(db, campaign, phase_id)
    flash: str | None = None
    status = 200
    try:
        if open_:
            await open_phase(db, user, now, phase, reopen=True)
        else:
            await close_phase(db, user, now, phase)
    except DomainError as exc:
        flash, status = _(exc.message, **exc.params), exc.status_code
    if is_htmx(request):
        campaign = await _full_campaign(db, campaign_id)
        return Template(
            template_name="campaigns/_timeline.html",
            context=_timeline_context(campaign, now, controls=True, flash=flash),
            status_code=status,
        )
    if flash is not None:
        return await _timeline_page(db, campaign_id, now, flash=flash, status=status)
    return _redirect(f"/campaigns/{campaign_id}/timeline")


@post("/campaigns/{campaign_id:int}/phases/{phase_id:int}/open", opt=USER, name="phase_open")
async def phase_open(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    clock: AppClock,
    campaign_id: FromPath[int],
    phase_id: FromPath[int],
) -> Response[Any]:
    return await _phase_action(request, db_session, clock.now(), campaign_id, phase_id, open_=True)


@post("/campaigns/{campaign_id:int}/phases/{phase_id:int}/close", opt=USER, name="phase_close")
async def phase_close(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    clock: AppClock,
    campaign_id: FromPath[int],
    phase_id: FromPath[int],
) -> Response[Any]:
    return await _phase_action(request, db_session, clock.now(), campaign_id, phase_id, open_=False)


# --- people -------------------------------------------------------------------------------------


async def _people_page(
    db: AsyncSession,
    campaign: Campaign,
    page: int,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    stmt = (
        select(CampaignRole)
        .join(CampaignRole.user)
        .where(CampaignRole.campaign_id == campaign.id)
        .options(joinedload(CampaignRole.user))
        .order_by(CampaignRole.role.desc(), User.name, CampaignRole.id)
    )
    result = await paginate(db, stmt, number=page, size=PEOPLE_PAGE_SIZE)
    return Template(
        template_name="campaigns/people.html",
        context={
            "campaign": campaign,
            "page": result,
            "base_url": f"/campaigns/{campaign.id}/people?",
            "values": values or {"email": "", "role": CampaignRoleKind.JUDGE.value},
            "errors": errors or {},
            "roles": list(CampaignRoleKind),
        },
        status_code=status,
    )


@get("/campaigns/{campaign_id:int}/people", opt=USER, name="campaign_people")
async def people(
    request: Request[Any, Any, Any], db_session: DbSession, campaign_id: FromPath[int], page: FromQuery[int] = 1
) -> Template:
    campaign = await organized_campaign(db_session, campaign_id, signed_in(request))
    return await _people_page(db_session, campaign, page)


@post("/campaigns/{campaign_id:int}/people", opt=USER, name="campaign_people_add")
async def people_add(
    request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock, campaign_id: FromPath[int]
) -> Response[Any]:
    user = signed_in(request)
    campaign = await organized_campaign(db_session, campaign_id, user)
    values = _values(await request.form(), ("email", "role"))
    try:
        await add_person(db_session, user, clock.now(), campaign, values["email"], values["role"])
    except DomainError as exc:
        return await _people_page(db_session, campaign, 1, values=values, errors=_messages(exc), status=exc.status_code)
    return see_other(request, f"/campaigns/{campaign.id}/people", ok=_("%(email)s added.", email=values["email"]))


@post("/campaigns/{campaign_id:int}/people/{role_id:int}/remove", opt=USER, name="campaign_people_remove")
async def people_remove(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    clock: AppClock,
    campaign_id: FromPath[int],
    role_id: FromPath[int],
) -> Response[Any]:
    user = signed_in(request)
    campaign = await organized_campaign(db_session, campaign_id, user)
    path = f"/campaigns/{campaign.id}/people"
    try:
        await remove_person(db_session, user, clock.now(), campaign, role_id)
    except NotFound:
        raise
    except DomainError as exc:  # the last organizer, say: a re-sent form must not remove them later
        return see_other(request, path, error=_(exc.message, **exc.params))
    return see_other(request, path, ok=_("Removed from the campaign."))


routes = [
    campaign_list,
    campaign_new,
    campaign_create,
    campaign_page,
    campaign_edit,
    campaign_update,
    campaign_publish,
    campaign_close,
    challenge_new,
    challenge_create,
    challenge_edit,
    challenge_update,
    timeline,
    phase_create,
    phase_update,
    phase_open,
    phase_close,
    people,
    people_add,
    people_remove,
]
