"""The audit log pages (issue 13): who sees which entries, the filters, the before/after, the
exports, and the database refusing to change or delete an entry."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.models import Campaign
from core.audit import AuditEntry
from core.spreadsheet import unneutralise
from tests.conftest import NOW, Browser
from tests.factories import make_campaign, make_user

ADMIN = "admin@example.com"
ORGANIZER = "org@example.com"
OTHER_ORGANIZER = "other-org@example.com"
PARTICIPANT = "pat@example.com"
JUDGE = "judge@example.com"


@dataclass
class World:
    spring: Campaign  # organized by ORGANIZER, zone Europe/Berlin
    autumn: Campaign  # organized by OTHER_ORGANIZER
    organizer: User
    participant: User


def entry(at_hours: float, actor: User | None, action: str, campaign: Campaign | None, **kwargs: object) -> AuditEntry:
    return AuditEntry(
        at=NOW - timedelta(hours=at_hours),
        actor_id=actor.id if actor else None,
        action=action,
        subject_type="campaign",
        subject_id=campaign.id if campaign else 0,
        campaign_id=campaign.id if campaign else None,
        **kwargs,
    )


@pytest.fixture
async def world(db: AsyncSession) -> World:
    await make_user(db, ADMIN, admin=True)
    organizer = await make_user(db, ORGANIZER, name="Olga Organizer")
    other = await make_user(db, OTHER_ORGANIZER, name="Otto Other")
    participant = await make_user(db, PARTICIPANT, name="Pat Participant")
    judge = await make_user(db, JUDGE)
    spring = (await make_campaign(db, organizer=organizer, judges=[judge], title="Spring")).campaign
    autumn = (await make_campaign(db, organizer=other, title="Autumn", timezone="Asia/Shanghai")).campaign
    db.add_all(
        [
            entry(
                1,
                organizer,
                "phase.deadline",
                spring,
                before={"closes_at": "<script>alert(1)</script>"},
                after={"closes_at": "2026-03-20T17:00:00+00:00", "weights": [1, 2], "note": None},
            ),
            entry(2, None, "phase.close", spring, after={"status": "closed"}),
            entry(30, participant, "team.create", spring, reason='=HYPERLINK("http://evil")'),
            entry(3, other, "campaign.update", autumn, before={"title": "Autumn"}, after={"title": "AUTUMN-SECRET"}),
            entry(4, organizer, "user.password", None),
            entry(5, organizer, "some.future_code", spring),
        ]
    )
    await db.commit()
    return World(spring=spring, autumn=autumn, organizer=organizer, participant=participant)


async def test_an_admin_sees_the_whole_log_and_filters_it(browser: Browser, world: World) -> None:
    await browser.sign_in(ADMIN)
    page = await browser.get("/audit")
    assert page.status_code == 200
    assert "6 entries" in page.text
    for label in ("Deadline changed", "Phase closed", "Team formed", "Campaign edited", "Password changed"):
        assert label in page.text
    assert "some.future_code" in page.text  # a code without a label shows as itself
    assert "System" in page.text  # the scheduler's close

    only_autumn = await browser.get(f"/audit?campaign={world.autumn.id}")
    assert "1 entry" in only_autumn.text and "AUTUMN-SECRET" in only_autumn.text
    by_person = await browser.get("/audit?person=PAT%40example")  # part of the e-mail, any case
    assert "1 entry" in by_person.text and "Team formed" in by_person.text
    by_name = await browser.get("/audit?person=olga")
    assert "3 entries" in by_name.text
    by_action = await browser.get("/audit?action=phase.close")
    assert "1 entry" in by_action.text
    # the period is read in the viewer's zone (UTC here): NOW - 30 h is the day before
    yesterday = (NOW - timedelta(days=1)).date().isoformat()
    in_period = await browser.get(f"/audit?since={yesterday}&until={yesterday}")
    assert "1 entry" in in_period.text and "Team formed" in in_period.text
    today = await browser.get(f"/audit?since={NOW.date().isoformat()}")
    assert "5 entries" in today.text


async def test_bad_dates_are_explained_next_to_the_fields_and_kept(browser: Browser, world: World) -> None:
    await browser.sign_in(ADMIN)
    bad = await browser.get("/audit?since=2026-13-45&until=soon&person=olga")
    assert bad.status_code == 422
    assert bad.text.count("Enter a date as YYYY-MM-DD.") == 2
    assert 'value="2026-13-45"' in bad.text and 'value="soon"' in bad.text and 'value="olga"' in bad.text
    assert 'id="e-since"' in bad.text and 'id="e-until"' in bad.text
    reversed_ = await browser.get("/audit?since=2026-03-10&until=2026-03-01")
    assert reversed_.status_code == 422
    assert "The end of the period is before its start." in reversed_.text
    assert 'value="2026-03-01"' in reversed_.text
    export = await browser.get("/audit/export/audit.csv?since=nope")
    assert export.status_code == 422 and "Enter a date as YYYY-MM-DD." in export.text


async def test_before_and_after_are_a_table_with_markup_escaped(browser: Browser, world: World) -> None:
    await browser.sign_in(ORGANIZER)
    page = await browser.get(f"/campaigns/{world.spring.id}/audit")
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert '<td>weights</td><td class="wrap-anywhere">—</td><td class="wrap-anywhere">[1, 2]</td>' in page.text
    assert '<td>note</td><td class="wrap-anywhere">—</td><td class="wrap-anywhere">null</td>' in page.text
    assert "Europe/Berlin" in page.text  # the campaign's times in its zone


async def test_pages_of_fifty_keep_the_filter(db: AsyncSession, browser: Browser, world: World) -> None:
    db.add_all([entry(10 + n / 60, world.organizer, "challenge.update", world.spring) for n in range(60)])
    await db.commit()
    await browser.sign_in(ORGANIZER)
    first = await browser.get(f"/campaigns/{world.spring.id}/audit?action=challenge.update")
    assert "60 entries" in first.text and first.text.count('id="audit-') == 50
    assert f'href="/campaigns/{world.spring.id}/audit?action=challenge.update&amp;page=2"' in first.text
    second = await browser.get(f"/campaigns/{world.spring.id}/audit?action=challenge.update&page=2")
    assert second.text.count('id="audit-') == 10
    past_the_end = await browser.get(f"/campaigns/{world.spring.id}/audit?page=99")
    assert past_the_end.status_code == 200


async def test_an_organizer_sees_only_their_campaign(browser: Browser, world: World) -> None:
    await browser.sign_in(ORGANIZER)
    own = await browser.get(f"/campaigns/{world.spring.id}/audit")
    assert own.status_code == 200
    assert "4 entries" in own.text
    assert "AUTUMN-SECRET" not in own.text and "Password changed" not in own.text
    assert (await browser.get(f"/campaigns/{world.autumn.id}/audit")).status_code == 404
    assert (await browser.get(f"/campaigns/{world.autumn.id}/audit/export/audit.csv")).status_code == 404
    assert (await browser.get("/audit")).status_code == 403
    assert (await browser.get("/audit/export/audit.csv")).status_code == 403
    campaign_page = await browser.get(f"/campaigns/{world.spring.id}")
    assert f'href="/campaigns/{world.spring.id}/audit"' in campaign_page.text


@pytest.mark.parametrize("who", [PARTICIPANT, JUDGE])
async def test_participants_and_judges_are_refused(browser: Browser, world: World, who: str) -> None:
    await browser.sign_in(who)
    assert (await browser.get(f"/campaigns/{world.spring.id}/audit")).status_code == 404
    assert (await browser.get(f"/campaigns/{world.spring.id}/audit/export/audit.xlsx")).status_code == 404
    assert (await browser.get("/audit")).status_code == 403


async def test_an_admin_reads_any_campaign_log_and_in_chinese(browser: Browser, world: World) -> None:
    await browser.sign_in(ADMIN)
    page = await browser.get(f"/campaigns/{world.autumn.id}/audit")
    assert page.status_code == 200 and "AUTUMN-SECRET" in page.text
    admin_area = await browser.get("/admin/users")
    assert 'href="/audit"' in admin_area.text
    await browser.post("/language", {"locale": "zh_CN"})
    chinese = await browser.get(f"/campaigns/{world.spring.id}/audit")
    assert "系统" in chinese.text  # the scheduler: "System"
    assert "截止时间已更改" in chinese.text  # phase.deadline: "Deadline changed"


async def test_exports_read_back_formula_safe(browser: Browser, world: World) -> None:
    await browser.sign_in(ORGANIZER)
    response = await browser.get(f"/campaigns/{world.spring.id}/audit/export/audit.csv?person=pat")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Time", "Person", "E-mail", "Action"]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Person"] == "Pat Participant" and row["Action"] == "Team formed" and row["Campaign"] == "Spring"
    assert row["Time"] == "2026-03-09T04:00:00+01:00"  # NOW - 30 h in Berlin
    assert row["Reason"] == '\'=HYPERLINK("http://evil")'  # neutralised
    assert unneutralise(row["Reason"]) == '=HYPERLINK("http://evil")'

    xlsx = await browser.get(f"/campaigns/{world.spring.id}/audit/export/audit.xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content), read_only=True).active
    assert sheet is not None
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert len(values) == 5  # header + the campaign's four entries, newest first
    header = values[0]
    by_action = {r[header.index("Action code")]: dict(zip(header, r, strict=True)) for r in values[1:]}
    assert by_action["phase.close"]["Person"] == "System"
    assert by_action["phase.deadline"]["Changes"] == (
        "closes_at: <script>alert(1)</script> → 2026-03-20T17:00:00+00:00; weights: — → [1, 2]; note: — → null"
    )
    assert "AUTUMN-SECRET" not in str(values)
    assert (await browser.get(f"/campaigns/{world.spring.id}/audit/export/other.csv")).status_code == 404


async def test_an_export_holds_the_newest_entries_up_to_its_limit(
    browser: Browser, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    import campaigns.audit_log
    import web.controllers.audit

    monkeypatch.setattr(campaigns.audit_log, "EXPORT_MAX", 2)
    monkeypatch.setattr(web.controllers.audit, "EXPORT_MAX", 2)
    await browser.sign_in(ADMIN)
    page = await browser.get("/audit")
    assert "An export holds the newest 2 entries: choose a shorter period for the older ones." in page.text
    response = await browser.get("/audit/export/audit.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[4] for row in rows[1:]] == ["phase.deadline", "phase.close"]  # the two newest


async def test_the_database_refuses_to_change_or_delete_an_entry(db: AsyncSession, world: World) -> None:
    """On SQLite and on PostgreSQL alike (the suite runs on both): triggers, not the app, refuse."""
    organizer_id = world.organizer.id
    for statement in ("UPDATE audit_entry SET action = 'forged'", "DELETE FROM audit_entry"):
        with pytest.raises(DBAPIError, match="append-only"):
            await db.execute(text(statement))
        await db.rollback()
    # deleting a person who acted would rewrite their entries: the key refuses it
    with pytest.raises(DBAPIError):
        await db.execute(text("DELETE FROM user_account WHERE id = :id"), {"id": organizer_id})
    await db.rollback()
    assert await db.scalar(select(func.count()).select_from(AuditEntry)) == 6
    assert await db.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "forged")) == 0
    # a new entry is still welcome
    db.add(entry(0, None, "phase.open", None))
    await db.commit()
    assert await db.scalar(select(func.count()).select_from(AuditEntry)) == 7


async def test_the_cleanup_between_tests_empties_the_log(db: AsyncSession) -> None:
    """The tests above left entries; the fixture's cleanup removed them despite the triggers."""
    assert await db.scalar(select(func.count()).select_from(AuditEntry)) == 0
