"""APScheduler 3 as the trigger; the database holds the truth (core.scheduling).

One interval job sweeps due actions, another delivers queued mail; both run at start-up
(catching up whatever fell due while no process ran), never overlap themselves, and a
missed run is coalesced into one. After each sweep a one-off wake-up is set for the next
due action, so a transition happens at its time rather than up to an interval later.
Several processes may run this at once: each action and each mail is claimed in the database.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.scheduling import next_due, run_due
from web.settings import Settings

log = logging.getLogger("kaizen.scheduler")

MAIL_INTERVAL_SECONDS = 10


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Scheduler:
    def __init__(
        self,
        session_maker: Callable[[], AsyncSession],
        clock: Clock,
        settings: Settings,
        *,
        deliver: Callable[[], Awaitable[object]] | None = None,
    ) -> None:
        self.session_maker = session_maker
        self.clock = clock
        self.settings = settings
        self.worker = worker_name()
        self._deliver = deliver
        self._sweeping = asyncio.Lock()
        self._delivering = asyncio.Lock()
        self._scheduler: AsyncIOScheduler | None = None

    async def sweep(self) -> int:
        """Applies every due action; then sets a wake-up for the next one."""
        async with self._sweeping:
            try:
                applied = await run_due(self.session_maker, self.clock.now, self.worker)
                log.debug("sweep: %s due action(s) applied", len(applied))
                for action in applied:
                    log.info(
                        "%s #%s %s (%s ms late)", action.kind, action.subject_id, action.state.value, action.late_ms
                    )
                await self._arm_wake_up()
                return len(applied)
            except Exception:
                log.exception("the scheduled-action sweep failed; the next sweep retries")
                return 0

    async def deliver_mail(self) -> None:
        if self._deliver is None:
            return
        async with self._delivering:
            try:
                await self._deliver()
            except Exception:
                log.exception("mail delivery failed; the next run retries")

    async def _arm_wake_up(self) -> None:
        if self._scheduler is None:
            return
        async with self.session_maker() as session:
            due = await next_due(session)
        if due is None:
            return
        horizon = self.clock.now() + timedelta(seconds=self.settings.scheduler_interval_seconds)
        if due < horizon:
            run_at = max(due, datetime.now(UTC))
            log.debug("wake-up set for %s, the next due action", run_at.isoformat(timespec="seconds"))
            # one job per instant: a wake-up armed by a running wake-up must not count as its second instance
            self._scheduler.add_job(
                self.sweep,
                "date",
                run_date=run_at,
                id=f"wake-up-{run_at.isoformat()}",
                replace_existing=True,
                misfire_grace_time=None,
            )

    async def start(self) -> None:
        """Catches up on whatever fell due while nothing ran, then keeps time (in a running loop)."""
        scheduler = AsyncIOScheduler(timezone=UTC)
        self._scheduler = scheduler
        await self.sweep()
        common = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}
        scheduler.add_job(
            self.sweep, "interval", seconds=self.settings.scheduler_interval_seconds, id="sweep", **common
        )
        scheduler.add_job(
            self.deliver_mail,
            "interval",
            seconds=MAIL_INTERVAL_SECONDS,
            id="mail",
            next_run_time=datetime.now(UTC),
            **common,
        )
        scheduler.start()
        log.info("scheduler started (%s, every %s s)", self.worker, self.settings.scheduler_interval_seconds)

    async def shutdown(self) -> None:
        """Stops triggering, then waits for a sweep or a delivery in flight to finish."""
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        async with self._sweeping, self._delivering:
            pass


def make_scheduler(session_maker: Callable[[], AsyncSession], clock: Clock, settings: Settings) -> Scheduler:
    """The scheduler of a process: due actions and the mail outbox."""

    async def deliver() -> object:
        from web.mail import deliver_due

        return await deliver_due(session_maker, clock, settings)

    return Scheduler(session_maker, clock, settings, deliver=deliver)
