"""Named operations on teams, invitations and entries.

Every operation takes the session, the acting user and ``now`` (from the injected clock),
finds its objects in the actor's scope (anything else is 404), validates, changes, flushes,
writes its audit row where it matters and announces what happened. The rules themselves are
in ``teams.rules``.

Rules chosen here (DOMAIN.md is silent on them):
- any member may invite; only the captain may revoke an invitation; invitees must be eligible;
- joining a team (creating one or accepting an invitation) declines the person's other
  pending invitations of the campaign;
- the captain cannot leave while others remain; when the last member leaves, a team without
  an entry is deleted (its name becomes free), a team with an entry is withdrawn;
- a draft save that changes nothing adds no version.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from accounts.models import User
from accounts.services import normalise_email, validate_email
from campaigns.access import can_organize, visible_campaign
from campaigns.deadlines import utc_to_local
from campaigns.models import Campaign, CampaignDepartment, CampaignStatus, Challenge, Phase, PhaseKind
from core.audit import record
from core.errors import N_, Conflict, DomainError, Forbidden, Invalid, NotFound, ValidationFailed
from core.events import Event, publish
from teams.models import (
    Attachment,
    Entry,
    EntryStatus,
    EntryVersion,
    Extension,
    Invitation,
    InvitationStatus,
    Membership,
    Team,
    TeamStatus,
)
from teams.rules import (
    NOT_ELIGIBLE,
    NOTHING_SENT,
    EntryFields,
    EntryInput,
    TeamOffer,
    WriteBlock,
    entry_errors,
    entry_phase,
    has_room,
    name_key,
    team_name_error,
    team_offer,
    team_window_error,
    write_block,
)

TEAM_NOT_FOUND = N_("We could not find that team.")
INVITATION_NOT_FOUND = N_("We could not find that invitation.")
ALREADY_IN_TEAM = N_("You are already in a team of this campaign.")
TEAM_FULL = N_("This team is full")


# --- events ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamCreated(Event):
    campaign_id: int
    team_id: int


@dataclass(frozen=True)
class MemberJoined(Event):
    team_id: int
    user_id: int


@dataclass(frozen=True)
class InvitationSent(Event):
    invitation_id: int
    team_id: int
    invitee_id: int
    invited_by_id: int
    at: datetime


@dataclass(frozen=True)
class ExtensionGranted(Event):
    """An organizer granted (or changed) one team's extension in a submission phase."""

    extension_id: int
    team_id: int
    phase_id: int
    at: datetime


@dataclass(frozen=True)
class EntrySubmitted(Event):
    entry_id: int
    team_id: int
    phase_id: int
    version: int


class LateWrite(Conflict):
    """A change that came too late (or too early); ``closed_at`` is the instant the message names."""

    def __init__(self, message: str, *, closed_at: datetime | None, timezone: str, field: str | None = None) -> None:
        when = utc_to_local(closed_at, timezone).strftime("%Y-%m-%d %H:%M %Z") if closed_at else ""
        super().__init__(message, field=field, when=when)
        self.closed_at = closed_at
        self.timezone = timezone


class EntryInvalid(ValidationFailed):
    """A submission refused for its fields (no title, a malformed link); ``draft`` is the version
    that keeps the text, or None when it could not be kept (a field too long)."""

    def __init__(self, errors: dict[str, str], *, draft: EntryVersion | None) -> None:
        super().__init__(errors)
        self.draft = draft


class SubmissionRefused(LateWrite):
    """A submission that came too late (or too early): the text was kept as a draft version."""

    def __init__(self, message: str, *, draft: EntryVersion, closed_at: datetime | None, timezone: str) -> None:
        super().__init__(message, closed_at=closed_at, timezone=timezone)
        self.draft = draft


@dataclass(frozen=True)
class PendingInvitation:
    invitation: Invitation
    campaign: Campaign


# --- finding things in the actor's scope ----------------------------------------------------------


async def campaign_phases(session: AsyncSession, campaign_id: int) -> list[Phase]:
    rows = await session.scalars(
        select(Phase).where(Phase.campaign_id == campaign_id).order_by(Phase.position, Phase.id)
    )
    return list(rows.all())


