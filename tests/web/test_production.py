"""Production mode refuses to start while the demo accounts sign in with the demo password, and
says how to remove them; ``kaizen disable-demo-accounts`` does, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from click.testing import CliRunner
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import AuthSession, User
from accounts.passwords import hash_password
from core.clock import FrozenClock
from tests.conftest import NOW, Browser
from web.app import create_app
from web.cli import main
from web.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo
from web.production import DemoAccountsInProduction
from web.settings import Settings


def production_settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key="test-secret-key-" + "x" * 32,
        scheduler_enabled=False,
        upload_dir=tmp_path / "uploads",
        production=True,
    )


async def cli(database_url: str, tmp_path: Path, *args: str) -> tuple[int, str]:
    """The command in a thread of its own (it runs its own event loop)."""
    return await asyncio.to_thread(_cli, database_url, tmp_path, *args)


def _cli(database_url: str, tmp_path: Path, *args: str) -> tuple[int, str]:
    env = {
        "KAIZEN_DATABASE_URL": database_url,
        "KAIZEN_VAR_DIR": str(tmp_path),
        "KAIZEN_ENV": "production",
        "KAIZEN_SECRET_KEY": "x" * 40,
    }
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.output


async def start_up_failure(settings: Settings, clock: FrozenClock) -> DemoAccountsInProduction:
    """The refusal the app's start-up raised (the ASGI lifespan wraps it in an exception group)."""
    try:
        async with AsyncTestClient(app=create_app(settings, clock=clock), base_url="https://testserver.local"):
            pass
    except BaseException as exc:
        found = [exc]
        while found:
            error = found.pop()
            if isinstance(error, DemoAccountsInProduction):
                return error
            found.extend(getattr(error, "exceptions", ()))
        raise
    pytest.fail("production started with the demo accounts")


async def test_production_refuses_to_start_with_the_demo_accounts_until_they_are_disabled(
    db: AsyncSession,
    browser: Browser,
    database_url: str,
    tmp_path: Path,
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await load_demo(db, now=NOW)
    await db.commit()
    # in development the demo accounts sign in, as documented
    await browser.sign_in("dave@example.com", DEMO_PASSWORD)
    # one demo account that was given a password of its own is not in the way
    await db.execute(
        update(User).where(User.email == "judy@example.com").values(password_hash=hash_password("judy-own-password"))
    )
    await db.commit()

    settings = production_settings(database_url, tmp_path)
    refused = await start_up_failure(settings, clock)
    message = str(refused)
    assert f"{len(DEMO_ACCOUNTS) - 1} demo account(s)" in message
    assert "admin@example.com" in message and "kaizen disable-demo-accounts" in message
    assert "dave@example.com" in refused.emails and "judy@example.com" not in refused.emails

    # `kaizen run` and `kaizen worker` stop with the same message before serving
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: pytest.fail("served with the demo accounts"))
    for command in ("run", "worker"):
        code, output = await cli(database_url, tmp_path, command)
        assert code != 0 and "kaizen disable-demo-accounts" in output, output

    code, output = await cli(database_url, tmp_path, "disable-demo-accounts")
    assert code == 0 and f"from {len(DEMO_ACCOUNTS) - 1} demo account(s)" in output and "dave@example.com" in output
    assert "judy@example.com" not in output
    code, output = await cli(database_url, tmp_path, "disable-demo-accounts")
    assert code == 0 and "nothing changed" in output
    dave = await db.scalar(select(User).where(User.email == "dave@example.com"))
    assert dave is not None and dave.password_hash is None
    sessions = await db.scalar(select(func.count()).select_from(AuthSession).where(AuthSession.user_id == dave.id))
    await db.commit()
    assert sessions == 0

    # production starts now, and the demo password signs nobody in
    async with AsyncTestClient(app=create_app(settings, clock=clock), base_url="https://testserver.local") as client:
        production = Browser(client, csrf_cookie="__Host-kaizen_csrf")
        refused_sign_in = await production.post("/sign-in", {"email": "dave@example.com", "password": DEMO_PASSWORD})
        assert refused_sign_in.status_code == 401
        assert "__Host-kaizen_session" not in client.cookies
        await production.sign_in("judy@example.com", "judy-own-password")
    # the development browser's demo session was ended
    assert (await browser.get("/", follow_redirects=False)).status_code in (302, 303)


async def test_production_starts_on_a_database_without_the_demo(
    db: AsyncSession, database_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    settings = production_settings(database_url, tmp_path)
    async with AsyncTestClient(app=create_app(settings, clock=clock), base_url="https://testserver.local") as client:
        assert (await client.get("/health")).status_code == 200
