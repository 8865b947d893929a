"""The organizer's results page, awards and publication, and the winners page, through HTTP."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.models import Campaign, Phase, PhaseKind, PhaseStatus
from core.audit import AuditEntry
from judging.models import Award
from teams.models import Entry, Team, TeamStatus
from tests.conftest import NOW, Browser, QueryCounter
from tests.factories import Scenario, make_campaign, make_entry, make_scorecard, make_team, make_user

ORGANIZER = "org@example.com"


@dataclass
class World:
    s: Scenario
    judges: list[User]
    teams: dict[str, Team]
    entries: dict[str, Entry]
    url: str = ""


async def add_team(db: AsyncSession, w: World, name: str, cards: list[list[int]], challenge: int = 0) -> None:
    captain = await make_user(db, f"{name.lower()}@example.com")
    team = await make_team(db, w.s, captain, name=name, challenge=w.s.challenges[challenge])
    entry = await make_entry(db, team, w.s.submission, title=f"{name} entry")
    for judge, values in zip(w.judges, cards, strict=False):
        await make_scorecard(db, w.s, entry, judge, values)
    w.teams[name], w.entries[name] = team, entry


async def world(db: AsyncSession, stage: str = "judging") -> World:
    organizer = await make_user(db, ORGANIZER)
    judges = [await make_user(db, f"judge{i}@example.com", name=f"Judge Person {i}") for i in (1, 2, 3)]
    s = await make_campaign(db, stage=stage, organizer=organizer, judges=judges)  # type: ignore[arg-type]
    w = World(s, judges, {}, {}, url=f"/campaigns/{s.campaign.id}")
    # totals: (5,5,10) = 100, (5,3,5) = 75, (3,3,5) = 50
    await add_team(db, w, "Alpha", [[5, 5, 10]] * 3)  # 100: rank 1
    await add_team(db, w, "Beta", [[5, 3, 5]] * 3)  # 75: rank 2, tied
    await add_team(db, w, "Gamma", [[5, 3, 5]] * 3)  # 75: rank 2, tied
    await add_team(db, w, "Delta", [[3, 3, 5]] * 3)  # 50: rank 4
    await add_team(db, w, "Epsilon", [[5, 5, 10]] * 2)  # 2 of 3 scorecards: incomplete
    await add_team(db, w, "Zeta", [[3, 3, 5]] * 3, challenge=1)  # alone in challenge 2: rank 1
    await db.commit()
    return w


def row_of(html: str, entry: Entry, phase: Phase) -> str:
    start = html.index(f'id="phase-{phase.id}-entry-{entry.id}"')
    return html[start : html.index("</tr>", start)]


async def test_organizer_sees_the_ranking_per_challenge(db: AsyncSession, browser: Browser) -> None:
    w = await world(db)
    await browser.sign_in(ORGANIZER)
    response = await browser.get(f"{w.url}/results?scope=challenge")
    assert response.status_code == 200
    html = response.text
    phase = w.s.judging
    assert '<td class="num">1</td>' in row_of(html, w.entries["Alpha"], phase)
    for name in ("Beta", "Gamma"):  # equal everything: the rank is shared (1, 2, 2, 4)
        assert '<td class="num">2</td>' in row_of(html, w.entries[name], phase)
        assert "Tie" in row_of(html, w.entries[name], phase)
    assert '<td class="num">4</td>' in row_of(html, w.entries["Delta"], phase)
    epsilon = row_of(html, w.entries["Epsilon"], phase)
    assert "Incomplete" in epsilon and '<td class="num">—</td>' in epsilon and "2 of 3" in epsilon
    assert '<td class="num">1</td>' in row_of(html, w.entries["Zeta"], phase)  # ranked in its own challenge
    assert "100.00" in row_of(html, w.entries["Alpha"], phase)
    # judging progress: 5 complete entries × 3 + 2 = 17 of 6 × 3 = 18
    assert "17 of 18 final scorecards; 5 of 6 entries complete" in html

    campaign_wide = (await browser.get(f"{w.url}/results?scope=campaign")).text
    # campaign-wide: Alpha 100 → 1; Beta, Gamma 75 → 2, 2; Delta and Zeta (challenge 2) 50 → 4, 4
    assert '<td class="num">4</td>' in row_of(campaign_wide, w.entries["Delta"], phase)
    assert '<td class="num">4</td>' in row_of(campaign_wide, w.entries["Zeta"], phase)
    assert "Challenge 2" in row_of(campaign_wide, w.entries["Zeta"], phase)


async def test_results_are_for_organizers_of_this_campaign_only(db: AsyncSession, browser: Browser) -> None:
    w = await world(db)
    other_org = await make_user(db, "other-org@example.com")
    other = await make_campaign(db, organizer=other_org, stage="judging", title="Another campaign")
    await db.commit()
    await browser.sign_in("other-org@example.com")
    assert (await browser.get(f"/campaigns/{other.campaign.id}/results")).status_code == 200
    assert (await browser.get(f"{w.url}/results")).status_code == 404
    response = await browser.post(f"{w.url}/awards", {"name": "Best", "team_id": str(w.teams["Alpha"].id)})
    assert response.status_code == 404
    assert (await browser.post(f"{w.url}/results/publish")).status_code == 404
    await browser.sign_out()
    await browser.sign_in("alpha@example.com")  # a participant, and even a judge, is not an organizer
    assert (await browser.get(f"{w.url}/results")).status_code == 404
    await browser.sign_out()
    await browser.sign_in("judge1@example.com")
    assert (await browser.get(f"{w.url}/results")).status_code == 404
    assert await db.scalar(select(func.count(Award.id))) == 0


async def test_award_form_validation(db: AsyncSession, browser: Browser) -> None:
    w = await world(db)
    await browser.sign_in(ORGANIZER)
    alpha = str(w.teams["Alpha"].id)

    response = await browser.post(f"{w.url}/awards", {"name": "", "team_id": alpha, "citation": "Kept text"})
    assert response.status_code == 422
    assert "Give the award a name." in response.text and "Kept text" in response.text

    response = await browser.post(f"{w.url}/awards", {"name": "x" * 121, "team_id": alpha})
    assert response.status_code == 422 and "within 120 characters" in response.text

    response = await browser.post(f"{w.url}/awards", {"name": "Best"})
    assert response.status_code == 422 and "Choose the winning team." in response.text

    epsilon = str(w.teams["Epsilon"].id)  # incomplete: not ranked
    response = await browser.post(f"{w.url}/awards", {"name": "Best", "team_id": epsilon})
    assert response.status_code == 422 and "Choose a team that has been ranked." in response.text

    challenge_2 = str(w.s.challenges[1].id)
    response = await browser.post(f"{w.url}/awards", {"name": "Best", "team_id": alpha, "challenge_id": challenge_2})
    assert response.status_code == 422 and "This team did not enter that challenge." in response.text

    other = await make_campaign(db, stage="judging", title="Elsewhere")
    await db.commit()
    foreign = str(other.challenges[0].id)
    response = await browser.post(f"{w.url}/awards", {"name": "Best", "team_id": alpha, "challenge_id": foreign})
    assert response.status_code == 422 and "Choose a challenge of this campaign." in response.text
    assert await db.scalar(select(func.count(Award.id))) == 0


async def test_award_and_publish_journey(db: AsyncSession, browser: Browser) -> None:
    w = await world(db)
    await browser.sign_in(ORGANIZER)
    campaign_id = w.s.campaign.id

    # nothing to publish without an award: the button says why, and pressing it anyway is refused
    page = (await browser.get(f"{w.url}/results")).text
    assert 'disabled aria-describedby="publish-blockers"' in page
    assert "Give at least one award before publishing the results." in page
    assert "Judging phase “Judging” is still open: the results cannot be published before it closes." in page
    response = await browser.post(f"{w.url}/results/publish")
    assert response.status_code == 303 and response.headers["location"] == f"{w.url}/results"
    assert "Give at least one award" in (await browser.get(f"{w.url}/results")).text

    response = await browser.post(
        f"{w.url}/awards",
        {"name": "Winner, Challenge 1", "team_id": str(w.teams["Alpha"].id), "challenge_id": str(w.s.challenges[0].id)},
    )
    assert response.status_code == 303
    response = await browser.post(f"{w.url}/awards", {"name": "Removed later", "team_id": str(w.teams["Beta"].id)})
    assert response.status_code == 303
    removed = await db.scalar(select(Award).where(Award.name == "Removed later"))
    assert removed is not None
    await db.commit()  # end the test's read: SQLite writers begin IMMEDIATE
    assert (await browser.post(f"{w.url}/awards/{removed.id}/delete")).status_code == 303
    response = await browser.post(
        f"{w.url}/awards", {"name": "Best newcomer", "team_id": str(w.teams["Zeta"].id), "citation": "**Bold** move"}
    )
    assert response.status_code == 303
    page = (await browser.get(f"{w.url}/results")).text
    assert "<strong>Winner, Challenge 1</strong>" in page and "<strong>Best newcomer</strong>" in page
    assert "<strong>Removed later</strong>" not in page and "The award was removed." in page

    # the winners page is not open to others yet, but organizers get a preview
    assert (await browser.get(f"{w.url}/winners")).status_code == 200
    participant = await make_user(db, "someone@example.com")
    await make_user(db, "exec@example.com", executive=True)
    await db.commit()

    # every award waits for an executive's approval: publishing says how many
    response = await browser.post(f"{w.url}/results/publish")
    assert response.status_code == 303
    page = (await browser.get(response.headers["location"])).text
    assert "The results cannot be published yet: awards awaiting an executive" in page
    assert "approval: 2." in page
    await browser.sign_in("exec@example.com")
    for award in (await db.scalars(select(Award).order_by(Award.id))).all():
        await db.commit()
        assert (await browser.post(f"{w.url}/awards/{award.id}/approve")).status_code == 303
    await browser.sign_in(ORGANIZER)

    # nor while judging is open: its scores can still change
    response = await browser.post(f"{w.url}/results/publish")
    assert response.status_code == 303
    page = (await browser.get(response.headers["location"])).text
    assert "Judging phase “Judging” is still open" in page and "awaiting" not in page
    campaign = await db.get(Campaign, campaign_id, populate_existing=True)
    assert campaign is not None and campaign.results_published_at is None
    w.s.judging.status = PhaseStatus.CLOSED  # closed by hand
    await db.commit()
    page = (await browser.get(f"{w.url}/results")).text
    assert "publish-blockers" not in page

    response = await browser.post(f"{w.url}/results/publish")
    assert response.status_code == 303
    assert "The results are published" in (await browser.get(response.headers["location"])).text
    campaign = await db.get(Campaign, campaign_id, populate_existing=True)
    assert campaign is not None and campaign.results_published_at == NOW
    statuses = {
        t.name: t.status for t in (await db.scalars(select(Team).execution_options(populate_existing=True))).all()
    }
    assert statuses["Alpha"] is TeamStatus.WINNER and statuses["Zeta"] is TeamStatus.WINNER
    assert statuses["Beta"] is TeamStatus.ACTIVE
    results_phase = await db.scalar(
        select(Phase)
        .where(Phase.campaign_id == campaign_id, Phase.kind == PhaseKind.RESULTS)
        .execution_options(populate_existing=True)
    )
    assert results_phase is not None and results_phase.status is PhaseStatus.OPEN
    actions = (await db.scalars(select(AuditEntry.action).where(AuditEntry.campaign_id == campaign_id))).all()
    assert actions.count("award.create") == 3 and actions.count("award.delete") == 1
    assert actions.count("award.approve") == 2
    assert actions.count("results.publish") == 1 and actions.count("team.winner") == 2
    await db.commit()

    # a second click (a re-sent form) changes nothing
    response = await browser.post(f"{w.url}/results/publish")
    assert response.status_code == 303
    assert "The results were already published." in (await browser.get(response.headers["location"])).text
    actions = (await db.scalars(select(AuditEntry.action).where(AuditEntry.campaign_id == campaign_id))).all()
    assert actions.count("results.publish") == 1
    await db.commit()

    # awards are read-only now
    response = await browser.post(f"{w.url}/awards", {"name": "Late", "team_id": str(w.teams["Delta"].id)})
    assert response.status_code == 409 and "awards can no longer change" in response.text
    alpha_award = await db.scalar(select(Award).where(Award.team_id == w.teams["Alpha"].id))
    assert alpha_award is not None
    await db.commit()
    response = await browser.post(f"{w.url}/awards/{alpha_award.id}/delete")
    assert response.status_code == 409 and "awards can no longer change" in response.text
    assert await db.scalar(select(func.count(Award.id))) == 2
    await db.commit()
    assert "Give the award" not in (await browser.get(f"{w.url}/results")).text

    # and everyone signed in sees the winners
    await browser.sign_out()
    await browser.sign_in(participant.email)
    winners = await browser.get(f"{w.url}/winners")
    assert winners.status_code == 200
    assert "Winner, Challenge 1" in winners.text and "Alpha" in winners.text
    assert "<strong>Bold</strong> move" in winners.text


async def test_winners_page_is_hidden_before_publication(db: AsyncSession, browser: Browser) -> None:
    w = await world(db)
    db.add(Award(campaign_id=w.s.campaign.id, name="Secret prize", team_id=w.teams["Alpha"].id))
    await make_user(db, "someone@example.com")
    await db.commit()
    await browser.sign_in("someone@example.com")
    response = await browser.get(f"{w.url}/winners")
    assert response.status_code == 404 and "Secret prize" not in response.text
    assert (await browser.get("/campaigns/999999/winners")).status_code == 404


async def test_deleting_an_award_of_another_campaign_is_404(db: AsyncSession, browser: Browser) -> None:
    w = await world(db)
    other = await make_campaign(db, stage="judging", title="Elsewhere")
    captain = await make_user(db, "far@example.com")
    far = await make_team(db, other, captain, name="Far")
    award = Award(campaign_id=other.campaign.id, name="Theirs", team_id=far.id)
    db.add(award)
    await db.commit()
    await browser.sign_in(ORGANIZER)
    assert (await browser.post(f"{w.url}/awards/{award.id}/delete")).status_code == 404
    assert await db.get(Award, award.id) is not None


async def test_results_page_queries_do_not_grow_with_entries(
    db: AsyncSession, browser: Browser, queries: QueryCounter
) -> None:
    w = await world(db)
    db.add(Award(campaign_id=w.s.campaign.id, name="Prize", team_id=w.teams["Alpha"].id))
    await db.commit()
    await browser.sign_in(ORGANIZER)
    queries.reset()
    assert (await browser.get(f"{w.url}/results")).status_code == 200
    small = queries.count
    for i in range(6):
        await add_team(db, w, f"More{i}", [[4, 2, 8]] * 3, challenge=i % 2)
        db.add(Award(campaign_id=w.s.campaign.id, name=f"Prize {i}", team_id=w.teams[f"More{i}"].id))
    await db.commit()
    queries.reset()
    assert (await browser.get(f"{w.url}/results")).status_code == 200
    print(f"results page queries: {small} → {queries.count}")
    assert queries.count == small
