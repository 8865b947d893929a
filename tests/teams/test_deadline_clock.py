"""Which instant decides a submission: the server's clock once the write holds the phase's lock.

Under load a request can wait after it arrived: for the server to read it, for a connection,
for the lock on the phase row that a close (or other saves) holds. The submission is judged
by the clock read after that lock is granted, inside the writing transaction; from then to its
commit the phase cannot close (the close waits for the lock), so the decision is the one the
commit would get. The frozen clock is moved while the request waits for the lock.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from campaigns.deadlines import effective_close
from core.clock import FrozenClock
from teams.models import Entry, EntryStatus, EntryVersion
from tests.conftest import Browser
from tests.factories import make_campaign, make_team, make_user


def wait_for_the_lock(monkeypatch: pytest.MonkeyPatch, clock: FrozenClock, waited: timedelta) -> list[Any]:
    """The phase's lock is granted ``waited`` after it was asked for; returns the instants it was granted."""
    import teams.write_window

    real: Callable[..., Awaitable[Any]] = teams.write_window.lock_phase
    granted: list[Any] = []

    async def slow(session: AsyncSession, phase_id: int) -> Any:
        clock.advance(waited)
        granted.append(clock.now())
        return await real(session, phase_id)

    monkeypatch.setattr("teams.entries.lock_phase", slow)
    return granted


def form(phase_id: int, title: str) -> dict[str, str]:
    return {"phase_id": str(phase_id), "title": title, "summary": "Half the errors.", "problem": "", "solution": ""}


@pytest.mark.parametrize("waited", [timedelta(seconds=2), timedelta(minutes=5)])
async def test_a_submission_that_arrived_in_time_but_got_the_lock_late_is_refused_and_kept(
    db: AsyncSession, browser: Browser, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch, waited: timedelta
) -> None:
    captain = await make_user(db, "cap@example.com")
    s = await make_campaign(db)
    team = await make_team(db, s, captain)
    await db.commit()
    deadline = effective_close(s.submission)
    clock.set(deadline - timedelta(seconds=1))  # the request arrives, and is read, one second before the deadline
    await browser.sign_in("cap@example.com")
    granted = wait_for_the_lock(monkeypatch, clock, waited)

    answer = await browser.post(f"/teams/{team.id}/entry/submit", form(s.submission.id, "Pick by light"))

    assert granted == [deadline - timedelta(seconds=1) + waited]
    page = (await browser.landing(answer)).text
    assert "The submission phase closed at" in page and "Your text was kept as a draft." in page
    entry = await db.scalar(select(Entry).where(Entry.team_id == team.id))
    versions = (await db.scalars(select(EntryVersion).order_by(EntryVersion.number))).all()
    await db.commit()
    assert entry is not None and entry.status is EntryStatus.DRAFT and entry.submitted_version is None
    assert [(v.title, v.submitted, v.saved_at) for v in versions] == [("Pick by light", False, granted[0])]


async def test_a_submission_that_gets_the_lock_before_the_deadline_is_accepted(
    db: AsyncSession, browser: Browser, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    captain = await make_user(db, "cap@example.com")
    s = await make_campaign(db)
    team = await make_team(db, s, captain)
    await db.commit()
    deadline = effective_close(s.submission)
    clock.set(deadline - timedelta(seconds=3))
    await browser.sign_in("cap@example.com")
    granted = wait_for_the_lock(monkeypatch, clock, timedelta(seconds=2))  # granted 1 s before the deadline

    answer = await browser.post(f"/teams/{team.id}/entry/submit", form(s.submission.id, "Pick by light"))

    page = (await browser.landing(answer)).text
    assert "Your entry is submitted: judges see version 1." in page
    entry = await db.scalar(select(Entry).where(Entry.team_id == team.id))
    await db.commit()
    assert entry is not None and entry.status is EntryStatus.SUBMITTED and entry.submitted_at == granted[0]