async def is_member(session: AsyncSession, team_id: int, user: User) -> bool:
    found = await session.scalar(
        select(Membership.id).where(Membership.team_id == team_id, Membership.user_id == user.id)
    )
    return found is not None


async def member_team(session: AsyncSession, actor: User, team_id: int, *, lock: bool = False) -> Team:
    """A team the actor belongs to; anyone else gets 404. ``lock`` takes the team row for update."""
    stmt = (
        select(Team)
        .join(Membership, Membership.team_id == Team.id)
        .where(Team.id == team_id, Membership.user_id == actor.id)
        .execution_options(populate_existing=True)
    )
    if lock:
        stmt = stmt.with_for_update(of=Team)
    team = await session.scalar(stmt)
    if team is None:
        raise NotFound(TEAM_NOT_FOUND)
    return team


async def viewable_team(session: AsyncSession, actor: User, team_id: int) -> tuple[Team, Campaign, bool]:
    """A team its members, the campaign's organizers and admins may see: (team, campaign, is member)."""
    team = await session.get(Team, team_id)
    if team is None:
        raise NotFound(TEAM_NOT_FOUND)
    campaign = await session.get(Campaign, team.campaign_id)
    if campaign is None:
        raise NotFound(TEAM_NOT_FOUND)
    member = await is_member(session, team.id, actor)
    if not (member or actor.is_admin or await can_organize(session, campaign, actor)):
        raise NotFound(TEAM_NOT_FOUND)
    return team, campaign, member


async def team_of_user(session: AsyncSession, campaign_id: int, user: User) -> Team | None:
    team: Team | None = await session.scalar(
        select(Team)
        .join(Membership, Membership.team_id == Team.id)
        .where(Membership.campaign_id == campaign_id, Membership.user_id == user.id)
    )
    return team


async def is_eligible(session: AsyncSession, campaign: Campaign, user: User) -> bool:
    if campaign.all_staff_eligible:
        return True
    if user.department_id is None:
        return False
    found = await session.scalar(
        select(CampaignDepartment.id).where(
            CampaignDepartment.campaign_id == campaign.id, CampaignDepartment.department_id == user.department_id
        )
    )
    return found is not None


async def lock_person(session: AsyncSession, user_id: int) -> None:
    """Takes the person's account row (PostgreSQL ``FOR NO KEY UPDATE``) until the transaction ends.

    Whatever changes which team a person is in (creating a team, accepting an invitation,
    leaving) takes it first, before any team, invitation or membership row: so two such changes
    of one person run one after the other, the second seeing the first's outcome, and cannot
    deadlock (accepting an invitation while creating a team did: each held a row the other
    needed). It does not block rows that merely refer to the person (``FOR KEY SHARE``)."""
    await session.execute(select(User.id).where(User.id == user_id).with_for_update(key_share=True))


async def _window_check(session: AsyncSession, campaign: Campaign, now: datetime) -> None:
    message = team_window_error(campaign, await campaign_phases(session, campaign.id), now)
    if message:
        raise Conflict(message)


async def _counts(session: AsyncSession, team_id: int) -> tuple[int, int]:
    members = await session.scalar(select(func.count(Membership.id)).where(Membership.team_id == team_id)) or 0
    pending = (
        await session.scalar(
            select(func.count(Invitation.id)).where(
                Invitation.team_id == team_id, Invitation.status == InvitationStatus.PENDING
            )
        )
        or 0
    )
    return members, pending


async def _join(session: AsyncSession, team: Team, user: User) -> Membership:
    """Adds a member; the unique (campaign, user) key turns a race into a clean conflict."""
    membership = Membership(team_id=team.id, campaign_id=team.campaign_id, user_id=user.id)
    try:
        async with session.begin_nested():
            session.add(membership)
    except IntegrityError as exc:
        raise Conflict(ALREADY_IN_TEAM) from exc
    # the person's other invitations in this campaign have no use any more
    others = select(Team.id).where(Team.campaign_id == team.campaign_id)
    await session.execute(
        update(Invitation)
        .where(
            Invitation.invitee_id == user.id,
            Invitation.status == InvitationStatus.PENDING,
            Invitation.team_id.in_(others),
        )
        .values(status=InvitationStatus.DECLINED)
        .execution_options(synchronize_session=False)
    )
    return membership


