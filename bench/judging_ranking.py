"""Ranking and the organizer results page against a seeded database (``kaizen bench seed --size XL``).

Prints, for the largest judging phase: ``phase_ranking`` per normalisation mode, uncached and
cached; the results page's context; the statements each takes; the size of the rendered page.

    .venv/bin/python bench/judging_ranking.py --database-url sqlite+aiosqlite:///var/xl.sqlite3
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from campaigns.models import Campaign, NormalisationMode, Phase, PhaseKind
from core.engine import make_engine
from judging import ranking as ranking_module
from judging import ranking_cache
from judging.models import Scorecard
from schema import import_all_models


def _clear_cache() -> None:
    ranking_cache.CACHE.clear()


async def main(url: str, repeat: int) -> None:
    import_all_models()
    engine = make_engine(url, immediate=False)
    statements: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    maker = async_sessionmaker(engine, expire_on_commit=False)
    async with maker() as db:
        phase_id = await db.scalar(
            select(Scorecard.phase_id).group_by(Scorecard.phase_id).order_by(func.count().desc()).limit(1)
        )
        phase = await db.get(Phase, phase_id)
        assert phase is not None and phase.kind is PhaseKind.JUDGING
        campaign = await db.get(Campaign, phase.campaign_id)
        assert campaign is not None
    print(f"phase {phase.id} of campaign {campaign.id}")
    for mode in NormalisationMode:
        for cached in (False, True):
            best = float("inf")
            for _ in range(repeat):
                async with maker() as db:
                    phase = await db.get(Phase, phase_id)
                    assert phase is not None
                    db.expunge(phase)  # so the change below is never flushed nor committed
                    phase.normalisation = mode  # the cache key holds the mode too
                    if not cached:
                        _clear_cache()
                    statements.clear()
                    start = time.perf_counter()
                    result = await ranking_module.phase_ranking(db, phase)
                    best = min(best, time.perf_counter() - start)
                    await db.rollback()
            counted = len(statements)
            if cached:  # the ranking alone, as the results page reads it (names only for the rows shown)
                async with maker() as db:
                    phase = await db.get(Phase, phase_id)
                    assert phase is not None
                    db.expunge(phase)
                    phase.normalisation = mode
                    statements.clear()
                    start = time.perf_counter()
                    await ranking_module.phase_rankings(db, [phase], named=False)
                    elapsed = time.perf_counter() - start
                print(
                    f"  phase_rankings(named=False) {mode.value:<13} cached {elapsed * 1000:8.1f} ms "
                    f"{len(statements):3d} statements"
                )
            ranked = sum(1 for row in result.rows if row.rank is not None)
            label = "cached  " if cached else "uncached"
            print(
                f"  phase_ranking {mode.value:<13} {label} {best * 1000:8.1f} ms "
                f"{counted:3d} statements, {ranked} ranked"
            )
    await _page(maker, campaign.id, statements, repeat)
    await engine.dispose()


async def _page(maker: Any, campaign_id: int, statements: list[str], repeat: int) -> None:
    from litestar.testing import AsyncTestClient  # noqa: F401  (keeps the import cost out of the timing)

    from core.clock import SystemClock
    from web.controllers.results import _results_context

    for cached in (False, True):
        best = float("inf")
        for _ in range(repeat):
            async with maker() as db:
                campaign = await db.get(Campaign, campaign_id)
                if not cached:
                    _clear_cache()
                statements.clear()
                start = time.perf_counter()
                await _results_context(db, campaign, None, SystemClock().now())
                best = min(best, time.perf_counter() - start)
        label = "cached  " if cached else "uncached"
        print(f"  results page context {label} {best * 1000:8.1f} ms  {len(statements):3d} statements")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    asyncio.run(main(args.database_url, args.repeat))
