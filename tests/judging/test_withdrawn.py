"""A withdrawn team's entry is never assigned nor ranked; its assignments and scorecards stay but count for nothing."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.models import AdvancementRule, NormalisationMode
from core.audit import AuditEntry
from core.errors import Conflict, NotFound, ValidationFailed
from judging.advancing import apply_advancement, override_advancement
from judging.assign_by_hand import assign_judge
from judging.assigning import auto_assign, declare_conflict
from judging.attachment_access import is_assigned_judge
from judging.awards import AwardInput, add_award, approve_award, publish_results
from judging.importing import import_scorecards
from judging.models import Advancement, AdvancementOutcome, Assignment, Award, Score, Scorecard
from judging.ranking import phase_ranking
from judging.rubric_reset import reopen_rubric
from judging.sheets import SheetInvalid
from judging.withdrawn import WITHDRAWN_ENTRY
from notifications.audiences import judges_with_unfinished
from teams.models import Entry, Team, TeamStatus
from tests.conftest import NOW, Browser
from tests.factories import Scenario, assign, make_campaign, make_entry, make_scorecard, make_team, make_user

ORGANIZER = "org@example.com"
WITHDRAWN_TEXT = "This team has withdrawn, so its entry is no longer judged."


@dataclass
class World:
    s: Scenario
    org: User
    judges: dict[str, User]
    entries: dict[str, Entry]
    url: str = ""

    @property
    def phase_url(self) -> str:
        return f"/campaigns/{self.s.campaign.id}/phases/{self.s.judging.id}"


async def world(db: AsyncSession, teams: tuple[str, ...], judges: tuple[str, ...] = ("ann", "bo", "cy")) -> World:
    org = await make_user(db, ORGANIZER)
    people = {name: await make_user(db, f"{name}@example.com", name=name.capitalize()) for name in judges}
    s = await make_campaign(db, organizer=org, judges=list(people.values()), stage="judging")
    entries = {}
    for name in teams:
        captain = await make_user(db, f"{name.lower()}-captain@example.com")
        team = await make_team(db, s, captain, name=name)
        entries[name] = await make_entry(db, team, s.submission, title=f"{name} idea")
    await db.commit()
    return World(s, org, people, entries, url=f"/campaigns/{s.campaign.id}")


async def withdraw(db: AsyncSession, *entries: Entry) -> None:
    await db.execute(update(Team).where(Team.id.in_([e.team_id for e in entries])).values(status=TeamStatus.WITHDRAWN))
    await db.commit()


async def pairs_of(db: AsyncSession, w: World) -> set[tuple[int, int]]:
    rows = await db.execute(
        select(Assignment.entry_id, Assignment.judge_id).where(Assignment.phase_id == w.s.judging.id)
    )
    found = {(e, j) for e, j in rows}
    await db.commit()
    return found


# --- never assigned -----------------------------------------------------------------------------


async def test_automatic_assignment_skips_the_entry_and_its_assignments_weigh_nothing(db: AsyncSession) -> None:
    w = await world(db, ("Blue", "Green", "Teal", "Plum", "Redwood"), judges=("ann", "bo", "cy", "di"))
    w.s.judging.required_judges = 1
    redwood, ann = w.entries["Redwood"], w.judges["ann"]
    await assign(db, w.s.judging, redwood, ann)  # by hand, before the team withdrew
    await make_scorecard(db, w.s, redwood, ann, [4], final=False)
    await db.commit()
    await withdraw(db, redwood)

    result = await auto_assign(db, w.org, NOW, w.s.judging, seed=5)
    await db.commit()

    assert result.entries == 4 and result.kept == 0 and not result.plan.short
    added = {(e, j) for e, j in result.plan.pairs}
    assert all(e != redwood.id for e, _ in added)
    # ann's assignment to the withdrawn entry is no load: four entries, four judges, one each
    assert Counter(j for _, j in added) == {j.id: 1 for j in w.judges.values()}
    # the assignment and the started scorecard are left in the database, as they were
    assert (redwood.id, ann.id) in await pairs_of(db, w)
    assert await db.scalar(select(Scorecard.id).where(Scorecard.entry_id == redwood.id)) is not None
    # a re-run leaves them alone too
    await auto_assign(db, w.org, NOW, w.s.judging, seed=6)
    await db.commit()
    assert (redwood.id, ann.id) in await pairs_of(db, w)

    with pytest.raises(NotFound) as refused:
        await assign_judge(db, w.org, NOW, w.s.judging, redwood.id, w.judges["bo"].id)
    assert refused.value.message == WITHDRAWN_ENTRY


async def test_assignment_by_hand_is_refused_with_the_reason(db: AsyncSession, browser: Browser) -> None:
    w = await world(db, ("Blue", "Redwood"))
    await withdraw(db, w.entries["Redwood"])
    await browser.sign_in(ORGANIZER)
    page = await browser.get(f"{w.phase_url}/assignments")
    assert page.status_code == 200 and "Blue idea" in page.text and "Redwood" not in page.text

    response = await browser.post(
        f"{w.phase_url}/assignments", {"entry_id": str(w.entries["Redwood"].id), "judge_id": str(w.judges["ann"].id)}
    )
    assert response.status_code == 404 and WITHDRAWN_TEXT in response.text  # a page older than the withdrawal
    assert await pairs_of(db, w) == set()


async def test_a_conflict_replacement_never_counts_withdrawn_assignments(db: AsyncSession) -> None:
    w = await world(db, ("Blue", "Green", "Redwood", "Rose"))
    w.s.judging.required_judges = 1
    ann, bo, cy = w.judges["ann"], w.judges["bo"], w.judges["cy"]
    await assign(db, w.s.judging, w.entries["Blue"], ann)
    await assign(db, w.s.judging, w.entries["Green"], cy)
    await assign(db, w.s.judging, w.entries["Redwood"], bo)
    await assign(db, w.s.judging, w.entries["Rose"], bo)
    await db.commit()
    await withdraw(db, w.entries["Redwood"], w.entries["Rose"])

    # bo's two assignments are withdrawn teams': bo is the least loaded (0), not cy (1)
    result = await declare_conflict(db, ann, NOW, w.s.judging.id, w.entries["Blue"].id, "My cousin")
    await db.commit()
    assert result.replacement_id == bo.id and result.missing == 0

    with pytest.raises(NotFound) as gone:
        await declare_conflict(db, bo, NOW, w.s.judging.id, w.entries["Redwood"].id, "")
    assert gone.value.message == "We could not find that entry."


async def test_a_sheet_row_for_the_entry_is_refused_and_nothing_is_imported(db: AsyncSession) -> None:
    w = await world(db, ("Blue", "Redwood"))
    await withdraw(db, w.entries["Redwood"])
    sheet = (
        "judge_email,entry,Impact,Feasibility,Originality,feedback,private_note\n"
        f"ann@example.com,{w.entries['Blue'].id},5,4,8,Fine,\n"
        "bo@example.com,Redwood,3,3,3,Late,\n"
    ).encode()
    with pytest.raises(SheetInvalid) as invalid:
        await import_scorecards(db, w.org, NOW, w.s.judging, sheet)
    assert [(e.row, e.column, e.message) for e in invalid.value.errors] == [(3, "entry", WITHDRAWN_ENTRY)]
    await db.rollback()
    assert await db.scalar(select(Scorecard.id)) is None and await db.scalar(select(Assignment.id)) is None


# --- never ranked -------------------------------------------------------------------------------


async def scored_world(db: AsyncSession) -> World:
    """Three teams scored by three judges; Redwood's cards are extreme, so they would move any normalisation."""
    w = await world(db, ("Blue", "Green", "Redwood"))
    cards = {"Blue": [[5, 4, 8], [4, 4, 7], [3, 5, 6]], "Green": [[3, 3, 5], [2, 4, 4], [4, 2, 5]]}
    cards["Redwood"] = [[1, 1, 0], [5, 5, 10], [1, 1, 0]]
    for name, values in cards.items():
        for judge, scores in zip(w.judges.values(), values, strict=True):
            await assign(db, w.s.judging, w.entries[name], judge)
            await make_scorecard(db, w.s, w.entries[name], judge, scores, feedback=f"{name} feedback")
    await db.commit()
    return w


