"""The team's entry page: its form, files and versions, saving a draft and submitting."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.deadlines import accepts_writes, phase_state
from campaigns.models import Campaign, CampaignStatus, PhaseKind
from core.errors import DomainError, ValidationFailed
from core.numbers import parse_int
from core.pagination import paginate
from judging.rubric_preview import judging_of, rubric_previews
from teams.attachments import entry_attachments, forget_removed, removed_submitted
from teams.entries import (
    SUBMIT_BLOCKED,
    TOO_SMALL_TO_SUBMIT,
    EntryInvalid,
    StaleBase,
    SubmissionRefused,
    save_draft,
    submit_entry,
)
from teams.models import Entry, EntryVersion
from teams.rules import ENTRY_FIELD_NAMES, EntryInput, EntryPatch, can_submit_as, members_missing, write_block
from teams.scope import campaign_phases, member_counts, member_team
from teams.storage import TOO_LARGE, human_size
from teams.versions import Comparison, changes_since
from teams.write_window import entry_phase_of, extension_until
from web.controllers.team_views import LIMITS
from web.deps import USER, AppClock, AppSettings, DbSession, form_value, signed_in
from web.file_stores import file_store
from web.flash import is_htmx, see_other
from web.i18n import format_datetime
from web.i18n import gettext as _
from web.messages import error_message, error_messages
from web.settings import Settings

VERSIONS_PAGE_SIZE = 20


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


def _base_version(form: Mapping[str, Any]) -> int | None:
    """The version the form was based on (``base_version``): None when the request names none
    (then it is not checked), as does a malformed number."""
    return parse_int(form_value(form, "base_version"), low=0)


async def _conflict(db: AsyncSession, exc: DomainError) -> Comparison | None:
    """What changed between the version a refused save was based on and the newest."""
    if not isinstance(exc, StaleBase):
        return None
    return await changes_since(db, exc.entry.id, exc.base, exc.latest)


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
    conflict: Comparison | None = None,
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
    missing = members_missing(campaign.min_team_size, (await member_counts(db, team.id))[0])
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
        else (_(TOO_SMALL_TO_SUBMIT, min=campaign.min_team_size, missing=missing) if missing else None),
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
        # the version the form is based on (sent back with every save: a newer one refuses it),
        # and after such a refusal what changed in between (teams/_conflict.html)
        "base_version": latest_number or 0,
        "conflict": conflict,
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
    conflict: Comparison | None = None,
) -> Template:
    """The entry form, its files and its versions (also answers the forms of the attachments controller)."""
    context = await entry_context(
        db,
        user,
        team_id,
        phase_id,
        now,
        settings,
        values=values,
        errors=errors,
        file_error=file_error,
        page=page,
        conflict=conflict,
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
    conflict: Comparison | None = None,
) -> Template:
    """The htmx answer of the entry form: its status line, and out of band every part of the page
    that shows the saved state (status, versions, "Submit", the version the form is based on, a
    conflict with a teammate's save) and the error next to each field."""
    context = await entry_context(db, user, team_id, phase_id, now, settings, errors=errors, conflict=conflict)
    context.update(version=version, submitting=submitting, oob=True)
    # app.js pauses autosave after a conflict, until the member saves by hand
    headers = {"X-Entry-Conflict": "1"} if conflict else None
    return Template(template_name="teams/_saved.html", context=context, status_code=status, headers=headers)


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
        version = await save_draft(db_session, user, team_id, phase_id, values, now, base=_base_version(form))
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        conflict = await _conflict(db_session, exc)
        if is_htmx(request):
            return await _entry_fragment(
                db_session,
                user,
                team_id,
                phase_id,
                now,
                settings,
                errors=error_messages(exc),
                status=exc.status_code,
                conflict=conflict,
            )
        return await entry_page(
            db_session,
            user,
            team_id,
            phase_id,
            now,
            settings,
            values=values,
            errors=error_messages(exc),
            status=exc.status_code,
            conflict=conflict,
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
        version = await submit_entry(
            db_session, user, team_id, phase_id, values, now, clock=clock.now, base=_base_version(form)
        )
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        draft = exc.draft if isinstance(exc, SubmissionRefused | EntryInvalid) else None
        if draft is not None:
            await db_session.commit()  # the text is kept as a draft although the answer is a refusal
        conflict = await _conflict(db_session, exc)
        if htmx:
            return await _entry_fragment(
                db_session,
                user,
                team_id,
                phase_id,
                now,
                settings,
                version=draft,
                errors=error_messages(exc),
                submitting=True,
                status=exc.status_code,
                conflict=conflict,
            )
        if not isinstance(exc, ValidationFailed | StaleBase):
            return see_other(request, _entry_url(team_id, phase_id), error=error_message(exc))
        return await entry_page(
            db_session,
            user,
            team_id,
            phase_id,
            now,
            settings,
            values=values,
            errors=error_messages(exc),
            status=exc.status_code,
            conflict=conflict,
        )
    await forget_removed(db_session, version.entry_id, file_store(settings))
    entry = await db_session.get(Entry, version.entry_id)
    message = _("Your entry is submitted: judges see version %(n)s.", n=version.number)
    return see_other(request, _entry_url(team_id, entry.phase_id if entry else phase_id), ok=message)


def _entry_url(team_id: int, phase_id: int | None) -> str:
    return f"/teams/{team_id}/entry" + (f"?phase={phase_id}" if phase_id is not None else "")


routes = [
    entry_form,
    entry_save,
    entry_submit,
]
