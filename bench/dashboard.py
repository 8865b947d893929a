"""The programme dashboard at two seeded sizes: time per figure, the whole page as a ratio of the
bare page measured in the same run, and the SQL statements per page (constant).

For each size: seeds a fresh SQLite database (``kaizen bench seed``; the data of the scale issue,
web/benchdata), times each figure's query in-process (median of five, after one warm-up), counts
the statements of the whole figure set, then serves Kaizen (``kaizen run --no-scheduler``) and the
bare Litestar page (bench/bare_app.py, 50 of 10,000 rows) and times each (median of seven
sequential requests, after one warm-up), signed in as the executive.

    .venv/bin/python bench/dashboard.py [--sizes M,XXL] [--keep DIR] [--out bench/RESULTS-dashboard.md]

bench/run.py copies bench/RESULTS-dashboard.md into bench/RESULTS.md when it writes it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import sign_in  # noqa: E402
from servers import Server, free_port  # noqa: E402


def seed(url: str, size: str) -> str:
    command = [str(BIN / "kaizen"), "bench", "seed", "--size", size, "--seed", "1", "--database-url", url]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)  # noqa: S603
    if done.returncode != 0:
        raise RuntimeError(f"seeding {size} failed: {done.stderr[-2000:]}")
    return f"{done.stdout.strip().splitlines()[-1]} in {time.perf_counter() - start:.0f} s"


async def _median_ms(call: Callable[[], Awaitable[Any]], runs: int = 5) -> float:
    await call()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        await call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


async def figures(url: str) -> tuple[list[tuple[str, float]], int, dict[str, int]]:
    """Milliseconds per figure query, the statements of the whole set, and a few of its counts."""
    from sqlalchemy import event
    from sqlalchemy.ext.asyncio import async_sessionmaker

    from core.engine import make_engine
    from insights import incubation_queries, queries
    from insights.dashboard import dashboard
    from insights.queries import Scope

    engine = make_engine(url, immediate=False)
    maker = async_sessionmaker(engine, expire_on_commit=False)
    now = datetime.now(UTC)
    scope = Scope()
    timings = []
    async with maker() as session:
        named: list[tuple[str, Callable[[], Awaitable[Any]]]] = [
            ("campaigns in scope", lambda: queries.campaigns(session, scope)),
            ("eligible and participants per campaign", lambda: queries.people_per_campaign(session, scope)),
            ("teams by stage reached, mixed teams", lambda: queries.teams_per_campaign(session, scope)),
            ("judging timeliness", lambda: queries.judging_per_campaign(session, scope, now)),
            ("participation by department", lambda: queries.people_per_department(session, scope)),
            ("entries by department", lambda: queries.entries_per_department(session, scope)),
            ("incubation by status", lambda: incubation_queries.projects_per_campaign(session, scope)),
            ("realised value by kind and unit", lambda: incubation_queries.value_per_campaign(session, scope)),
            ("realised value against KPI targets", lambda: incubation_queries.targets_per_campaign(session, scope)),
            ("every figure (dashboard())", lambda: dashboard(session, scope, now, no_department="-")),
        ]
        for name, call in named:
            timings.append((name, await _median_ms(call)))
        statements = 0

        def count(*_args: Any) -> None:
            nonlocal statements
            statements += 1

        event.listen(engine.sync_engine, "before_cursor_execute", count)
        found = await dashboard(session, scope, now, no_department="-")
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    await engine.dispose()
    h = found.headline
    sizes = {
        "campaigns": len(found.campaigns),
        "eligible (distinct)": h.eligible_people,
        "participants (distinct)": h.participants,
        "submitted entries": h.submitted,
        "departments": len(found.departments),
    }
    return timings, statements, sizes


def _median_request(client: httpx.Client, path: str, runs: int = 7) -> tuple[float, int]:
    client.get(path).raise_for_status()
    times = []
    size = 0
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
        size = len(response.content)
    return statistics.median(times), size


def pages(url: str, tmp: Path) -> dict[str, tuple[float, int]]:
    from bare_app import seed as seed_bare

    env = {**os.environ, "KAIZEN_DATABASE_URL": url}
    port = free_port()
    command = [str(BIN / "kaizen"), "run", "--no-scheduler", "--port", str(port), "--log-level", "warning"]
    kaizen = Server("kaizen", command, env, port, tmp / "kaizen.log")
    bare_url = f"sqlite+aiosqlite:///{tmp / 'bare.sqlite3'}"
    if not (tmp / "bare.sqlite3").exists():
        asyncio.run(seed_bare(bare_url))
    bare_port = free_port()
    bare_command = [str(BIN / "uvicorn"), "--app-dir", "bench", "bare_app:create", "--factory"]
    bare_command += ["--host", "127.0.0.1", "--port", str(bare_port), "--log-level", "warning"]
    bare = Server("bare", bare_command, {**os.environ, "BENCH_BARE_DATABASE_URL": bare_url}, bare_port, tmp / "b.log")
    found: dict[str, tuple[float, int]] = {}
    try:
        kaizen.start("/health")
        cookies = sign_in(kaizen.base, "exec@example.com")
        with httpx.Client(base_url=kaizen.base, cookies=cookies, timeout=300) as client:
            for label, path in (
                ("dashboard, all campaigns", "/dashboard"),
                ("dashboard, one campaign", "/dashboard?campaign=1"),
                ("dashboard, one department", "/dashboard?department=1"),
                ("dashboard export (trends, xlsx)", "/dashboard/export?figure=trends&format=xlsx"),
                ("innovation record (a judge)", "/people/4/record"),
            ):
                found[label] = _median_request(client, path)
        kaizen.stop()
        bare.start("/hello")
        with httpx.Client(base_url=bare.base, timeout=60) as client:
            found["bare page (/items)"] = _median_request(client, "/items")
    finally:
        kaizen.stop()
        bare.stop()
    return found


def main(args: argparse.Namespace) -> None:
    written: list[str] = []

    def out(line: str) -> None:
        print(line, flush=True)
        written.append(line)

    tmp = Path(args.keep or tempfile.mkdtemp(prefix="kaizen-dashboard-"))
    tmp.mkdir(parents=True, exist_ok=True)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    taken = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    out(f"## Programme dashboard (bench/dashboard.py)\n\nSQLite, taken {taken}, load average at start {load}.")
    for size in args.sizes.split(","):
        db = tmp / f"{size}.sqlite3"
        url = f"sqlite+aiosqlite:///{db}"
        if not db.exists():
            out(f"seeded {size}: {seed(url, size)}")
        timings, statements, counts = asyncio.run(figures(url))
        out(f"\n### {size}: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
        out(f"\nSQL statements of every figure: {statements}\n")
        out("| figure | ms (median of 5) |\n|---|---:|")
        for name, ms in timings:
            out(f"| {name} | {ms:,.1f} |")
        served = pages(url, tmp)
        bare_ms = served["bare page (/items)"][0]
        out("\n| page | ms (median of 7) | bytes | × bare page |\n|---|---:|---:|---:|")
        for label, (ms, size_bytes) in served.items():
            out(f"| {label} | {ms:,.1f} | {size_bytes:,} | {ms / bare_ms:,.1f} |")
    if args.out:
        Path(args.out).write_text("\n".join(written) + "\n", encoding="utf-8")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="M,XXL")
    parser.add_argument("--out", default="", help="also write the tables here (bench/RESULTS-dashboard.md)")
    parser.add_argument("--keep", default="", help="a directory for the databases (kept; reused when present)")
    main(parser.parse_args())