@pytest.mark.parametrize("mode", list(NormalisationMode))
async def test_ranking_and_normalisation_ignore_the_entry(db: AsyncSession, mode: NormalisationMode) -> None:
    w = await scored_world(db)
    w.s.judging.normalisation = mode
    await db.commit()
    await withdraw(db, w.entries["Redwood"])

    ranking = await phase_ranking(db, w.s.judging)
    assert [row.team.name for row in ranking.rows] == ["Blue", "Green"]
    assert {t.entry_id for t in ranking.totals} == {w.entries["Blue"].id, w.entries["Green"].id}
    scores = {row.team.name: (row.score, row.raw_mean, row.rank) for row in ranking.rows}
    leniency = ranking.leniency
    # exactly as if Redwood's scorecards did not exist
    await db.execute(delete(Scorecard).where(Scorecard.entry_id == w.entries["Redwood"].id))
    without = await phase_ranking(db, w.s.judging)
    assert {row.team.name: (row.score, row.raw_mean, row.rank) for row in without.rows} == scores
    assert without.leniency == leniency
    await db.rollback()


async def test_advancement_and_awards_leave_the_team_out(db: AsyncSession) -> None:
    w = await scored_world(db)
    redwood = w.entries["Redwood"]
    # an award given while the team was still in, approved neither before nor after
    award = Award(campaign_id=w.s.campaign.id, name="Boldest idea", team_id=redwood.team_id)
    db.add(award)
    w.s.judging.advancement_rule, w.s.judging.advancement_value = AdvancementRule.TOP_N, 1
    await db.commit()
    await withdraw(db, redwood)

    report = await apply_advancement(db, w.org, NOW, w.s.judging)
    await db.commit()
    assert report is not None
    teams = {e.team_id: name for name, e in w.entries.items()}
    assert [teams[t] for t in report.advanced] == ["Blue"] and [teams[t] for t in report.eliminated] == ["Green"]
    assert redwood.team_id not in report.undecided
    assert await db.scalar(select(Advancement.id).where(Advancement.team_id == redwood.team_id)) is None
    assert await db.scalar(select(Team.status).where(Team.id == redwood.team_id)) is TeamStatus.WITHDRAWN
    with pytest.raises(NotFound):
        await override_advancement(db, w.org, NOW, w.s.judging, redwood.team_id, AdvancementOutcome.ADVANCE, "Why not")

    with pytest.raises(ValidationFailed) as refused:
        await add_award(db, w.org, NOW, w.s.campaign, AwardInput(name="Another", team_id=redwood.team_id))
    assert refused.value.errors == {"team_id": "Choose a team that has been ranked."}
    executive = await make_user(db, "exec@example.com", executive=True)
    with pytest.raises(Conflict) as not_approved:
        await approve_award(db, executive, NOW, w.s.campaign, award.id)
    assert "withdrawn" in not_approved.value.message
    await db.execute(update(Award).values(approved_at=NOW, approved_by_id=w.org.id))
    await db.commit()
    with pytest.raises(Conflict) as not_published:
        await publish_results(db, w.org, NOW, w.s.campaign)
    assert not_published.value.params == {"teams": "Redwood"}
    assert w.s.campaign.results_published_at is None
    await db.commit()


