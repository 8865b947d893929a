"""The scheduler's throughput and punctuality, against a bare Litestar page in the same run.

Prints:
- transitions per second one worker and two workers sustain (phases due at the same
  instant, each with its audit row and the announcement to the teams),
- mails per second the outbox worker delivers to a real SMTP server (aiosmtpd on 127.0.0.1),
- how late transitions happen (ms after the due time) with the real clock and APScheduler,
- each throughput also as "× bare": the time per item over one bare Litestar page request.

    .venv/bin/python bench/scheduler.py [--campaigns 200] [--database-url URL]

Without ``--database-url`` a fresh SQLite file is used; a PostgreSQL URL must name an empty
database (it is migrated first).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import socket
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta

from litestar import Litestar, get
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import automation
from accounts.models import User
from automation.sync import replan
from campaigns.models import Campaign, CampaignStatus, Challenge, Phase, PhaseKind, PhaseStatus
from core.clock import FrozenClock, SystemClock
from core.scheduling import ActionState, ScheduledAction, run_due
from notifications.models import MailState, OutboxMail
from teams.models import Membership, Team

MEMBERS = 2


@get("/", sync_to_thread=False)
def bare() -> str:
    return "ok"


async def bare_page_seconds(n: int = 300) -> float:
    async with AsyncTestClient(app=Litestar([bare])) as client:
        for _ in range(20):
            await client.get("/")
        start = time.perf_counter()
        for _ in range(n):
            await client.get("/")
        return (time.perf_counter() - start) / n


async def arrange(session: AsyncSession, campaigns: int, switch_at: datetime, tag: str) -> None:
    """Campaigns whose registration closes and whose submission opens at ``switch_at``."""
    for c in range(campaigns):
        campaign = Campaign(title=f"{tag} {c}", status=CampaignStatus.PUBLISHED, timezone="UTC", reminder_hours="")
        session.add(campaign)
        await session.flush()
        challenge = Challenge(campaign_id=campaign.id, title="Challenge")
        session.add(challenge)
        session.add_all(
            [
                Phase(
                    campaign_id=campaign.id, kind=PhaseKind.REGISTRATION, name="Registration", position=0,
                    opens_at=switch_at - timedelta(days=7), closes_at=switch_at, status=PhaseStatus.OPEN,
                ),
                Phase(
                    campaign_id=campaign.id, kind=PhaseKind.SUBMISSION, name="Submission", position=1,
                    opens_at=switch_at, closes_at=switch_at + timedelta(days=3650), status=PhaseStatus.PENDING,
                ),
            ]
        )  # fmt: skip
        await session.flush()
        people = [User(email=f"{tag.lower()}-{c}-{m}@example.com", name=f"P{c}.{m}") for m in range(MEMBERS)]
        session.add_all(people)
        await session.flush()
        team = Team(
            campaign_id=campaign.id, challenge_id=challenge.id, name="Team", name_key="team", captain_id=people[0].id
        )
        session.add(team)
        await session.flush()
        session.add_all(Membership(team_id=team.id, campaign_id=campaign.id, user_id=p.id) for p in people)
        await session.flush()
        await replan(session, campaign.id)


async def transitions(maker: async_sessionmaker[AsyncSession], campaigns: int, workers: int, tag: str) -> float:
    at = datetime(2027, 1, 1, tzinfo=UTC) + timedelta(days=30 * workers)
    async with maker() as session, session.begin():
        await arrange(session, campaigns, at, tag)
    clock = FrozenClock(at)
    start = time.perf_counter()
    done = await asyncio.gather(*(run_due(maker, clock.now, f"w{i}", limit=10_000) for i in range(workers)))
    elapsed = time.perf_counter() - start
    applied = sum(len(batch) for batch in done)
    assert applied == 2 * campaigns, applied
    return applied / elapsed


async def mails(maker: async_sessionmaker[AsyncSession], url: str) -> tuple[int, float]:
    from aiosmtpd.controller import Controller

    from web.mail import deliver_due
    from web.settings import Settings

    class Sink:
        received = 0

        async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
            Sink.received += 1
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings = Settings(
            database_url=url, secret_key="bench-" + "x" * 40, smtp_host="127.0.0.1",
            smtp_port=port,
        )  # fmt: skip
        async with maker() as session:
            queued = await session.scalar(select(func.count(OutboxMail.id)).where(OutboxMail.state == MailState.QUEUED))
        clock = FrozenClock(datetime(2028, 1, 1, tzinfo=UTC))
        start = time.perf_counter()
        for _ in range(1000):
            await deliver_due(maker, clock, settings)
            async with maker() as session:
                left = await session.scalar(
                    select(func.count(OutboxMail.id)).where(OutboxMail.state == MailState.QUEUED)
                )
            if not left:
                break
        elapsed = time.perf_counter() - start
    finally:
        controller.stop()
    assert Sink.received == queued, (Sink.received, queued)
    return int(queued or 0), (queued or 0) / elapsed


async def punctuality(maker: async_sessionmaker[AsyncSession], url: str, campaigns: int) -> list[int]:
    """Real clock, real APScheduler: transitions due 4 … 6 s from now; how late do they run?"""
    from web.scheduler import Scheduler
    from web.settings import Settings

    now = datetime.now(UTC) + timedelta(seconds=3)  # arranging must finish before the first is due
    async with maker() as session, session.begin():
        for i in range(campaigns):
            await arrange(session, 1, now + timedelta(seconds=1 + 2 * i / campaigns), f"Live{i}")
    settings = Settings(database_url=url, secret_key="bench-" + "x" * 40, scheduler_interval_seconds=30)
    scheduler = Scheduler(maker, SystemClock(), settings)
    await scheduler.start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            await asyncio.sleep(0.1)
            async with maker() as session:
                soon = ScheduledAction.due_at <= now + timedelta(seconds=4)
                waiting = await session.scalar(
                    select(func.count(ScheduledAction.id)).where(ScheduledAction.state == ActionState.PENDING, soon)
                )
            if not waiting:
                break
    finally:
        await scheduler.shutdown()
    async with maker() as session:
        rows = await session.scalars(
            select(ScheduledAction.late_ms).where(
                ScheduledAction.due_at > now, ScheduledAction.due_at <= now + timedelta(seconds=4)
            )
        )
        return [late for late in rows.all() if late is not None]


async def main(campaigns: int, url: str | None) -> None:
    from core.engine import make_engine
    from web import migrate

    url = url or f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    await asyncio.to_thread(migrate.upgrade, url)
    automation.setup()
    engine = make_engine(url)
    maker = async_sessionmaker(engine, expire_on_commit=False)
    try:
        bare_s = await bare_page_seconds()
        print(f"database: {url.split(':')[0]}; bare Litestar page: {bare_s * 1000:.2f} ms")
        for workers in (1, 2):
            rate = await transitions(maker, campaigns, workers, f"W{workers}")
            print(
                f"transitions, {workers} worker(s): {rate:8.0f} /s  ({1 / rate / bare_s:5.1f} × bare per transition,"
                f" {MEMBERS} announcements each)"
            )
        sent, rate = await mails(maker, url)
        print(f"mail to aiosmtpd:             {rate:8.0f} /s  ({1 / rate / bare_s:5.1f} × bare per mail, {sent} mails)")
        late = sorted(await punctuality(maker, url, 20))
        if late:
            p95 = late[min(len(late) - 1, int(0.95 * len(late)))]
            print(
                f"lateness with the real clock: median {statistics.median(late):.0f} ms, p95 {p95} ms,"
                f" max {late[-1]} ms over {len(late)} transitions (sweep interval 30 s, wake-up at the next due time)"
            )
    finally:
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--campaigns", type=int, default=200)
    parser.add_argument("--database-url", default=None)
    logging.basicConfig(level=logging.WARNING)
    args = parser.parse_args()
    asyncio.run(main(args.campaigns, args.database_url))
