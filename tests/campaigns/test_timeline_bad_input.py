"""Whatever is typed into the timeline's forms answers 4xx with a message, never a 500, and changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from campaigns.models import Phase
from core.audit import AuditEntry
from tests.conftest import Browser
from tests.factories import make_campaign, make_user

NASTY = [
    "",
    " ",
    "\x00",
    "2026-03-12T10:00\x00",
    "x" * 10_000,
    "2026-13-45T99:99",
    "２０２６-03-12T10:00",
    "9999-12-31T23:59",
    "0001-01-01T00:00",
    "2026-03-12T10:00+99:00",
    "-1",
    "1e309",
    "NaN",
    "‮2026-03-12",
    "🙂" * 300,
    "<script>alert(1)</script>",
]
FIELDS = ["kind", "name", "opens_at", "closes_at", "grace_minutes", "judges_phase_id", "required_judges"]


def _form(**overrides: str) -> dict[str, str]:
    form = {
        "kind": "results",
        "name": "Ceremony",
        "opens_at": "2026-04-20T09:00",
        "closes_at": "2026-04-30T09:00",
        "grace_minutes": "0",
        "judges_phase_id": "",
        "required_judges": "3",
    }
    form.update(overrides)
    return form


async def _counts(db: AsyncSession) -> tuple[int, int]:
    phases = await db.scalar(select(func.count(Phase.id)))
    audits = await db.scalar(select(func.count(AuditEntry.id)))
    await db.commit()
    return int(phases or 0), int(audits or 0)


@pytest.mark.parametrize("field", FIELDS)
async def test_nasty_values_in_every_phase_field(db: AsyncSession, browser: Browser, field: str) -> None:
    organizer = await make_user(db, "org@example.com")
    scenario = await make_campaign(db, organizer=organizer, stage="submission", timezone="Europe/Berlin")
    await db.commit()
    await browser.sign_in(organizer.email)
    cid, submission = scenario.campaign.id, scenario.submission
    before = await _counts(db)
    for value in NASTY:
        for url in (f"/campaigns/{cid}/phases", f"/campaigns/{cid}/phases/{submission.id}"):
            response = await browser.post(url, _form(**{field: value}))
            assert response.status_code < 500, (url, field, value[:40], response.text[:300])
            if response.status_code >= 400:
                # a NUL byte is refused before the form is read, for every route (web.input_guard)
                refused_at_edge = response.status_code == 400 and "\x00" in value and "NUL byte" in response.text
                assert (
                    refused_at_edge or 'class="field-error"' in response.text or 'class="flash error"' in response.text
                )
        reopen = await browser.post(
            f"/campaigns/{cid}/phases/{submission.id}/reopen", {"closes_at": value, "grace_minutes": value}
        )
        assert reopen.status_code < 500, (value[:40], reopen.text[:300])
    # the only valid ones (a plain name or a harmless number) may have saved; nothing else did
    if field not in ("name", "grace_minutes", "required_judges", "judges_phase_id", "kind"):
        assert await _counts(db) == before


async def test_unknown_and_foreign_phase_ids_answer_404(db: AsyncSession, browser: Browser) -> None:
    organizer = await make_user(db, "org@example.com")
    mine = await make_campaign(db, organizer=organizer, stage="submission")
    theirs = await make_campaign(db, stage="submission", title="Someone else's")
    await db.commit()
    await browser.sign_in(organizer.email)
    cid = mine.campaign.id
    for phase_id in (theirs.campaign.id * 1000, theirs.submission.id):
        for action in ("open", "close", "reopen"):
            response = await browser.post(f"/campaigns/{cid}/phases/{phase_id}/{action}", {"closes_at": ""})
            assert response.status_code == 404, (phase_id, action)
    for action in ("open", "close"):
        response = await browser.post(f"/campaigns/{theirs.campaign.id}/phases/{theirs.submission.id}/{action}")
        assert response.status_code == 404
    assert (await browser.get(f"/campaigns/{cid}/timeline?confirm_open=abc")).status_code == 400
    assert (await browser.get(f"/campaigns/{cid}/timeline?confirm_open=999999")).status_code == 200