# --- teams ------------------------------------------------------------------------------------


async def creation_blocker(session: AsyncSession, actor: User, campaign: Campaign, now: datetime) -> DomainError | None:
    """Why the actor cannot create a team in this campaign now, or None."""
    message = team_window_error(campaign, await campaign_phases(session, campaign.id), now)
    if message:
        return Conflict(message)
    if not await is_eligible(session, campaign, actor):
        return Forbidden(NOT_ELIGIBLE)
    if await team_of_user(session, campaign.id, actor) is not None:
        return Conflict(ALREADY_IN_TEAM)
    return None


async def team_offers(
    session: AsyncSession,
    user: User,
    campaigns: Sequence[Campaign],
    phases: Mapping[int, Sequence[Phase]],
    now: datetime,
) -> dict[int, TeamOffer]:
    """Per campaign (with its phases given): the person's team, or whether they may form one.

    At most two queries whatever the number of campaigns: the person's teams, and their
    eligibility where a campaign is open to some departments only.
    """
    ids = [c.id for c in campaigns]
    if not ids:
        return {}
    teams = (
        await session.scalars(
            select(Team)
            .join(Membership, Membership.team_id == Team.id)
            .where(Membership.user_id == user.id, Membership.campaign_id.in_(ids))
        )
    ).all()
    mine = {team.campaign_id: team for team in teams}
    restricted = [c.id for c in campaigns if not c.all_staff_eligible]
    eligible: set[int] = set()
    if restricted and user.department_id is not None:
        found = await session.scalars(
            select(CampaignDepartment.campaign_id).where(
                CampaignDepartment.campaign_id.in_(restricted), CampaignDepartment.department_id == user.department_id
            )
        )
        eligible = set(found.all())
    return {
        c.id: team_offer(
            c, phases.get(c.id, ()), now, eligible=c.all_staff_eligible or c.id in eligible, team=mine.get(c.id)
        )
        for c in campaigns
    }


async def create_team(
    session: AsyncSession, actor: User, campaign_id: int, name: str, challenge_id: int | None, now: datetime
) -> Team:
    """A new team in the campaign, with the actor as captain and first member."""
    campaign = await visible_campaign(session, campaign_id, actor)
    name = " ".join(name.split())
    errors: dict[str, str] = {}
    if message := team_name_error(name):
        errors["name"] = message
    challenge = (
        await session.scalar(
            select(Challenge).where(Challenge.id == challenge_id, Challenge.campaign_id == campaign.id)
        )
        if challenge_id is not None
        else None
    )
    if challenge is None:
        errors["challenge_id"] = N_("Choose one of the campaign's challenges.")
    if errors:
        raise ValidationFailed(errors)
    assert challenge is not None
    await lock_person(session, actor.id)  # then the check below sees a team joined a moment ago
    if blocker := await creation_blocker(session, actor, campaign, now):
        raise blocker
    key = name_key(name)
    taken = N_("A team with this name already exists in this campaign. Choose another name.")
    if await session.scalar(select(Team.id).where(Team.campaign_id == campaign.id, Team.name_key == key)):
        raise Conflict(taken, field="name")
    team = Team(campaign_id=campaign.id, challenge_id=challenge.id, name=name, name_key=key, captain_id=actor.id)
    try:
        async with session.begin_nested():
            session.add(team)
    except IntegrityError as exc:
        raise Conflict(taken, field="name") from exc
    await _join(session, team, actor)
    await session.flush()
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="team.create",
        subject=team,
        campaign_id=campaign.id,
        after={"name": name, "challenge_id": challenge.id},
    )
    await publish(session, TeamCreated(campaign_id=campaign.id, team_id=team.id))
    return team


