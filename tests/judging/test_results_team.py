"""What a team sees of its results: nothing before publication, its feedback afterwards."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.models import Campaign, NormalisationMode
from judging.models import Award
from teams.models import Team
from tests.conftest import Browser, QueryCounter
from tests.factories import Scenario, make_campaign, make_entry, make_scorecard, make_team, make_user

FEEDBACK = ["SENTINEL-FEEDBACK-ONE", "SENTINEL-FEEDBACK-TWO", "SENTINEL-FEEDBACK-THREE"]
PRIVATE = "SENTINEL-PRIVATE-NOTE"
OTHER_FEEDBACK = "SENTINEL-OTHER-TEAM-FEEDBACK"
DRAFT_FEEDBACK = "SENTINEL-DRAFT-FEEDBACK"


async def arrange(db: AsyncSession, stage: str) -> tuple[Scenario, Team, Team, list[User]]:
    judges = [await make_user(db, f"judge{i}@example.com", name=f"Jane Judgewoman{i}") for i in (1, 2, 3, 4)]
    s = await make_campaign(db, stage=stage, judges=judges)  # type: ignore[arg-type]
    member = await make_user(db, "member@example.com")
    ours = await make_team(db, s, await make_user(db, "captain@example.com"), members=[member], name="Ours")
    theirs = await make_team(db, s, await make_user(db, "rival@example.com"), name="Theirs")
    mine = await make_entry(db, ours, s.submission)
    rival = await make_entry(db, theirs, s.submission)
    # ours: (5,3,5) = 75 three times; theirs: (5,5,10) = 100 three times → we are 2nd of 2
    for judge, text in zip(judges, FEEDBACK, strict=False):
        await make_scorecard(db, s, mine, judge, [5, 3, 5], feedback=text, private_note=PRIVATE)
        await make_scorecard(db, s, rival, judge, [5, 5, 10], feedback=OTHER_FEEDBACK, private_note=PRIVATE)
    await make_scorecard(db, s, mine, judges[3], [1, 1, 0], final=False, feedback=DRAFT_FEEDBACK)
    await db.commit()
    return s, ours, theirs, judges


async def test_nothing_is_shown_before_publication(db: AsyncSession, browser: Browser) -> None:
    _s, ours, _theirs, _judges = await arrange(db, "judging")
    await browser.sign_in("member@example.com")
    response = await browser.get(f"/teams/{ours.id}/result")
    assert response.status_code == 200
    assert "The results are not published yet." in response.text
    for secret in [*FEEDBACK, PRIVATE, OTHER_FEEDBACK, DRAFT_FEEDBACK, "75.0", "Rank"]:
        assert secret not in response.text


async def test_after_publication_the_team_sees_its_score_rank_and_feedback(db: AsyncSession, browser: Browser) -> None:
    s, ours, _theirs, judges = await arrange(db, "results")
    db.add(Award(campaign_id=s.campaign.id, name="Runner-up prize", team_id=ours.id, citation="Close call"))
    await db.commit()
    await browser.sign_in("member@example.com")
    response = await browser.get(f"/teams/{ours.id}/result")
    assert response.status_code == 200
    html = response.text
    assert "Runner-up prize" in html and "Close call" in html
    assert "2 of 2" in html  # rank in the challenge
    assert "75.0 of 100" in html
    for text in FEEDBACK:
        assert text in html
    assert "Judge 1" in html and "Judge 3" in html
    for judge in judges:
        assert judge.name not in html
    for secret in (PRIVATE, OTHER_FEEDBACK, DRAFT_FEEDBACK):
        assert secret not in html
    # criterion means against the field: Impact ours 5.0, field (5 + 5) / 2 = 5.0;
    # Feasibility ours 3.0, field (3 + 5) / 2 = 4.0; Originality ours 5.0, field (5 + 10) / 2 = 7.5
    assert "4.0" in html and "7.5" in html


async def test_judge_names_and_ranks_follow_the_campaign_settings(db: AsyncSession, browser: Browser) -> None:
    s, ours, _theirs, judges = await arrange(db, "results")
    await db.execute(
        update(Campaign).where(Campaign.id == s.campaign.id).values(show_judge_names=True, show_ranks=False)
    )
    await db.commit()
    await browser.sign_in("captain@example.com")
    html = (await browser.get(f"/teams/{ours.id}/result")).text
    assert judges[0].name in html and "Judge 1" not in html
    assert "Rank in your challenge" not in html
    assert PRIVATE not in html


async def test_other_people_get_404(db: AsyncSession, browser: Browser) -> None:
    s, ours, _theirs, _judges = await arrange(db, "results")
    organizer = await make_user(db, "org@example.com")
    other = await make_campaign(db, organizer=organizer, stage="results", title="Another")
    await make_team(db, other, await make_user(db, "elsewhere@example.com"), name="Elsewhere")
    await db.commit()
    for email in ("rival@example.com", "judge1@example.com", "org@example.com", "elsewhere@example.com"):
        await browser.sign_in(email)
        response = await browser.get(f"/teams/{ours.id}/result")
        assert response.status_code == 404, email
        assert FEEDBACK[0] not in response.text
        await browser.sign_out()
    await browser.sign_in("member@example.com")
    assert (await browser.get("/teams/999999/result")).status_code == 404
    assert s.campaign.id != other.campaign.id


async def test_anonymous_visitors_are_sent_to_sign_in(db: AsyncSession, browser: Browser) -> None:
    _s, ours, _theirs, _judges = await arrange(db, "results")
    response = await browser.get(f"/teams/{ours.id}/result", follow_redirects=False)
    assert response.status_code in (302, 303) and "/sign-in" in response.headers["location"]


async def test_team_page_queries_do_not_grow_with_the_field(
    db: AsyncSession, browser: Browser, queries: QueryCounter
) -> None:
    s, ours, _theirs, judges = await arrange(db, "results")
    await browser.sign_in("member@example.com")
    queries.reset()
    assert (await browser.get(f"/teams/{ours.id}/result")).status_code == 200
    small = queries.count
    for i in range(5):
        team = await make_team(db, s, await make_user(db, f"more{i}@example.com"), name=f"More {i}")
        entry = await make_entry(db, team, s.submission)
        for judge in judges[:3]:
            await make_scorecard(db, s, entry, judge, [4, 2, 8])
    await db.commit()
    queries.reset()
    assert (await browser.get(f"/teams/{ours.id}/result")).status_code == 200
    print(f"team result page queries: {small} → {queries.count}")
    assert queries.count == small


async def _unbalanced(db: AsyncSession, mode: NormalisationMode) -> Team:
    """Judge 1 is lenient, judge 2 harsh; our entry is seen by judge 1 only (one scorecard is enough).

    Totals: judge 1 gives A 100 and us 75; judge 2 gives A 75 and B 50. The judge-effects fit
    T = q + b (b1 + b2 = 0) gives b1 = +12.5, so our quality is 62.5 for a raw mean of 75.
    Z-scores: judge 1's totals (100, 75) have mean 87.5 and spread 12.5, so ours is -1.
    """
    judges = [await make_user(db, f"judge{i}@example.com") for i in (1, 2)]
    s = await make_campaign(db, stage="results", judges=judges)
    s.judging.required_judges = 1
    s.judging.normalisation = mode
    ours = await make_team(db, s, await make_user(db, "captain@example.com"), name="Ours")
    rival_a = await make_team(db, s, await make_user(db, "a@example.com"), name="A")
    rival_b = await make_team(db, s, await make_user(db, "b@example.com"), name="B")
    mine, a, b = [await make_entry(db, team, s.submission) for team in (ours, rival_a, rival_b)]
    await make_scorecard(db, s, a, judges[0], [5, 5, 10])  # 100
    await make_scorecard(db, s, mine, judges[0], [5, 3, 5])  # 75
    await make_scorecard(db, s, a, judges[1], [5, 3, 5])  # 75
    await make_scorecard(db, s, b, judges[1], [3, 3, 5])  # 50
    await db.commit()
    return ours


async def test_judge_effects_show_the_score_ranked_on_and_the_raw_mean(db: AsyncSession, browser: Browser) -> None:
    ours = await _unbalanced(db, NormalisationMode.JUDGE_EFFECTS)
    await browser.sign_in("captain@example.com")
    html = (await browser.get(f"/teams/{ours.id}/result")).text
    assert "Score used for the ranking" in html and "62.50 of 100, adjusted for judge leniency" in html
    assert "Raw mean" in html and "75.0 of 100" in html
    assert "corrects each judge's totals for that judge's leniency" in html.replace("&#39;", "'")
    # never a judge's own figures: neither the other entries' totals nor a leniency
    for figure in ("100.0", "12.5", "87.5", "50.0"):
        assert figure not in html


async def test_zscore_shows_the_standardised_score_and_the_raw_mean(db: AsyncSession, browser: Browser) -> None:
    ours = await _unbalanced(db, NormalisationMode.ZSCORE)
    await browser.sign_in("captain@example.com")
    html = (await browser.get(f"/teams/{ours.id}/result")).text.replace("&#39;", "'")
    assert "Score used for the ranking" in html and "-1.00 (z-score)" in html
    assert "Raw mean" in html and "75.0 of 100" in html
    assert "with that judge's own average and spread" in html
    assert "leniency" not in html


async def test_without_normalisation_the_mean_is_the_score(db: AsyncSession, browser: Browser) -> None:
    ours = await _unbalanced(db, NormalisationMode.NONE)
    await browser.sign_in("captain@example.com")
    html = (await browser.get(f"/teams/{ours.id}/result")).text
    assert "75.0 of 100" in html
    assert "Raw mean" not in html and "Score used for the ranking" not in html
