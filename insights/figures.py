"""The programme figures (DOMAIN.md, "Programme figures"), as pure arithmetic on counts.

The SQL in ``insights.queries`` counts, per campaign, grouped in the database; the functions here
turn those counts into rates, the funnel and the totals. No I/O. Every rate is a share in [0, 1],
or ``None`` when its denominator is 0 (shown as "—", never a division by zero).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

# how far a team got, in order; a team counts in every stage up to the furthest it reached
TEAM_LEVELS = ("team", "submitted", "advanced", "winner", "incubated", "implemented")
FUNNEL_STAGES = ("eligible", "participants", *TEAM_LEVELS)
PROJECT_STATUSES = ("proposed", "approved", "running", "implemented", "stopped", "declined")
# an incubation project is a proposal that was approved: a proposal still waiting for the decision
# is not incubated yet, a declined one never is (docs/dashboard.md)
INCUBATED_STATUSES = ("approved", "running", "implemented", "stopped")
OUTCOME_KINDS = ("cost_saved", "revenue", "hours_saved", "custom")


def rate(part: int | float, whole: int | float) -> float | None:
    """part / whole within [0, 1]; None when there is nothing to divide by."""
    if whole <= 0:
        return None
    return min(max(part / whole, 0.0), 1.0)


def per_hundred(part: int, whole: int) -> float | None:
    """part per 100 of whole (entries per 100 employees); None when whole is 0."""
    if whole <= 0:
        return None
    return 100 * max(part, 0) / whole


# --- counts of one campaign, as the queries return them ------------------------------------------


@dataclass
class CampaignCounts:
    """What the database counted for one campaign (zero when a query found nothing)."""

    campaign_id: int
    eligible: int = 0  # people eligible, participants included
    participants: int = 0  # people in a team
    levels: dict[str, int] = field(default_factory=dict)  # teams by the furthest stage reached
    mixed_teams: int = 0  # teams whose members come from two departments or more
    scorecards_due: int = 0  # assignments of judging phases whose deadline has passed
    scorecards_on_time: int = 0  # final before the deadline
    scorecards_late: int = 0  # final at or after the deadline

    @property
    def teams(self) -> int:
        return sum(self.levels.get(level, 0) for level in TEAM_LEVELS)

    def reached(self, level: str) -> int:
        """Teams that got at least as far as ``level``."""
        start = TEAM_LEVELS.index(level)
        return sum(self.levels.get(name, 0) for name in TEAM_LEVELS[start:])


# --- the funnel ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stage:
    name: str
    count: int
    from_previous: float | None  # conversion from the stage before (None for the first)
    from_first: float | None  # share of the first stage


def funnel(counts: Mapping[str, int]) -> list[Stage]:
    """The stages in ``FUNNEL_STAGES`` order with their conversion rates. A stage never counts
    more than the one before it (the stages are nested; a count above it is cut to it)."""
    stages: list[Stage] = []
    previous: int | None = None
    first = 0
    for name in FUNNEL_STAGES:
        count = max(int(counts.get(name, 0)), 0)
        if previous is None:
            first = count
            stages.append(Stage(name, count, None, rate(count, count) if count else None))
        else:
            count = min(count, previous)
            stages.append(Stage(name, count, rate(count, previous), rate(count, first)))
        previous = count
    return stages


def funnel_counts(campaigns: Iterable[CampaignCounts]) -> dict[str, int]:
    """The funnel's counts over several campaigns: sums of each campaign's (a person eligible for
    two campaigns counts in each)."""
    total = dict.fromkeys(FUNNEL_STAGES, 0)
    for c in campaigns:
        total["eligible"] += c.eligible
        total["participants"] += c.participants
        for level in TEAM_LEVELS:
            total[level] += c.reached(level)
    return total


# --- headline figures ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    eligible_people: int  # distinct
    participants: int  # distinct
    participation_rate: float | None
    submitted: int
    entries_per_100: float | None
    shortlist_rate: float | None  # advanced / submitted
    teams: int
    mixed_teams: int
    mixed_share: float | None
    adoption_rate: float | None  # incubation projects / submitted
    implementation_rate: float | None  # implemented / incubation projects
    scorecards_due: int
    scorecards_on_time: int
    scorecards_late: int
    on_time_rate: float | None


def headline(
    campaigns: Sequence[CampaignCounts], eligible_people: int, participants: int, projects: int, implemented: int
) -> Headline:
    """The page's key figures. ``eligible_people`` and ``participants`` count each person once
    over the campaigns; ``projects`` and ``implemented`` are incubation projects."""
    submitted = sum(c.reached("submitted") for c in campaigns)
    advanced = sum(c.reached("advanced") for c in campaigns)
    teams = sum(c.teams for c in campaigns)
    mixed = sum(c.mixed_teams for c in campaigns)
    due = sum(c.scorecards_due for c in campaigns)
    on_time = sum(c.scorecards_on_time for c in campaigns)
    return Headline(
        eligible_people=eligible_people,
        participants=participants,
        participation_rate=rate(participants, eligible_people),
        submitted=submitted,
        entries_per_100=per_hundred(submitted, eligible_people),
        shortlist_rate=rate(advanced, submitted),
        teams=teams,
        mixed_teams=mixed,
        mixed_share=rate(mixed, teams),
        adoption_rate=rate(projects, submitted),
        implementation_rate=rate(implemented, projects),
        scorecards_due=due,
        scorecards_on_time=on_time,
        scorecards_late=sum(c.scorecards_late for c in campaigns),
        on_time_rate=rate(on_time, due),
    )


# --- departments ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DepartmentRow:
    department_id: int | None  # None: people without a department
    name: str
    eligible: int
    participants: int
    participation_rate: float | None
    entries: int  # submitted entries of teams with a member from the department
    entries_per_100: float | None


def departments(
    names: Mapping[int, str],
    people: Mapping[int | None, tuple[int, int]],
    entries: Mapping[int | None, int],
    *,
    no_department: str,
) -> list[DepartmentRow]:
    """One row per department with eligible people (and people without one, if any), by name.
    ``people`` maps a department to (eligible, participants); ``entries`` to its entries."""
    rows = []
    for dept in {*people, *entries}:
        eligible, participants = people.get(dept, (0, 0))
        if eligible == 0 and participants == 0 and entries.get(dept, 0) == 0:
            continue
        count = entries.get(dept, 0)
        rows.append(
            DepartmentRow(
                department_id=dept,
                name=no_department if dept is None else names.get(dept, str(dept)),
                eligible=eligible,
                participants=participants,
                participation_rate=rate(participants, eligible),
                entries=count,
                entries_per_100=per_hundred(count, eligible),
            )
        )
    return sorted(rows, key=lambda r: (r.department_id is None, r.name.casefold(), r.department_id or 0))


# --- incubation ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusLine:
    status: str
    projects: int
    budget_requested: Decimal
    budget_approved: Decimal


@dataclass(frozen=True)
class Incubation:
    """Proposals by status (every status, declined included) with their budgets; ``projects``
    counts the incubation projects (``INCUBATED_STATUSES``), which the rates divide by."""

    lines: list[StatusLine]
    proposals: int  # every status
    projects: int  # incubated: approved, running, implemented or stopped
    implemented: int
    stopped: int
    declined: int
    budget_requested: Decimal
    budget_approved: Decimal
    adoption_rate: float | None
    implementation_rate: float | None


def sum_by_status(
    per_campaign: Iterable[Mapping[str, tuple[int, Decimal, Decimal]]],
) -> dict[str, tuple[int, Decimal, Decimal]]:
    """Projects and budgets by status, summed over campaigns."""
    total: dict[str, tuple[int, Decimal, Decimal]] = {}
    for lines in per_campaign:
        for status, (count, requested, approved) in lines.items():
            before = total.get(status, (0, Decimal("0.00"), Decimal("0.00")))
            total[status] = (before[0] + count, before[1] + requested, before[2] + approved)
    return total


def incubated(by_status: Mapping[str, tuple[int, Decimal, Decimal]]) -> int:
    """The incubation projects among the proposals counted by status."""
    return sum((by_status.get(status) or (0,))[0] for status in INCUBATED_STATUSES)


def incubation(by_status: Mapping[str, tuple[int, Decimal, Decimal]], submitted: int) -> Incubation:
    """``by_status`` maps a project status to (projects, budget requested, budget approved)."""
    zero = Decimal("0.00")
    lines = [StatusLine(status, *(by_status.get(status) or (0, zero, zero))) for status in PROJECT_STATUSES]
    count = {line.status: line.projects for line in lines}
    projects = incubated(by_status)
    return Incubation(
        lines=lines,
        proposals=sum(count.values()),
        projects=projects,
        implemented=count["implemented"],
        stopped=count["stopped"],
        declined=count["declined"],
        budget_requested=sum((line.budget_requested for line in lines), zero),
        budget_approved=sum((line.budget_approved for line in lines), zero),
        adoption_rate=rate(projects, submitted),
        implementation_rate=rate(count["implemented"], projects),
    )


# --- realised value ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValueLine:
    """The realised value of one outcome kind in one unit: the sum of its measured outcomes."""

    kind: str
    unit: str
    projects: int  # incubation projects with at least one outcome of this kind and unit
    realised: Decimal


@dataclass(frozen=True)
class TargetLine:
    """The incubation projects whose KPI has a target in ``unit``, against what they realised."""

    unit: str
    projects: int
    aimed: Decimal  # sum over the projects of |target - baseline| (no baseline: 0)
    realised: Decimal  # the sum of these projects' outcomes in this unit (every kind)

    @property
    def share(self) -> float | None:
        """realised / aimed, above 1 when the projects did better than aimed; None when nothing
        was aimed at."""
        if self.aimed <= 0:
            return None
        return float(self.realised / self.aimed)


def _unit_order(unit: str) -> tuple[str, str]:
    return (unit.casefold(), unit)


def _kind_order(kind: str) -> int:
    return OUTCOME_KINDS.index(kind) if kind in OUTCOME_KINDS else len(OUTCOME_KINDS)


def value_lines(rows: Iterable[tuple[str, str, int, Decimal]]) -> list[ValueLine]:
    """Rows (kind, unit, projects, realised), one per campaign, summed per (kind, unit) — never
    across units. By unit, then kind in ``OUTCOME_KINDS`` order."""
    total: dict[tuple[str, str], tuple[int, Decimal]] = {}
    for kind, unit, projects, realised in rows:
        before = total.get((kind, unit), (0, Decimal("0.00")))
        total[(kind, unit)] = (before[0] + projects, before[1] + realised)
    return [
        ValueLine(kind, unit, projects, realised)
        for (kind, unit), (projects, realised) in sorted(
            total.items(), key=lambda item: (_unit_order(item[0][1]), _kind_order(item[0][0]), item[0][0])
        )
    ]


def target_lines(rows: Iterable[tuple[str, int, Decimal, Decimal]]) -> list[TargetLine]:
    """Rows (unit, projects, aimed, realised), one per campaign, summed per unit, by unit."""
    total: dict[str, tuple[int, Decimal, Decimal]] = {}
    for unit, projects, aimed, realised in rows:
        before = total.get(unit, (0, Decimal("0.00"), Decimal("0.00")))
        total[unit] = (before[0] + projects, before[1] + aimed, before[2] + realised)
    return [TargetLine(unit, *total[unit]) for unit in sorted(total, key=_unit_order)]


def units(lines: Iterable[ValueLine], targets: Iterable[TargetLine] = ()) -> list[str]:
    """The units of the realised value and of the targets, in order."""
    return sorted({line.unit for line in lines} | {t.unit for t in targets}, key=_unit_order)


def realised_per_unit(lines: Iterable[ValueLine]) -> dict[str, Decimal]:
    """The realised value per unit, every kind of that unit together."""
    total: dict[str, Decimal] = {}
    for line in lines:
        total[line.unit] = total.get(line.unit, Decimal("0.00")) + line.realised
    return total


# --- trends across campaigns ---------------------------------------------------------------------


@dataclass(frozen=True)
class Trend:
    campaign_id: int
    title: str
    eligible: int
    participants: int
    participation_rate: float | None
    teams: int
    submitted: int
    entries_per_100: float | None
    shortlist_rate: float | None
    winners: int
    projects: int
    adoption_rate: float | None
    implemented: int
    on_time_rate: float | None
    realised: dict[str, Decimal] = field(default_factory=dict)  # per unit


def trend(
    c: CampaignCounts, title: str, projects: int, implemented: int, realised: Mapping[str, Decimal] | None = None
) -> Trend:
    """One campaign's figures, for the comparison across campaigns (oldest first)."""
    submitted = c.reached("submitted")
    return Trend(
        campaign_id=c.campaign_id,
        title=title,
        eligible=c.eligible,
        participants=c.participants,
        participation_rate=rate(c.participants, c.eligible),
        teams=c.teams,
        submitted=submitted,
        entries_per_100=per_hundred(submitted, c.eligible),
        shortlist_rate=rate(c.reached("advanced"), submitted),
        winners=c.reached("winner"),
        projects=projects,
        adoption_rate=rate(projects, submitted),
        implemented=implemented,
        on_time_rate=rate(c.scorecards_on_time, c.scorecards_due),
        realised=dict(realised or {}),
    )
