"""Copying a rubric from another campaign's judging phase."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit import AuditEntry
from core.errors import Conflict, NotFound
from judging.models import Criterion
from judging.rubric import rubric
from judging.rubric_copy import copy_rubric, copy_sources
from tests.conftest import NOW
from tests.factories import make_campaign, make_entry, make_scorecard, make_team, make_user


async def test_copies_every_field_in_order_and_audits(db: AsyncSession) -> None:
    org = await make_user(db, "org@example.com")
    past = await make_campaign(db, organizer=org, title="Past", stage="results")
    past.criteria[0].descriptors = {"1": "None", "5": "Compelling"}
    new = await make_campaign(db, organizer=org, title="New", criteria=[])
    await db.commit()

    sources = await copy_sources(db, org, new.judging)
    assert [s.phase.id for s in sources] == [past.judging.id]
    await copy_rubric(db, org, NOW, new.judging, past.judging.id)
    await db.commit()

    copied = await rubric(db, new.judging.id)
    assert [(c.name, c.weight, c.scale_min, c.scale_max, c.guidance, c.position) for c in copied] == [
        (c.name, c.weight, c.scale_min, c.scale_max, c.guidance, i) for i, c in enumerate(past.criteria)
    ]
    assert copied[0].descriptors == {"1": "None", "5": "Compelling"}
    audit = (await db.scalars(select(AuditEntry).where(AuditEntry.action == "rubric.copied"))).one()
    assert audit.after is not None and audit.after["source_phase_id"] == past.judging.id


async def test_refuses_a_non_empty_rubric_unless_replace(db: AsyncSession) -> None:
    org = await make_user(db, "org@example.com")
    past = await make_campaign(db, organizer=org, title="Past", criteria=[("Only", 1.0, 1, 3)])
    new = await make_campaign(db, organizer=org, title="New")
    await db.commit()

    with pytest.raises(Conflict):
        await copy_rubric(db, org, NOW, new.judging, past.judging.id)
    await copy_rubric(db, org, NOW, new.judging, past.judging.id, replace=True)
    await db.commit()
    assert [c.name for c in await rubric(db, new.judging.id)] == ["Only"]


async def test_refuses_a_locked_rubric(db: AsyncSession) -> None:
    org = await make_user(db, "org@example.com")
    judge = await make_user(db, "judge@example.com")
    cap = await make_user(db, "cap@example.com")
    past = await make_campaign(db, organizer=org, title="Past")
    new = await make_campaign(db, organizer=org, title="New", judges=[judge], stage="judging")
    entry = await make_entry(db, await make_team(db, new, cap), new.submission)
    await make_scorecard(db, new, entry, judge, [3, 3, 3])
    await db.commit()
    with pytest.raises(Conflict):
        await copy_rubric(db, org, NOW, new.judging, past.judging.id, replace=True)


async def test_sources_are_limited_to_organized_campaigns_except_for_leads(db: AsyncSession) -> None:
    org = await make_user(db, "org@example.com")
    other_org = await make_user(db, "org2@example.com")
    admin = await make_user(db, "admin@example.com", admin=True)
    foreign = await make_campaign(db, organizer=other_org, title="Foreign")
    new = await make_campaign(db, organizer=org, title="New", criteria=[])
    await db.commit()

    assert await copy_sources(db, org, new.judging) == []
    with pytest.raises(NotFound):
        await copy_rubric(db, org, NOW, new.judging, foreign.judging.id)
    with pytest.raises(NotFound):  # not an organizer of the target
        await copy_rubric(db, other_org, NOW, new.judging, foreign.judging.id)
    await copy_rubric(db, admin, NOW, new.judging, foreign.judging.id)
    await db.commit()
    count = len((await db.scalars(select(Criterion).where(Criterion.phase_id == new.judging.id))).all())
    assert count == 3
