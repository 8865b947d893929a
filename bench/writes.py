"""Write figures for bench/run.py: concurrent saves, a 90/10 read/write mix, and the deadline storm.

Each uses a campaign of its own in submission (``web.benchdata.seeding.add_storm_campaign``), with new
captains who sign in through the form, so the main campaign's pages stay as they were seeded.

- ``concurrent_saves``: 16 connections autosaving entries in a closed loop (wrk), the count of
  "database is locked" lines in the server's log, and p99.
- ``read_write_mix``: the same pages read-only, then with every tenth request an autosave (wrk);
  the mix's throughput as a share of the read-only one.
- ``deadline_storm``: 200 autosaves and submits spread evenly over the last second before the
  submission closes and the first second after (open loop); every answered request must be
  stored and no submit may be accepted at or after the close.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import load
from sqlalchemy import func, select, update

LUA = Path(__file__).with_name("wrk_requests.lua")


def captains(url: str, base: str, count: int) -> tuple[Any, list[load.Saver]]:
    """A new campaign in submission with ``count`` signed-in captains."""
    from web.benchdata.seeding import add_storm_campaign

    storm = asyncio.run(add_storm_campaign(url, teams=count, tag=uuid.uuid4().hex[:6]))
    with ThreadPoolExecutor(4) as pool:
        cookies = list(pool.map(lambda c: load.sign_in(base, c[0]), storm.captains))
    savers = [load.Saver(c, team, storm.submission) for c, (_, team) in zip(cookies, storm.captains, strict=True)]
    return storm, savers


def entry_form(phase_id: int, summary: str, n: int) -> dict[str, str]:
    return {
        "phase_id": str(phase_id),
        "title": f"Storm entry {n}",
        "summary": summary,
        "problem": "Measured by bench/writes.py at the deadline.",
        "solution": "Save early, save often.",
        "expected_impact": "No lost work.",
        "prototype_url": "",
        "video_url": "",
    }


def _lines(log: Path, needle: str) -> int:
    try:
        return log.read_text(errors="replace").count(needle)
    except OSError:
        return 0


def _request_file(requests: list[tuple[str, str, dict[str, str], str]]) -> Path:
    """method, path, cookies, body (POST bodies get a running number appended by the Lua script)."""
    fd, name = tempfile.mkstemp(prefix="kaizen-wrk-", suffix=".tsv")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        for method, path, cookies, body in requests:
            token = cookies.get(load.CSRF_COOKIE, "")
            out.write("\t".join((method, path, load.cookie_header(cookies), token, body)) + "\n")
    return Path(name)


def _wrk(
    base: str, requests: list[tuple[str, str, dict[str, str], str]], *, seconds: int, connections: int
) -> dict[str, Any]:
    path = _request_file(requests)
    try:
        extra = {"BENCH_REQUESTS": str(path)}
        return load.wrk(base + requests[0][1], None, seconds=seconds, connections=connections, script=LUA, env=extra)
    finally:
        path.unlink(missing_ok=True)


def _save(saver: load.Saver, marker: str) -> tuple[str, str, dict[str, str], str]:
    fields = entry_form(saver.phase_id, "", 0)
    del fields["summary"]
    # the Lua script appends the request's number, so every save is a new text
    body = urlencode(fields) + f"&summary={marker}-"
    return ("POST", f"/teams/{saver.team_id}/entry/save", saver.cookies, body)


def concurrent_saves(base: str, url: str, log: Path, *, seconds: int, connections: int = 16) -> dict[str, Any]:
    _, savers = captains(url, base, connections)
    marker = f"bench-saves-{uuid.uuid4().hex[:6]}"
    locked_before = _lines(log, "database is locked")
    figures = _wrk(base, [_save(s, marker) for s in savers], seconds=seconds, connections=connections)
    load.settled(base, within=60)
    figures["locked"] = _lines(log, "database is locked") - locked_before
    return figures


def read_write_mix(
    base: str, url: str, pages: list[tuple[str, dict[str, str]]], *, seconds: int, connections: int
) -> dict[str, Any]:
    """Read-only throughput over ``pages``, then the same with one autosave in ten."""
    _, savers = captains(url, base, 10)
    marker = f"bench-rw-{uuid.uuid4().hex[:6]}"
    reads = [("GET", path, cookies, "") for path, cookies in pages]
    mix: list[tuple[str, str, dict[str, str], str]] = []
    for n, saver in enumerate(savers):
        mix += [reads[(n * 9 + i) % len(reads)] for i in range(9)]
        mix.append(_save(saver, marker))
    read_only = _wrk(base, reads, seconds=seconds, connections=connections)
    load.settled(base, within=60)
    mixed = _wrk(base, mix, seconds=seconds, connections=connections)
    load.settled(base, within=60)
    return {"read_only": read_only, "mix": mixed, "share": mixed["rps"] / read_only["rps"] if read_only["rps"] else 0}


# --- the deadline storm -------------------------------------------------------------------------


async def _move_close(url: str, phase_id: int, closes_at: datetime) -> None:
    from campaigns.models import Phase
    from core.engine import make_engine

    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.execute(update(Phase).where(Phase.id == phase_id).values(closes_at=closes_at, grace_minutes=0))
    await engine.dispose()


async def _stored(url: str, marker: str, closes_at: datetime) -> tuple[set[str], int]:
    """The markers stored, and the submitted versions saved at or after the close."""
    from core.engine import make_engine
    from teams.models import Entry, EntryVersion

    engine = make_engine(url)
    async with engine.connect() as conn:
        found = set(await conn.scalars(select(EntryVersion.summary).where(EntryVersion.summary.like(f"{marker}-%"))))
        late = await conn.scalar(
            select(func.count())
            .select_from(EntryVersion)
            .join(Entry, Entry.id == EntryVersion.entry_id)
            .where(
                EntryVersion.summary.like(f"{marker}-%"),
                EntryVersion.submitted.is_(True),
                EntryVersion.saved_at >= closes_at,
            )
        )
    await engine.dispose()
    return found, int(late or 0)


async def _fire(
    base: str, savers: list[load.Saver], marker: str, close: float, requests: int
) -> tuple[list[dict[str, Any]], float]:
    """``requests`` saves and submits, alternating, evenly from one second before ``close`` (a
    monotonic instant) to one second after; each result: kind, marker, status, latency, instant."""
    loop = asyncio.get_running_loop()
    limits = httpx.Limits(max_connections=1000, max_keepalive_connections=200)
    clients = [
        httpx.AsyncClient(base_url=base, cookies=s.cookies, limits=limits, timeout=load.TIMEOUT_S) for s in savers
    ]
    results: list[dict[str, Any]] = []

    async def one(n: int, due: float) -> None:
        await asyncio.sleep(max(0.0, due - loop.time()))
        saver, client = savers[n % len(savers)], clients[n % len(savers)]
        kind = "submit" if n % 2 else "save"
        text = f"{marker}-{n}"
        headers = {"x-csrftoken": client.cookies.get(load.CSRF_COOKIE) or "", "hx-request": "true"}
        status = 0
        try:
            response = await client.post(
                f"/teams/{saver.team_id}/entry/{kind}", data=entry_form(saver.phase_id, text, n), headers=headers
            )
            status = response.status_code
        except httpx.HTTPError:
            status = -1
        results.append({"kind": kind, "marker": text, "status": status, "latency": loop.time() - due, "due": due})

    try:
        step = 2.0 / requests
        await asyncio.gather(*(one(n, close - 1.0 + n * step) for n in range(requests)))
    finally:
        for client in clients:
            await client.aclose()
    return results, close


def deadline_storm(base: str, url: str, *, requests: int = 200, teams: int = 100) -> dict[str, Any]:
    storm, savers = captains(url, base, teams)
    marker = f"bench-storm-{uuid.uuid4().hex[:6]}"
    lead = 3.0  # seconds from moving the close to the close itself
    closes_at = (datetime.now(UTC) + timedelta(seconds=lead)).replace(microsecond=0) + timedelta(seconds=1)
    asyncio.run(_move_close(url, storm.submission, closes_at))

    async def run() -> tuple[list[dict[str, Any]], float]:
        loop = asyncio.get_running_loop()
        close = loop.time() + (closes_at - datetime.now(UTC)).total_seconds()
        return await _fire(base, savers, marker, close, requests)

    results, close = asyncio.run(run())
    load.settled(base, within=60)
    time.sleep(0.5)
    stored, late = asyncio.run(_stored(url, marker, closes_at))
    answered = [r for r in results if 200 <= r["status"] < 300]
    latencies = sorted(r["latency"] for r in results if r["status"] > 0)
    refused = [r for r in results if r["status"] == 409]
    return {
        "requests": len(results),
        "answered": len(answered),
        "refused_late": len(refused),
        "submits_before": len([r for r in results if r["kind"] == "submit" and r["due"] < close]),
        "errors": len([r for r in results if r["status"] <= 0 or r["status"] >= 500]),
        "lost": len([r for r in answered if r["marker"] not in stored]),
        "accepted_late": late,
        "p50_ms": latencies[len(latencies) // 2] * 1000 if latencies else float("nan"),
        "p99_ms": latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))] * 1000 if latencies else float("nan"),
    }


if __name__ == "__main__":  # a quick look against a running server: python bench/writes.py BASE DATABASE_URL
    import sys

    print(deadline_storm(sys.argv[1], sys.argv[2]))
