"""Team and entry rules, pure: no I/O.

Rules chosen here (DOMAIN.md is silent on them):
- teams form and change (create, invite, accept, leave) while the campaign is published and
  one of its registration or submission phases accepts writes;
- "Form a team" is offered only then, to an eligible person who is not in a team of the
  campaign yet; a person in a team is shown that team instead;
- the entry a team works on is the one of the submission phase that accepts writes now, else
  the latest one that has started, else the first one to come;
- a draft may be saved at any time (it never changes what judges see); lengths are checked on
  every save, the title and the link format only when submitting;
- a save or a submission changes only the fields the request sent (``EntryPatch``): a field
  left out keeps its saved text, and a request with none of the fields is refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Literal
from urllib.parse import urlsplit

from campaigns.deadlines import accepts_writes, effective_close
from campaigns.models import Campaign, CampaignStatus, Phase, PhaseKind, PhaseStatus
from core.errors import N_
from teams.models import (
    ENTRY_SUMMARY_MAX,
    ENTRY_TEXT_MAX,
    ENTRY_TITLE_MAX,
    TEAM_NAME_MAX,
    URL_MAX,
    EntryVersion,
    Team,
    TeamStatus,
)

TEAM_PHASE_KINDS = (PhaseKind.REGISTRATION, PhaseKind.SUBMISSION)
NOT_ELIGIBLE = N_("This campaign is open to some departments only, and yours is not one of them.")


def name_key(name: str) -> str:
    """Case- and space-folded team name: "Blue  team" and "blue Team" are the same team."""
    return " ".join(name.lower().split())


def team_name_error(name: str) -> str | None:
    if not name:
        return N_("Enter a team name.")
    if len(name) > TEAM_NAME_MAX:
        return N_("The team name can have at most 80 characters.")
    return None


def team_window_error(campaign: Campaign, phases: Iterable[Phase], now: datetime) -> str | None:
    """Why teams of this campaign cannot form or change at ``now``, or None when they can."""
    if campaign.status is not CampaignStatus.PUBLISHED:
        return N_("This campaign is not open for teams.")
    relevant = [p for p in phases if p.kind in TEAM_PHASE_KINDS]
    if any(accepts_writes(p, now) for p in relevant):
        return None
    if relevant and all(p.status is PhaseStatus.PENDING and now < p.opens_at for p in relevant):
        return N_("Team registration has not opened yet.")
    return N_("Teams can be formed or changed only while registration or submission is open.")


@dataclass(frozen=True)
class TeamOffer:
    """What a campaign offers a person about teams: their team, a way to form one, or why not."""

    team: Team | None = None
    can_form: bool = False
    reason: str | None = None  # why not, when the person has no team and cannot form one


def team_offer(
    campaign: Campaign, phases: Iterable[Phase], now: datetime, *, eligible: bool, team: Team | None
) -> TeamOffer:
    """Offer "Form a team" only while teams can form, to an eligible person without a team."""
    if team is not None:
        return TeamOffer(team=team)
    if message := team_window_error(campaign, phases, now):
        return TeamOffer(reason=message)
    if not eligible:
        return TeamOffer(reason=NOT_ELIGIBLE)
    return TeamOffer(can_form=True)


def has_room(members: int, pending: int, max_size: int) -> bool:
    """May one more person be invited? Pending invitations hold a place."""
    return members + pending < max_size


def members_missing(minimum: int, members: int) -> int:
    """How many more members a team needs to submit (0: none)."""
    return max(0, minimum - members)


def can_submit_as(status: TeamStatus) -> bool:
    return status in (TeamStatus.ACTIVE, TeamStatus.WINNER)


WriteBlock = Literal["team", "not_open", "extension_ended", "closed", "closed_by_organizers"]


def write_block(
    campaign: Campaign, team_status: TeamStatus, phase: Phase, now: datetime, extension_until: datetime | None
) -> tuple[WriteBlock, datetime | None] | None:
    """Why a team may not change what judges see in ``phase`` at ``now`` (submit, add or remove a
    file), with the instant that decided, or None when it may.

    The campaign is published, the team may still submit, and the phase accepts writes at
    ``now``, grace and the team's extension included."""
    if campaign.status is not CampaignStatus.PUBLISHED or not can_submit_as(team_status):
        return "team", None
    if accepts_writes(phase, now, extension_until):
        return None
    if phase.status is PhaseStatus.PENDING and now < phase.opens_at:
        return "not_open", phase.opens_at
    if extension_until is not None and extension_until >= effective_close(phase) and now >= extension_until:
        return "extension_ended", extension_until
    if now >= phase.closes_at:
        return "closed", phase.closes_at
    return "closed_by_organizers", None


