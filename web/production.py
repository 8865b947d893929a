"""What production mode refuses to start with: the demo accounts still signing in with the
documented demo password (``kaizen demo`` refuses to load in production, but a database that had
the demo loaded before, or a copy of one, still has them)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import AuthSession, User
from accounts.passwords import verify_password
from web.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

DEMO_EMAILS = tuple(email for email, _role in DEMO_ACCOUNTS)
DISABLE_COMMAND = "kaizen disable-demo-accounts"


class DemoAccountsInProduction(RuntimeError):
    def __init__(self, emails: list[str]) -> None:
        self.emails = emails
        shown = ", ".join(emails[:3]) + (f" and {len(emails) - 3} more" if len(emails) > 3 else "")
        super().__init__(
            f"KAIZEN_ENV=production refuses to start: {len(emails)} demo account(s) ({shown}) still sign in "
            f"with the demo password. Run `{DISABLE_COMMAND}` (with the same KAIZEN_DATABASE_URL) to remove "
            "their passwords and sessions, or give each of them a new password, then start again."
        )


async def demo_accounts_with_demo_password(session: AsyncSession) -> list[str]:
    """The demo addresses whose password is still the demo password: one query, and one hash check
    per distinct hash (the demo gives all its accounts the same one)."""
    rows = (
        await session.execute(
            select(User.email, User.password_hash).where(User.email.in_(DEMO_EMAILS), User.password_hash.is_not(None))
        )
    ).all()
    verdicts: dict[str, bool] = {}
    found: list[str] = []
    for email, password_hash in rows:
        if password_hash not in verdicts:
            verdicts[password_hash] = verify_password(password_hash, DEMO_PASSWORD)
        if verdicts[password_hash]:
            found.append(email)
    return sorted(found)


async def disable_demo_accounts(session: AsyncSession) -> list[str]:
    """Removes the demo password from the demo accounts that still have it and ends their
    sessions: they stay (with their teams, entries and scores) but nobody can sign in as them."""
    emails = await demo_accounts_with_demo_password(session)
    if emails:
        ids = select(User.id).where(User.email.in_(emails)).scalar_subquery()
        await session.execute(delete(AuthSession).where(AuthSession.user_id.in_(ids)))
        await session.execute(update(User).where(User.email.in_(emails)).values(password_hash=None))
    return emails


async def refuse_demo_accounts(session_maker: Callable[[], AsyncSession]) -> None:
    """Raises ``DemoAccountsInProduction`` when the demo accounts still sign in."""
    async with session_maker() as session:
        emails = await demo_accounts_with_demo_password(session)
        await session.rollback()
    if emails:
        raise DemoAccountsInProduction(emails)
