"""Teams: forming a team, its page, invitations, and the team's entry (drafts and submission)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from accounts.models import User
from campaigns.access import visible_campaign
from campaigns.deadlines import accepts_writes, phase_state
from campaigns.models import Campaign, CampaignStatus, Challenge, PhaseKind
from core.errors import DomainError, ValidationFailed
from core.numbers import parse_int
from core.pagination import paginate
from judging.rubric_preview import judging_of, rubric_previews
from teams.attachments import entry_attachments, forget_removed, removed_submitted, submitted_attachments
from teams.entries import SUBMIT_BLOCKED, EntryInvalid, SubmissionRefused, save_draft, submit_entry
from teams.invitations import decline_invitation, invite, pending_invitations_for, revoke_invitation
from teams.membership import accept_invitation, create_team, creation_blocker, leave_team
from teams.models import (
    ENTRY_SUMMARY_MAX,
    ENTRY_TEXT_MAX,
    ENTRY_TITLE_MAX,
    TEAM_NAME_MAX,
    URL_MAX,
    Entry,
    EntryVersion,
    Invitation,
    InvitationStatus,
    Membership,
    Team,
)
from teams.rules import (
    ENTRY_FIELD_NAMES,
    EntryInput,
    EntryPatch,
    can_submit_as,
    team_window_error,
    write_block,
)
from teams.scope import campaign_phases, member_team, team_of_user, viewable_team
from teams.storage import TOO_LARGE, human_size
from teams.write_window import LateWrite, entry_phase_of, extension_until
from web.deps import USER, AppClock, AppSettings, DbSession, form_value, signed_in
from web.errors import is_htmx
from web.flash import see_other
from web.i18n import format_datetime
from web.i18n import gettext as _
from web.settings import Settings

VERSIONS_PAGE_SIZE = 20
LIMITS = {
    "name": TEAM_NAME_MAX,
    "title": ENTRY_TITLE_MAX,
    "summary": ENTRY_SUMMARY_MAX,
    "text": ENTRY_TEXT_MAX,
    "url": URL_MAX,
}


def _message(exc: DomainError) -> str:
    params = dict(exc.params)
    if isinstance(exc, LateWrite) and exc.closed_at is not None:
        params["when"] = format_datetime(exc.closed_at, exc.timezone)
    return _(exc.message, **params)


def _field_error(exc: DomainError) -> bool:
    """A refusal about what was typed (shown beside the field, the form again), not about the state of things."""
    return isinstance(exc, ValidationFailed) or exc.field is not None


def _messages(exc: DomainError) -> dict[str, str]:
    """Translated messages by form field; ``__all__`` for a message about the whole form."""
    if isinstance(exc, ValidationFailed):
        return {field: _(message) for field, message in exc.errors.items()}
    return {exc.field or "__all__": _message(exc)}


# --- creating a team ------------------------------------------------------------------------------


async def _challenges(db: AsyncSession, campaign: Campaign) -> list[Challenge]:
    rows = await db.scalars(
        select(Challenge).where(Challenge.campaign_id == campaign.id).order_by(Challenge.position, Challenge.id)
    )
    return list(rows.all())


async def _team_form(
    db: AsyncSession,
    campaign: Campaign,
    values: dict[str, str],
    errors: dict[str, str],
    blocker: str | None = None,
    status: int = 200,
    my_team: Team | None = None,
) -> Template:
    return Template(
        template_name="teams/new.html",
        context={
            "campaign": campaign,
            "challenges": await _challenges(db, campaign),
            "values": values,
            "errors": errors,
            "blocker": blocker,
            "my_team": my_team,
            "limits": LIMITS,
        },
        status_code=status,
    )


@get("/campaigns/{campaign_id:int}/teams/new", opt=USER, name="team_new")
async def team_new(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    clock: AppClock,
    campaign_id: FromPath[int],
    challenge: FromQuery[int | None] = None,
) -> Template:
    user = signed_in(request)
    campaign = await visible_campaign(db_session, campaign_id, user)
    blocker = await creation_blocker(db_session, user, campaign, clock.now())
    values = {"name": "", "challenge_id": str(challenge or "")}
    if blocker is None:
        return await _team_form(db_session, campaign, values, {})
    # refused as the form's POST would be, with the reason and, for a member, their team
    my_team = await team_of_user(db_session, campaign.id, user)
    return await _team_form(
        db_session, campaign, values, {}, _message(blocker), status=blocker.status_code, my_team=my_team
    )


@post("/campaigns/{campaign_id:int}/teams", opt=USER, name="team_create")
async def team_create(
    request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock, campaign_id: FromPath[int]
) -> Response[Any]:
    user = signed_in(request)
    campaign = await visible_campaign(db_session, campaign_id, user)
    form = await request.form()
    values = {"name": form_value(form, "name"), "challenge_id": form_value(form, "challenge_id")}
    try:
        team = await create_team(
            db_session, user, campaign.id, values["name"], parse_int(values["challenge_id"]), clock.now()
        )
    except DomainError as exc:
        if not _field_error(exc):  # already in a team, registration closed: a re-sent form must not create it later
            await db_session.rollback()  # nothing of a refused team stays, whatever was written before the refusal
            return see_other(request, f"/campaigns/{campaign_id}/teams/new", error=_message(exc))
        return await _team_form(db_session, campaign, values, _messages(exc), status=exc.status_code)
    return see_other(request, f"/teams/{team.id}", ok=_("Team “%(name)s” created.", name=team.name))


# --- the team page and its invitations ----------------------------------------------------------


async def _team_context(
    db: AsyncSession,
    user: User,
    team_id: int,
    now: datetime,
    *,
    invite_email: str = "",
    invite_errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    found, campaign, member = await viewable_team(db, user, team_id)
    team = await db.scalar(
        select(Team)
        .where(Team.id == found.id)
        .options(joinedload(Team.challenge), joinedload(Team.captain))
        .execution_options(populate_existing=True)
    )
    assert team is not None
    memberships = (
        await db.scalars(
            select(Membership)
            .where(Membership.team_id == team.id)
            .options(joinedload(Membership.user))
            .order_by(Membership.id)
        )
    ).all()
    invitations = (
        await db.scalars(
            select(Invitation)
            .where(Invitation.team_id == team.id, Invitation.status == InvitationStatus.PENDING)
            .options(joinedload(Invitation.invitee), joinedload(Invitation.invited_by))
            .order_by(Invitation.id)
        )
    ).all()
    phases = await campaign_phases(db, campaign.id)
    window_error = team_window_error(campaign, phases, now)
    entry: Entry | None = None
    phase = None
    if any(p.kind is PhaseKind.SUBMISSION for p in phases):
        phase = await entry_phase_of(db, team, None, now)
        entry = await db.scalar(select(Entry).where(Entry.team_id == team.id, Entry.phase_id == phase.id))
    return {
        # the team works on its own files; others see those of the version submitted in time
        "attachments": await (entry_attachments if member else submitted_attachments)(db, entry.id if entry else None),
        "team": team,
        "campaign": campaign,
        "member": member,
        "is_captain": team.captain_id == user.id,
        "memberships": memberships,
        "invitations": invitations,
        "can_change": member and window_error is None,
        "window_error": _(window_error) if window_error and member else None,
        "phase": phase,
        "entry": entry,
        "invite_email": invite_email,
        "invite_errors": invite_errors or {},
        "limits": LIMITS,
    }


@get("/teams/{team_id:int}", opt=USER, name="team_page")
async def team_page(
    request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock, team_id: FromPath[int]
) -> Template:
    context = await _team_context(db_session, signed_in(request), team_id, clock.now())
    return Template(template_name="teams/detail.html", context=context)


async def _invitations_answer(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    user: User,
    team_id: int,
    now: datetime,
    *,
    email: str = "",
    errors: dict[str, str] | None = None,
    outcome: str | None = None,
    status: int = 200,
) -> Response[Any]:
    """htmx gets the invitations fragment; a plain form gets the team page (or a redirect when all went well)."""
    if not is_htmx(request) and not errors:
        return see_other(request, f"/teams/{team_id}#invitations", ok=outcome)
    context = await _team_context(db, user, team_id, now, invite_email=email, invite_errors=errors)
    template = "teams/_invitations.html" if is_htmx(request) else "teams/detail.html"
    return Template(template_name=template, context=context, status_code=status)


@post("/teams/{team_id:int}/invitations", opt=USER, name="team_invite")
async def team_invite(
    request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock, team_id: FromPath[int]
) -> Response[Any]:
    user = signed_in(request)
    email = form_value(await request.form(), "email")
    try:
        await invite(db_session, user, team_id, email, clock.now())
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        if not is_htmx(request) and not _field_error(exc):  # the team is full, say: nothing to correct here
            return see_other(request, f"/teams/{team_id}#invitations", error=_message(exc))
        errors = _messages(exc)
        if "__all__" in errors:
            errors = {"email": errors["__all__"]}
        return await _invitations_answer(
            request, db_session, user, team_id, clock.now(), email=email, errors=errors, status=exc.status_code
        )
    outcome = _("Invitation sent to %(email)s.", email=email)
    return await _invitations_answer(request, db_session, user, team_id, clock.now(), outcome=outcome)


@post("/teams/{team_id:int}/invitations/{invitation_id:int}/revoke", opt=USER, name="team_invitation_revoke")
async def team_invitation_revoke(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    clock: AppClock,
    team_id: FromPath[int],
    invitation_id: FromPath[int],
) -> Response[Any]:
    user = signed_in(request)
    try:
        await revoke_invitation(db_session, user, team_id, invitation_id, clock.now())
    except DomainError as exc:
        if exc.status_code == 404 or is_htmx(request):
            raise
        return see_other(request, f"/teams/{team_id}#invitations", error=_message(exc))
    outcome = _("The invitation is withdrawn.")
    return await _invitations_answer(request, db_session, user, team_id, clock.now(), outcome=outcome)


@post("/teams/{team_id:int}/leave", opt=USER, name="team_leave")
async def team_leave(
    request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock, team_id: FromPath[int]
) -> Response[Any]:
    user = signed_in(request)
    try:
        team = await leave_team(db_session, user, team_id, clock.now())
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        return see_other(request, f"/teams/{team_id}", error=_message(exc))
    left = _("You have left the team.")
    return see_other(request, "/" if team is None else f"/campaigns/{team.campaign_id}", ok=left)


# --- the invitee's side ---------------------------------------------------------------------------


async def _invitations_page(db: AsyncSession, user: User) -> Template:
    return Template(
        template_name="teams/invitations.html", context={"pending": await pending_invitations_for(db, user)}
    )


@get("/invitations", opt=USER, name="invitations")
async def invitations(request: Request[Any, Any, Any], db_session: DbSession) -> Template:
    return await _invitations_page(db_session, signed_in(request))


@post("/invitations/{invitation_id:int}/accept", opt=USER, name="invitation_accept")
async def invitation_accept(
    request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock, invitation_id: FromPath[int]
) -> Response[Any]:
    user = signed_in(request)
    try:
        team = await accept_invitation(db_session, user, invitation_id, clock.now())
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        await db_session.rollback()
        return see_other(request, "/invitations", error=_message(exc))
    return see_other(request, f"/teams/{team.id}", ok=_("You have joined “%(name)s”.", name=team.name))


@post("/invitations/{invitation_id:int}/decline", opt=USER, name="invitation_decline")
async def invitation_decline(
    request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock, invitation_id: FromPath[int]
) -> Response[Any]:
    user = signed_in(request)
    try:
        await decline_invitation(db_session, user, invitation_id, clock.now())
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        return see_other(request, "/invitations", error=_message(exc))
    return see_other(request, "/invitations", ok=_("Invitation declined."))


# --- the entry ------------------------------------------------------------------------------------


def _entry_values(form: Mapping[str, Any]) -> EntryPatch:
    """The entry fields the form actually sent, as text: a field left out (or sent as a file)
    is not a field emptied, and keeps its saved text."""
    sent = {}
    for name in ENTRY_FIELD_NAMES:
        raw = form.get(name)
        if isinstance(raw, list):
            raw = raw[-1] if raw else None
        if isinstance(raw, str):
            sent[name] = form_value(form, name)
    return EntryPatch(sent)


async def entry_context(
    db: AsyncSession,
    user: User,
    team_id: int,
    phase_id: int | None,
    now: datetime,
    settings: Settings,
    *,
    values: EntryInput | None = None,
    errors: dict[str, str] | None = None,
    file_error: str | None = None,
    page: int = 1,
) -> dict[str, Any]:
    """What the entry page shows: the form, its files, its versions and the saved state, in a
    constant number of queries (also the autosave's answer, which refreshes the saved state)."""
    team = await member_team(db, user, team_id)
    campaign = await db.get(Campaign, team.campaign_id)
    assert campaign is not None
    phase = await entry_phase_of(db, team, phase_id, now)
    timeline = await campaign_phases(db, campaign.id)
    phases = [p for p in timeline if p.kind is PhaseKind.SUBMISSION]
    until = await extension_until(db, team.id, phase.id)
    entry = await db.scalar(
        select(Entry)
        .where(Entry.team_id == team.id, Entry.phase_id == phase.id)
        .execution_options(populate_existing=True)
    )
    # what the form shows: what was just sent over the saved text (the team's own working copy)
    shown = (values if values is not None else EntryPatch({})).over(entry)
    versions = await paginate(
        db,
        select(EntryVersion)
        .where(EntryVersion.entry_id == (entry.id if entry else -1))
        .order_by(EntryVersion.number.desc(), EntryVersion.id.desc())
        .execution_options(populate_existing=True),
        number=page,
        size=VERSIONS_PAGE_SIZE,
    )
    author_ids = {v.author_id for v in versions.items if v.author_id is not None}
    authors: dict[int, str] = {}
    if author_ids:
        rows = await db.execute(select(User.id, User.name).where(User.id.in_(author_ids)))
        authors = {user_id: name for user_id, name in rows.all()}
    latest_number = (
        await db.scalar(select(func.max(EntryVersion.number)).where(EntryVersion.entry_id == entry.id))
        if entry
        else None
    )
    writable = accepts_writes(phase, now, until)
    block = write_block(campaign, team.status, phase, now, until)
    attachments = await entry_attachments(db, entry.id if entry else None)
    removed_files = await removed_submitted(db, entry.id if entry else None)
    return {
        "team": team,
        "campaign": campaign,
        "phase": phase,
        "phases": phases,
        "state": phase_state(phase, now).value,
        "writable": writable,
        # why "Submit" cannot succeed now (shown beside the disabled button), as the service decides
        "submit_blocked": _(SUBMIT_BLOCKED.of(block[0]), when=format_datetime(block[1], campaign.timezone))
        if block
        else None,
        # adding or removing a file is held to the deadline of submitting (teams.attachments)
        "files_writable": writable and campaign.status is CampaignStatus.PUBLISHED and can_submit_as(team.status),
        "attachments": attachments,
        "removed_files": removed_files,
        "file_error": file_error,
        "upload_max_size": human_size(settings.upload_max_bytes),
        "upload_max_count": settings.upload_max_count,
        "extension_until": until,
        "extension_running": until is not None and now < until,
        "now": now,
        "entry": entry,
        "values": shown.as_dict(),
        "errors": errors or {},
        "versions": versions,
        "authors": authors,
        "unsubmitted_changes": bool(
            entry
            and entry.submitted_version
            and (
                (latest_number and latest_number > entry.submitted_version)
                or removed_files
                or any(not attachment.submitted for attachment in attachments)
            )
        ),
        "base_url": f"/teams/{team.id}/entry?phase={phase.id}&",
        "limits": LIMITS,
        "field_names": ENTRY_FIELD_NAMES,
        "previews": await rubric_previews(db, judging_of(timeline, phase)),
        "oob": False,
    }


async def entry_page(
    db: AsyncSession,
    user: User,
    team_id: int,
    phase_id: int | None,
    now: datetime,
    settings: Settings,
    *,
    values: EntryInput | None = None,
    errors: dict[str, str] | None = None,
    file_error: str | None = None,
    page: int = 1,
    status: int = 200,
) -> Template:
    """The entry form, its files and its versions (also answers the forms of the attachments controller)."""
    context = await entry_context(
        db, user, team_id, phase_id, now, settings, values=values, errors=errors, file_error=file_error, page=page
    )
    return Template(template_name="teams/entry.html", context=context, status_code=status)


async def _entry_fragment(
    db: AsyncSession,
    user: User,
    team_id: int,
    phase_id: int | None,
    now: datetime,
    settings: Settings,
    *,
    version: EntryVersion | None = None,
    errors: dict[str, str] | None = None,
    submitting: bool = False,
    status: int = 200,
) -> Template:
    """The htmx answer of the entry form: its status line, and out of band every part of the page
    that shows the saved state (status, versions, "Submit") and the error next to each field."""
    context = await entry_context(db, user, team_id, phase_id, now, settings, errors=errors)
    context.update(version=version, submitting=submitting, oob=True)
    return Template(template_name="teams/_saved.html", context=context, status_code=status)


@get("/teams/{team_id:int}/entry", opt=USER, name="entry_form")
async def entry_form(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    clock: AppClock,
    settings: AppSettings,
    team_id: FromPath[int],
    phase: FromQuery[int | None] = None,
    page: FromQuery[int] = 1,
    file_error: FromQuery[str | None] = None,
) -> Template:
    # an upload refused before it was read (web.controllers.attachments) comes back as a code
    message = _(TOO_LARGE, max=human_size(settings.upload_max_bytes)) if file_error == "too_large" else None
    return await entry_page(
        db_session, signed_in(request), team_id, phase, clock.now(), settings, page=page, file_error=message
    )


@post("/teams/{team_id:int}/entry/save", opt=USER, name="entry_save")
async def entry_save(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    clock: AppClock,
    settings: AppSettings,
    team_id: FromPath[int],
) -> Response[Any]:
    user = signed_in(request)
    form = await request.form()
    phase_id = parse_int(form_value(form, "phase_id"))
    values = _entry_values(form)
    now = clock.now()
    try:
        version = await save_draft(db_session, user, team_id, phase_id, values, now)
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        if is_htmx(request):
            return await _entry_fragment(
                db_session, user, team_id, phase_id, now, settings, errors=_messages(exc), status=exc.status_code
            )
        return await entry_page(
            db_session,
            user,
            team_id,
            phase_id,
            now,
            settings,
            values=values,
            errors=_messages(exc),
            status=exc.status_code,
        )
    if is_htmx(request):
        return await _entry_fragment(db_session, user, team_id, phase_id, now, settings, version=version)
    entry = await db_session.get(Entry, version.entry_id)
    path = f"/teams/{team_id}/entry?phase={entry.phase_id if entry else ''}"
    return see_other(request, path, ok=_("Your draft is saved (version %(n)s).", n=version.number))


@post("/teams/{team_id:int}/entry/submit", opt=USER, name="entry_submit")
async def entry_submit(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    clock: AppClock,
    settings: AppSettings,
    team_id: FromPath[int],
) -> Response[Any]:
    """Submits what the form holds (htmx: queued behind an autosave on its way, see entry.html).

    A refusal keeps the text as a draft version whenever it can be kept: a submission that came
    too late (or too early) answers with a redirect to the entry page and the reason, so that a
    reload cannot submit later what was refused now; fields to correct are shown beside them."""
    user = signed_in(request)
    form = await request.form()
    phase_id = parse_int(form_value(form, "phase_id"))
    values = _entry_values(form)
    now = clock.now()
    htmx = is_htmx(request)
    try:
        version = await submit_entry(db_session, user, team_id, phase_id, values, now, clock=clock.now)
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        draft = exc.draft if isinstance(exc, SubmissionRefused | EntryInvalid) else None
        if draft is not None:
            await db_session.commit()  # the text is kept as a draft although the answer is a refusal
        if htmx:
            return await _entry_fragment(
                db_session,
                user,
                team_id,
                phase_id,
                now,
                settings,
                version=draft,
                errors=_messages(exc),
                submitting=True,
                status=exc.status_code,
            )
        if not isinstance(exc, ValidationFailed):
            return see_other(request, _entry_url(team_id, phase_id), error=_message(exc))
        return await entry_page(
            db_session,
            user,
            team_id,
            phase_id,
            now,
            settings,
            values=values,
            errors=_messages(exc),
            status=exc.status_code,
        )
    await forget_removed(db_session, version.entry_id, settings.upload_dir)
    entry = await db_session.get(Entry, version.entry_id)
    message = _("Your entry is submitted: judges see version %(n)s.", n=version.number)
    return see_other(request, _entry_url(team_id, entry.phase_id if entry else phase_id), ok=message)


def _entry_url(team_id: int, phase_id: int | None) -> str:
    return f"/teams/{team_id}/entry" + (f"?phase={phase_id}" if phase_id is not None else "")


routes = [
    team_new,
    team_create,
    team_page,
    team_invite,
    team_invitation_revoke,
    team_leave,
    invitations,
    invitation_accept,
    invitation_decline,
    entry_form,
    entry_save,
    entry_submit,
]