def entry_phase(phases: Sequence[Phase], now: datetime) -> Phase | None:
    """The submission phase a team works on at ``now`` (see the module's rules)."""
    submissions = [p for p in phases if p.kind is PhaseKind.SUBMISSION]
    for phase in sorted(submissions, key=lambda p: (p.opens_at, p.id)):
        if accepts_writes(phase, now):
            return phase
    started = [p for p in submissions if p.opens_at <= now or p.status is not PhaseStatus.PENDING]
    if started:
        return max(started, key=lambda p: (p.opens_at, p.id))
    return min(submissions, key=lambda p: (p.opens_at, p.id), default=None)


# --- the entry's fields ------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryFields:
    title: str = ""
    summary: str = ""
    problem: str = ""
    solution: str = ""
    expected_impact: str = ""
    prototype_url: str = ""
    video_url: str = ""

    def as_dict(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def same_as(self, version: EntryVersion) -> bool:
        return all(getattr(version, name) == value for name, value in self.as_dict().items())

    @property
    def names(self) -> frozenset[str]:
        """The fields this input sets: all of them."""
        return frozenset(ENTRY_FIELD_NAMES)

    def sent(self) -> EntryFields:
        return self

    def over(self, saved: object | None) -> EntryFields:
        """The entry's text after this input: the whole of it."""
        return self


ENTRY_FIELD_NAMES = tuple(f.name for f in fields(EntryFields))
NOTHING_SENT = N_("Nothing was saved: the request held none of the entry's fields.")


@dataclass(frozen=True)
class EntryPatch:
    """The entry fields a request actually sent; every other field keeps its saved text."""

    values: Mapping[str, str]

    def __post_init__(self) -> None:
        unknown = set(self.values) - set(ENTRY_FIELD_NAMES)
        if unknown:
            raise ValueError(f"not entry fields: {sorted(unknown)}")

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self.values)

    def sent(self) -> EntryFields:
        """The sent fields alone (the others empty): what their lengths are checked on."""
        return EntryFields(**self.values)

    def over(self, saved: object | None) -> EntryFields:
        """The sent fields over ``saved`` (anything with the fields as attributes: an ``Entry``),
        or over empty fields where nothing was saved yet."""
        if saved is None:
            return self.sent()
        return EntryFields(**{name: self.values.get(name, getattr(saved, name)) for name in ENTRY_FIELD_NAMES})


EntryInput = EntryFields | EntryPatch

_LIMITS: dict[str, tuple[int, str]] = {
    "title": (ENTRY_TITLE_MAX, N_("The title can have at most 200 characters.")),
    "summary": (ENTRY_SUMMARY_MAX, N_("The summary can have at most 1000 characters.")),
    "problem": (ENTRY_TEXT_MAX, N_("The problem can have at most 10000 characters.")),
    "solution": (ENTRY_TEXT_MAX, N_("The solution can have at most 10000 characters.")),
    "expected_impact": (ENTRY_TEXT_MAX, N_("The expected impact can have at most 10000 characters.")),
    "prototype_url": (URL_MAX, N_("The link can have at most 500 characters.")),
    "video_url": (URL_MAX, N_("The link can have at most 500 characters.")),
}


def is_web_url(value: str) -> bool:
    """An absolute http(s) address with a host and no spaces."""
    if any(ch.isspace() for ch in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def entry_errors(data: EntryFields, *, submitting: bool) -> dict[str, str]:
    """Field errors of an entry: lengths always; a title and well-formed links to submit."""
    errors: dict[str, str] = {}
    values = data.as_dict()
    for name, (limit, message) in _LIMITS.items():
        if len(values[name]) > limit:
            errors[name] = message
    if submitting:
        if not data.title:
            errors.setdefault("title", N_("Give the entry a title before submitting it."))
        for name in ("prototype_url", "video_url"):
            if values[name] and name not in errors and not is_web_url(values[name]):
                errors[name] = N_("Enter a full web address starting with http:// or https://.")
    return errors
