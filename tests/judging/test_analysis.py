"""The organizer's analysis of a judging phase: the cut and its ties, judge spread, the effect of
normalisation (pure, by hand), and how the results page shows them (HTTP, both databases)."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.models import AdvancementRule, NormalisationMode
from judging.analysis import cut, judge_spread, normalisation_moves, places_for
from judging.scoring import EntrySpec, JudgeTotal, Mode, rank_totals
from teams.models import Entry
from tests.conftest import Browser, QueryCounter
from tests.factories import Scenario, make_campaign, make_entry, make_scorecard, make_team, make_user

ORGANIZER = "org@example.com"


def one_judge(totals: list[float], criterion: list[float] | None = None) -> list:  # type: ignore[type-arg]
    scores = criterion or [0.5] * len(totals)
    ranked = [JudgeTotal(e + 1, 1, v, {1: scores[e]}) for e, v in enumerate(totals)]
    return rank_totals(ranked, [EntrySpec(e + 1) for e in range(len(totals))], required=1, tie_break=[1])


def test_ties_at_the_cut_are_above_it_and_flagged() -> None:
    results = one_judge([90, 80, 70, 70, 60])  # ranks 1, 2, 3, 3, 5
    three = cut(results, {None: 3})
    assert three.above == {1, 2, 3, 4} and three.tied_at_cut == {3, 4}
    two = cut(results, {None: 2})
    assert two.above == {1, 2} and not two.tied_at_cut
    assert cut(results, {None: 9}).above == {1, 2, 3, 4, 5}
    assert not cut(results, {None: 0}).above


def test_the_criterion_tie_break_decides_before_the_cut_does() -> None:
    results = one_judge([90, 80, 70, 70, 60], criterion=[0.5, 0.5, 0.9, 0.1, 0.5])  # e3 before e4: 3, 4
    three = cut(results, {None: 3})
    assert three.above == {1, 2, 3} and not three.tied_at_cut


def test_places_of_each_advancement_rule() -> None:
    results = one_judge([90, 80, 70, 70, 60])
    assert places_for(results, AdvancementRule.TOP_N, 2, 10) == 2
    assert places_for(results, AdvancementRule.TOP_PERCENT, 50, 10) == 3  # 2.5 rounded up
    assert places_for(results, AdvancementRule.TOP_PERCENT, 40, 10) == 2  # exactly 2
    assert places_for(results, AdvancementRule.MIN_SCORE, 70, 10) == 4  # ≥ 70
    assert places_for(results, AdvancementRule.MANUAL, None, 10) == 10
    assert cut(results, {None: 4}).tied_at_cut == frozenset()


# A is 20 points more lenient than B on the entries they share; e3 was seen by A only, e4 by B only
LENIENT = [(1, 1, 80.0), (1, 2, 60.0), (2, 1, 70.0), (2, 2, 50.0), (3, 1, 75.0), (4, 2, 65.0)]


def test_entries_that_the_mode_moves_across_the_cut() -> None:
    totals = [JudgeTotal(e, j, v) for e, j, v in LENIENT]
    specs = [EntrySpec(e) for e in (1, 2, 3, 4)]
    rankings = {mode: rank_totals(totals, specs, mode=mode, required=1, tie_break=[]) for mode in Mode}
    moves = normalisation_moves(rankings, {None: 2})
    # raw means 70, 60, 75, 65 put e3 and e1 above; z-scores and judge effects (b = ±10) e4 and e1
    assert [m.entry_id for m in moves] == [3, 4]
    assert [m.by_mode[Mode.NONE].above for m in moves] == [True, False]
    assert [m.by_mode[Mode.JUDGE_EFFECTS].above for m in moves] == [False, True]
    assert moves[1].by_mode[Mode.JUDGE_EFFECTS].rank == 1 and moves[1].by_mode[Mode.NONE].rank == 3
    assert normalisation_moves(rankings, {None: 4}) == []  # every entry is above in every mode


def test_judge_spread() -> None:
    spread = judge_spread([JudgeTotal(e, j, v) for e, j, v in LENIENT], {1: "Ann", 2: "Bob"})
    ann, bob = spread
    assert (ann.name, ann.n, ann.low, ann.high) == ("Ann", 3, 70.0, 80.0)
    assert ann.mean == pytest.approx(75.0) and ann.std == pytest.approx((50 / 3) ** 0.5)
    assert ann.leniency == pytest.approx(10.0) and bob.leniency == pytest.approx(-10.0)
    assert bob.mean == pytest.approx(175 / 3)


# --- the results page -------------------------------------------------------------------------


async def add(db: AsyncSession, s: Scenario, name: str, cards: list[tuple[User, list[int]]]) -> Entry:
    captain = await make_user(db, f"{name.lower()}@example.com")
    entry = await make_entry(db, await make_team(db, s, captain, name=name), s.submission, title=f"{name} entry")
    for judge, values in cards:
        await make_scorecard(db, s, entry, judge, values)
    return entry


def row(html: str, key: str) -> str:
    start = html.index(f'id="{key}"')
    return html[start : html.index("</tr>", start)]


async def test_page_shows_agreement_spread_and_the_tie_at_the_cut(db: AsyncSession, browser: Browser) -> None:
    organizer = await make_user(db, ORGANIZER)
    judges = [await make_user(db, f"judge{i}@example.com", name=f"Judge Person {i}") for i in (1, 2, 3)]
    s = await make_campaign(db, stage="judging", organizer=organizer, judges=judges)
    s.judging.advancement_rule, s.judging.advancement_value = AdvancementRule.TOP_N, 2
    # totals (factories' rubric): (5,5,10) = 100, (5,3,5) = 75, (3,3,5) = 50
    entries = {
        name: await add(db, s, name, [(j, values) for j in judges])
        for name, values in [("Alpha", [5, 5, 10]), ("Beta", [5, 3, 5]), ("Gamma", [5, 3, 5]), ("Delta", [3, 3, 5])]
    }
    await db.commit()
    await browser.sign_in(ORGANIZER)
    html = (await browser.get(f"/campaigns/{s.campaign.id}/results")).text
    phase = s.judging.id
    for name in ("Beta", "Gamma"):  # rank 2 shared at a top-2 cut: both above, flagged
        assert "Tie at the cut" in row(html, f"phase-{phase}-entry-{entries[name].id}")
    assert "Above the cut" in row(html, f"phase-{phase}-entry-{entries['Alpha'].id}")
    assert "Tie at the cut" not in row(html, f"phase-{phase}-entry-{entries['Alpha'].id}")
    assert "Above the cut" not in row(html, f"phase-{phase}-entry-{entries['Delta'].id}")
    assert "Krippendorff's alpha (interval metric, over the judges' totals)" in html
    assert "<strong>1.000</strong>" in html  # every judge gave the same totals
    judge_row = row(html, f"phase-{phase}-judge-{judges[0].id}")
    assert "Judge Person 1" in judge_row and "75.00" in judge_row and "+0.00" in judge_row
    assert "the top 2 per ranking scope (the phase" in html
    assert "Recommended mode: judge effects" in html and "Kendall" in html
    assert "The choice of mode moves no entry across the cut." in html


async def test_page_shows_leniency_and_entries_moved_by_the_mode(
    db: AsyncSession, browser: Browser, queries: QueryCounter
) -> None:
    organizer = await make_user(db, ORGANIZER)
    lenient = await make_user(db, "judge1@example.com", name="Judge Ann")
    harsh = await make_user(db, "judge2@example.com", name="Judge Bob")
    s = await make_campaign(db, stage="judging", organizer=organizer, judges=[lenient, harsh])
    s.judging.required_judges = 1
    s.judging.normalisation = NormalisationMode.JUDGE_EFFECTS
    # Ann is 25 points more lenient: e1 100/75, e2 75/50; e3 only Ann 75; e4 only Bob (4,3,5) = 62.5
    # fit: b = ±12.5, q = 87.5, 62.5, 62.5, 75 — raw means 87.5, 62.5, 75, 62.5
    e1 = await add(db, s, "One", [(lenient, [5, 5, 10]), (harsh, [5, 3, 5])])
    e2 = await add(db, s, "Two", [(lenient, [5, 3, 5]), (harsh, [3, 3, 5])])
    e3 = await add(db, s, "Three", [(lenient, [5, 3, 5])])
    e4 = await add(db, s, "Four", [(harsh, [4, 3, 5])])
    await db.commit()
    await browser.sign_in(ORGANIZER)
    url = f"/campaigns/{s.campaign.id}/results?top=2"
    html = (await browser.get(url)).text
    phase = s.judging.id
    assert "+12.50" in row(html, f"phase-{phase}-judge-{lenient.id}")
    assert "-12.50" in row(html, f"phase-{phase}-judge-{harsh.id}")
    assert "87.50" in row(html, f"phase-{phase}-entry-{e1.id}")
    assert "Above the cut" in row(html, f"phase-{phase}-entry-{e4.id}")
    assert "Above the cut" not in row(html, f"phase-{phase}-entry-{e3.id}")
    three, four = row(html, f"phase-{phase}-move-{e3.id}"), row(html, f"phase-{phase}-move-{e4.id}")
    assert "Three" in three and "Four" in four
    assert f'id="phase-{phase}-move-{e1.id}"' not in html and f'id="phase-{phase}-move-{e2.id}"' not in html
    assert 'name="top"' in html and 'value="2"' in html  # manual rule: N can be changed

    # the analysis is arithmetic over what the ranking loaded: the page's queries do not grow
    queries.reset()
    assert (await browser.get(url)).status_code == 200
    small = queries.count
    for i in range(5):
        await add(db, s, f"More{i}", [(lenient, [4, 4, 5]), (harsh, [3, 4, 5])])
    await db.commit()
    queries.reset()
    assert (await browser.get(url)).status_code == 200
    assert queries.count == small