async def test_organizer_pages_and_exports_leave_the_team_out(db: AsyncSession, browser: Browser) -> None:
    w = await scored_world(db)
    await withdraw(db, w.entries["Redwood"])
    await browser.sign_in(ORGANIZER)
    for url in (
        f"{w.url}/results",
        f"{w.url}/results?scope=campaign",
        f"{w.phase_url}/progress",
        f"{w.phase_url}/assignments",
        f"{w.phase_url}/export/results.csv",
        f"{w.phase_url}/export/scorecards.csv",
    ):
        response = await browser.get(url)
        assert response.status_code == 200, url
        assert "Blue" in response.text and "Green" in response.text, url
        assert "Redwood" not in response.text, url
    scorecards = (await browser.get(f"{w.phase_url}/export/scorecards.csv")).text
    assert scorecards.count("Blue feedback") == 3 and "Redwood feedback" not in scorecards


# --- a team that withdraws after assignment -------------------------------------------------------


async def test_withdrawing_after_assignment_empties_the_judges_queue(db: AsyncSession, browser: Browser) -> None:
    org = await make_user(db, ORGANIZER)
    ann = await make_user(db, "ann@example.com", name="Ann")
    s = await make_campaign(db, organizer=org, judges=[ann], stage="submission")
    s.judging.required_judges = 1
    captains = {name: await make_user(db, f"{name.lower()}@example.com") for name in ("Blue", "Redwood")}
    entries = {}
    for name, captain in captains.items():
        entries[name] = await make_entry(db, await make_team(db, s, captain, name=name), s.submission)
    await db.commit()
    phase_url = f"/campaigns/{s.campaign.id}/phases/{s.judging.id}"

    await browser.sign_in(ORGANIZER)
    assert (await browser.post(f"{phase_url}/assignments/auto", {"seed": "1"})).status_code == 303
    await browser.sign_out()
    await make_scorecard(db, s, entries["Redwood"], ann, [4], final=False)  # ann had begun
    await db.commit()
    await browser.sign_in("ann@example.com")
    queue = await browser.get("/judging")
    assert "Blue idea" in queue.text and "Redwood idea" in queue.text
    await browser.sign_out()

    # Redwood's only member leaves: the team has an entry, so it is withdrawn
    await browser.sign_in("redwood@example.com")
    assert (await browser.post(f"/teams/{entries['Redwood'].team_id}/leave", {"dissolve": "1"})).status_code == 303
    await browser.sign_out()
    assert await db.scalar(select(Team.status).where(Team.id == entries["Redwood"].team_id)) is TeamStatus.WITHDRAWN
    await db.commit()

    await browser.sign_in("ann@example.com")
    queue = await browser.get("/judging")
    assert "Blue idea" in queue.text and "Redwood idea" not in queue.text
    home = await browser.get("/")
    assert "0 of 1 scorecards final" in home.text
    form_url = f"/judging/{s.judging.id}/entries/{entries['Redwood'].id}"
    form = await browser.get(form_url)
    assert form.status_code == 404 and WITHDRAWN_TEXT in form.text
    save = await browser.post(f"{form_url}/scores", {f"c{s.criteria[0].id}": "5"})
    assert save.status_code == 404
    assert not await is_assigned_judge(db, ann, entries["Redwood"])  # nor its files
    # kept in the database, counting for nothing
    assert await db.scalar(select(Assignment.id).where(Assignment.entry_id == entries["Redwood"].id)) is not None
    kept = await db.scalars(select(Score.value).join(Scorecard).where(Scorecard.entry_id == entries["Redwood"].id))
    assert kept.all() == [4]
    assert await judges_with_unfinished(db, s.judging.id) == {ann.id: 1}  # Blue only: no reminder for Redwood
    await db.commit()


async def test_a_rubric_reset_does_not_ask_to_finalise_the_entry_again(db: AsyncSession) -> None:
    w = await scored_world(db)
    di = await make_user(db, "di@example.com", name="Di")  # judged Redwood only
    await assign(db, w.s.judging, w.entries["Redwood"], di)
    await make_scorecard(db, w.s, w.entries["Redwood"], di, [2, 2, 2])
    await db.commit()
    await withdraw(db, w.entries["Redwood"])
    reopened = await reopen_rubric(db, w.org, NOW, w.s.judging, "Clearer guidance")
    await db.commit()
    assert reopened == 10  # every final card goes back to draft, so that the rubric unlocks
    audit = await db.scalar(select(AuditEntry).where(AuditEntry.action == "rubric.reset"))
    assert audit is not None and audit.after is not None and audit.after["judges"] == 3  # not di
    assert await judges_with_unfinished(db, w.s.judging.id) == {j.id: 2 for j in w.judges.values()}
