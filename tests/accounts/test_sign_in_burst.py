"""A burst of parallel sign-in attempts against one account, over two app instances.

Each app is served by its own test client (its own event loop and connection pool, as two
server processes would be); the attempts are sent from threads at once. The password checks
that get through are held until the correct password has been tried, so that it arrives while
the wrong ones are still being checked: when the count was read before the check and written
after it, that was exactly the moment the correct password slipped through a lockout.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

import accounts.passwords
from accounts.models import AuthSession, SignInCounter
from accounts.throttle import account_key, address_key
from core.clock import FrozenClock
from tests import factories as f
from tests.conftest import PASSWORD
from web.app import create_app
from web.settings import Settings

TIMEOUT = 60  # seconds: a lost attempt fails the test instead of hanging it (a loaded machine is slow)
ACCOUNT_LIMIT = 5


class HeldChecks:
    """Counts password checks; each waits for ``release`` once the account's limit of them started."""

    def __init__(self) -> None:
        self.count = 0
        self.hashes: list[str | None] = []  # what each check verified against (None: the dummy hash)
        self.all_started = threading.Event()
        self.release = threading.Event()
        self._lock = threading.Lock()
        self._verify = accounts.passwords.verify_password

    def verify(self, password_hash: str | None, password: str) -> bool:
        with self._lock:
            self.count += 1
            self.hashes.append(password_hash and password_hash[:9])
            if self.count >= ACCOUNT_LIMIT:
                self.all_started.set()
        self.release.wait(TIMEOUT)
        return self._verify(password_hash, password)


def attempt(client: TestClient[Any], password: str, email: str = "ann@example.com") -> int:
    response = client.post(
        "/sign-in",
        data={"email": email, "password": password},
        headers={"x-csrftoken": client.cookies["kaizen_csrf"]},
        follow_redirects=False,
    )
    return response.status_code


@pytest.mark.parametrize(("wrong", "email"), [(40, "ann@example.com"), (40, "nobody@example.com")])
async def test_a_burst_of_wrong_passwords_gets_five_checks_and_the_right_one_no_session(
    db: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    wrong: int,
    email: str,
) -> None:
    """Also for an address no account has: its attempts are counted and checked (against a dummy
    hash) exactly like a known account's, so neither the answers nor their time tell it apart."""
    await f.make_user(db, "ann@example.com")
    await db.commit()
    checks = HeldChecks()
    monkeypatch.setattr("accounts.services.verify_password", checks.verify)
    with (
        TestClient(create_app(settings, clock=clock), base_url="http://testserver.local") as one,
        TestClient(create_app(settings, clock=clock), base_url="http://testserver.local") as two,
        ThreadPoolExecutor(max_workers=wrong) as pool,
    ):
        for client in (one, two):
            client.get("/sign-in")  # the CSRF cookie
        burst = [pool.submit(attempt, (one, two)[i % 2], "wrong-password", email) for i in range(wrong)]
        try:
            assert checks.all_started.wait(TIMEOUT), f"only {checks.count} password checks began"
            # the account's five attempts are being checked, none has failed yet: it is locked already
            right = attempt(two, PASSWORD, email)
        finally:
            checks.release.set()
        answers = sorted(future.result(TIMEOUT) for future in burst)
    assert right == 429
    assert checks.count == ACCOUNT_LIMIT
    assert checks.hashes == [None if email.startswith("nobody") else "$argon2id"] * ACCOUNT_LIMIT
    assert answers == [401] * ACCOUNT_LIMIT + [429] * (wrong - ACCOUNT_LIMIT)
    assert await db.scalar(select(func.count()).select_from(AuthSession)) == 0
    counts = dict((await db.execute(select(SignInCounter.key, SignInCounter.attempts))).tuples().all())
    assert counts == {account_key(email): ACCOUNT_LIMIT, address_key("testclient"): ACCOUNT_LIMIT}
    print(
        f"\nsign-in burst ({database_url.split('+', 1)[0]}, {email}): {wrong} wrong passwords at once over 2 app"
        " instances,"
        f" {checks.count} password checks, {answers.count(401)} refused as wrong, {answers.count(429)} throttled;"
        f" the right password inside the burst: {right}, sessions started 0"
    )
