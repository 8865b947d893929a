"""The ``kaizen`` command: database, users, demo data and the server."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import click
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from web.settings import Settings, SettingsError

T = TypeVar("T")


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc


def run_in_session(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    from core.engine import make_engine

    async def runner() -> T:
        engine = make_engine(settings.database_url)
        try:
            async with async_sessionmaker(engine, expire_on_commit=False)() as session, session.begin():
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(runner())


@click.group()
def main() -> None:
    """Kaizen: company-wide innovation challenges."""


# --- database ----------------------------------------------------------------------------


@main.group()
def db() -> None:
    """Schema migrations."""


@db.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: head)."""
    from web import migrate

    migrate.upgrade(_settings().database_url, revision)


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION."""
    from web import migrate

    migrate.downgrade(_settings().database_url, revision)


@db.command("revision")
@click.option("-m", "--message", required=True)
def db_revision(message: str) -> None:
    """Generate a migration from the difference between the models and the database."""
    from web import migrate

    migrate.revision(_settings().database_url, message)


@db.command("check")
def db_check() -> None:
    """Exit non-zero when the models differ from the migrations."""
    from web import migrate

    difference = migrate.check(_settings().database_url)
    if difference:
        click.echo(difference, err=True)
        sys.exit(1)
    click.echo("No differences between the models and the migrations.")


# --- users -------------------------------------------------------------------------------


@main.group()
def users() -> None:
    """The staff directory."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--department", default="")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--admin", is_flag=True, help="Platform administrator.")
@click.option("--executive", is_flag=True, help="Executive (launches campaigns, approves winners).")
def users_create(email: str, name: str, department: str, password: str, admin: bool, executive: bool) -> None:
    """Create an account that can sign in."""
    from accounts.services import create_user
    from core.errors import DomainError, ValidationFailed
    from web.i18n import gettext

    async def work(session: AsyncSession) -> None:
        await create_user(
            session,
            email=email,
            name=name,
            password=password,
            department=department,
            is_admin=admin,
            is_executive=executive,
        )

    try:
        run_in_session(_settings(), work)
    except ValidationFailed as exc:
        raise click.ClickException("; ".join(f"{k}: {gettext(v)}" for k, v in exc.errors.items())) from exc
    except DomainError as exc:
        raise click.ClickException(gettext(exc.message, **exc.params)) from exc
    click.echo(f"Created {email.strip().lower()}.")


@users.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def users_import(path: Path) -> None:
    """Import a staff directory CSV with the columns email, name, department."""
    from accounts.services import import_directory
    from core.errors import DomainError
    from web.i18n import gettext

    text = path.read_text(encoding="utf-8-sig")
    try:
        report = run_in_session(_settings(), lambda session: import_directory(session, text))
    except DomainError as exc:
        raise click.ClickException(gettext(exc.message)) from exc
    if report.errors:
        for line, message in report.errors:
            click.echo(f"line {line}: {gettext(message)}", err=True)
        raise click.ClickException(f"{len(report.errors)} row(s) are invalid; nothing was imported.")
    click.echo(f"Imported {report.created} new and updated {report.updated} existing account(s).")


# --- demo and server ---------------------------------------------------------------------

LOG_LEVEL_OPTION = click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"]),
    default=lambda: (os.environ.get("KAIZEN_LOG_LEVEL") or "info").lower(),
    show_default="KAIZEN_LOG_LEVEL or info",
    help="debug also shows the scheduler's routine (each sweep and wake-up).",
)


def demo_accounts_summary(accounts: list[tuple[str, str]], password: str, shown_per_role: int = 4) -> list[str]:
    """The demo accounts by role, a few addresses each, for a terminal that stays readable."""
    by_role: dict[str, list[str]] = {}
    for email, role in accounts:
        by_role.setdefault(role, []).append(email)
    width = max(len(role) for role in by_role) + 2
    lines = [f"Demo accounts (password: {password}):"]
    for role, emails in by_role.items():
        # "and 1 more" would take the room of the address itself
        cut = len(emails) if len(emails) <= shown_per_role + 1 else shown_per_role
        shown = ", ".join(emails[:cut])
        more = f" and {len(emails) - cut} more" if cut < len(emails) else ""
        lines.append(f"  {role + 's' if len(emails) > 1 else role:<{width}}{shown}{more}")
    return lines


@main.command()
def demo() -> None:
    """Load the demo data (idempotent) and list its accounts. Refuses to run in production."""
    from web.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo

    settings = _settings()
    if settings.production:
        raise click.ClickException("The demo data cannot be loaded in production mode (KAIZEN_ENV=production).")
    created = run_in_session(settings, load_demo)
    click.echo("Demo data loaded." if created else "Demo data already present; nothing changed.")
    for line in demo_accounts_summary(DEMO_ACCOUNTS, DEMO_PASSWORD):
        click.echo(line)


