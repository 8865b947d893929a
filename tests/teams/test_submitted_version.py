"""What others see of an entry is its last version submitted in time (issue 10).

A team that submitted in time may still save drafts after the deadline (a late submit is
refused): organizers, judges, the sponsor, results, exports and every list show the submitted
version, never the draft; only the team sees its draft, marked as one. And the save route
changes only the fields a request sent: a missing field or an empty body never blanks saved text.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import FrozenClock
from teams.models import Entry, EntryVersion
from tests.conftest import Browser
from tests.factories import assign, make_campaign, make_entry, make_scorecard, make_team, make_user
from tests.teams.helpers import first, rows_of, switch_to
from tests.teams.test_entry import entry_form

SUBMITTED = "Pick by light"
LATE = "LATE DRAFT never shown"
ORGANIZER = "org@example.com"
SPONSOR = "exec@example.com"
JUDGE = "judge@example.com"
OTHER = "someone@example.com"


async def test_others_see_the_version_submitted_in_time_never_a_late_draft(
    db: AsyncSession, browser: Browser, clock: FrozenClock
) -> None:
    organizer = await make_user(db, ORGANIZER)
    sponsor = await make_user(db, SPONSOR, executive=True)
    judge = await make_user(db, JUDGE, name="Jo Judge")
    await make_user(db, OTHER)
    cap = await make_user(db, "cap@example.com")
    mate = await make_user(db, "mate@example.com")
    s = await make_campaign(db, organizer=organizer, sponsor=sponsor, judges=[judge])
    s.judging.required_judges = 1  # one final scorecard ranks the entry
    team = await make_team(db, s, cap, members=[mate], name="Lights")
    # a second team that never submitted: listed nowhere with a title
    quiet_cap = await make_user(db, "quiet@example.com")
    quiet = await make_team(db, s, quiet_cap, name="Quiet", challenge=s.challenges[1])
    quiet_entry = await make_entry(db, quiet, s.submission, submitted=False, title="QUIET DRAFT never shown")
    await db.commit()
    phase, judging = s.submission, s.judging
    cid = s.campaign.id

    # in time: submitted
    await browser.sign_in(cap.email)
    submitted = await browser.post(f"/teams/{team.id}/entry/submit", entry_form(phase.id, title=SUBMITTED))
    assert submitted.status_code == 303

    # after the deadline: a draft is saved (allowed), the submit is refused with 409
    clock.set(phase.closes_at + timedelta(hours=1))
    await switch_to(browser, mate.email)
    draft = await browser.post(f"/teams/{team.id}/entry/save", entry_form(phase.id, title=LATE), htmx=True)
    assert draft.status_code == 200
    late = await browser.post(f"/teams/{team.id}/entry/submit", entry_form(phase.id, title=LATE), htmx=True)
    assert late.status_code == 409
    entry = await first(db, select(Entry).where(Entry.team_id == team.id))
    assert (entry.title, entry.submitted_version, entry.submitted_title) == (LATE, 1, SUBMITTED)
    versions = await rows_of(db, select(EntryVersion).where(EntryVersion.entry_id == entry.id))
    assert {(v.submitted, v.title) for v in versions} == {(True, SUBMITTED), (False, LATE)}

    # judging: the judge is assigned and scores
    entry = await db.get(Entry, entry.id)
    assert entry is not None
    await assign(db, judging, entry, judge)
    await make_scorecard(db, s, entry, judge, [4, 4, 8], feedback="Clear and useful.")
    await db.commit()

    def shows_submitted(text: str, where: str) -> None:
        assert SUBMITTED in text, where
        assert LATE not in text, where
        assert "QUIET DRAFT" not in text, where

    # the organizer: results, exports, progress, assignments, advancement, the team page, the winners page
    await switch_to(browser, ORGANIZER)
    base = f"/campaigns/{cid}/phases/{judging.id}"
    for url in (
        f"/campaigns/{cid}/results",
        f"/campaigns/{cid}/results?scope=campaign",
        f"{base}/progress",
        f"{base}/assignments",
        f"/teams/{team.id}",
    ):
        page = await browser.get(url)
        assert page.status_code == 200, url
        shows_submitted(page.text, url)
    progress = (await browser.get(f"{base}/progress")).text
    assert "Quiet" not in progress or "(not submitted)" in progress
    quiet_page = (await browser.get(f"/teams/{quiet.id}")).text
    assert "QUIET DRAFT" not in quiet_page and "Not submitted yet." in quiet_page
    advancement = await browser.get(f"{base}/advancement")
    assert advancement.status_code == 200 and LATE not in advancement.text

    for kind in ("results", "scorecards"):
        as_csv = await browser.get(f"{base}/export/{kind}.csv")
        assert as_csv.status_code == 200, kind
        table = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
        titles = [row[table[0].index("entry_title")] for row in table[1:]]
        assert titles == [SUBMITTED], (kind, table)
        as_xlsx = await browser.get(f"{base}/export/{kind}.xlsx")
        assert as_xlsx.status_code == 200, kind
        rows = [list(r) for r in load_workbook(io.BytesIO(as_xlsx.content)).worksheets[0].iter_rows(values_only=True)]
        titles = [row[rows[0].index("entry_title")] for row in rows[1:]]
        assert titles == [SUBMITTED], (kind, rows)
        assert LATE not in as_csv.text

    award = await browser.post(f"/campaigns/{cid}/awards", {"name": "Best idea", "team_id": str(team.id)})
    assert award.status_code == 303
    winners = await browser.get(f"/campaigns/{cid}/winners")
    assert winners.status_code == 200 and LATE not in winners.text and "Lights" in winners.text
    notifications = await browser.get("/notifications")
    assert notifications.status_code == 200 and LATE not in notifications.text

    # the sponsor (an executive) sees the team page and the awards to approve
    await switch_to(browser, SPONSOR)
    shows_submitted((await browser.get(f"/teams/{team.id}")).text, "sponsor's team page")
    approval = await browser.get(f"/campaigns/{cid}/awards/approval")
    assert approval.status_code == 200 and LATE not in approval.text
    assert LATE not in (await browser.get(f"/campaigns/{cid}/results")).text

    # the judge: the queue and the score form show the submitted version; the team page is not theirs
    await switch_to(browser, JUDGE)
    shows_submitted((await browser.get("/judging")).text, "judge queue")
    shows_submitted((await browser.get(f"/judging/{judging.id}/entries/{entry.id}")).text, "score form")
    hidden = await browser.get(f"/teams/{team.id}")
    assert hidden.status_code == 404 and LATE not in hidden.text

    # another employee: no team page, nothing of the draft
    await switch_to(browser, OTHER)
    hidden = await browser.get(f"/teams/{team.id}")
    assert hidden.status_code == 404 and LATE not in hidden.text
    campaign_page = await browser.get(f"/campaigns/{cid}")
    assert campaign_page.status_code == 200 and LATE not in campaign_page.text

    # the team sees its own draft, marked as one, beside the version judges see
    await switch_to(browser, cap.email)
    own = (await browser.get(f"/teams/{team.id}")).text
    assert LATE in own and "Draft" in own and f"Judges see the submitted version: {SUBMITTED}" in own
    form = (await browser.get(f"/teams/{team.id}/entry")).text
    assert f'value="{LATE}"' in form
    assert "Judges see the submitted version until you submit again." in form
    assert quiet_entry.id  # the never-submitted entry stayed out of every list above


async def test_the_save_route_changes_only_the_fields_sent(db: AsyncSession, browser: Browser) -> None:
    cap = await make_user(db, "cap@example.com")
    s = await make_campaign(db)
    team = await make_team(db, s, cap)
    await db.commit()
    phase = s.submission
    await browser.sign_in(cap.email)
    url = f"/teams/{team.id}/entry"
    assert (await browser.post(f"{url}/save", entry_form(phase.id))).status_code == 303

    async def saved() -> tuple[Entry, list[EntryVersion]]:
        entry = await first(db, select(Entry).where(Entry.team_id == team.id))
        versions = await rows_of(db, select(EntryVersion).where(EntryVersion.entry_id == entry.id))
        return entry, versions

    before, versions = await saved()
    assert len(versions) == 1

    # an autosave of one field keeps every other field's text
    partial = await browser.post(f"{url}/save", {"phase_id": str(phase.id), "summary": "Shorter."}, htmx=True)
    assert partial.status_code == 200
    entry, versions = await saved()
    assert (entry.title, entry.summary, entry.solution, entry.prototype_url) == (
        before.title,
        "Shorter.",
        before.solution,
        before.prototype_url,
    )
    assert len(versions) == 2 and versions[-1].title == before.title

    # a body with none of the fields, plain or htmx, is a 400 that says so; nothing is saved
    for htmx in (False, True):
        for body in ({}, {"phase_id": str(phase.id)}, {"titel": "typo", "x": "y"}):
            empty = await browser.post(f"{url}/save", body, htmx=htmx)
            assert empty.status_code == 400, (htmx, body, empty.text[:300])
            assert "none of the entry&#39;s fields" in empty.text or "none of the entry's fields" in empty.text
    # nor is a body that is not a form at all
    raw = await browser.post(
        f"{url}/save", content=b"\x00\xff{not a form", headers={"content-type": "application/octet-stream"}
    )
    assert raw.status_code == 400
    json_body = await browser.post(f"{url}/save", json={"title": ""})
    assert json_body.status_code == 400
    # a text field sent as a file is not text: it is left as saved
    upload = await browser.post(
        f"{url}/save",
        {"phase_id": str(phase.id), "problem": "Still wrong bins."},
        files={"title": ("t.txt", b"", "text/plain")},
    )
    assert upload.status_code == 303
    entry, versions = await saved()
    assert (entry.title, entry.summary, entry.problem) == (before.title, "Shorter.", "Still wrong bins.")
    assert len(versions) == 3

    # the submit route too: an empty body is refused and submits nothing
    refused = await browser.post(f"{url}/submit", {"phase_id": str(phase.id)}, htmx=True)
    assert refused.status_code == 400
    entry, versions = await saved()
    assert entry.submitted_version is None and len(versions) == 3
    # a submit that sends only some fields submits them over the saved text
    done = await browser.post(f"{url}/submit", {"phase_id": str(phase.id), "video_url": ""})
    assert done.status_code == 303
    entry, versions = await saved()
    assert entry.submitted_version == 4 and entry.submitted_title == before.title
    assert (versions[-1].summary, versions[-1].problem) == ("Shorter.", "Still wrong bins.")
    # an emptied field that was sent is emptied: clearing is a choice, leaving out is not
    cleared = await browser.post(f"{url}/save", {"phase_id": str(phase.id), "summary": ""})
    assert cleared.status_code == 303
    entry, _versions = await saved()
    assert entry.summary == "" and entry.title == before.title
