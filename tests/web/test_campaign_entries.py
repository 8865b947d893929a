"""Similar ideas (the entry page's panel, the organizer's list) and the organizer's teams-and-entries
list with its filters, search, pages and exports (issue 12)."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from campaigns.models import PhaseKind
from core.spreadsheet import unneutralise
from teams import similar_entries, similarity
from teams.models import Entry, EntryVersion, Team
from tests.conftest import Browser
from tests.factories import Scenario, make_campaign, make_department, make_entry, make_team, make_user

ORGANIZER = "org@example.com"
CAPTAIN = "cap@example.com"
IDEA = ("RFID gloves cut warehouse picking errors", "Scan every pick with RFID gloves so wrong items never ship.")
TWIN = ("RFID gloves for warehouse picks", "RFID gloves scan each pick to stop picking errors before packing.")
CHINESE = ("RFID手套减少仓库拣货错误", "每次拣货都用RFID手套扫码，包装前发现拣错的商品。")
OTHER = ("Payroll chatbot", "A chatbot answers questions on leave and payroll.")
FORMULA = '=HYPERLINK("http://evil.example","x")'


async def _text(db: AsyncSession, entry: Entry, title: str, summary: str) -> None:
    for model, where in ((Entry, Entry.id == entry.id), (EntryVersion, EntryVersion.entry_id == entry.id)):
        await db.execute(update(model).where(where).values(title=title, summary=summary, problem="", solution=""))


async def _world(db: AsyncSession) -> tuple[Scenario, Scenario, dict[str, Team]]:
    organizer = await make_user(db, ORGANIZER)
    sales, ops = await make_department(db, "Sales"), await make_department(db, "Operations")
    cap = await make_user(db, CAPTAIN, department=sales)
    mate = await make_user(db, "mate@example.com", department=ops)
    s = await make_campaign(db, organizer=organizer)
    hidden = await make_campaign(db, stage="draft", title="Draft campaign")
    past = await make_campaign(db, stage="results", title="Past campaign")
    teams: dict[str, Team] = {}
    plan = [
        ("Lights", s, IDEA, True, [mate]),
        ("Gloves", s, TWIN, True, []),
        ("Secret", s, TWIN, False, []),  # another team's draft: never shown
        ("Hidden", hidden, TWIN, True, []),  # a draft campaign the captain may not see
        ("Past twin", past, CHINESE, True, []),  # a past campaign, in Chinese
        ("100%_real <b>", s, OTHER, True, []),
        (FORMULA, s, OTHER, False, []),
    ]
    for number, (name, scenario, (title, summary), submitted, members) in enumerate(plan):
        captain = cap if name == "Lights" else await make_user(db, f"c{number}@example.com", department=sales)
        team = await make_team(
            db, scenario, captain, members=members, name=name, challenge=scenario.challenges[number % 2]
        )
        entry = await make_entry(db, team, scenario.phases[PhaseKind.SUBMISSION], submitted=submitted)
        await _text(db, entry, title, summary)
        teams[name] = team
    await db.commit()
    return s, past, teams


async def test_the_panel_shows_other_teams_submitted_entries_the_captain_may_see(
    db: AsyncSession, browser: Browser
) -> None:
    s, _past, teams = await _world(db)
    await browser.sign_in(CAPTAIN)
    page = await browser.get(f"/teams/{teams['Lights'].id}/entry")
    assert f"/teams/{teams['Lights'].id}/entry/similar" in page.text
    panel = await browser.get(f"/teams/{teams['Lights'].id}/entry/similar?phase={s.submission.id}")
    assert panel.status_code == 200
    assert TWIN[0] in panel.text and "Gloves" in panel.text
    assert CHINESE[0] in panel.text  # a past campaign, across languages
    assert "Secret" not in panel.text and "Hidden" not in panel.text
    assert IDEA[0] not in panel.text  # never the team's own entry
    assert OTHER[0] not in panel.text
    # another team's panel is not the captain's to see
    assert (await browser.get(f"/teams/{teams['Gloves'].id}/entry/similar")).status_code == 404


async def test_the_index_follows_a_new_submission(db: AsyncSession) -> None:
    s, _past, teams = await _world(db)
    viewer = await make_user(db, "viewer@example.com")
    first = await similar_entries.similar_to_text(db, viewer, similarity.entry_text(*OTHER), exclude_team_id=None)
    assert [found.team_name for found in first] == ["100%_real <b>"]
    # the FORMULA team submits a text like the chatbot: found without a refit
    before = await similar_entries.corpus(db)
    await db.execute(update(Entry).where(Entry.team_id == teams[FORMULA].id).values(submitted_version=1))
    formula_entry = await db.scalar(select(Entry.id).where(Entry.team_id == teams[FORMULA].id))
    await db.execute(update(EntryVersion).where(EntryVersion.entry_id == formula_entry).values(submitted=True))
    await db.flush()
    after = await similar_entries.corpus(db)
    assert after.index.size == before.index.size + 1
    again = await similar_entries.similar_to_text(db, viewer, similarity.entry_text(*OTHER), exclude_team_id=None)
    assert {found.team_name for found in again} == {"100%_real <b>", FORMULA}
    assert s.campaign.id in {found.campaign_id for found in again}


async def test_the_organizers_list_filters_searches_pages_and_counts_similar(
    db: AsyncSession, browser: Browser
) -> None:
    s, past, teams = await _world(db)
    await browser.sign_in(ORGANIZER)
    base = f"/campaigns/{s.campaign.id}/entries"
    page = await browser.get(base)
    assert page.status_code == 200

    def listed(answer: object, *names: str) -> set[str]:
        text = getattr(answer, "text", "")
        return {name for name in names if f'<a href="/teams/{teams[name].id}">' in text}

    every = ("Lights", "Gloves", "Secret", "Hidden", "Past twin", "100%_real <b>", FORMULA)
    assert listed(page, *every) == {"Lights", "Gloves", "Secret", "100%_real <b>", FORMULA}
    assert "100%_real &lt;b&gt;" in page.text and "100%_real <b>" not in page.text
    assert "similar" in page.text and "Past twin" in page.text  # the Chinese twin of a past campaign
    assert listed(await browser.get(base + "?submitted=yes"), *every) == {"Lights", "Gloves", "100%_real <b>"}
    assert listed(await browser.get(base + "?submitted=no"), *every) == {"Secret", FORMULA}
    assert listed(await browser.get(base + "?mix=mixed"), *every) == {"Lights"}
    assert "Lights" not in listed(await browser.get(base + "?mix=single&size=1"), *every)
    assert listed(await browser.get(base + "?size=2"), *every) == {"Lights"}
    by_challenge = listed(await browser.get(base + f"?challenge={s.challenges[1].id}"), *every)
    assert by_challenge == {"Gloves", "100%_real <b>"}
    # search: the wildcards are text, markup is escaped
    assert listed(await browser.get(base + "?q=%25"), *every) == {"100%_real <b>"}
    assert listed(await browser.get(base + "?q=_"), *every) == {"100%_real <b>"}
    assert listed(await browser.get(base + "?q=%3Cb%3E"), *every) == {"100%_real <b>"}
    assert listed(await browser.get(base + "?q=picks"), *every) == {"Gloves"}
    # a page past the end is the last page; nonsense filters are no filter
    assert "Gloves" in listed(await browser.get(base + "?page=99&status=nonsense&size=x"), *every)
    # a campaign the organizer does not organize: 404
    assert (await browser.get(f"/campaigns/{past.campaign.id}/entries")).status_code == 404


async def test_exports_honour_the_filters_and_neutralise_formulas(db: AsyncSession, browser: Browser) -> None:
    s, _past, _teams = await _world(db)
    await browser.sign_in(ORGANIZER)
    base = f"/campaigns/{s.campaign.id}/entries/export"
    teams_csv = await browser.get(base + "/teams.csv")
    assert teams_csv.status_code == 200 and teams_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(teams_csv.content.decode("utf-8-sig"))))
    names = [row[0] for row in rows[1:]]
    assert "'" + FORMULA in names and FORMULA not in names
    assert unneutralise("'" + FORMULA) == FORMULA
    filtered = list(
        csv.reader(io.StringIO((await browser.get(base + "/teams.csv?submitted=no")).content.decode("utf-8-sig")))
    )
    assert {row[0] for row in filtered[1:]} == {"Secret", "'" + FORMULA}
    book = load_workbook(io.BytesIO((await browser.get(base + "/entries.xlsx")).content))
    values = [row for row in book.active.iter_rows(values_only=True)]
    titles = {row[3] for row in values[1:]}
    assert TWIN[0] in titles and None in titles  # a draft's title is never exported
    members = load_workbook(io.BytesIO((await browser.get(base + "/members.xlsx?q=%25")).content))
    emails = {row[2] for row in members.active.iter_rows(min_row=2, values_only=True)}
    assert len(emails) == 1
    assert (await browser.get(base + "/secrets.csv")).status_code == 404
    assert (await browser.get(base + "/teams.pdf")).status_code == 404


async def test_a_participant_gets_404_on_the_organizers_list_and_exports(db: AsyncSession, browser: Browser) -> None:
    s, _past, _teams = await _world(db)
    await browser.sign_in(CAPTAIN)
    assert (await browser.get(f"/campaigns/{s.campaign.id}/entries")).status_code == 404
    assert (await browser.get(f"/campaigns/{s.campaign.id}/entries/export/teams.csv")).status_code == 404


async def test_platform_leads_see_similar_entries_of_draft_campaigns_participants_do_not(db: AsyncSession) -> None:
    await _world(db)
    admin = await make_user(db, "admin@example.com", admin=True)
    participant = await make_user(db, "p@example.com")
    text = similarity.entry_text(*TWIN)
    seen = {f.team_name for f in await similar_entries.similar_to_text(db, admin, text, exclude_team_id=None)}
    assert {"Gloves", "Hidden"} <= seen and "Secret" not in seen
    seen = {f.team_name for f in await similar_entries.similar_to_text(db, participant, text, exclude_team_id=None)}
    assert "Gloves" in seen and "Hidden" not in seen and "Secret" not in seen