@main.command("disable-demo-accounts")
def disable_demo_accounts_command() -> None:
    """Remove the demo password from the demo accounts (and end their sessions), so that production starts."""
    from web.production import disable_demo_accounts

    emails = run_in_session(_settings(), disable_demo_accounts)
    if not emails:
        click.echo("No demo account signs in with the demo password; nothing changed.")
        return
    click.echo(f"Removed the demo password from {len(emails)} demo account(s); nobody can sign in as them now:")
    for email in emails:
        click.echo(f"  {email}")


def _refuse_demo_accounts(settings: Settings) -> None:
    """In production, stop with the message of ``web.production`` (the app checks it again at start-up)."""
    from web.production import DemoAccountsInProduction, demo_accounts_with_demo_password

    if settings.production and (emails := run_in_session(settings, demo_accounts_with_demo_password)):
        raise click.ClickException(str(DemoAccountsInProduction(emails)))


@main.group()
def bench() -> None:
    """Data for the benchmarks (bench/run.py)."""


@bench.command("seed")
@click.option("--size", "size_name", type=click.Choice(["S", "M", "XL", "XXL"]), required=True, help="S is the demo.")
@click.option("--seed", "seed_value", default=1, show_default=True, type=int, help="The same seed gives the same data.")
@click.option("--database-url", default=None, help="Defaults to KAIZEN_DATABASE_URL; migrated first.")
@click.option(
    "--now",
    type=click.DateTime(formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z"]),
    default=None,
    help="Times are relative to this instant (default: the current time).",
)
def bench_seed(size_name: str, seed_value: int, database_url: str | None, now: datetime | None) -> None:
    """Fill an empty database with generated data of one size. Refuses to run in production."""
    from web import migrate
    from web.benchdata.seeding import timed_seed

    settings = _settings()
    if settings.production:
        raise click.ClickException("Bench data cannot be loaded in production mode (KAIZEN_ENV=production).")
    url = database_url or settings.database_url
    migrate.upgrade(url)
    try:
        counts, seconds = timed_seed(url, size_name, seed_value=seed_value, now=now)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    for table, count in counts.items():
        click.echo(f"  {table:<20} {count:>9,}")
    click.echo(f"Seeded size {size_name} ({sum(counts.values()):,} rows) in {seconds:.1f} s.")


@main.command()
@click.option("--host", default=None, help="Defaults to KAIZEN_HOST or 127.0.0.1.")
@click.option("--port", default=None, type=int, help="Defaults to KAIZEN_PORT or 8000.")
@click.option("--workers", default=1, show_default=True, type=int, help="Server processes.")
@click.option("--reload", is_flag=True, help="Restart on code changes (development).")
@click.option(
    "--no-scheduler", is_flag=True, help="Serve only; run `kaizen worker` elsewhere for deadlines, reminders and mail."
)
@LOG_LEVEL_OPTION
def run(host: str | None, port: int | None, workers: int, reload: bool, no_scheduler: bool, log_level: str) -> None:
    """Serve the app with uvicorn; by default each server process also runs the scheduler."""
    import uvicorn

    if no_scheduler:
        os.environ["KAIZEN_SCHEDULER"] = "0"
    os.environ["KAIZEN_LOG_LEVEL"] = log_level  # read by every server process (web.logs)
    if reload:
        os.environ["KAIZEN_RELOAD_TEMPLATES"] = "1"  # edited templates and static files show at once
    settings = _settings()
    _refuse_demo_accounts(settings)
    click.echo(f"Kaizen on http://{host or settings.host}:{port or settings.port} (Ctrl+C stops it)")
    uvicorn.run(
        "web.app:app_from_env",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=None if reload else workers,
        reload=reload,
        # the app reads X-Forwarded-For itself, from KAIZEN_TRUSTED_PROXIES only (web/proxies.py)
        proxy_headers=False,
        log_level=log_level,
    )


@main.command()
@LOG_LEVEL_OPTION
def worker(log_level: str) -> None:
    """Run the scheduler alone: phase transitions, reminders and the mail outbox (no web server)."""
    from web import logs

    settings = _settings()
    _refuse_demo_accounts(settings)
    logs.configure_logging(logs.log_level(log_level), timestamps=True)
    asyncio.run(_worker(settings))


async def _worker(settings: Settings) -> None:
    import signal

    import automation
    from core.clock import SystemClock
    from core.engine import make_engine
    from web.scheduler import make_scheduler

    automation.setup()
    engine = make_engine(settings.database_url)
    scheduler = make_scheduler(async_sessionmaker(engine, expire_on_commit=False), SystemClock(), settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await scheduler.start()
    try:
        await stop.wait()
    finally:
        await scheduler.shutdown()
        await engine.dispose()


if __name__ == "__main__":
    main()
