"""Applying advancement and overriding it: rows, team statuses, audit, notifications."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.models import AdvancementRule, PhaseKind, RankingScope
from core.actors import SCHEDULER
from core.audit import AuditEntry
from core.errors import Conflict, NotFound, ValidationFailed
from judging.advancing import apply_advancement, override_advancement, phase_advancements
from judging.models import AdvancementOutcome
from notifications.models import Notification, NotificationKind
from teams.models import Team, TeamStatus
from tests.conftest import NOW
from tests.factories import Scenario, make_campaign, make_entry, make_scorecard, make_team, make_user


@dataclass
class World:
    s: Scenario
    organizer: User
    teams: dict[str, Team]
    captains: dict[str, User]


async def world(db: AsyncSession, rule: AdvancementRule = AdvancementRule.TOP_N, value: float | None = 1) -> World:
    organizer = await make_user(db, "org@example.com")
    judges = [await make_user(db, f"judge{i}@example.com") for i in (1, 2, 3)]
    s = await make_campaign(db, stage="judging", organizer=organizer, judges=judges)
    s.judging.ranking_scope = RankingScope.CAMPAIGN
    s.judging.advancement_rule, s.judging.advancement_value = rule, value
    w = World(s, organizer, {}, {})
    # totals: Alpha 100, Beta 75, Gamma 75, Delta 50, Epsilon incomplete (2 of 3 cards)
    for name, values, cards in [
        ("Alpha", [5, 5, 10], 3), ("Beta", [5, 3, 5], 3), ("Gamma", [5, 3, 5], 3),
        ("Delta", [3, 3, 5], 3), ("Epsilon", [5, 5, 10], 2),
    ]:  # fmt: skip
        captain = await make_user(db, f"{name.lower()}@example.com")
        team = await make_team(db, s, captain, name=name)
        entry = await make_entry(db, team, s.submission)
        for judge in judges[:cards]:
            await make_scorecard(db, s, entry, judge, values)
        w.teams[name], w.captains[name] = team, captain
    await db.commit()
    return w


async def _statuses(db: AsyncSession, w: World) -> dict[str, TeamStatus]:
    rows = await db.execute(select(Team.name, Team.status).where(Team.campaign_id == w.s.campaign.id))
    return dict(rows.tuples().all())


async def _notified(db: AsyncSession, kind: NotificationKind) -> list[Notification]:
    return list((await db.scalars(select(Notification).where(Notification.kind == kind))).all())


async def test_top_two_advances_the_tie_eliminates_the_rest_and_leaves_the_incomplete_undecided(
    db: AsyncSession,
) -> None:
    w = await world(db, value=2)
    report = await apply_advancement(db, w.organizer, NOW, w.s.judging)
    assert report is not None
    ids = {t.id: n for n, t in w.teams.items()}
    assert sorted(ids[t] for t in report.advanced) == ["Alpha", "Beta", "Gamma"]
    assert [ids[t] for t in report.eliminated] == ["Delta"]
    assert sorted(ids[t] for t in report.tied) == ["Beta", "Gamma"]
    assert [ids[t] for t in report.undecided] == ["Epsilon"]
    rows = await phase_advancements(db, w.s.judging.id)
    assert {ids[t]: (a.outcome, a.rank, a.tied_at_cut) for t, a in rows.items()} == {
        "Alpha": (AdvancementOutcome.ADVANCE, 1, False),
        "Beta": (AdvancementOutcome.ADVANCE, 2, True),
        "Gamma": (AdvancementOutcome.ADVANCE, 2, True),
        "Delta": (AdvancementOutcome.ELIMINATE, 4, False),
    }
    statuses = await _statuses(db, w)
    assert statuses["Delta"] is TeamStatus.ELIMINATED
    assert statuses["Epsilon"] is TeamStatus.ACTIVE and statuses["Alpha"] is TeamStatus.ACTIVE
    assert w.s.judging.advancement_applied_at == NOW

    advanced = await _notified(db, NotificationKind.TEAM_ADVANCED)
    assert sorted(n.user_id for n in advanced) == sorted(w.captains[n].id for n in ("Alpha", "Beta", "Gamma"))
    assert advanced[0].params["next_phase"] == "Results"  # the next phase of the timeline, and when it opens
    assert advanced[0].params["opens_at"] == w.s.phases[PhaseKind.RESULTS].opens_at.isoformat()
    eliminated = await _notified(db, NotificationKind.TEAM_ELIMINATED)
    assert [n.user_id for n in eliminated] == [w.captains["Delta"].id]
    audit = await db.scalar(select(AuditEntry).where(AuditEntry.action == "phase.advance"))
    assert audit is not None and audit.actor_id == w.organizer.id


async def test_applying_twice_changes_nothing(db: AsyncSession) -> None:
    w = await world(db)
    assert await apply_advancement(db, SCHEDULER, NOW, w.s.judging) is not None
    assert await apply_advancement(db, w.organizer, NOW, w.s.judging) is None
    assert len(await phase_advancements(db, w.s.judging.id)) == 4
    audits = (await db.scalars(select(AuditEntry).where(AuditEntry.action == "phase.advance"))).all()
    assert len(audits) == 1 and audits[0].actor_id is None
    assert len(await _notified(db, NotificationKind.TEAM_ELIMINATED)) == 3


async def test_winners_and_withdrawn_teams_keep_their_status(db: AsyncSession) -> None:
    w = await world(db)
    w.teams["Delta"].status = TeamStatus.WITHDRAWN
    w.teams["Gamma"].status = TeamStatus.WINNER
    await db.commit()
    await apply_advancement(db, SCHEDULER, NOW, w.s.judging)
    statuses = await _statuses(db, w)
    assert statuses["Delta"] is TeamStatus.WITHDRAWN and statuses["Gamma"] is TeamStatus.WINNER
    assert statuses["Beta"] is TeamStatus.ELIMINATED


async def test_manual_rules_and_strangers_are_refused(db: AsyncSession) -> None:
    w = await world(db, rule=AdvancementRule.MANUAL, value=None)
    with pytest.raises(Conflict):
        await apply_advancement(db, w.organizer, NOW, w.s.judging)
    stranger = await make_user(db, "stranger@example.com")
    with pytest.raises(NotFound):
        await apply_advancement(db, stranger, NOW, w.s.judging)
    with pytest.raises(NotFound):
        await override_advancement(
            db, stranger, NOW, w.s.judging, w.teams["Alpha"].id, AdvancementOutcome.ADVANCE, "Because"
        )


async def test_override_needs_a_reason_and_restores_an_eliminated_team(db: AsyncSession) -> None:
    w = await world(db)
    await apply_advancement(db, SCHEDULER, NOW, w.s.judging)
    delta = w.teams["Delta"]
    with pytest.raises(ValidationFailed) as refused:
        await override_advancement(db, w.organizer, NOW, w.s.judging, delta.id, AdvancementOutcome.ADVANCE, "  ")
    assert "reason" in refused.value.errors
    row = await override_advancement(
        db, w.organizer, NOW, w.s.judging, delta.id, AdvancementOutcome.ADVANCE, "Strong pitch on the day"
    )
    assert row.overridden and row.outcome is AdvancementOutcome.ADVANCE and row.reason == "Strong pitch on the day"
    assert (await _statuses(db, w))["Delta"] is TeamStatus.ACTIVE
    audit = await db.scalar(select(AuditEntry).where(AuditEntry.action == "advancement.override"))
    assert audit is not None and audit.reason == "Strong pitch on the day"
    assert audit.before is not None and audit.before["outcome"] == "eliminate"
    assert audit.after is not None and audit.after["outcome"] == "advance"
    told = await _notified(db, NotificationKind.TEAM_ADVANCED)
    assert w.captains["Delta"].id in [n.user_id for n in told]


async def test_the_undecided_incomplete_entry_is_decided_by_hand(db: AsyncSession) -> None:
    w = await world(db)
    await apply_advancement(db, SCHEDULER, NOW, w.s.judging)
    epsilon = w.teams["Epsilon"]
    await override_advancement(
        db, w.organizer, NOW, w.s.judging, epsilon.id, AdvancementOutcome.ELIMINATE, "Missing a judge, weak anyway"
    )
    assert (await _statuses(db, w))["Epsilon"] is TeamStatus.ELIMINATED
    rows = await phase_advancements(db, w.s.judging.id)
    assert rows[epsilon.id].rank is None and rows[epsilon.id].overridden


async def test_an_override_before_the_rule_is_kept(db: AsyncSession) -> None:
    w = await world(db)
    alpha = w.teams["Alpha"]
    await override_advancement(db, w.organizer, NOW, w.s.judging, alpha.id, AdvancementOutcome.ELIMINATE, "Left")
    report = await apply_advancement(db, SCHEDULER, NOW, w.s.judging)
    assert report is not None and report.kept == [alpha.id]
    assert (await phase_advancements(db, w.s.judging.id))[alpha.id].outcome is AdvancementOutcome.ELIMINATE


async def test_a_rule_without_its_value_is_refused_and_leaves_the_phase_unapplied(db: AsyncSession) -> None:
    w = await world(db, value=None)
    with pytest.raises(Conflict):
        await apply_advancement(db, w.organizer, NOW, w.s.judging)
    assert w.s.judging.advancement_applied_at is None
    assert await phase_advancements(db, w.s.judging.id) == {}
    w.s.judging.advancement_value = 1  # once the value is set, the rule applies
    assert await apply_advancement(db, w.organizer, NOW, w.s.judging) is not None
