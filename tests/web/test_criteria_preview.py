"""Participants read the judging criteria before they submit: on the campaign page and the entry page."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from campaigns.models import Phase, PhaseKind, PhaseStatus
from judging.models import Criterion
from judging.rubric_preview import weight_shares
from tests.conftest import NOW, Browser, QueryCounter
from tests.factories import DAY, Scenario, make_campaign, make_entry, make_scorecard, make_team, make_user

SECRET_FEEDBACK = "SENTINEL-JUDGE-FEEDBACK"
SECRET_NOTE = "SENTINEL-PRIVATE-NOTE"


def section(html: str, phase: Phase) -> str:
    start = html.index(f'id="criteria-{phase.id}"')
    return html[start : html.index("</section>", start)]


async def arrange(db: AsyncSession) -> tuple[Scenario, int]:
    """A campaign in submission: Impact 3 (1–5, with descriptors), Feasibility 2 (1–5), Originality 1 (0–10)."""
    s = await make_campaign(db, stage="submission")
    s.criteria[0].descriptors = {"5": "Proven savings", "1": "No evidence"}
    captain = await make_user(db, "captain@example.com")
    team = await make_team(db, s, captain, name="Pickers")
    entry = await make_entry(db, team, s.submission)
    judge = await make_user(db, "judge@example.com")
    await make_scorecard(db, s, entry, judge, [4, 3, 7], feedback=SECRET_FEEDBACK, private_note=SECRET_NOTE)
    await db.commit()
    return s, team.id


def test_weights_become_shares_of_100() -> None:
    assert weight_shares([3.0, 2.0, 1.0]) == [50.0, 100 * 2 / 6, 100 / 6]
    assert weight_shares([1.5, 1.5]) == [50.0, 50.0]
    assert weight_shares([]) == []


async def test_campaign_page_shows_the_criteria_of_the_judging_ahead(db: AsyncSession, browser: Browser) -> None:
    s, _team = await arrange(db)
    await make_user(db, "reader@example.com")
    await db.commit()
    await browser.sign_in("reader@example.com")
    page = await browser.get(f"/campaigns/{s.campaign.id}")
    assert page.status_code == 200
    assert "Judging criteria" in page.text
    box = section(page.text, s.judging)
    assert "Judging: how entries are judged" in box
    # rubric order, each weight as its share of 100 %
    assert box.index("Impact") < box.index("Feasibility") < box.index("Originality")
    for share in ("50%", "33.3%", "16.7%"):
        assert f'<td class="num">{share}</td>' in box
    assert "1 to 5" in box and "0 to 10" in box
    # level descriptors lowest first, and the guidance the judges read
    assert box.index("No evidence") < box.index("Proven savings")
    assert "How good is the Impact?" in box
    # criteria only: nothing of any scorecard
    for secret in (SECRET_FEEDBACK, SECRET_NOTE, "Final", "scorecard"):
        assert secret not in page.text


async def test_closed_judging_is_not_ahead_and_missing_criteria_are_announced(
    db: AsyncSession, browser: Browser
) -> None:
    s = await make_campaign(db, stage="submission")
    s.judging.status = PhaseStatus.CLOSED  # closed by hand: no longer ahead
    later = Phase(
        campaign_id=s.campaign.id,
        kind=PhaseKind.JUDGING,
        name="Final judging",
        position=9,
        opens_at=NOW + 40 * DAY,
        closes_at=NOW + 45 * DAY,
        judges_phase_id=s.submission.id,
    )
    db.add(later)
    await make_user(db, "reader@example.com")
    await db.commit()
    await browser.sign_in("reader@example.com")
    html = (await browser.get(f"/campaigns/{s.campaign.id}")).text
    assert f'id="criteria-{s.judging.id}"' not in html and "Impact" not in html
    assert "The organizers have not set the criteria of this round yet." in section(html, later)


async def test_entry_page_shows_the_rubric_that_will_judge_it(db: AsyncSession, browser: Browser) -> None:
    s, team_id = await arrange(db)
    await browser.sign_in("captain@example.com")
    page = await browser.get(f"/teams/{team_id}/entry")
    assert page.status_code == 200
    box = section(page.text, s.judging)
    assert "Impact" in box and "50%" in box and "Proven savings" in box
    for secret in (SECRET_FEEDBACK, SECRET_NOTE):
        assert secret not in page.text


async def test_shares_follow_the_reader_language(db: AsyncSession, browser: Browser) -> None:
    s, _team = await arrange(db)
    await make_user(db, "reader@example.com")
    await db.commit()
    await browser.sign_in("reader@example.com")
    await browser.post("/language", {"locale": "zh_CN", "next": "/"})
    html = (await browser.get(f"/campaigns/{s.campaign.id}")).text
    box = section(html, s.judging)
    assert "评审标准" in html and "33.3%" in box


async def test_criteria_pages_run_a_constant_number_of_queries(
    db: AsyncSession, browser: Browser, queries: QueryCounter
) -> None:
    s, team_id = await arrange(db)
    await browser.sign_in("captain@example.com")
    urls = (f"/campaigns/{s.campaign.id}", f"/teams/{team_id}/entry")
    before = []
    for url in urls:
        queries.reset()
        assert (await browser.get(url)).status_code == 200
        before.append(queries.count)
    # more criteria and a second judging round of the same entries
    second = Phase(
        campaign_id=s.campaign.id,
        kind=PhaseKind.JUDGING,
        name="Final judging",
        position=9,
        opens_at=NOW + 40 * DAY,
        closes_at=NOW + 45 * DAY - timedelta(hours=1),
        judges_phase_id=s.submission.id,
    )
    db.add(second)
    await db.flush()
    for phase in (s.judging, second):
        db.add_all(
            Criterion(phase_id=phase.id, name=f"Extra {n}", weight=1.0, scale_min=1, scale_max=5, position=10 + n)
            for n in range(6)
        )
    await db.commit()
    after = []
    for url in urls:
        queries.reset()
        html = (await browser.get(url)).text
        assert "Final judging: how entries are judged" in html and "Extra 5" in html
        after.append(queries.count)
    print(f"campaign and entry page queries: {before} → {after}")
    assert after == before
