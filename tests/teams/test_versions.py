"""An entry's versions (teams.versions, web.controllers.entry_versions): opening one, comparing
two, restoring one, and two members saving at once (teams.entries.StaleBase)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from core.audit import AuditEntry
from teams.entries import StaleBase, save_draft, submit_entry
from teams.models import Entry, EntryStatus, EntryVersion, Team
from teams.rules import EntryPatch
from tests import factories as f
from tests.conftest import NOW, Browser, QueryCounter
from tests.teams.helpers import count, first, rows_of
from tests.web.test_double_submit import Instance, Rendezvous, at_once, instances, postgres

__all__ = ["instances", "postgres"]  # fixtures

TEXTS = [
    {"title": "Pick by light", "summary": "Carts with lights show the tote.", "problem": "我们减少错误"},
    {
        "title": "Pick by light",
        "summary": "Carts with small lights show which tote.",
        "problem": "我们大幅减少拣货错误",
    },
    {
        "title": "Pick by light",
        "summary": "Carts with small lights show which tote.",
        "problem": "<script>alert(1)</script>",
    },
]


@dataclass
class World:
    team: Team
    entry: Entry
    phase_id: int
    other_team: Team


async def _world(db: AsyncSession, versions: int = 3) -> World:
    """Ann and Bob's entry with ``versions`` versions (the last one submitted); Cid's team beside it;
    Olga organizes, Judy judges."""
    ann = await f.make_user(db, "ann@example.com", name="Ann Lee")
    bob = await f.make_user(db, "bob@example.com", name="Bob Stone")
    cid = await f.make_user(db, "cid@example.com", name="Cid")
    olga = await f.make_user(db, "olga@example.com")
    judy = await f.make_user(db, "judy@example.com")
    s = await f.make_campaign(db, organizer=olga, judges=[judy])
    team = await f.make_team(db, s, ann, members=[bob])
    other = await f.make_team(db, s, cid, name="Red Team")
    await f.make_entry(db, other, s.submission)
    entry = Entry(team_id=team.id, phase_id=s.submission.id, status=EntryStatus.SUBMITTED, submitted_version=versions)
    db.add(entry)
    await db.flush()
    for n in range(1, versions + 1):
        text = TEXTS[min(n, len(TEXTS)) - 1]
        db.add(
            EntryVersion(
                entry_id=entry.id,
                number=n,
                author_id=(ann if n % 2 else bob).id,
                submitted=n == versions,
                saved_at=NOW - timedelta(hours=versions - n + 1),
                **text,
            )
        )
        for name, value in text.items():
            setattr(entry, name, value)
    entry.submitted_at = NOW - timedelta(hours=1)
    await db.commit()
    return World(team, entry, s.submission.id, other)


def _form(phase_id: int, base: int | None, **fields: str) -> dict[str, str]:
    form = {"phase_id": str(phase_id), "title": "Pick by light", "summary": "Ours", "problem": "Mine"}
    if base is not None:
        form["base_version"] = str(base)
    form.update(fields)
    return form


async def test_a_member_opens_a_version_and_compares_two(db: AsyncSession, browser: Browser) -> None:
    w = await _world(db)
    await browser.sign_in("bob@example.com")
    base = f"/teams/{w.team.id}/entry"

    history = await browser.get(base)
    assert f'href="{base}/versions/2?phase={w.phase_id}"' in history.text
    assert f'action="/teams/{w.team.id}/entry/compare"' in history.text
    assert 'name="old" type="number" min="1" max="3"' in history.text and 'value="2" required' in history.text
    assert '<input type="hidden" name="base_version" id="base-version" value="3">' in history.text

    opened = await browser.get(f"{base}/versions/2?phase={w.phase_id}")
    assert opened.status_code == 200
    assert "Version 2" in opened.text and "Saved by Bob Stone" in opened.text
    assert "我们大幅减少拣货错误" in opened.text
    assert f'<time datetime="{(NOW - timedelta(hours=2)).isoformat()}"' in opened.text
    assert "Restore this version as a new draft" in opened.text

    # by default the newest against the one before; markup typed in the text stays text
    latest = await browser.get(f"{base}/compare?phase={w.phase_id}")
    assert latest.status_code == 200
    assert "Version 2 compared with version 3" in latest.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in latest.text and "<script>alert" not in latest.text
    assert "2 fields unchanged" in latest.text  # title and summary, collapsed; empty fields left out

    words = await browser.get(f"{base}/compare?phase={w.phase_id}&old=1&new=2")
    assert (
        '<ins><span class="visually-hidden">[added: </span> small<span class="visually-hidden">]</span></ins>'
        in words.text
    )
    assert (
        '<del><span class="visually-hidden">[removed: </span>the<span class="visually-hidden">]</span></del>'
        in words.text
    )
    assert '<ins><span class="visually-hidden">[added: </span>大幅' in words.text  # Chinese, by character
    assert "2 fields changed." in words.text


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/versions/9", 404),
        ("/versions/0", 404),
        ("/versions/-1", 404),
        (f"/versions/{2**40}", 404),  # beyond the 32-bit version number: no such version, not a 500
        ("/compare?old=1&new=9", 404),
        (f"/compare?old={2**40}&new=1", 404),
        ("/compare?old=one", 400),
    ],
)
async def test_bad_version_numbers(db: AsyncSession, browser: Browser, path: str, status: int) -> None:
    w = await _world(db, versions=2)
    await browser.sign_in("ann@example.com")
    assert (await browser.get(f"/teams/{w.team.id}/entry{path}")).status_code == status


async def test_only_members_see_the_versions(db: AsyncSession, browser: Browser) -> None:
    w = await _world(db, versions=2)
    base = f"/teams/{w.team.id}/entry"
    for person in ("cid@example.com", "olga@example.com", "judy@example.com"):
        await browser.sign_in(person)
        assert (await browser.get(f"{base}/versions/1")).status_code == 404, person
        assert (await browser.get(f"{base}/compare?old=1&new=2")).status_code == 404, person
        restored = await browser.post(f"{base}/versions/1/restore", {"phase_id": str(w.phase_id)})
        assert restored.status_code == 404, person
        await browser.sign_out()
    # Cid's own entry, asked for through Ann's team: 404 too
    await browser.sign_in("ann@example.com")
    assert (await browser.get(f"/teams/{w.other_team.id}/entry/versions/1")).status_code == 404
    assert (await browser.post(f"{base}/versions/7/restore", {"phase_id": str(w.phase_id)})).status_code == 404
    assert await count(db, EntryVersion, EntryVersion.entry_id == w.entry.id) == 2


async def test_restoring_an_old_version_makes_a_new_draft_and_is_audited(db: AsyncSession, browser: Browser) -> None:
    w = await _world(db)
    await browser.sign_in("ann@example.com")
    restored = await browser.post(f"/teams/{w.team.id}/entry/versions/1/restore", {"phase_id": str(w.phase_id)})
    page = await browser.landing(restored)
    assert "Version 1 is restored as a new draft, version 4." in page.text
    versions = await rows_of(
        db, select(EntryVersion).where(EntryVersion.entry_id == w.entry.id).order_by(EntryVersion.number)
    )
    assert [v.number for v in versions] == [1, 2, 3, 4]
    assert (versions[3].summary, versions[3].problem, versions[3].submitted) == (
        TEXTS[0]["summary"],
        "我们减少错误",
        False,
    )
    entry = await first(db, select(Entry).where(Entry.id == w.entry.id))
    assert entry.problem == "我们减少错误" and entry.submitted_version == 3  # judges still see version 3
    audit = await first(db, select(AuditEntry).where(AuditEntry.action == "entry.restore"))
    assert audit.before == {"version": 3} and audit.after == {"version": 4, "restored_from": 1}

    # restoring what the newest version holds already adds nothing
    again = await browser.landing(
        await browser.post(f"/teams/{w.team.id}/entry/versions/1/restore", {"phase_id": str(w.phase_id)})
    )
    assert "nothing to restore" in again.text
    assert await count(db, EntryVersion, EntryVersion.entry_id == w.entry.id) == 4
    assert await count(db, AuditEntry, AuditEntry.action == "entry.restore") == 1


async def test_a_save_based_on_an_older_version_is_refused_with_what_changed(
    db: AsyncSession, browser: Browser
) -> None:
    w = await _world(db, versions=1)
    save = f"/teams/{w.team.id}/entry/save"
    await browser.sign_in("bob@example.com")
    assert (await browser.post(save, _form(w.phase_id, 1, summary="Bob's better summary"))).status_code == 303
    await browser.sign_out()

    # Ann's form was based on version 1: refused, her text kept, Bob's change shown, the base moved on
    await browser.sign_in("ann@example.com")
    mine = _form(w.phase_id, 1, summary="Ann's <b>own</b> words", problem="Ann's problem")
    refused = await browser.post(save, mine)
    assert refused.status_code == 409
    assert "a teammate saved version 2 while you were editing version 1" in refused.text
    assert (
        "Ann&#39;s &lt;b&gt;own&lt;/b&gt; words</textarea>" in refused.text
        and "Ann&#39;s problem</textarea>" in refused.text
    )
    assert "Version 2 was saved by Bob Stone" in refused.text
    assert '<ins><span class="visually-hidden">[added: </span>Bob&#39;s better summary' in refused.text
    assert 'name="base_version" id="base-version" value="2"' in refused.text
    assert await count(db, EntryVersion, EntryVersion.entry_id == w.entry.id) == 2
    # a submission from the old base too; nothing is submitted
    submitted = await browser.post(f"/teams/{w.team.id}/entry/submit", mine)
    assert submitted.status_code == 409 and "Ann&#39;s problem</textarea>" in submitted.text
    # the autosave: the same refusal, as a fragment that app.js recognises and does not retry
    autosave = await browser.post(save, mine, htmx=True)
    assert autosave.status_code == 409 and autosave.headers["x-entry-conflict"] == "1"
    assert 'id="entry-conflict" hx-swap-oob="true"' in autosave.text and "Bob&#39;s better summary" in autosave.text
    assert 'id="base-version" value="2" hx-swap-oob="true"' in autosave.text

    # merged by hand, saved on the newest version: it goes through
    merged = await browser.post(save, _form(w.phase_id, 2, summary="Bob's better summary, Ann's words"), htmx=True)
    assert merged.status_code == 200 and "x-entry-conflict" not in merged.headers
    assert 'id="base-version" value="3" hx-swap-oob="true"' in merged.text
    assert '<div id="entry-conflict" hx-swap-oob="true">' in merged.text and "A teammate saved" not in merged.text
    entry = await first(db, select(Entry).where(Entry.id == w.entry.id))
    assert entry.summary == "Bob's better summary, Ann's words" and entry.status is EntryStatus.SUBMITTED


async def test_the_services_check_the_base_only_when_one_is_named(db: AsyncSession) -> None:
    w = await _world(db, versions=2)
    team_id, phase_id = w.team.id, w.phase_id

    async def ann() -> User:
        found = await db.scalar(select(User).where(User.email == "ann@example.com"))
        assert found is not None
        return found

    patch = EntryPatch({"summary": "new"})
    with pytest.raises(StaleBase) as stale:
        await save_draft(db, await ann(), team_id, phase_id, patch, NOW, base=1)
    assert (stale.value.base, stale.value.latest, stale.value.status_code) == (1, 2, 409)
    await db.rollback()
    with pytest.raises(StaleBase):
        await submit_entry(db, await ann(), team_id, phase_id, patch, NOW, base=0)
    await db.rollback()
    assert (await save_draft(db, await ann(), team_id, phase_id, patch, NOW)).number == 3  # no base: not checked
    newer = EntryPatch({"summary": "newer"})
    assert (await save_draft(db, await ann(), team_id, phase_id, newer, NOW, base=3)).number == 4
    await db.commit()


async def test_two_members_saving_from_the_same_version_at_once_one_wins(
    db: AsyncSession, instances: tuple[Instance, Instance], monkeypatch: pytest.MonkeyPatch, postgres: bool
) -> None:
    w = await _world(db, versions=1)
    one, two = instances
    one.sign_in("ann@example.com")
    two.sign_in("bob@example.com")
    # both read the entry's phase before either takes the entry's lock (PostgreSQL)
    Rendezvous(monkeypatch, "teams.entries.lock_phase", active=postgres)
    save = f"/teams/{w.team.id}/entry/save"
    answers = at_once(
        lambda: one.post(save, _form(w.phase_id, 1, summary="Ann's")),
        lambda: two.post(save, _form(w.phase_id, 1, summary="Bob's")),
    )
    assert sorted(a.status_code for a in answers) == [303, 409]
    assert await count(db, EntryVersion, EntryVersion.entry_id == w.entry.id) == 2
    loser = next(a for a in answers if a.status_code == 409)
    assert "a teammate saved version 2 while you were editing version 1" in loser.text


async def test_the_compare_page_sends_as_many_statements_at_30_versions_as_at_3(
    db: AsyncSession, browser: Browser, queries: QueryCounter
) -> None:
    w = await _world(db, versions=3)
    await browser.sign_in("ann@example.com")
    url = f"/teams/{w.team.id}/entry/compare?phase={w.phase_id}&old=1&new=3"

    async def counted() -> int:
        assert (await browser.get(url)).status_code == 200
        queries.reset()
        assert (await browser.get(url)).status_code == 200
        return queries.count

    small = await counted()
    db.add_all(
        EntryVersion(entry_id=w.entry.id, number=n, author_id=w.team.captain_id, saved_at=NOW, summary=f"v{n}")
        for n in range(4, 31)
    )
    await db.commit()
    large = await counted()
    print(f"compare page statements: {small} at 3 versions, {large} at 30")
    assert large == small
