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