async def leave_team(session: AsyncSession, actor: User, team_id: int, now: datetime) -> Team | None:
    """The actor leaves; returns the team, or None when the team was deleted with its last member."""
    await lock_person(session, actor.id)
    team = await member_team(session, actor, team_id, lock=True)
    campaign = await session.get(Campaign, team.campaign_id)
    assert campaign is not None
    await _window_check(session, campaign, now)
    members, _pending = await _counts(session, team.id)
    if team.captain_id == actor.id and members > 1:
        raise Conflict(N_("As the captain you cannot leave while others are in the team."))
    await session.execute(delete(Membership).where(Membership.team_id == team.id, Membership.user_id == actor.id))
    if members > 1:
        await record(session, at=now, actor_id=actor.id, action="team.leave", subject=team, campaign_id=campaign.id)
        return team
    has_entry = await session.scalar(select(Entry.id).where(Entry.team_id == team.id).limit(1))
    if has_entry is None:
        await record(
            session,
            at=now,
            actor_id=actor.id,
            action="team.delete",
            subject=team,
            campaign_id=campaign.id,
            before={"name": team.name},
        )
        # memberships, invitations and entries go with it (ON DELETE CASCADE)
        await session.execute(delete(Team).where(Team.id == team.id))
        session.expunge(team)
        return None
    await session.execute(
        update(Invitation)
        .where(Invitation.team_id == team.id, Invitation.status == InvitationStatus.PENDING)
        .values(status=InvitationStatus.REVOKED)
    )
    before = team.status.value
    team.status = TeamStatus.WITHDRAWN
    await session.flush()
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="team.withdraw",
        subject=team,
        campaign_id=campaign.id,
        before={"status": before},
        after={"status": TeamStatus.WITHDRAWN.value},
    )
    return team


# --- invitations ----------------------------------------------------------------------------------


async def invite(session: AsyncSession, actor: User, team_id: int, email: str, now: datetime) -> Invitation:
    """A member invites a colleague by e-mail address."""
    team = await member_team(session, actor, team_id, lock=True)
    campaign = await session.get(Campaign, team.campaign_id)
    assert campaign is not None
    address = normalise_email(email)
    if not address:
        raise Invalid(N_("Enter the e-mail address of the colleague to invite."), field="email")
    if message := validate_email(address):
        raise Invalid(message, field="email")
    await _window_check(session, campaign, now)
    if team.status is not TeamStatus.ACTIVE:
        raise Conflict(N_("This team is no longer active."), field="email")
    invitee = await session.scalar(select(User).where(User.email == address))
    if invitee is None or not invitee.is_active:
        raise Invalid(N_("No active account uses this e-mail address."), field="email")
    if await team_of_user(session, campaign.id, invitee) is not None:
        raise Conflict(N_("This person is already in a team of this campaign."), field="email")
    if not await is_eligible(session, campaign, invitee):
        raise Invalid(N_("This person is not eligible for this campaign."), field="email")
    already = await session.scalar(
        select(Invitation.id).where(
            Invitation.team_id == team.id,
            Invitation.invitee_id == invitee.id,
            Invitation.status == InvitationStatus.PENDING,
        )
    )
    if already is not None:
        raise Conflict(N_("This person has already been invited."), field="email")
    members, pending = await _counts(session, team.id)
    if not has_room(members, pending, campaign.max_team_size):
        raise Conflict(
            N_("The team is full: %(max)s people at most, pending invitations included."),
            field="email",
            max=campaign.max_team_size,
        )
    invitation = Invitation(team_id=team.id, invitee_id=invitee.id, invited_by_id=actor.id)
    session.add(invitation)
    await session.flush()
    await publish(
        session,
        InvitationSent(
            invitation_id=invitation.id, team_id=team.id, invitee_id=invitee.id, invited_by_id=actor.id, at=now
        ),
    )
    return invitation


async def _own_invitation(session: AsyncSession, actor: User, invitation_id: int) -> Invitation:
    invitation = await session.scalar(
        select(Invitation)
        .where(Invitation.id == invitation_id, Invitation.invitee_id == actor.id)
        .execution_options(populate_existing=True)
    )
    if invitation is None:
        raise NotFound(INVITATION_NOT_FOUND)
    if invitation.status is not InvitationStatus.PENDING:
        raise Conflict(N_("This invitation is no longer open."))
    return invitation


