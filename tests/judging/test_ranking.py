"""The ranking service: what it loads, how it groups, and that its queries do not grow with data."""

from __future__ import annotations

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.models import NormalisationMode
from judging.ranking import phase_ranking, phase_rankings
from teams.models import Entry
from tests.factories import Scenario, make_campaign, make_entry, make_scorecard, make_team, make_user


async def _judges(db: AsyncSession, n: int = 3) -> list[User]:
    return [await make_user(db, f"judge{i}@example.com") for i in range(1, n + 1)]


async def _team_with_cards(
    db: AsyncSession, s: Scenario, judges: list[User], name: str, values: list[list[int]], challenge: int = 0
) -> Entry:
    captain = await make_user(db, f"{name.lower().replace(' ', '.')}@example.com")
    team = await make_team(db, s, captain, name=name, challenge=s.challenges[challenge])
    entry = await make_entry(db, team, s.submission, title=f"{name} entry")
    for judge, v in zip(judges, values, strict=False):
        await make_scorecard(db, s, entry, judge, v)
    return entry


async def test_rows_carry_rank_scores_and_flags(db: AsyncSession) -> None:
    judges = await _judges(db)
    s = await make_campaign(db, stage="judging", judges=judges)
    # totals: (5,3,5) = 75, (3,3,5) = 50, (5,5,10) = 100 (DOMAIN.md formula, see test_scoring)
    a = (await _team_with_cards(db, s, judges, "Alpha", [[5, 3, 5]] * 3)).id  # 75
    b = (await _team_with_cards(db, s, judges, "Beta", [[5, 5, 10], [5, 5, 10], [3, 3, 5]])).id  # 250/3 = 83.3
    c = (await _team_with_cards(db, s, judges, "Gamma", [[5, 5, 10]] * 2)).id  # 2 of 3: incomplete
    d = (await _team_with_cards(db, s, judges, "Delta", [[5, 5, 10]] * 3, challenge=1)).id  # 100, challenge 2
    await db.commit()

    ranking = await phase_ranking(db, s.judging, "challenge")
    rows = {row.entry.id: row for row in ranking.rows}
    assert (rows[b].rank, rows[a].rank, rows[c].rank, rows[d].rank) == (1, 2, None, 1)
    assert rows[b].raw_mean == pytest.approx(250 / 3)
    assert rows[c].incomplete and rows[c].cards == 2
    assert [c.title if c else None for c, _rows in ranking.groups()] == ["Challenge 1", "Challenge 2"]
    assert ranking.final_count == 11 and ranking.required_count == 12 and ranking.complete_entries == 3

    campaign_wide = await phase_ranking(db, s.judging, "campaign")
    assert [(row.entry.id, row.rank) for row in campaign_wide.rows] == [(d, 1), (b, 2), (a, 3), (c, None)]


async def test_drafts_do_not_count_and_unsubmitted_entries_are_not_listed(db: AsyncSession) -> None:
    judges = await _judges(db)
    s = await make_campaign(db, stage="judging", judges=judges)
    entry = await _team_with_cards(db, s, judges, "Alpha", [[5, 3, 5]] * 2)
    await make_scorecard(db, s, entry, judges[2], [1, 1, 0], final=False)  # a draft: does not count
    captain = await make_user(db, "late@example.com")
    await make_entry(db, await make_team(db, s, captain, name="Late"), s.submission, submitted=False)
    await db.commit()
    ranking = await phase_ranking(db, s.judging)
    assert [(row.entry.id, row.cards, row.incomplete) for row in ranking.rows] == [(entry.id, 2, True)]


async def test_zscore_and_judge_effects_phases(db: AsyncSession) -> None:
    judges = await _judges(db, 1)
    s = await make_campaign(db, stage="judging", judges=judges)
    s.judging.required_judges = 1
    s.judging.normalisation = NormalisationMode.ZSCORE
    high = (await _team_with_cards(db, s, judges, "High", [[5, 5, 10]])).id  # 100
    low = (await _team_with_cards(db, s, judges, "Low", [[3, 3, 5]])).id  # 50
    await db.commit()
    ranking = await phase_ranking(db, s.judging)
    rows = {row.entry.id: row for row in ranking.rows}
    # one judge, 100 and 50: μ = 75, σ = 25 → z = +1, −1
    assert rows[high].score == pytest.approx(1.0) and rows[low].score == pytest.approx(-1.0)
    assert rows[high].raw_mean == pytest.approx(100.0)

    s.judging.normalisation = NormalisationMode.JUDGE_EFFECTS
    await db.commit()
    ranking = await phase_ranking(db, s.judging)
    # one judge: Σ b_j = 0 leaves b = 0, so q_e is the judge's total
    assert not ranking.fallback and ranking.mode is NormalisationMode.JUDGE_EFFECTS
    assert [ranking.leniency[j.id] for j in judges] == [pytest.approx(0.0)]
    assert {row.entry.id: row.score for row in ranking.rows} == {high: pytest.approx(100.0), low: pytest.approx(50.0)}


async def test_queries_do_not_grow_with_the_number_of_entries(db: AsyncSession) -> None:
    judges = await _judges(db)
    s = await make_campaign(db, stage="judging", judges=judges)
    await _team_with_cards(db, s, judges, "Team 0", [[5, 3, 5]] * 3)
    await db.commit()

    async def count() -> int:
        statements: list[str] = []

        def listener(*args: object) -> None:
            statements.append(str(args[2]))

        engine = db.bind.sync_engine
        event.listen(engine, "before_cursor_execute", listener)
        try:
            db.expunge_all()
            await phase_rankings(db, [s.judging])
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    small = await count()
    for i in range(1, 8):
        await _team_with_cards(db, s, judges, f"Team {i}", [[4, 2, 8]] * 3, challenge=i % 2)
    await db.commit()
    assert await count() == small
    assert small <= 5
