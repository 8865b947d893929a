"""Every dashboard figure on a fixed programme (tests/insights/world.py), counted by hand; the
filters; who may open the page; the exports read back with csv and openpyxl."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from insights.dashboard import Dashboard, dashboard
from insights.queries import Scope
from tests.conftest import NOW, Browser
from tests.insights.world import World, build


@pytest.fixture
async def world(db: AsyncSession) -> World:
    return await build(db)


async def figures(db: AsyncSession, scope: Scope) -> Dashboard:
    return await dashboard(db, scope, NOW, no_department="(none)")


def funnel_of(d: Dashboard) -> dict[str, int]:
    return {s.name: s.count for s in d.funnel}


async def test_every_figure_across_all_campaigns(db: AsyncSession, world: World) -> None:
    d = await figures(db, Scope())
    assert [c.title for c in d.campaigns] == ["Campaign A", "Campaign B"]  # the draft is left out
    assert funnel_of(d) == {
        "eligible": 13,  # A: 9 active people; B: 3 in Ops + x, who took part
        "participants": 8,  # A: 5; B: 3
        "team": 6,
        "submitted": 5,
        "advanced": 3,
        "winner": 2,
        "incubated": 2,
        "implemented": 1,
    }
    stages = {s.name: s for s in d.funnel}
    assert stages["participants"].from_previous == pytest.approx(8 / 13)
    assert stages["team"].from_previous == pytest.approx(6 / 8)
    assert stages["implemented"].from_previous == pytest.approx(1 / 2)
    assert stages["implemented"].from_first == pytest.approx(1 / 13)
    h = d.headline
    assert (h.eligible_people, h.participants) == (10, 6)  # each person once
    assert h.participation_rate == pytest.approx(0.6)
    assert h.submitted == 5
    assert h.entries_per_100 == pytest.approx(50.0)
    assert h.shortlist_rate == pytest.approx(3 / 5)
    assert (h.teams, h.mixed_teams) == (6, 2)
    assert h.mixed_share == pytest.approx(2 / 6)
    assert h.adoption_rate == pytest.approx(2 / 5)
    assert h.implementation_rate == pytest.approx(1 / 2)
    assert (h.scorecards_due, h.scorecards_on_time, h.scorecards_late) == (5, 3, 1)  # B's phase is open
    assert h.on_time_rate == pytest.approx(3 / 5)
    rows = {r.name: (r.eligible, r.participants, r.participation_rate, r.entries) for r in d.departments}
    assert rows == {
        "Legal": (2, 0, 0.0, 0),  # a department with no participants
        "Ops": (3, 2, pytest.approx(2 / 3), 4),
        "Sales": (5, 4, pytest.approx(0.8), 3),
    }
    assert [r.name for r in d.departments] == ["Legal", "Ops", "Sales"]
    ops = next(r for r in d.departments if r.name == "Ops")
    assert ops.entries_per_100 == pytest.approx(400 / 3)
    inc = d.incubation
    by_status = {line.status: (line.projects, line.budget_requested, line.budget_approved) for line in inc.lines}
    assert by_status["implemented"] == (1, Decimal("10000.00"), Decimal("8000.00"))
    assert by_status["stopped"] == (1, Decimal("5000.00"), Decimal("0.00"))  # stopped before any outcome
    assert by_status["running"] == (0, Decimal("0.00"), Decimal("0.00"))
    # the status table shows every status; a declined or still proposed one is not incubated
    assert by_status["declined"] == (1, Decimal("7000.00"), Decimal("0.00"))
    assert by_status["proposed"] == (1, Decimal("3000.00"), Decimal("0.00"))
    assert [line.status for line in inc.lines][-1] == "declined"
    assert (inc.proposals, inc.projects, inc.implemented, inc.stopped, inc.declined) == (4, 2, 1, 1, 1)
    assert (inc.budget_requested, inc.budget_approved) == (Decimal("25000.00"), Decimal("8000.00"))
    # realised value per kind and unit (T1's outcomes; T2 stopped before any)
    assert [(v.kind, v.unit, v.projects, v.realised) for v in d.value] == [
        ("cost_saved", "EUR", 1, Decimal("3200.50")),
        ("revenue", "EUR", 1, Decimal("500.00")),
        ("hours_saved", "h", 1, Decimal("75.50")),
    ]
    # against the KPI targets: T1 aims at 6,000 - 1,000 EUR and realised 3,700.50 EUR (every kind in
    # EUR); T2 aims at 100 h and realised nothing; T3's declined target is left out
    assert [(t.unit, t.projects, t.aimed, t.realised) for t in d.targets] == [
        ("EUR", 1, Decimal("5000.00"), Decimal("3700.50")),
        ("h", 1, Decimal("100.00"), Decimal("0.00")),
    ]
    assert d.targets[0].share == pytest.approx(0.7401) and d.targets[1].share == 0.0
    assert d.units == ["EUR", "h"]
    a, b = d.trends
    assert (a.eligible, a.participants, a.teams, a.submitted, a.winners, a.projects, a.implemented) == (
        9,
        5,
        4,
        3,
        2,
        2,
        1,
    )
    assert a.shortlist_rate == pytest.approx(2 / 3) and a.on_time_rate == pytest.approx(3 / 5)
    assert a.realised == {"EUR": Decimal("3700.50"), "h": Decimal("75.50")}
    # a campaign with no winners (and no judging phase closed yet)
    # B: a proposal waiting for its decision is not an incubation project yet
    assert (b.eligible, b.participants, b.teams, b.submitted, b.winners, b.projects) == (4, 3, 2, 2, 0, 0)
    assert b.realised == {}
    assert b.adoption_rate == 0.0 and b.on_time_rate is None


async def test_the_department_filter(db: AsyncSession, world: World) -> None:
    d = await figures(db, Scope(department_id=world.ops.id))
    assert funnel_of(d) == {
        "eligible": 6,
        "participants": 4,
        "team": 4,  # T1, T3, T5, T6: teams with a member from Ops
        "submitted": 4,
        "advanced": 2,
        "winner": 1,
        "incubated": 1,
        "implemented": 1,
    }
    h = d.headline
    assert (h.eligible_people, h.participants, h.mixed_teams) == (3, 2, 2)
    assert (h.scorecards_due, h.scorecards_on_time, h.scorecards_late) == (3, 2, 1)  # judge j1 of Ops
    assert [r.name for r in d.departments] == ["Ops"]
    statuses = {line.status: line.projects for line in d.incubation.lines}
    assert (statuses["stopped"], statuses["declined"], statuses["proposed"]) == (0, 1, 1)  # T3 and T6 of o2
    assert d.headline.adoption_rate == pytest.approx(1 / 4)  # T1 of T1, T3, T5, T6
    assert [(v.kind, v.realised) for v in d.value] == [
        ("cost_saved", Decimal("3200.50")),
        ("revenue", Decimal("500.00")),
        ("hours_saved", Decimal("75.50")),
    ]
    assert [(t.unit, t.aimed) for t in d.targets] == [("EUR", Decimal("5000.00"))]  # T2 is of Sales
    legal = await figures(db, Scope(department_id=world.legal.id))
    assert funnel_of(legal)["eligible"] == 2 and funnel_of(legal)["participants"] == 0
    assert legal.headline.participation_rate == 0.0 and legal.headline.shortlist_rate is None


async def test_the_period_and_campaign_filters(db: AsyncSession, world: World) -> None:
    # A starts 30 days before NOW (its registration), B 20 days before
    later = await figures(db, Scope(starts_from=datetime(2026, 2, 10, tzinfo=UTC)))
    assert [c.title for c in later.campaigns] == ["Campaign B"]
    assert funnel_of(later) == {
        "eligible": 4, "participants": 3, "team": 2, "submitted": 2,
        "advanced": 1, "winner": 0, "incubated": 0, "implemented": 0,
    }  # fmt: skip
    assert later.incubation.projects == 0 and later.headline.implementation_rate is None
    assert later.incubation.proposals == 1 and later.value == [] and later.targets == []
    earlier = await figures(db, Scope(starts_before=datetime(2026, 2, 10, tzinfo=UTC)))
    assert [c.title for c in earlier.campaigns] == ["Campaign A"]
    assert funnel_of(earlier)["participants"] == 5
    one = await figures(db, Scope(campaign_id=world.a.campaign.id))
    assert funnel_of(one) == funnel_of(earlier)
    none = await figures(db, Scope(starts_from=datetime(2030, 1, 1, tzinfo=UTC)))
    assert none.campaigns == [] and all(s.count == 0 for s in none.funnel)
    assert none.headline.participation_rate is None and none.departments == []


# --- through HTTP ---------------------------------------------------------------------------------


async def test_executives_and_admins_open_the_dashboard_participants_and_judges_do_not(
    browser: Browser, world: World
) -> None:
    for who in ("exec@example.com", "admin@example.com"):
        await browser.sign_in(who)
        page = await browser.get("/dashboard")
        assert page.status_code == 200
        assert "Programme dashboard" in page.text and "<svg" in page.text and "Table view" in page.text
        await browser.sign_out()
    for who in ("s1@example.com", "j1@example.com"):
        await browser.sign_in(who)
        assert (await browser.get("/dashboard")).status_code == 403
        assert (await browser.get("/dashboard/export?figure=funnel")).status_code == 403
        assert 'href="/dashboard"' not in (await browser.get("/")).text
        await browser.sign_out()


async def test_the_page_filters_and_answers_bad_filters_next_to_the_field(browser: Browser, world: World) -> None:
    await browser.sign_in("exec@example.com")
    page = await browser.get(f"/dashboard?department={world.ops.id}&start=2026-02-10")
    assert page.status_code == 200
    assert "Campaign B" in page.text and "/dashboard?campaign=" in page.text
    bad = await browser.get("/dashboard?start=10/02/2026&end=2026-01-01")
    assert bad.status_code == 422
    assert "Enter a date such as 2027-01-31." in bad.text
    assert 'value="10/02/2026"' in bad.text  # what was typed is kept
    backwards = await browser.get("/dashboard?start=2026-03-01&end=2026-01-01")
    assert backwards.status_code == 422 and "cannot come before its start" in backwards.text
    assert (await browser.get("/dashboard?campaign=999999")).status_code == 404
    assert (await browser.get(f"/dashboard?campaign={world.c.campaign.id}")).status_code == 404  # a draft
    assert (await browser.get("/dashboard?department=999999")).status_code == 404
    chinese = await browser.get("/dashboard", headers={"accept-language": "zh-CN"})
    assert chinese.status_code == 200


async def test_every_figure_exports_as_csv_and_excel(browser: Browser, world: World) -> None:
    await browser.sign_in("admin@example.com")
    funnel = await browser.get("/dashboard/export?figure=funnel&format=csv")
    assert funnel.status_code == 200 and funnel.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(funnel.content.decode("utf-8-sig"))))
    assert rows[0] == ["Stage", "Count", "Conversion from the previous stage", "Share of the first stage"]
    assert [r[1] for r in rows[1:]] == ["13", "8", "6", "5", "3", "2", "2", "1"]
    assert rows[3][2] == "0.75"
    book = openpyxl.load_workbook(
        io.BytesIO(
            (await browser.get(f"/dashboard/export?figure=departments&format=xlsx&department={world.ops.id}")).content
        )
    )
    sheet = [list(r) for r in book.active.iter_rows(values_only=True)]
    assert sheet[1][:5] == ["Ops", 3, 2, 0.6667, 4]
    for figure in ("summary", "judging", "incubation", "value", "targets", "trends"):
        for fmt in ("csv", "xlsx"):
            got = await browser.get(f"/dashboard/export?figure={figure}&format={fmt}")
            assert got.status_code == 200, (figure, fmt)
    trends = list(
        csv.reader(io.StringIO((await browser.get("/dashboard/export?figure=trends")).content.decode("utf-8-sig")))
    )
    assert [r[0] for r in trends[1:]] == ["Campaign A", "Campaign B"]
    assert (await browser.get("/dashboard/export?figure=nope")).status_code == 404
    assert (await browser.get("/dashboard/export?figure=funnel&format=pdf")).status_code == 404


async def test_exports_are_formula_safe(db: AsyncSession, browser: Browser, world: World) -> None:
    world.a.campaign.title = '=HYPERLINK("http://evil")'
    await db.commit()
    await browser.sign_in("exec@example.com")
    got = await browser.get("/dashboard/export?figure=trends&format=csv")
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert rows[1][0] == '\'=HYPERLINK("http://evil")'
    book = openpyxl.load_workbook(
        io.BytesIO((await browser.get("/dashboard/export?figure=trends&format=xlsx")).content)
    )
    assert book.active.cell(row=2, column=1).value == '\'=HYPERLINK("http://evil")'


async def test_realised_value_on_the_page_and_in_the_exports(browser: Browser, world: World) -> None:
    await browser.sign_in("exec@example.com")
    page = await browser.get("/dashboard")
    assert page.status_code == 200
    assert "Realised value" in page.text and 'class="dash-chart value"' in page.text
    assert "3,200.50" in page.text and "75.50" in page.text  # cost saved in EUR, hours saved in h
    assert "74% realised" in page.text  # 3,700.50 of the 5,000 EUR aimed at
    assert "Declined" in page.text
    value = list(
        csv.reader(io.StringIO((await browser.get("/dashboard/export?figure=value")).content.decode("utf-8-sig")))
    )
    assert value == [
        ["Kind", "Unit", "Projects measured", "Realised value"],
        ["Cost saved", "EUR", "1", "3200.5"],
        ["Revenue", "EUR", "1", "500.0"],
        ["Hours saved", "h", "1", "75.5"],
    ]
    targets = await browser.get("/dashboard/export?figure=targets&format=xlsx")
    book = openpyxl.load_workbook(io.BytesIO(targets.content))
    sheet = [list(r) for r in book.active.iter_rows(values_only=True)]
    assert sheet[1:] == [["EUR", 1, 5000, 3700.5, 0.7401], ["h", 1, 100, 0, 0]]
    trends = list(
        csv.reader(io.StringIO((await browser.get("/dashboard/export?figure=trends")).content.decode("utf-8-sig")))
    )
    assert trends[0][-2:] == ["Realised value (EUR)", "Realised value (h)"]
    assert [r[-2:] for r in trends[1:]] == [["3700.5", "75.5"], ["0.0", "0.0"]]
    incubation = list(
        csv.reader(io.StringIO((await browser.get("/dashboard/export?figure=incubation")).content.decode("utf-8-sig")))
    )
    assert ["Declined", "1", "7000.0", "0.0"] in incubation and ["Incubation projects", "2", "", ""] in incubation
    later = await browser.get("/dashboard?start=2026-02-10")
    assert "No outcome has been measured" in later.text
