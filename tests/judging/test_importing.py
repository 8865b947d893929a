"""Importing scorecards from a sheet: organizers only, all or nothing, final, audited."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from core.audit import AuditEntry
from core.errors import Conflict, NotFound
from judging.importing import import_scorecards
from judging.models import (
    Assignment,
    AssignmentSource,
    ConflictDeclaration,
    JudgeChallenge,
    Scorecard,
    ScorecardStatus,
)
from judging.rubric import rubric_locked
from judging.sheets import SheetInvalid
from teams.models import Entry
from tests.conftest import NOW
from tests.factories import Scenario, assign, make_campaign, make_entry, make_scorecard, make_team, make_user

HEADER = "judge_email,entry,Impact,Feasibility,Originality,feedback,private_note\n"


@dataclass
class World:
    scenario: Scenario
    organizer: User
    ann: User
    bo: User
    blue: Entry
    red: Entry


async def arrange(db: AsyncSession) -> World:
    organizer = await make_user(db, "org@example.com")
    ann = await make_user(db, "ann@example.com")
    bo = await make_user(db, "bo@example.com")
    captain = await make_user(db, "cap@example.com")
    other = await make_user(db, "other@example.com")
    scenario = await make_campaign(db, organizer=organizer, judges=[ann, bo], stage="judging")
    blue = await make_entry(db, await make_team(db, scenario, captain, name="Blue Team"), scenario.submission)
    red = await make_entry(db, await make_team(db, scenario, other, name="Red Team", members=[bo]), scenario.submission)
    await assign(db, scenario.judging, blue, ann)
    await db.commit()
    return World(scenario, organizer, ann, bo, blue, red)


async def cards(db: AsyncSession, phase_id: int) -> list[Scorecard]:
    found = (
        await db.scalars(
            select(Scorecard)
            .where(Scorecard.phase_id == phase_id)
            .order_by(Scorecard.id)
            .execution_options(populate_existing=True)
        )
    ).all()
    return list(found)


async def test_imports_final_scorecards_and_assigns_by_hand(db: AsyncSession) -> None:
    w = await arrange(db)
    data = (HEADER + f"ann@example.com,{w.blue.id},5,4,10,Great,secret\nann@example.com,Red Team,1,2,3,,\n").encode()

    report = await import_scorecards(db, w.organizer, NOW, w.scenario.judging, data)
    await db.commit()

    assert (report.created, report.replaced, report.assigned) == (2, 0, 1)
    found = await cards(db, w.scenario.judging.id)
    assert [(c.entry_id, c.status, c.finalised_at, c.private_note) for c in found] == [
        (w.blue.id, ScorecardStatus.FINAL, NOW, "secret"),
        (w.red.id, ScorecardStatus.FINAL, NOW, ""),
    ]
    source = await db.scalar(
        select(Assignment.source).where(Assignment.entry_id == w.red.id, Assignment.judge_id == w.ann.id)
    )
    assert source is AssignmentSource.MANUAL
    assert await rubric_locked(db, w.scenario.judging.id)
    audit = (await db.scalars(select(AuditEntry).where(AuditEntry.action == "scorecards.imported"))).one()
    assert audit.after == {"rows": 2, "created": 2, "replaced": 0, "assigned": 1}


async def test_one_bad_row_imports_nothing(db: AsyncSession) -> None:
    w = await arrange(db)
    data = (HEADER + f"ann@example.com,{w.blue.id},5,4,10,,\nann@example.com,{w.red.id},9,4,10,,\n").encode()

    phase_id = w.scenario.judging.id
    with pytest.raises(SheetInvalid) as caught:
        await import_scorecards(db, w.organizer, NOW, w.scenario.judging, data)
    await db.rollback()

    assert [(e.row, e.column) for e in caught.value.errors] == [(3, "Impact")]
    assert await cards(db, phase_id) == []


async def test_database_checks_name_the_row(db: AsyncSession) -> None:
    w = await arrange(db)
    db.add(ConflictDeclaration(phase_id=w.scenario.judging.id, entry_id=w.blue.id, judge_id=w.bo.id, declared_at=NOW))
    await make_scorecard(db, w.scenario, w.blue, w.ann, [3, 3, 3])
    await db.commit()
    data = (
        HEADER
        + f"ann@example.com,{w.blue.id},5,4,10,,\n"  # already final
        + f"bo@example.com,{w.blue.id},5,4,10,,\n"  # declared a conflict
        + f"bo@example.com,{w.red.id},5,4,10,,\n"  # member of Red Team
    ).encode()

    phase_id = w.scenario.judging.id
    with pytest.raises(SheetInvalid) as caught:
        await import_scorecards(db, w.organizer, NOW, w.scenario.judging, data)
    await db.rollback()

    assert [(e.row, e.column) for e in caught.value.errors] == [(2, "entry"), (3, "entry"), (4, "entry")]
    assert "replace" in caught.value.errors[0].message
    assert "conflict" in caught.value.errors[1].message
    assert "member" in caught.value.errors[2].message
    assert len(await cards(db, phase_id)) == 1


async def test_replace_overwrites_a_final_scorecard_with_an_audit_row(db: AsyncSession) -> None:
    w = await arrange(db)
    await make_scorecard(db, w.scenario, w.blue, w.ann, [3, 3, 3], feedback="old")
    await db.commit()
    data = (HEADER + f"ann@example.com,{w.blue.id},5,4,10,new,\n").encode()

    report = await import_scorecards(db, w.organizer, NOW, w.scenario.judging, data, replace=True)
    await db.commit()

    assert (report.created, report.replaced) == (0, 1)
    (card,) = await cards(db, w.scenario.judging.id)
    assert card.feedback == "new"
    audit = (await db.scalars(select(AuditEntry).where(AuditEntry.action == "scorecard.replaced_by_import"))).one()
    assert audit.before is not None and audit.before["feedback"] == "old"
    assert audit.after is not None and sorted(audit.after["scores"].values()) == [4, 5, 10]


async def test_only_organizers_of_the_campaign_may_import(db: AsyncSession) -> None:
    w = await arrange(db)
    stranger = await make_user(db, "org2@example.com")
    await make_campaign(db, organizer=stranger, title="Other")
    await db.commit()
    data = (HEADER + f"ann@example.com,{w.blue.id},5,4,10,,\n").encode()

    for actor in (w.ann, stranger):
        with pytest.raises(NotFound):
            await import_scorecards(db, actor, NOW, w.scenario.judging, data)
    total = await db.scalar(select(func.count()).select_from(Scorecard))
    assert total == 0


async def test_refused_once_results_are_published(db: AsyncSession) -> None:
    w = await arrange(db)
    w.scenario.campaign.results_published_at = NOW
    await db.commit()
    with pytest.raises(Conflict):
        await import_scorecards(db, w.organizer, NOW, w.scenario.judging, HEADER.encode())


async def test_a_judge_limited_to_other_challenges_is_an_error(db: AsyncSession) -> None:
    w = await arrange(db)
    other = w.scenario.challenges[1].id
    db.add(JudgeChallenge(campaign_id=w.scenario.campaign.id, judge_id=w.ann.id, challenge_id=other))
    await db.commit()
    data = (HEADER + f"ann@example.com,{w.red.id},5,4,10,,\n").encode()
    with pytest.raises(SheetInvalid) as caught:
        await import_scorecards(db, w.organizer, NOW, w.scenario.judging, data)
    assert [(e.row, e.column) for e in caught.value.errors] == [(2, "judge_email")]