async def accept_invitation(session: AsyncSession, actor: User, invitation_id: int, now: datetime) -> Team:
    await lock_person(session, actor.id)  # first, as creating a team does: see ``lock_person``
    invitation = await _own_invitation(session, actor, invitation_id)
    team = await session.scalar(
        select(Team).where(Team.id == invitation.team_id).with_for_update().execution_options(populate_existing=True)
    )
    assert team is not None
    campaign = await session.get(Campaign, team.campaign_id)
    assert campaign is not None
    if campaign.status is CampaignStatus.DRAFT:
        raise NotFound(INVITATION_NOT_FOUND)
    await _window_check(session, campaign, now)
    if team.status is not TeamStatus.ACTIVE:
        raise Conflict(N_("This team is no longer active."))
    if await team_of_user(session, campaign.id, actor) is not None:
        raise Conflict(ALREADY_IN_TEAM)
    if not await is_eligible(session, campaign, actor):
        raise Forbidden(N_("This campaign is open to some departments only, and yours is not one of them."))
    members, _pending = await _counts(session, team.id)
    if members >= campaign.max_team_size:
        raise Conflict(TEAM_FULL)
    invitation.status = InvitationStatus.ACCEPTED
    await session.flush()
    await _join(session, team, actor)
    await session.flush()
    await record(session, at=now, actor_id=actor.id, action="team.join", subject=team, campaign_id=campaign.id)
    await publish(session, MemberJoined(team_id=team.id, user_id=actor.id))
    return team


async def decline_invitation(session: AsyncSession, actor: User, invitation_id: int, now: datetime) -> Invitation:
    invitation = await _own_invitation(session, actor, invitation_id)
    invitation.status = InvitationStatus.DECLINED
    await session.flush()
    return invitation


async def revoke_invitation(
    session: AsyncSession, actor: User, team_id: int, invitation_id: int, now: datetime
) -> Invitation:
    team = await member_team(session, actor, team_id)
    invitation = await session.scalar(
        select(Invitation).where(Invitation.id == invitation_id, Invitation.team_id == team.id)
    )
    if invitation is None:
        raise NotFound(INVITATION_NOT_FOUND)
    if team.captain_id != actor.id:
        raise Forbidden(N_("Only the captain can withdraw an invitation."))
    if invitation.status is not InvitationStatus.PENDING:
        raise Conflict(N_("This invitation is no longer open."))
    invitation.status = InvitationStatus.REVOKED
    await session.flush()
    return invitation


async def pending_invitations_for(session: AsyncSession, user: User) -> list[PendingInvitation]:
    """The user's open invitations in published campaigns, newest first, with team, challenge and inviter."""
    rows = await session.execute(
        select(Invitation, Campaign)
        .join(Team, Team.id == Invitation.team_id)
        .join(Campaign, Campaign.id == Team.campaign_id)
        .where(
            Invitation.invitee_id == user.id,
            Invitation.status == InvitationStatus.PENDING,
            Campaign.status == CampaignStatus.PUBLISHED,
        )
        .options(joinedload(Invitation.team).joinedload(Team.challenge), joinedload(Invitation.invited_by))
        .order_by(Invitation.id.desc())
    )
    return [PendingInvitation(invitation, campaign) for invitation, campaign in rows.all()]


# --- the entry ----------------------------------------------------------------------------------


async def entry_phase_of(session: AsyncSession, team: Team, phase_id: int | None, now: datetime) -> Phase:
    """The submission phase asked for (it must be one of the team's campaign), else the relevant one."""
    phases = await campaign_phases(session, team.campaign_id)
    if phase_id is not None:
        for phase in phases:
            if phase.id == phase_id and phase.kind is PhaseKind.SUBMISSION:
                return phase
        raise NotFound(N_("We could not find that submission phase."))
    found = entry_phase(phases, now)
    if found is None:
        raise NotFound(N_("This campaign has no submission phase yet."))
    return found


async def extension_until(session: AsyncSession, team_id: int, phase_id: int) -> datetime | None:
    """Until when the team may still write into the phase by an organizer's extension, if it has one."""
    until: datetime | None = await session.scalar(
        select(Extension.until).where(Extension.team_id == team_id, Extension.phase_id == phase_id)
    )
    return until


