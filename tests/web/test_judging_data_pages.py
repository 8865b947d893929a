"""Import, exports, progress and rubric copy through HTTP: organizers only, errors by row and column."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from judging.models import Scorecard, ScorecardStatus
from notifications.models import Notification, NotificationKind
from teams.models import Entry, Team
from tests.conftest import Browser
from tests.factories import Scenario, assign, make_campaign, make_entry, make_scorecard, make_team, make_user

SENTINEL_NOTE = "SENTINEL-PRIVATE-7f3a"
SENTINEL_FEEDBACK = "SENTINEL-FEEDBACK-91bc"
HEADER = "judge_email,entry,Impact,Feasibility,Originality,feedback,private_note\n"


@dataclass
class World:
    scenario: Scenario
    team: Team
    blue: Entry
    red: Entry
    base: str


async def arrange(db: AsyncSession) -> World:
    org = await make_user(db, "org@example.com")
    org2 = await make_user(db, "org2@example.com")
    ann = await make_user(db, "ann@example.com")
    bo = await make_user(db, "bo@example.com")
    cap = await make_user(db, "cap@example.com")
    cap2 = await make_user(db, "cap2@example.com")
    scenario = await make_campaign(db, organizer=org, judges=[ann, bo], stage="judging")
    await make_campaign(db, organizer=org2, title="Other")
    team = await make_team(db, scenario, cap, name="Blue Team")
    blue = await make_entry(db, team, scenario.submission)
    red = await make_entry(db, await make_team(db, scenario, cap2, name="Red Team"), scenario.submission)
    for judge in (ann, bo):
        await assign(db, scenario.judging, blue, judge)
    await make_scorecard(db, scenario, blue, ann, [4, 4, 8], feedback=SENTINEL_FEEDBACK, private_note=SENTINEL_NOTE)
    await db.commit()
    return World(scenario, team, blue, red, f"/campaigns/{scenario.campaign.id}/phases/{scenario.judging.id}")


def _routes(base: str) -> list[str]:
    return [
        f"{base}/import",
        f"{base}/import/template.csv",
        f"{base}/import/template.xlsx",
        f"{base}/export/results.csv",
        f"{base}/export/results.xlsx",
        f"{base}/export/scorecards.csv",
        f"{base}/export/scorecards.xlsx",
        f"{base}/progress",
        f"{base}/rubric/copy",
    ]


async def test_upload_shows_errors_by_row_and_column_and_imports_nothing(db: AsyncSession, browser: Browser) -> None:
    w = await arrange(db)
    await browser.sign_in("org@example.com")
    sheet = HEADER + f"bo@example.com,{w.red.id},5,4,10,,\nbo@example.com,Blue Team,7,4,10,,\n"

    page = await browser.post(f"{w.base}/import", files={"file": ("scores.csv", sheet.encode(), "text/csv")})

    assert page.status_code == 422
    assert "Nothing was imported" in page.text
    assert "Row 3, column “Impact”: The score must be between 1 and 5." in page.text
    total = await db.scalar(select(func.count()).select_from(Scorecard))
    await db.commit()
    assert total == 1


async def test_upload_imports_csv_and_xlsx(db: AsyncSession, browser: Browser) -> None:
    w = await arrange(db)
    await browser.sign_in("org@example.com")
    missing = await browser.post(f"{w.base}/import", {"x": "1"})
    assert missing.status_code == 422 and "Choose a CSV or Excel file" in missing.text

    csv_sheet = HEADER + f"bo@example.com,{w.red.id},5,4,10,Nice,\n"
    done = await browser.post(f"{w.base}/import", files={"file": ("s.csv", csv_sheet.encode(), "text/csv")})
    assert done.status_code == 303 and done.headers["location"] == f"{w.base}/import"
    page = await browser.get(done.headers["location"])
    assert "1 scorecards imported (0 replaced)." in page.text

    template = await browser.get(f"{w.base}/import/template.xlsx")
    book = load_workbook(io.BytesIO(template.content))
    sheet = book.worksheets[0]
    sheet.append(["bo@example.com", "Blue Team", 1, 2, 3, "Fine", ""])
    out = io.BytesIO()
    book.save(out)
    done = await browser.post(
        f"{w.base}/import", files={"file": ("s.xlsx", out.getvalue(), "application/octet-stream")}
    )
    assert done.status_code == 303, done.text
    statuses = (await db.scalars(select(Scorecard.status))).all()
    await db.commit()
    assert sorted(statuses) == [ScorecardStatus.FINAL] * 3


async def test_downloads_are_attachments_with_type_and_name(db: AsyncSession, browser: Browser) -> None:
    w = await arrange(db)
    await browser.sign_in("org@example.com")
    c, p = w.scenario.campaign.id, w.scenario.judging.id
    for path, media in [
        ("export/results.csv", "text/csv"),
        ("export/scorecards.csv", "text/csv"),
        ("export/results.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("export/scorecards.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("import/template.csv", "text/csv"),
    ]:
        response = await browser.get(f"{w.base}/{path}")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(media)
        if media == "text/csv":  # the type and its charset once, as one header
            assert response.headers.get_list("content-type") == ["text/csv; charset=utf-8"]
        disposition = response.headers["content-disposition"]
        assert disposition.startswith(f'attachment; filename="kaizen-campaign{c}-phase{p}-')
        assert disposition.endswith("." + path.rsplit(".", 1)[1] + '"')
    for unknown in ("export/results.pdf", "export/judges.csv", "export/results", "export/.csv"):
        assert (await browser.get(f"{w.base}/{unknown}")).status_code == 404, unknown
    scorecards = await browser.get(f"{w.base}/export/scorecards.csv")
    assert SENTINEL_NOTE in scorecards.text  # organizers do see private notes
    template = await browser.get(f"{w.base}/import/template.csv")
    assert template.text == "\ufeffjudge_email,entry,Impact,Feasibility,Originality,feedback,private_note\r\n"


@pytest.mark.parametrize("email", ["ann@example.com", "cap@example.com", "org2@example.com"])
async def test_everyone_but_the_organizers_gets_404(db: AsyncSession, browser: Browser, email: str) -> None:
    w = await arrange(db)
    await browser.sign_in(email)
    for url in _routes(w.base):
        assert (await browser.get(url)).status_code == 404, url
    upload = await browser.post(f"{w.base}/import", files={"file": ("s.csv", HEADER.encode(), "text/csv")})
    assert upload.status_code == 404
    for url in (f"{w.base}/progress/remind", f"{w.base}/rubric/copy"):
        assert (await browser.post(url, {"source": "1"})).status_code == 404


async def test_sentinels_never_reach_other_judges_or_the_team(db: AsyncSession, browser: Browser) -> None:
    w = await arrange(db)
    pages = {
        "bo@example.com": ["/judging", f"/judging/{w.scenario.judging.id}/entries/{w.blue.id}", "/"],
        "cap@example.com": [
            f"/teams/{w.team.id}",
            f"/teams/{w.team.id}/result",
            f"/campaigns/{w.scenario.campaign.id}",
            "/",
        ],
    }
    seen = 0
    for email, urls in pages.items():
        await browser.sign_in(email)
        for url in [*urls, *_routes(w.base)]:
            response = await browser.get(url)
            assert SENTINEL_NOTE not in response.text and SENTINEL_FEEDBACK not in response.text, url
            seen += response.status_code == 200
        await browser.sign_out()
    print(f"sentinel checked on {seen} pages")
    assert seen >= 5


async def test_progress_and_reminders(db: AsyncSession, browser: Browser) -> None:
    w = await arrange(db)
    await browser.sign_in("org@example.com")
    page = await browser.get(f"{w.base}/progress")
    assert page.status_code == 200
    assert "Send a reminder now" in page.text and "Blue Team" in page.text
    bo_id = await db.scalar(select(User.id).where(User.email == "bo@example.com"))
    await db.commit()
    fragment = await browser.post(f"{w.base}/progress/remind/{bo_id}", htmx=True)
    assert fragment.status_code == 200 and "Reminder sent" in fragment.text and "<html" not in fragment.text
    everyone = await browser.post(f"{w.base}/progress/remind")
    assert everyone.status_code == 303 and everyone.headers["location"] == f"{w.base}/progress"
    assert "Reminder sent to 1 judge." in (await browser.get(f"{w.base}/progress")).text
    kinds = (await db.scalars(select(Notification.kind).where(Notification.user_id == bo_id))).all()
    await db.commit()
    assert list(kinds) == [NotificationKind.JUDGING_REMINDER] * 2


async def test_rubric_copy_through_the_rubric_page(db: AsyncSession, browser: Browser) -> None:
    w = await arrange(db)
    org = await db.scalar(select(User).where(User.email == "org@example.com"))
    new = await make_campaign(db, organizer=org, title="Next year", criteria=[])
    await db.commit()
    await browser.sign_in("org@example.com")
    base = f"/campaigns/{new.campaign.id}/phases/{new.judging.id}"
    rubric_page = await browser.get(f"{base}/rubric")
    assert f'hx-get="{base}/rubric/copy"' in rubric_page.text and f"{base}/export/results.csv" in rubric_page.text
    fragment = await browser.get(f"{base}/rubric/copy", headers={"hx-request": "true"})
    assert "Spring Innovation Challenge · Judging" in fragment.text and "<html" not in fragment.text
    bad = await browser.post(f"{base}/rubric/copy", {"source": "abc"}, htmx=True)
    assert bad.status_code == 422 and "Choose a rubric to copy." in bad.text
    done = await browser.post(f"{base}/rubric/copy", {"source": str(w.scenario.judging.id)}, htmx=True)
    assert done.status_code < 300 and done.headers["hx-redirect"] == f"{base}/rubric"
    again = await browser.post(f"{base}/rubric/copy", {"source": str(w.scenario.judging.id)})
    assert again.status_code == 303 and again.headers["location"] == f"{base}/rubric/copy"
    assert "already has criteria" in (await browser.get(again.headers["location"])).text


async def test_an_upload_past_the_size_limit_is_refused(db: AsyncSession, browser: Browser) -> None:
    w = await arrange(db)
    await browser.sign_in("org@example.com")
    big = (HEADER + "x" * (2 * 1024 * 1024)).encode()
    page = await browser.post(f"{w.base}/import", files={"file": ("big.csv", big, "text/csv")})
    assert page.status_code == 413 and "The file is larger than 2 MB." in page.text
