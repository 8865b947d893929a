"""Notifications in the app: the bell, the list, marking read, and the choices per kind."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from notifications.models import Notification, NotificationKind, NotificationPreference, OutboxMail
from notifications.services import notify
from tests.conftest import NOW, Browser, QueryCounter
from tests.factories import make_user
from web.i18n import format_moment
from web.mail import locale_of

HTMX = {"hx-request": "true"}


async def _notify(
    db: AsyncSession, user: User, kind: NotificationKind, params: dict[str, Any], *, minutes: int = 0, link: str = ""
) -> Notification:
    (made,) = await notify(db, NOW + timedelta(minutes=minutes), [user.id], kind, params, link=link)
    return made


async def _results(db: AsyncSession, user: User, campaigns: list[str]) -> list[Notification]:
    """One "results published" notification per campaign name, a minute apart (the last is newest)."""
    return [
        await _notify(db, user, NotificationKind.RESULTS_PUBLISHED, {"campaign": name}, minutes=i, link=f"/c/{i}")
        for i, name in enumerate(campaigns)
    ]


async def _read_states(db: AsyncSession, ids: list[int]) -> dict[int, bool]:
    rows = await db.execute(
        select(Notification.id, Notification.read_at).where(Notification.id.in_(ids)).execution_options()
    )
    found = {nid: read_at is not None for nid, read_at in rows.all()}
    await db.commit()
    return found


async def test_bell_shows_the_unread_count_and_refreshes_itself(db: AsyncSession, browser: Browser) -> None:
    alice = await make_user(db, "alice@example.com")
    await _results(db, alice, ["Spring", "Summer"])
    await db.commit()
    await browser.sign_in("alice@example.com")

    home = (await browser.get("/")).text
    assert 'id="notification-bell"' in home and 'href="/notifications"' in home
    assert 'hx-get="/notifications/bell"' in home and 'hx-trigger="load, every 60s"' in home

    bell = await browser.get("/notifications/bell", headers=HTMX)
    assert bell.status_code == 200
    assert 'aria-label="Notifications: 2 unread"' in bell.text
    assert '<span class="bell-count" aria-hidden="true">2</span>' in bell.text
    # the refreshed bell keeps polling, but does not trigger itself again on load
    assert 'hx-trigger="every 60s"' in bell.text and 'hx-swap="outerHTML"' in bell.text
    assert "<html" not in bell.text


async def test_no_bell_for_visitors_and_the_pages_ask_to_sign_in(browser: Browser) -> None:
    page = await browser.get("/sign-in")
    assert 'id="notification-bell"' not in page.text
    for path in ("/notifications", "/account/notifications"):
        response = await browser.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == f"/sign-in?next={path}"
    bell = await browser.get("/notifications/bell", headers=HTMX, follow_redirects=False)
    assert bell.status_code != 302 and bell.headers.get("hx-redirect", "").startswith("/sign-in")


async def test_list_newest_first_in_the_readers_language(db: AsyncSession, browser: Browser) -> None:
    li = await make_user(db, "li@example.com", name="Li Na")
    li.locale = "zh_CN"
    await _results(db, li, ["Spring", "Summer"])
    closes = NOW + timedelta(days=3)
    await _notify(
        db,
        li,
        NotificationKind.JUDGING_REMINDER,
        {
            "campaign": "Autumn",
            "phase": "Screening",
            "closes_at": closes.isoformat(),
            "timezone": "Asia/Shanghai",
            "unfinished": 2,
            "hours": 24,
        },
        minutes=5,
        link="/judging",
    )
    await db.commit()
    await browser.sign_in("li@example.com")

    page = await browser.get("/notifications")
    assert page.status_code == 200
    text = page.text
    assert text.index("Autumn") < text.index("Summer") < text.index("Spring")
    assert 'href="/judging"' in text and 'href="/c/1"' in text
    with locale_of("zh_CN"):
        zh_date = format_moment(closes, "Asia/Shanghai")
    assert zh_date in text
    assert text.count('class="notification unread"') == 3
    assert 'href="/account/notifications"' in text


async def test_mark_one_read_with_htmx_and_without(db: AsyncSession, browser: Browser) -> None:
    alice = await make_user(db, "alice@example.com")
    first, second = await _results(db, alice, ["Spring", "Summer"])
    await db.commit()
    await browser.sign_in("alice@example.com")

    answer = await browser.post(f"/notifications/{first.id}/read", {"page": "1"}, htmx=True)
    assert answer.status_code == 200
    assert f'id="notification-{first.id}" class="notification"' in answer.text
    assert "Mark as read" not in answer.text
    assert 'hx-swap-oob="true"' in answer.text and 'aria-label="Notifications: 1 unread"' in answer.text
    assert "1 unread notification" in answer.text
    assert await _read_states(db, [first.id, second.id]) == {first.id: True, second.id: False}

    plain = await browser.post(f"/notifications/{second.id}/read", {"page": "1"})
    assert plain.status_code == 303
    assert plain.headers["location"] == f"/notifications?page=1#notification-{second.id}"
    assert await _read_states(db, [second.id]) == {second.id: True}
    listed = (await browser.get("/notifications")).text
    assert "All caught up" in listed and 'class="notification unread"' not in listed


async def test_mark_all_read_plain_and_htmx(db: AsyncSession, browser: Browser) -> None:
    alice = await make_user(db, "alice@example.com")
    bob = await make_user(db, "bob@example.com")
    mine = await _results(db, alice, ["Spring", "Summer", "Autumn"])
    (bobs,) = await _results(db, bob, ["Winter"])
    await db.commit()
    await browser.sign_in("alice@example.com")

    answer = await browser.post("/notifications/read-all", {"page": "1"})
    assert answer.status_code == 303 and answer.headers["location"] == "/notifications?page=1"
    states = await _read_states(db, [n.id for n in mine] + [bobs.id])
    assert states == {**{n.id: True for n in mine}, bobs.id: False}  # Bob's stay unread

    more = await _results(db, alice, ["Spring 2"])
    await db.commit()
    fragment = await browser.post("/notifications/read-all", {"page": "1"}, htmx=True)
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert 'id="notification-region"' in fragment.text and "All caught up" in fragment.text
    assert 'hx-swap-oob="true"' in fragment.text and 'aria-label="Notifications"' in fragment.text
    assert await _read_states(db, [more[0].id]) == {more[0].id: True}


async def test_someone_elses_notification_cannot_be_marked(db: AsyncSession, browser: Browser) -> None:
    await make_user(db, "alice@example.com")
    bob = await make_user(db, "bob@example.com")
    (bobs,) = await _results(db, bob, ["Spring"])
    await db.commit()
    await browser.sign_in("alice@example.com")

    for htmx in (False, True):
        answer = await browser.post(f"/notifications/{bobs.id}/read", {"page": "1"}, htmx=htmx)
        assert answer.status_code == 404
    assert (await browser.post("/notifications/999999/read", {"page": "1"})).status_code == 404
    assert await _read_states(db, [bobs.id]) == {bobs.id: False}
    assert "Spring" not in (await browser.get("/notifications")).text


async def test_preferences_are_saved_and_honoured_by_notify(db: AsyncSession, browser: Browser) -> None:
    alice = await make_user(db, "alice@example.com")
    await db.commit()
    await browser.sign_in("alice@example.com")

    page = await browser.get("/account/notifications")
    assert page.status_code == 200
    assert page.text.count('type="checkbox"') == 2 * len(NotificationKind)
    assert page.text.count(" checked") == 2 * len(NotificationKind)  # both channels on by default
    assert "alice@example.com" in page.text and "English" in page.text

    chosen = {f"in_app_{kind.value}": "1" for kind in NotificationKind if kind is not NotificationKind.PHASE_OPENED}
    chosen |= {
        f"email_{kind.value}": "1" for kind in NotificationKind if kind is not NotificationKind.RESULTS_PUBLISHED
    }
    saved = await browser.post("/account/notifications", chosen)
    assert saved.status_code == 303 and saved.headers["location"] == "/account/notifications?saved=true"
    shown = await browser.get(saved.headers["location"])
    assert "Your choices are saved." in shown.text
    assert 'name="in_app_phase_opened" value="1">' in shown.text
    assert 'name="email_results_published" value="1">' in shown.text
    assert 'name="email_phase_opened" value="1" checked>' in shown.text

    prefs = (
        await db.execute(
            select(NotificationPreference.kind, NotificationPreference.in_app, NotificationPreference.email).where(
                NotificationPreference.user_id == alice.id
            )
        )
    ).all()
    by_kind = {kind: (in_app, email) for kind, in_app, email in prefs}
    assert by_kind[NotificationKind.PHASE_OPENED] == (False, True)
    assert by_kind[NotificationKind.RESULTS_PUBLISHED] == (True, False)
    assert by_kind[NotificationKind.TEAM_INVITATION] == (True, True)

    (results,) = await _results(db, alice, ["Spring"])
    phase = await _notify(db, alice, NotificationKind.PHASE_OPENED, {"campaign": "Summer", "phase": "Ideas"})
    await db.commit()
    outbox = (await db.execute(select(OutboxMail.notification_id))).scalars().all()
    assert outbox == [phase.id]  # e-mail off for results: no mail queued
    assert phase.in_app is False and results.in_app is True
    listed = (await browser.get("/notifications")).text
    assert "The results of Spring are published" in listed and "Ideas is open in Summer" not in listed
    bell = await browser.get("/notifications/bell", headers=HTMX)
    assert 'aria-label="Notifications: 1 unread"' in bell.text


async def test_preferences_with_htmx_answer_the_form_fragment(db: AsyncSession, browser: Browser) -> None:
    await make_user(db, "alice@example.com")
    await db.commit()
    await browser.sign_in("alice@example.com")
    answer = await browser.post("/account/notifications", {"in_app_team_invitation": "1"}, htmx=True)
    assert answer.status_code == 200 and "<html" not in answer.text
    assert "Your choices are saved." in answer.text
    assert answer.text.count(" checked") == 1


async def test_queries_do_not_grow_with_notifications(
    db: AsyncSession, browser: Browser, queries: QueryCounter
) -> None:
    alice = await make_user(db, "alice@example.com")
    await _results(db, alice, [f"Campaign {i}" for i in range(3)])
    await db.commit()
    await browser.sign_in("alice@example.com")

    counts: dict[int, dict[str, int]] = {}
    for total in (3, 30):
        if total == 30:
            await _results(db, alice, [f"More {i}" for i in range(27)])
            await db.commit()
        counts[total] = {}
        for path in ("/notifications", "/notifications?page=2", "/notifications/bell", "/account/notifications"):
            queries.reset()
            response = await browser.get(path)
            assert response.status_code == 200
            counts[total][path] = queries.count
    assert counts[3] == counts[30], counts
    assert await db.scalar(select(func.count(Notification.id))) == 30
    print(f"\nqueries per page at 3 and 30 notifications: {counts[30]}")


async def test_the_bell_polling_does_not_keep_an_idle_session_alive(
    db: AsyncSession, browser: Browser, clock: Any
) -> None:
    await make_user(db, "alice@example.com")
    await db.commit()
    await browser.sign_in("alice@example.com")
    for _ in range(9):  # an open tab, polled hourly for longer than the 8 h idle timeout
        clock.advance(timedelta(hours=1))
        await browser.get("/notifications/bell", headers={"HX-Request": "true"})
    page = await browser.get("/notifications", follow_redirects=False)
    assert page.status_code in (302, 303) and "/sign-in" in page.headers["location"]
