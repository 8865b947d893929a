"""A person's own account page: time zone, language and password, through HTTP."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import AuthSession, SignInCounter, User
from accounts.passwords import verify_password
from accounts.throttle import account_key
from core.audit import AuditEntry
from tests.conftest import PASSWORD, Browser
from tests.factories import make_department, make_user

NEW_PASSWORD = "a-new-and-long-passphrase"


async def fresh_user(db: AsyncSession, email: str) -> User:
    user = await db.scalar(select(User).where(User.email == email).execution_options(populate_existing=True))
    await db.commit()
    assert user is not None
    return user


async def audits(db: AsyncSession, action: str) -> list[AuditEntry]:
    rows = (await db.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))).all()
    await db.commit()
    return list(rows)


async def test_the_account_page_is_linked_from_the_header(db: AsyncSession, browser: Browser) -> None:
    await make_user(db, "ann@example.com", name="Ann Lee", department=await make_department(db, "Logistics"))
    await db.commit()
    await browser.sign_in("ann@example.com")
    home = (await browser.get("/")).text
    assert '<a class="who" href="/account"' in home and "Ann Lee</a>" in home
    page = await browser.get("/account")
    assert page.status_code == 200
    for text in ("Ann Lee", "ann@example.com", "Logistics", 'name="timezone"', 'name="locale"', "Europe/Berlin"):
        assert text in page.text
    assert 'href="/account/notifications"' in page.text
    assert '<option value="" data-browser-zone=' in page.text and "Use my browser’s time zone" in page.text
    assert 'href="/account"' in (await browser.get("/account/notifications")).text


async def test_anonymous_visitors_are_sent_to_sign_in(browser: Browser) -> None:
    response = await browser.get("/account", follow_redirects=False)
    assert response.status_code in (302, 303) and "/sign-in" in response.headers["location"]
    refused = await browser.post("/account/password", {"current_password": PASSWORD})
    assert refused.status_code in (302, 303, 401)


async def test_time_zone_and_language_are_saved_and_audited(db: AsyncSession, browser: Browser) -> None:
    await make_user(db, "ann@example.com")
    await db.commit()
    await browser.sign_in("ann@example.com")
    saved = await browser.post("/account/preferences", {"timezone": "Asia/Shanghai", "locale": "zh_CN"})
    assert saved.status_code == 303 and saved.headers["location"] == "/account?saved=preferences"
    assert "kaizen_lang=zh_CN" in saved.headers["set-cookie"]
    user = await fresh_user(db, "ann@example.com")
    assert (user.timezone, user.locale) == ("Asia/Shanghai", "zh_CN")
    (entry,) = await audits(db, "user.preferences")
    assert entry.actor_id == user.id and entry.subject_id == user.id
    assert entry.before == {"timezone": None, "locale": None}
    assert entry.after == {"timezone": "Asia/Shanghai", "locale": "zh_CN"}

    page = (await browser.get("/account?saved=preferences")).text
    assert 'lang="zh-CN"' in page and '<option value="Asia/Shanghai" selected>' in page

    # back to the browser's zone; saving the same again changes nothing and audits nothing more
    assert (await browser.post("/account/preferences", {"timezone": "", "locale": "en"})).status_code == 303
    assert (await browser.post("/account/preferences", {"timezone": "", "locale": "en"})).status_code == 303
    user = await fresh_user(db, "ann@example.com")
    assert (user.timezone, user.locale) == (None, "en")
    assert len(await audits(db, "user.preferences")) == 2


async def test_bad_preferences_are_refused_next_to_the_field(db: AsyncSession, browser: Browser) -> None:
    await make_user(db, "ann@example.com")
    await db.commit()
    await browser.sign_in("ann@example.com")
    response = await browser.post("/account/preferences", {"timezone": "Mars/Olympus_Mons", "locale": "zh_CN"})
    assert response.status_code == 422
    html = response.text
    assert 'id="e-timezone"' in html and "Choose a time zone from the list." in html
    # what was chosen stays chosen
    assert '<option value="Mars/Olympus_Mons" selected>' in html
    assert '<option value="zh_CN" lang="zh-CN" selected>' in html
    bad_language = await browser.post("/account/preferences", {"timezone": "UTC", "locale": "klingon"})
    assert bad_language.status_code == 422 and 'id="e-locale"' in bad_language.text
    assert '<option value="UTC" selected>' in bad_language.text
    user = await fresh_user(db, "ann@example.com")
    assert (user.timezone, user.locale) == (None, None)
    assert await audits(db, "user.preferences") == []


async def test_the_saved_zone_shows_deadlines_in_it(db: AsyncSession, browser: Browser) -> None:
    from tests.factories import make_campaign

    scenario = await make_campaign(db, stage="submission", timezone="Europe/Berlin")
    await make_user(db, "ann@example.com")
    await db.commit()
    await browser.sign_in("ann@example.com")
    await browser.post("/account/preferences", {"timezone": "Asia/Tokyo", "locale": "en"})
    page = (await browser.get(f"/campaigns/{scenario.campaign.id}")).text
    assert "your time: Mar 12, 2026, 6:00\u202fPM (Tokyo, UTC+9)" in page


async def test_changing_the_password_ends_the_other_sessions(db: AsyncSession, browser: Browser) -> None:
    await make_user(db, "ann@example.com")
    await db.commit()
    # another device first, then this browser
    await browser.sign_in("ann@example.com")
    other_device = browser.client.cookies.get("kaizen_session")
    browser.client.cookies.delete("kaizen_session")
    await browser.sign_in("ann@example.com")
    old_cookie = browser.client.cookies.get("kaizen_session")
    assert other_device and old_cookie and other_device != old_cookie

    response = await browser.post(
        "/account/password",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD},
    )
    assert response.status_code == 303 and response.headers["location"] == "/account?saved=password"
    # this browser carries on with a new session; the other device is signed out
    assert browser.client.cookies.get("kaizen_session") not in (None, old_cookie)
    page = await browser.get("/account?saved=password")
    assert page.status_code == 200 and "Your password is changed." in page.text
    left = (await db.scalars(select(AuthSession.token_hash))).all()
    await db.commit()
    current = browser.client.cookies.get("kaizen_session")
    assert current and left == [hashlib.sha256(current.encode()).hexdigest()]
    browser.client.cookies.set("kaizen_session", other_device)
    assert (await browser.get("/account", follow_redirects=False)).status_code in (302, 303)
    browser.client.cookies.set("kaizen_session", current)

    user = await fresh_user(db, "ann@example.com")
    assert user.password_hash and user.password_hash.startswith("$argon2id$")
    assert verify_password(user.password_hash, NEW_PASSWORD)
    (entry,) = await audits(db, "user.password")
    assert entry.actor_id == user.id and entry.before is None and entry.after is None
    await browser.sign_out()
    assert (await browser.post("/sign-in", {"email": "ann@example.com", "password": PASSWORD})).status_code == 401
    await browser.sign_in("ann@example.com", NEW_PASSWORD)


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        (
            {"current_password": "not-my-password", "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD},
            "current_password",
            "The current password is not correct.",
        ),
        (
            {"current_password": PASSWORD, "new_password": "short", "new_password_confirm": "short"},
            "new_password",
            "Use a password of at least 10 characters.",
        ),
        (
            {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD + "x"},
            "new_password_confirm",
            "The two new passwords are not the same.",
        ),
        (
            {"current_password": PASSWORD, "new_password": PASSWORD, "new_password_confirm": PASSWORD},
            "new_password",
            "Choose a password different from the current one.",
        ),
        (
            {"current_password": PASSWORD, "new_password": "p" * 1025, "new_password_confirm": "p" * 1025},
            "new_password",
            "Use a password of at most 1024 characters.",
        ),
    ],
)
async def test_bad_passwords_are_refused_next_to_the_field(
    db: AsyncSession, browser: Browser, form: dict[str, str], field: str, message: str
) -> None:
    await make_user(db, "ann@example.com")
    await db.commit()
    await browser.sign_in("ann@example.com")
    await browser.post("/account/preferences", {"timezone": "Asia/Tokyo", "locale": "en"})
    response = await browser.post("/account/password", form)
    assert response.status_code == 422
    assert f'<p class="field-error" id="e-{field}" role="alert">{message}</p>' in response.text
    # passwords are never sent back; the rest of the page keeps its saved values
    for typed in form.values():
        assert f'value="{typed}"' not in response.text
    assert '<option value="Asia/Tokyo" selected>' in response.text
    user = await fresh_user(db, "ann@example.com")
    assert verify_password(user.password_hash, PASSWORD)
    assert await audits(db, "user.password") == []
    assert (await browser.get("/account")).status_code == 200  # still signed in


async def test_guessing_the_current_password_is_throttled(db: AsyncSession, browser: Browser) -> None:
    await make_user(db, "ann@example.com")
    await db.commit()
    await browser.sign_in("ann@example.com")
    wrong = {"current_password": "guess", "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD}
    for _ in range(5):
        assert (await browser.post("/account/password", wrong)).status_code == 422
    counted = select(SignInCounter.attempts).where(SignInCounter.key == account_key("ann@example.com"))
    assert await db.scalar(counted) == 5  # the account's own counter, as at the sign-in page
    await db.commit()
    # even the right password waits now, like the sign-in page
    right = {**wrong, "current_password": PASSWORD}
    throttled = await browser.post("/account/password", right)
    assert throttled.status_code == 429
    assert 'id="e-current_password"' in throttled.text and "Too many failed attempts." in throttled.text
    user = await fresh_user(db, "ann@example.com")
    assert verify_password(user.password_hash, PASSWORD)
