"""The programme arithmetic: rates stay in [0, 1], a zero denominator gives None (never a
division by zero), the funnel never increases; and the dashboard's filters as typed."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from insights import figures
from insights.figures import FUNNEL_STAGES, TEAM_LEVELS, CampaignCounts
from insights.filters import parse_scope

counts = st.integers(min_value=0, max_value=10**6)
any_counts = st.integers(min_value=-(10**6), max_value=10**6)


@given(counts, counts)
def test_a_rate_is_a_share_or_none(part: int, whole: int) -> None:
    r = figures.rate(part, whole)
    if whole == 0:
        assert r is None
    else:
        assert r is not None and 0.0 <= r <= 1.0


@given(st.dictionaries(st.sampled_from(FUNNEL_STAGES), any_counts))
def test_the_funnel_never_increases_and_its_rates_are_shares(raw: dict[str, int]) -> None:
    stages = figures.funnel(raw)
    assert [s.name for s in stages] == list(FUNNEL_STAGES)
    assert all(s.count >= 0 for s in stages)
    assert all(b.count <= a.count for a, b in pairwise(stages))
    for s in stages:
        for r in (s.from_previous, s.from_first):
            assert r is None or 0.0 <= r <= 1.0


@st.composite
def campaign_counts(draw: st.DrawFn) -> CampaignCounts:
    levels = draw(st.dictionaries(st.sampled_from(TEAM_LEVELS), counts))
    teams = sum(levels.values())
    participants = draw(st.integers(min_value=teams, max_value=teams * 5 + 3))
    due = draw(counts)
    on_time = draw(st.integers(min_value=0, max_value=due))
    return CampaignCounts(
        campaign_id=draw(st.integers(min_value=1, max_value=10**9)),
        eligible=draw(st.integers(min_value=participants, max_value=participants + 1000)),
        participants=participants,
        levels=levels,
        mixed_teams=draw(st.integers(min_value=0, max_value=teams)),
        scorecards_due=due,
        scorecards_on_time=on_time,
        scorecards_late=draw(st.integers(min_value=0, max_value=due - on_time)),
    )


@given(st.lists(campaign_counts(), max_size=5), counts, counts, counts, counts)
def test_headline_rates_are_shares_whatever_the_counts(
    campaigns: list[CampaignCounts], eligible: int, participants: int, projects: int, implemented: int
) -> None:
    h = figures.headline(campaigns, eligible, participants, projects, implemented)
    for r in (
        h.participation_rate,
        h.shortlist_rate,
        h.mixed_share,
        h.adoption_rate,
        h.implementation_rate,
        h.on_time_rate,
    ):
        assert r is None or 0.0 <= r <= 1.0
    assert (h.entries_per_100 is None) == (eligible == 0)
    stages = figures.funnel(figures.funnel_counts(campaigns))
    assert [s.count for s in stages] == sorted((s.count for s in stages), reverse=True)
    for c in campaigns:
        t = figures.trend(c, "t", projects, implemented)
        assert t.on_time_rate is None or 0.0 <= t.on_time_rate <= 1.0
        assert t.submitted <= t.teams


def test_empty_counts_give_no_rate() -> None:
    h = figures.headline([], 0, 0, 0, 0)
    assert (h.participation_rate, h.entries_per_100, h.shortlist_rate, h.on_time_rate) == (None, None, None, None)
    inc = figures.incubation({}, 0)
    assert inc.projects == 0 and inc.adoption_rate is None and inc.implementation_rate is None
    assert inc.budget_requested == Decimal("0.00")
    assert figures.departments({}, {7: (0, 0)}, {}, no_department="-") == []
    row = figures.departments({}, {None: (4, 1)}, {None: 2}, no_department="none")[0]
    assert (row.name, row.participation_rate, row.entries_per_100) == ("none", 0.25, 50.0)


def test_the_filters_as_typed() -> None:
    scope, errors = parse_scope(" 3 ", "2026-01-01", "2026-01-31", "")
    assert errors == {}
    assert scope.campaign_id == 3 and scope.department_id is None
    assert scope.starts_from == datetime(2026, 1, 1, tzinfo=UTC)
    assert scope.starts_before == datetime(2026, 2, 1, tzinfo=UTC)  # the last day included
    scope, errors = parse_scope("x", "31/01/2026", "9999-12-31", "1.5")
    assert set(errors) == {"campaign", "start", "department"}
    assert scope == type(scope)()  # nothing it could not read filters the figures
    _scope, errors = parse_scope("", "2026-02-01", "2026-01-01", "")
    assert set(errors) == {"end"}


@given(st.text(max_size=30), st.text(max_size=30), st.text(max_size=30), st.text(max_size=30))
def test_any_typed_filter_is_read_or_refused_never_raises(a: str, b: str, c: str, d: str) -> None:
    scope, errors = parse_scope(a, b, c, d)
    assert set(errors) <= {"campaign", "start", "end", "department"}
    if scope.starts_from and scope.starts_before:
        assert scope.starts_from < scope.starts_before


money = st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
unit_names = st.sampled_from(["EUR", "h", "eur", "%", "sheets/week"])
kinds = st.sampled_from(figures.OUTCOME_KINDS)
statuses = st.sampled_from(figures.PROJECT_STATUSES)


@given(st.dictionaries(statuses, st.tuples(counts, money, money)), counts)
def test_declined_and_proposed_are_shown_but_not_incubated(
    by_status: dict[str, tuple[int, Decimal, Decimal]], submitted: int
) -> None:
    inc = figures.incubation(by_status, submitted)
    assert [line.status for line in inc.lines] == list(figures.PROJECT_STATUSES)  # every status shown
    assert inc.proposals == sum(count for count, _r, _a in by_status.values())
    waiting = sum((by_status.get(s) or (0,))[0] for s in ("proposed", "declined"))
    assert inc.projects == inc.proposals - waiting
    assert inc.implemented <= inc.projects
    for r in (inc.adoption_rate, inc.implementation_rate):
        assert r is None or 0.0 <= r <= 1.0


@given(st.lists(st.tuples(kinds, unit_names, counts, money)))
def test_realised_value_is_summed_per_kind_and_unit_never_across_units(
    rows: list[tuple[str, str, int, Decimal]],
) -> None:
    lines = figures.value_lines(rows)
    keys = [(v.kind, v.unit) for v in lines]
    assert len(keys) == len(set(keys)) == len({(k, u) for k, u, _p, _v in rows})
    for line in lines:
        assert line.realised == sum((v for k, u, _p, v in rows if (k, u) == (line.kind, line.unit)), Decimal(0))
        assert line.projects == sum(p for k, u, p, _v in rows if (k, u) == (line.kind, line.unit))
    per_unit = figures.realised_per_unit(lines)
    for unit, total in per_unit.items():
        assert total == sum((v for _k, u, _p, v in rows if u == unit), Decimal(0))
    # by unit, then kind; the same rows in any order give the same lines
    assert figures.value_lines(reversed(rows)) == lines
    assert [v.unit for v in lines] == sorted((v.unit for v in lines), key=lambda u: (u.casefold(), u))


@given(st.lists(st.tuples(unit_names, counts, money.map(abs), money)))
def test_targets_are_summed_per_unit_and_the_share_is_realised_over_aimed(
    rows: list[tuple[str, int, Decimal, Decimal]],
) -> None:
    lines = figures.target_lines(rows)
    assert [t.unit for t in lines] == figures.units([], lines)
    for t in lines:
        assert t.aimed == sum((a for u, _p, a, _r in rows if u == t.unit), Decimal(0))
        assert t.realised == sum((r for u, _p, _a, r in rows if u == t.unit), Decimal(0))
        if t.aimed == 0:
            assert t.share is None
        else:
            assert t.share is not None and abs(t.share * float(t.aimed) - float(t.realised)) <= 1e-6 * max(
                1.0, abs(float(t.realised))
            )
