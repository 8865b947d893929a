"""Malformed input at the edge: NUL bytes, ids past 64 bits, Unicode digits, pages past the end."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from core.numbers import INT64_MAX, parse_int
from tests.conftest import Browser
from tests.factories import make_campaign, make_department, make_team, make_user

MALFORMED = "The request contains characters that cannot be accepted"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("42", 42),
        (" -7 ", -7),
        ("+3", 3),
        ("0009", 9),
        (str(INT64_MAX), INT64_MAX),
        (str(INT64_MAX + 1), None),
        (str(-(2**63)), -(2**63)),
        (str(-(2**63) - 1), None),
        ("99999999999999999999", None),
        ("²", None),  # passes str.isdigit, not int()
        ("١٢", None),  # int() reads Arabic-Indic digits; nobody types them for an id
        ("1_000", None),
        ("1e3", None),
        ("", None),
        ("-", None),
        (None, None),
    ],
)
def test_parse_int(raw: str | None, expected: int | None) -> None:
    assert parse_int(raw) == expected


def test_parse_int_bounds() -> None:
    assert parse_int("5", low=1, high=5) == 5
    assert parse_int("6", low=1, high=5) is None


async def test_nul_byte_in_sign_in_email_is_a_failed_attempt(db: AsyncSession, browser: Browser) -> None:
    """The sign-in form answers any text itself, on the sign-in page (tests/accounts/test_sign_in.py)."""
    await make_user(db, "ann@example.com")
    await db.commit()
    response = await browser.post("/sign-in", {"email": "ann@example.com\x00", "password": "x"})
    assert response.status_code == 401
    assert 'value="ann@example.com' in response.text  # what was typed is kept
    assert "kaizen_session" not in response.cookies


async def test_nul_byte_in_a_query_or_path_is_a_clear_400(db: AsyncSession, browser: Browser) -> None:
    await make_user(db, "root@example.com", admin=True)
    await db.commit()
    await browser.sign_in("root@example.com")
    for url in ("/admin/users?q=%00", "/campaigns?page=1%00", "/static/css/app%00.css"):
        response = await browser.get(url)
        assert response.status_code == 400, url
        assert MALFORMED in response.text
    assert (await browser.get("/campaigns%00")).status_code == 404  # no such route
    # the JSON answer says the same
    response = await browser.get("/admin/users?q=a%00", headers={"accept": "application/json"})
    assert response.status_code == 400 and MALFORMED in response.json()["detail"]


async def test_nul_byte_in_a_form_changes_nothing(db: AsyncSession, browser: Browser) -> None:
    await make_user(db, "root@example.com", admin=True)
    await db.commit()
    await browser.sign_in("root@example.com")
    before = await db.scalar(select(func.count(User.id)))
    await db.commit()
    response = await browser.post("/admin/users/new", {"email": "new@example.com", "name": "New\x00 Person"})
    assert response.status_code == 400 and MALFORMED in response.text
    assert await db.scalar(select(func.count(User.id))) == before


async def test_the_message_is_translated(db: AsyncSession, browser: Browser) -> None:
    await make_user(db, "root@example.com", admin=True)
    await db.commit()
    await browser.sign_in("root@example.com")
    await browser.post("/language", {"locale": "zh_CN", "next": "/"})
    response = await browser.get("/admin/users?q=%00")
    assert response.status_code == 400
    assert MALFORMED not in response.text and "NUL" in response.text


async def test_ids_past_64_bits_are_not_found(db: AsyncSession, browser: Browser) -> None:
    organizer = await make_user(db, "olga@example.com")
    scenario = await make_campaign(db, organizer=organizer)
    await db.commit()
    await browser.sign_in("olga@example.com")
    for url in (
        "/teams/99999999999999999999",
        f"/teams/{2**63}",
        f"/campaigns/{scenario.campaign.id}/phases/{2**64}/rubric",
        f"/campaigns/{-(2**63) - 1}",
    ):
        assert (await browser.get(url)).status_code == 404, url
    response = await browser.post(f"/campaigns/{2**63}/close")
    assert response.status_code == 404


async def test_query_numbers_past_64_bits_are_a_400_and_pages_past_the_end_the_last_page(
    db: AsyncSession, browser: Browser
) -> None:
    await make_user(db, "root@example.com", admin=True)
    await db.commit()
    await browser.sign_in("root@example.com")
    response = await browser.get(f"/admin/users?page={2**63}")
    assert response.status_code == 400
    assert "number that is out of range" in response.text
    response = await browser.get("/admin/users?page=999999999999999999")
    assert response.status_code == 200
    assert "root@example.com" in response.text  # the last (only) page


async def test_unicode_digits_in_filters_are_ignored_not_a_500(db: AsyncSession, browser: Browser) -> None:
    dept = await make_department(db, "Finance")
    await make_user(db, "root@example.com", admin=True, department=dept)
    organizer = await make_user(db, "olga@example.com")
    captain = await make_user(db, "cara@example.com")
    scenario = await make_campaign(db, organizer=organizer, stage="results")
    await make_team(db, scenario, captain)
    await db.commit()
    await browser.sign_in("root@example.com")
    for url in ("/admin/users?department=²", "/admin/users?imported=²&updated=²", "/incubation/projects/new?team_id=²"):
        assert (await browser.get(url)).status_code == 200, url
    response = await browser.post("/incubation/projects", {"team_id": "²", "title": "Pilot", "budget_requested": "²"})
    assert response.status_code == 422