@dataclass(frozen=True)
class RefusalMessages:
    """What a refused write says, by reason; ``%(when)s`` names the instant that decided."""

    team: str
    not_open: str
    extension_ended: str
    closed: str
    closed_by_organizers: str

    def of(self, reason: WriteBlock) -> str:
        return str(getattr(self, reason))


SUBMIT_REFUSALS = RefusalMessages(
    team=N_("This team can no longer submit. Your text was kept as a draft."),
    not_open=N_("The submission phase opens at %(when)s. Your text was kept as a draft."),
    extension_ended=N_("Your extension ended at %(when)s. Your text was kept as a draft."),
    closed=N_("The submission phase closed at %(when)s. Your text was kept as a draft."),
    closed_by_organizers=N_("The organizers closed the submission phase. Your text was kept as a draft."),
)
# beside a disabled "Submit" button, before anything is typed
SUBMIT_BLOCKED = RefusalMessages(
    team=N_("This team can no longer submit."),
    not_open=N_("Submissions open at %(when)s."),
    extension_ended=N_("Your team's extension ended at %(when)s."),
    closed=N_("Submissions closed at %(when)s."),
    closed_by_organizers=N_("The organizers closed the submission phase."),
)


async def write_refusal(
    session: AsyncSession, campaign: Campaign, team: Team, phase: Phase, now: datetime, messages: RefusalMessages
) -> tuple[str, datetime | None] | None:
    """Why the team may not change what judges see in ``phase`` at ``now`` (its message and the
    instant it names), or None when it may.

    The one deadline check of every such write (submitting, adding or removing a file), by the
    rule of ``teams.rules.write_block``. Call it holding ``lock_phase``.
    """
    # read under the phase lock: granting or revoking an extension locks the phase for update
    until = await extension_until(session, team.id, phase.id)
    block = write_block(campaign, team.status, phase, now, until)
    if block is None:
        return None
    reason, when = block
    return messages.of(reason), when


async def lock_phase(session: AsyncSession, phase_id: int) -> Phase:
    """A shared lock on the phase row (FOR SHARE on PostgreSQL): closing it waits for this save."""
    phase = await session.scalar(
        select(Phase).where(Phase.id == phase_id).with_for_update(read=True).execution_options(populate_existing=True)
    )
    assert phase is not None
    return phase


