"""Demo data, loaded idempotently by ``kaizen demo``."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from accounts.services import create_user

DEMO_PASSWORD = "kaizen-demo"  # noqa: S105 - documented demo password, refused in production
DEMO_ACCOUNTS: list[tuple[str, str]] = [
    ("admin@example.com", "admin"),
    ("exec@example.com", "executive"),
    ("organizer@example.com", "organizer"),
    *[(f"judge{i}@example.com", "judge") for i in range(1, 6)],
    ("alice@example.com", "participant"),
    ("bob@example.com", "participant"),
    ("carol@example.com", "participant"),
    ("dave@example.com", "participant"),
]


async def load_demo(session: AsyncSession) -> bool:
    """Creates the demo; False when it is already there."""
    if await session.scalar(select(User.id).where(User.email == "admin@example.com")) is not None:
        return False
    for email, role in DEMO_ACCOUNTS:
        await create_user(
            session,
            email=email,
            name=email.split("@")[0].capitalize(),
            password=DEMO_PASSWORD,
            is_admin=role == "admin",
            is_executive=role == "executive",
        )
    return True
