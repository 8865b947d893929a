"""Sign-in, sessions and throttling through HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from litestar import Litestar
from litestar.enums import ScopeType
from litestar.testing import AsyncTestClient
from litestar.types import Receive, Scope, Send
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

import accounts.passwords
from accounts.models import AuthSession, SignInCounter
from accounts.throttle import account_key, address_key
from core.clock import FrozenClock
from tests import factories as f
from tests.conftest import PASSWORD, Browser
from web.settings import Settings

FAILED = "The e-mail address or password is not correct."
THROTTLED = "Too many failed attempts. Please wait a few minutes and try again."
ADDRESS_LIMIT = 8
OFFICE = "203.0.113.10"  # one address for a whole office behind its NAT
PROXY, INNER_PROXY = "10.0.0.1", "192.168.4.2"


class Peer:
    """The app as reached from ``host`` (Litestar's test client always says "testclient")."""

    def __init__(self, app: Litestar, host: str) -> None:
        self.app, self.host = app, host

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            scope["client"] = (self.host, 50000)
        await self.app(scope, receive, send)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """A low address limit (still above the account's), quick to reach; two trusted proxies."""
    return replace(
        settings, sign_in_address_max_failures=ADDRESS_LIMIT, trusted_proxies=(f"{PROXY}/32", "192.168.0.0/16")
    )


@pytest.fixture
def peer(app: Litestar) -> Peer:
    return Peer(app, OFFICE)


@pytest.fixture
async def client(peer: Peer) -> AsyncIterator[AsyncTestClient[Any]]:
    async with AsyncTestClient(app=peer, base_url="http://testserver.local") as c:
        yield c


async def attempt(browser: Browser, email: str, password: str = PASSWORD, **headers: str) -> Any:
    return await browser.post("/sign-in", {"email": email, "password": password}, headers=headers)


async def counted(db: AsyncSession, key: str) -> int:
    attempts = await db.scalar(select(SignInCounter.attempts).where(SignInCounter.key == key))
    await db.commit()
    return attempts or 0


async def sessions(db: AsyncSession) -> int:
    total = await db.scalar(select(func.count()).select_from(AuthSession))
    await db.commit()
    return total or 0


async def test_wrong_password_gets_one_generic_message_and_keeps_the_email(browser: Browser, db: AsyncSession) -> None:
    await f.make_user(db, "ann@example.com")
    await db.commit()
    wrong = await browser.post("/sign-in", {"email": "ann@example.com", "password": "nope-nope-nope"})
    unknown = await browser.post("/sign-in", {"email": "nobody@example.com", "password": "nope-nope-nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert "The e-mail address or password is not correct." in wrong.text
    assert "The e-mail address or password is not correct." in unknown.text
    assert 'value="ann@example.com"' in wrong.text


async def test_sign_in_is_throttled_per_account(browser: Browser, db: AsyncSession) -> None:
    await f.make_user(db, "ann@example.com")
    await db.commit()
    for _ in range(5):
        await browser.post("/sign-in", {"email": "ann@example.com", "password": "wrong-password"})
    blocked = await browser.post("/sign-in", {"email": "ann@example.com", "password": "correct-horse-battery"})
    assert blocked.status_code == 429
    assert "Too many failed attempts" in blocked.text


async def test_throttle_ends_after_the_window(browser: Browser, db: AsyncSession, clock: FrozenClock) -> None:
    await f.make_user(db, "ann@example.com")
    await db.commit()
    for _ in range(5):
        await browser.post("/sign-in", {"email": "ann@example.com", "password": "wrong-password"})
    clock.advance(timedelta(minutes=16))
    await browser.sign_in("ann@example.com")


async def test_every_sign_in_gets_a_new_session_token(browser: Browser, db: AsyncSession) -> None:
    await f.make_user(db, "ann@example.com")
    await db.commit()
    await browser.sign_in("ann@example.com")
    first = browser.client.cookies.get("kaizen_session")
    await browser.sign_in("ann@example.com")
    second = browser.client.cookies.get("kaizen_session")
    assert first and second and first != second
    # the old session was ended server-side, not only forgotten by the browser
    assert await db.scalar(select(func.count()).select_from(AuthSession)) == 1


async def test_session_cookie_is_httponly_and_lax(browser: Browser, db: AsyncSession) -> None:
    await f.make_user(db, "ann@example.com")
    await db.commit()
    response = await browser.sign_in("ann@example.com")
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


async def test_idle_session_expires_and_asks_to_sign_in_again(
    browser: Browser, db: AsyncSession, clock: FrozenClock
) -> None:
    await f.make_user(db, "ann@example.com")
    await db.commit()
    await browser.sign_in("ann@example.com")
    assert (await browser.get("/")).status_code == 200
    clock.advance(timedelta(hours=9))
    expired = await browser.get("/", follow_redirects=False)
    assert expired.status_code == 303
    assert expired.headers["location"].startswith("/sign-in?next=")


async def test_sessions_live_in_the_database_and_are_shared_by_app_instances(
    browser: Browser, db: AsyncSession, settings: object, clock: FrozenClock
) -> None:
    from litestar.testing import AsyncTestClient

    from web.app import create_app

    await f.make_user(db, "ann@example.com", name="Ann")
    await db.commit()
    await browser.sign_in("ann@example.com")
    token = browser.client.cookies.get("kaizen_session")
    other = create_app(settings, clock=clock)  # type: ignore[arg-type]
    async with AsyncTestClient(app=other, base_url="http://testserver.local") as second:
        second.cookies.set("kaizen_session", token or "")
        page = await second.get("/")
        assert page.status_code == 200 and "Ann" in page.text


async def test_sign_out_ends_the_session(browser: Browser, db: AsyncSession) -> None:
    await f.make_user(db, "ann@example.com")
    await db.commit()
    await browser.sign_in("ann@example.com")
    await browser.sign_out()
    assert await db.scalar(select(func.count()).select_from(AuthSession)) == 0


async def test_next_parameter_cannot_redirect_off_site(browser: Browser, db: AsyncSession) -> None:
    await f.make_user(db, "ann@example.com")
    await db.commit()
    response = await browser.post(
        "/sign-in", {"email": "ann@example.com", "password": "correct-horse-battery", "next": "//evil.example/x"}
    )
    assert response.headers["location"] == "/"


# --- throttling per account and per address -------------------------------------------------------


async def test_colleagues_behind_one_address_sign_in_while_one_account_is_throttled(
    browser: Browser, db: AsyncSession, peer: Peer
) -> None:
    colleagues = [f"colleague{i}@example.com" for i in range(9)]
    for email in [*colleagues, "tenth@example.com"]:
        await f.make_user(db, email)
    await db.commit()
    for _ in range(5):
        assert (await attempt(browser, "tenth@example.com", "wrong-password")).status_code == 401
    for email in colleagues:
        response = await attempt(browser, email)
        assert response.status_code == 303, f"{email}: {response.text}"
        await browser.sign_out()
    assert await sessions(db) == 0
    blocked = await attempt(browser, "tenth@example.com")
    assert blocked.status_code == 429 and THROTTLED in blocked.text
    peer.host = "198.51.100.20"  # the account is throttled wherever the attempt comes from
    assert (await attempt(browser, "tenth@example.com")).status_code == 429
    assert await sessions(db) == 0
    # nine correct passwords gave their attempts back: only the five failures count for the office
    assert await counted(db, address_key(OFFICE)) == 5


async def test_the_correct_password_during_a_lockout_is_refused_with_the_throttle_message(
    browser: Browser, db: AsyncSession
) -> None:
    await f.make_user(db, "ann@example.com")
    await db.commit()
    for _ in range(5):
        await attempt(browser, "ann@example.com", "wrong-password")
    for password in (PASSWORD, "wrong-password"):
        refused = await attempt(browser, "ann@example.com", password)
        assert refused.status_code == 429 and THROTTLED in refused.text and FAILED not in refused.text
    assert await sessions(db) == 0
    # refused attempts are not failures: the lockout ends with its window, not later
    assert await counted(db, account_key("ann@example.com")) == 5


async def test_unknown_accounts_are_throttled_alike_and_count_against_the_address(
    browser: Browser, db: AsyncSession
) -> None:
    for _ in range(5):
        wrong = await attempt(browser, "nobody@example.com", "wrong-password")
        assert wrong.status_code == 401 and FAILED in wrong.text
    # the same answer as an existing account's: the lockout does not tell that nobody exists
    refused = await attempt(browser, "nobody@example.com", "wrong-password")
    assert refused.status_code == 429 and THROTTLED in refused.text
    assert await counted(db, address_key(OFFICE)) == 5


async def test_a_correct_password_clears_the_accounts_failures(browser: Browser, db: AsyncSession) -> None:
    await f.make_user(db, "ann@example.com")
    await db.commit()
    for _ in range(2):  # 3 + 3 failures: more than the account's limit, had the success not cleared them
        for _ in range(3):
            assert (await attempt(browser, "ann@example.com", "wrong-password")).status_code == 401
        assert (await attempt(browser, "ann@example.com")).status_code == 303
    assert await counted(db, account_key("ann@example.com")) == 0
    assert await counted(db, address_key(OFFICE)) == 6


async def test_the_address_limit_throttles_everyone_at_that_address_and_nobody_else(
    browser: Browser, db: AsyncSession, peer: Peer
) -> None:
    await f.make_user(db, "ann@example.com")
    await db.commit()
    # a password spray: a few tries on each of many accounts, none of them reaching its own limit
    for i in range(ADDRESS_LIMIT):
        assert (await attempt(browser, f"target{i // 2}@example.com", "spring2026!")).status_code == 401
    for email, password in (("ann@example.com", PASSWORD), ("target9@example.com", "spring2026!")):
        refused = await attempt(browser, email, password)
        assert refused.status_code == 429 and THROTTLED in refused.text
    assert await sessions(db) == 0
    peer.host = "198.51.100.20"
    assert (await attempt(browser, "ann@example.com")).status_code == 303


async def test_the_address_limit_ends_with_its_window(browser: Browser, db: AsyncSession, clock: FrozenClock) -> None:
    await f.make_user(db, "ann@example.com")
    await db.commit()
    for i in range(ADDRESS_LIMIT):
        await attempt(browser, f"target{i}@example.com", "wrong-password")
    assert (await attempt(browser, "ann@example.com")).status_code == 429
    clock.advance(timedelta(minutes=15))
    assert (await attempt(browser, "ann@example.com")).status_code == 303
    # the success swept the expired counters away; the address's new window holds nothing
    left = await db.scalar(select(func.count()).select_from(SignInCounter))
    assert left == 1 and await counted(db, address_key(OFFICE)) == 0


async def test_an_unknown_or_inactive_account_checks_a_dummy_hash_like_a_wrong_password(
    browser: Browser, db: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The answer's time does not tell whether an account exists: every case runs argon2 once."""
    user = await f.make_user(db, "ann@example.com")
    await f.make_user(db, "gone@example.com")
    user_without_password = await f.make_user(db, "imported@example.com")
    user_without_password.password_hash = None
    (await db.get_one(type(user), user.id + 1)).is_active = False
    await db.commit()
    checked: list[str | None] = []
    real = accounts.passwords.verify_password

    def spy(password_hash: str | None, password: str) -> bool:
        checked.append(password_hash and password_hash[:9])
        return real(password_hash, password)

    monkeypatch.setattr("accounts.services.verify_password", spy)
    for email in ("ann@example.com", "nobody@example.com", "gone@example.com", "imported@example.com"):
        assert (await attempt(browser, email, "wrong-password")).status_code == 401
    assert (await attempt(browser, "gone@example.com")).status_code == 401  # inactive, right password
    assert checked == ["$argon2id", None, "$argon2id", None, "$argon2id"]


@pytest.mark.parametrize(
    "email",
    [
        "a" * 10_000 + "@example.com",
        "ann@example.com\x00",
        "ann\x00@example.com",
        "\x00",
        "ann@exa\x7fmple.com",
    ],
    ids=["long", "trailing-nul", "nul", "only-nul", "del"],
)
async def test_edge_e_mails_are_a_failed_attempt_not_an_error(browser: Browser, db: AsyncSession, email: str) -> None:
    await f.make_user(db, "ann@example.com")
    await db.commit()
    response = await attempt(browser, email, "wrong-password")
    assert response.status_code == 401 and FAILED in response.text
    assert await counted(db, address_key(OFFICE)) == 1


async def test_edge_passwords_are_a_failed_attempt_not_an_error(browser: Browser, db: AsyncSession) -> None:
    await f.make_user(db, "ann@example.com")
    await db.commit()
    for password in ("\x00", PASSWORD + "\x00", "p" * 100_000):
        response = await attempt(browser, "ann@example.com", password)
        assert response.status_code == 401 and FAILED in response.text
    # what no browser sends: a lone surrogate and bytes that are no UTF-8
    raw = await browser.client.post(
        "/sign-in",
        content=b"email=%ED%B2%80ann%40example.com%FF&password=%ED%A0%80%FF%00",
        headers={
            "content-type": "application/x-www-form-urlencoded",
            "x-csrftoken": browser.client.cookies["kaizen_csrf"],
        },
    )
    assert raw.status_code == 401 and FAILED in raw.text


# --- the client's address behind reverse proxies --------------------------------------------------


async def test_forwarded_for_is_ignored_from_a_peer_that_is_no_trusted_proxy(
    browser: Browser, db: AsyncSession
) -> None:
    for i in range(3):
        await attempt(browser, "nobody@example.com", "wrong-password", **{"x-forwarded-for": f"198.51.100.{i}"})
    assert await counted(db, address_key(OFFICE)) == 3
    assert [await counted(db, address_key(f"198.51.100.{i}")) for i in range(3)] == [0, 0, 0]


async def test_forwarded_for_names_the_client_behind_a_trusted_proxy(
    browser: Browser, db: AsyncSession, peer: Peer
) -> None:
    """Behind the company's proxy, one office reaching its limit leaves another office alone."""
    await f.make_user(db, "ann@example.com")
    await db.commit()
    peer.host = PROXY
    for i in range(ADDRESS_LIMIT):
        await attempt(browser, f"target{i}@example.com", "wrong-password", **{"x-forwarded-for": OFFICE})
    assert (await attempt(browser, "ann@example.com", **{"x-forwarded-for": OFFICE})).status_code == 429
    assert await counted(db, address_key(OFFICE)) == ADDRESS_LIMIT
    assert await counted(db, address_key(PROXY)) == 0
    elsewhere = await attempt(browser, "ann@example.com", **{"x-forwarded-for": "198.51.100.20"})
    assert elsewhere.status_code == 303


async def test_spoofed_left_most_forwarded_entries_are_ignored(browser: Browser, db: AsyncSession, peer: Peer) -> None:
    """Only the right-most address that is no proxy of ours counts: what the client typed
    in front of it (a new made-up address at every attempt) changes nothing."""
    peer.host = PROXY
    for i in range(ADDRESS_LIMIT):
        chain = f"198.51.100.{i}, {OFFICE}, {INNER_PROXY}"  # the inner proxy appended the office
        await attempt(browser, f"target{i}@example.com", "wrong-password", **{"x-forwarded-for": chain})
    spoofed = f"198.51.100.99, {OFFICE}, {INNER_PROXY}"
    refused = await attempt(browser, "target0@example.com", "wrong-password", **{"x-forwarded-for": spoofed})
    assert refused.status_code == 429
    assert await counted(db, address_key(OFFICE)) == ADDRESS_LIMIT
    assert await counted(db, address_key("198.51.100.0")) == 0


async def test_several_forwarded_for_headers_are_read_as_one_list(
    browser: Browser, db: AsyncSession, peer: Peer
) -> None:
    peer.host = PROXY
    await browser.get("/sign-in")
    await browser.client.post(
        "/sign-in",
        data={"email": "nobody@example.com", "password": "wrong-password"},
        headers=[
            ("x-csrftoken", browser.client.cookies["kaizen_csrf"]),
            ("x-forwarded-for", "198.51.100.7"),
            ("x-forwarded-for", f"{OFFICE}, {INNER_PROXY}"),
        ],
    )
    assert await counted(db, address_key(OFFICE)) == 1


async def test_an_ipv6_client_counts_by_its_network_not_by_each_address(
    browser: Browser, db: AsyncSession, peer: Peer
) -> None:
    """A host picks any address of its /64 at will; a new one per attempt gains nothing."""
    for suffix in ("a", "b", "c"):
        peer.host = f"2001:db8:1:2::{suffix}"
        await attempt(browser, f"{suffix}@example.com", "wrong-password")
    peer.host = "2001:db8:1:3::a"
    await attempt(browser, "d@example.com", "wrong-password")
    assert await counted(db, address_key("2001:db8:1:2:ffff::1")) == 3
    assert await counted(db, address_key("2001:db8:1:3::a")) == 1