async def entry_for_update(session: AsyncSession, team: Team, phase: Phase) -> Entry:
    """The team's entry for the phase, locked; created on the first save."""
    stmt = (
        select(Entry)
        .where(Entry.team_id == team.id, Entry.phase_id == phase.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    entry = await session.scalar(stmt)
    if entry is not None:
        return entry
    entry = Entry(team_id=team.id, phase_id=phase.id, status=EntryStatus.DRAFT)
    try:
        async with session.begin_nested():
            session.add(entry)
    except IntegrityError:
        entry = await session.scalar(stmt)  # another member's first save won the race
        if entry is None:
            raise
    return entry


async def _latest_version(session: AsyncSession, entry: Entry) -> EntryVersion | None:
    version: EntryVersion | None = await session.scalar(
        select(EntryVersion).where(EntryVersion.entry_id == entry.id).order_by(EntryVersion.number.desc()).limit(1)
    )
    return version


async def _append_version(
    session: AsyncSession, entry: Entry, actor: User, data: EntryFields, now: datetime, *, submitted: bool
) -> EntryVersion:
    latest = await _latest_version(session, entry)
    values = data.as_dict()
    version = EntryVersion(
        entry_id=entry.id,
        number=(latest.number if latest else 0) + 1,
        author_id=actor.id,
        submitted=submitted,
        saved_at=now,
        **values,
    )
    session.add(version)
    for name, value in values.items():
        setattr(entry, name, value)
    await session.flush()
    return version


def _nothing_sent(data: EntryInput) -> None:
    if not data.names:
        raise DomainError(NOTHING_SENT)  # 400: a malformed request, never a blank version


async def _keep_draft(
    session: AsyncSession, entry: Entry, actor: User, data: EntryFields, now: datetime
) -> EntryVersion:
    latest = await _latest_version(session, entry)
    if latest is not None and data.same_as(latest):
        return latest
    return await _append_version(session, entry, actor, data, now, submitted=False)


async def save_draft(
    session: AsyncSession, actor: User, team_id: int, phase_id: int | None, data: EntryInput, now: datetime
) -> EntryVersion:
    """Keeps what a member typed as a new draft version; never changes what judges see.

    Only the fields ``data`` holds change (``EntryPatch``): the others keep their saved text,
    read under the entry's lock so that two saves of different fields both count.
    """
    _nothing_sent(data)
    team = await member_team(session, actor, team_id)
    errors = entry_errors(data.sent(), submitting=False)
    if errors:
        raise ValidationFailed(errors)
    phase = await entry_phase_of(session, team, phase_id, now)
    await lock_phase(session, phase.id)
    entry = await entry_for_update(session, team, phase)
    return await _keep_draft(session, entry, actor, data.over(entry), now)


async def submit_entry(
    session: AsyncSession,
    actor: User,
    team_id: int,
    phase_id: int | None,
    data: EntryInput,
    now: datetime,
    *,
    clock: Callable[[], datetime] | None = None,
) -> EntryVersion:
    """Submits the entry if the phase still accepts writes at ``now`` (the team's extension
    counts), checked under the phase's lock; fields that ``data`` does not hold keep their saved text.

    With ``clock`` (the server's), the deciding instant is read from it once the phase's lock is
    held, not taken from ``now`` (which then only picks the phase): a request that waited for the
    lock, or for the server, is judged by the time it writes. From that instant to the commit the
    phase cannot close (its close waits for the lock), so the write is decided as if at its commit.

    When it does not, the text is still saved as a draft version and ``SubmissionRefused`` is
    raised: the caller must commit before answering, so that nothing typed is lost. So is it
    when the fields are refused (``EntryInvalid``), unless a field is too long to be kept.
    """
    _nothing_sent(data)
    team = await member_team(session, actor, team_id)
    too_long = entry_errors(data.sent(), submitting=False)
    if too_long:
        sent = data.names
        errors = {name: m for name, m in entry_errors(data.sent(), submitting=True).items() if name in sent}
        raise EntryInvalid(errors, draft=None)
    phase = await entry_phase_of(session, team, phase_id, now)
    phase = await lock_phase(session, phase.id)
    if clock is not None:
        now = clock()  # the deadline's decision, under the lock that the phase's close waits for
    entry = await entry_for_update(session, team, phase)
    fields = data.over(entry)
    errors = entry_errors(fields, submitting=True)
    if errors:
        raise EntryInvalid(errors, draft=await _keep_draft(session, entry, actor, fields, now))
    campaign = await session.get(Campaign, team.campaign_id)
    assert campaign is not None
    refusal = await write_refusal(session, campaign, team, phase, now, SUBMIT_REFUSALS)
    if refusal is not None:
        message, closed_at = refusal
        draft = await _append_version(session, entry, actor, fields, now, submitted=False)
        raise SubmissionRefused(message, draft=draft, closed_at=closed_at, timezone=campaign.timezone)
    version = await _append_version(session, entry, actor, fields, now, submitted=True)
    before = {"status": entry.status.value, "submitted_version": entry.submitted_version}
    entry.status = EntryStatus.SUBMITTED
    entry.submitted_version = version.number
    entry.submitted_at = now
    # the files go with the text: those the team holds now are the submitted version's
    await session.execute(
        update(Attachment).where(Attachment.entry_id == entry.id).values(submitted=Attachment.removed_at.is_(None))
    )
    await session.flush()
    await record(
        session,
        at=now,
        actor_id=actor.id,
        action="entry.submit",
        subject=entry,
        campaign_id=campaign.id,
        before=before,
        after={"status": EntryStatus.SUBMITTED.value, "submitted_version": version.number},
    )
    await publish(
        session, EntrySubmitted(entry_id=entry.id, team_id=team.id, phase_id=phase.id, version=version.number)
    )
    return version
