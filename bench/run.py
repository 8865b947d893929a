"""Every page figure in one invocation, each beside a bare Litestar page measured in the same run.

For each database: seeds each size into a fresh database (``kaizen bench seed``) and a bare
table of 10,000 rows; for each worker count: serves the bare app (bench/bare_app.py) and
measures it with wrk, then for each size serves Kaizen (``kaizen run --no-scheduler``), signs in
as the known accounts and measures each main page with wrk (closed loop), then the open-loop
deadline-hour mix (bench/load.py), then the bare app again. Writes bench/RESULTS.md.

    .venv/bin/python bench/run.py [--sizes S,XL] [--databases sqlite,postgresql] [--workers 1,2]
        [--duration 10] [--connections 16] [--mix-rate 50] [--mix-saves 2.5] [--mix-duration 10]

Needs wrk (Debian: apt-get install -y wrk) and, for PostgreSQL, a server at --postgres-url
(trust auth) where it creates and drops databases named kaizen_bench_*.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import load
import writes
from report import BARE_PATHS, MIX_PAGES, PAGES, SAVERS, Block, machine, postgres_version, report
from servers import Databases, Server, free_port
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
sys.path.insert(0, str(ROOT))


def seed(url: str, size: str, seed_value: int) -> dict[str, Any]:
    command = [str(BIN / "kaizen"), "bench", "seed", "--size", size, "--seed", str(seed_value), "--database-url", url]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)  # noqa: S603
    if done.returncode != 0:
        raise RuntimeError(f"seeding {size} failed: {done.stderr[-2000:]}")
    print(done.stdout.strip().splitlines()[-1], flush=True)
    rows = sum(int(m.replace(",", "")) for m in re.findall(r"^\s+\w+\s+([\d,]+)$", done.stdout, re.M))
    return {"seconds": time.perf_counter() - start, "summary": done.stdout.strip().splitlines()[-1], "rows": rows}


async def targets(url: str) -> dict[str, Any]:
    """The ids the pages need, found in the seeded data (the demo's or the generated)."""
    from accounts.models import User
    from campaigns.models import Phase, PhaseKind, PhaseStatus
    from core.engine import make_engine
    from judging.models import Assignment
    from teams.models import Membership, Team

    engine = make_engine(url, immediate=False)
    async with engine.connect() as conn:
        judging = (
            await conn.execute(
                select(Phase.id, Phase.campaign_id, Phase.judges_phase_id)
                .where(Phase.kind == PhaseKind.JUDGING, Phase.status == PhaseStatus.OPEN)
                .order_by(Phase.id)
            )
        ).first()
        assert judging is not None, "no running judging phase"
        team = await conn.scalar(
            select(Membership.team_id)
            .join(User, User.id == Membership.user_id)
            .where(User.email == "alice@example.com", Membership.campaign_id == judging.campaign_id)
        )
        judged = await conn.scalar(
            select(func.min(Assignment.entry_id))
            .join(User, User.id == Assignment.judge_id)
            .where(User.email == "judge1@example.com", Assignment.phase_id == judging.id)
        )
        savers = (
            await conn.execute(
                select(User.email, Team.id)
                .join(Team, Team.captain_id == User.id)
                .where(Team.campaign_id == judging.campaign_id, Team.id != team)
                .order_by(Team.id)
                .limit(SAVERS)
            )
        ).all()
    await engine.dispose()
    return {
        "ids": {"campaign": judging.campaign_id, "judging": judging.id, "team": team, "judged_entry": judged},
        "submission": judging.judges_phase_id,
        "savers": [(email, team_id) for email, team_id in savers],
    }


async def stored_markers(url: str, prefix: str) -> set[str]:
    from core.engine import make_engine
    from teams.models import EntryVersion

    engine = make_engine(url, immediate=False)
    async with engine.connect() as conn:
        found = await conn.scalars(select(EntryVersion.summary).where(EntryVersion.summary.like(f"{prefix}-%")))
        markers = set(found)
    await engine.dispose()
    return markers


# --- measuring ----------------------------------------------------------------------------------


def measure_bare(server: Server, block: Block, args: argparse.Namespace) -> None:
    for key, path in BARE_PATHS.items():
        load.alone(server.base, path, None)  # the same warm-up as Kaizen's pages get
        figures = load.wrk(f"{server.base}{path}", None, seconds=args.duration, connections=args.connections)
        block.bare.setdefault(key, []).append(figures)
        print(f"  bare /{key:<6} {figures['rps']:8.1f} req/s  p50 {figures['p50_ms']:.0f} ms", flush=True)
    server.sample_rss()


def measure_size(server: Server, url: str, size: str, args: argparse.Namespace, restart: Any) -> dict[str, Any]:
    found = asyncio.run(targets(url))
    cookies = {who: load.sign_in(server.base, f"{who}@example.com") for who in ("alice", "judge1", "organizer")}
    result: dict[str, Any] = {"pages": {}, "paths": {}}
    for page in PAGES:
        path = page.path.format(**found["ids"])
        status, alone_ms, size_bytes = load.alone(server.base, path, cookies[page.user])
        figures: dict[str, Any] = {"status": status, "alone_ms": alone_ms, "kb": size_bytes / 1024}
        if status == 200:
            figures |= load.wrk(
                server.base + path, cookies[page.user], seconds=args.duration, connections=args.connections
            )
        server.sample_rss()
        if not load.settled(server.base, within=20):
            print("    (backlog: restarting the server)", flush=True)
            restart()
        result["pages"][page.key] = figures
        result["paths"][page.key] = path
        print(
            f"  {size:<3} {page.label:<34} {figures.get('rps', 0):8.1f} req/s  alone {alone_ms:7.0f} ms  "
            f"p99 {figures.get('p99_ms', 0):7.0f} ms  err {figures.get('errors', '-')}  [{status}]",
            flush=True,
        )
    result["mix"] = deadline_mix(server, url, found, cookies, args)
    load.settled(server.base, within=120)
    server.sample_rss()
    result["writes"] = write_figures(server, url, found, cookies, args)
    server.sample_rss()
    return result


def write_figures(
    server: Server, url: str, found: dict[str, Any], cookies: dict[str, dict[str, str]], args: argparse.Namespace
) -> dict[str, Any]:
    by_key = {p.key: p for p in PAGES}
    pages = [(by_key[k].path.format(**found["ids"]), cookies[by_key[k].user]) for k in MIX_PAGES]
    figures = {
        "saves": writes.concurrent_saves(server.base, url, server.log, seconds=args.duration),
        "rw": writes.read_write_mix(server.base, url, pages, seconds=args.duration, connections=args.connections),
        "storm": writes.deadline_storm(server.base, url),
    }
    s, rw, storm = figures["saves"], figures["rw"], figures["storm"]
    print(
        f"  16 saves {s['rps']:.1f}/s p99 {s['p99_ms']:.0f} ms locked {s['locked']} err {s['errors']}; "
        f"90/10 mix {100 * rw['share']:.0f} % of read-only; storm p99 {storm['p99_ms']:.0f} ms, "
        f"late {storm['accepted_late']}, lost {storm['lost']}, errors {storm['errors']}",
        flush=True,
    )
    return figures


def deadline_mix(
    server: Server, url: str, found: dict[str, Any], cookies: dict[str, dict[str, str]], args: argparse.Namespace
) -> dict[str, Any]:
    by_key = {p.key: p for p in PAGES}
    pages = [(by_key[k].path.format(**found["ids"]), cookies[by_key[k].user]) for k in MIX_PAGES]
    savers = [
        load.Saver(load.sign_in(server.base, email), team_id, found["submission"]) for email, team_id in found["savers"]
    ]
    marker = f"bench-mix-{uuid.uuid4().hex[:8]}"
    mix = asyncio.run(
        load.open_loop(
            server.base,
            pages,
            savers,
            page_rate=args.mix_rate,
            save_rate=args.mix_saves,
            seconds=args.mix_duration,
            marker=marker,
        )
    )
    load.settled(server.base, within=120)
    stored = asyncio.run(stored_markers(url, marker))
    mix["lost"] = len([m for m in mix["answered"] if m not in stored])
    mix["stored_unanswered"] = len([m for m in mix["unanswered"] if m in stored])
    p, s = mix["pages"], mix["saves"]
    print(
        f"  mix pages {p['ok']}/{p['offered']} ok p50 {p['p50_ms']:.0f} p99 {p['p99_ms']:.0f} ms; "
        f"saves {s['ok']}/{s['offered']} p99 {s['p99_ms']:.0f} ms, lost {mix['lost']}, "
        f"stored though unanswered {mix['stored_unanswered']}",
        flush=True,
    )
    del mix["answered"], mix["unanswered"]
    return mix


def kaizen_server(url: str, workers: int, log: Path) -> Server:
    port = free_port()
    env = {
        **os.environ,
        "KAIZEN_DATABASE_URL": url,
        "KAIZEN_SECRET_KEY": "bench-secret-" + "x" * 40,
        "KAIZEN_ENV": "development",
    }
    command = [str(BIN / "kaizen"), "run", "--no-scheduler", "--workers", str(workers)]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    return Server("kaizen", command, env, port, log)


def bare_server(url: str, workers: int, log: Path) -> Server:
    port = free_port()
    command = [str(BIN / "uvicorn"), "--app-dir", "bench", "bare_app:create", "--factory"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers), "--log-level", "warning"]
    return Server("bare", command, {**os.environ, "BENCH_BARE_DATABASE_URL": url}, port, log)


def script(name: str, *arguments: str) -> str:
    """Another bench script's printed figures (run in-process there, with no server beside it)."""
    done = subprocess.run(  # noqa: S603
        [str(BIN / "python"), str(ROOT / "bench" / name), *arguments],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    print(done.stdout, end="", flush=True)
    return done.stdout if done.returncode == 0 else done.stdout + f"\n(exit {done.returncode}) {done.stderr[-1500:]}"


def run(args: argparse.Namespace) -> tuple[list[Block], dict[str, Any]]:
    from bare_app import seed as seed_bare

    tmp = Path(tempfile.mkdtemp(prefix="kaizen-bench-"))
    blocks: list[Block] = []
    seeding: dict[str, Any] = {}
    for kind in args.databases:
        dbs = Databases(kind, args.postgres_url, tmp)
        try:
            print(f"== {kind}: seeding", flush=True)
            urls = {size: dbs.fresh(size) for size in args.sizes}
            for size, url in urls.items():
                seeding[f"{kind} {size}"] = seed(url, size, args.seed)
            largest = args.sizes[-1]
            print(f"== {kind}: ranking at {largest}", flush=True)
            seeding.setdefault("_services", {})[f"{kind} {largest}"] = script(
                "judging_ranking.py", "--database-url", urls[largest]
            )
            bare_url = dbs.fresh("bare")
            asyncio.run(seed_bare(bare_url))
            for workers in args.workers:
                block = Block(kind, workers)
                blocks.append(block)
                print(f"== {kind}, {workers} worker(s)", flush=True)
                bare = bare_server(bare_url, workers, tmp / "bare.log")
                bare.start("/hello")
                try:
                    measure_bare(bare, block, args)
                    for size, url in urls.items():
                        server = kaizen_server(url, workers, tmp / f"kaizen-{kind}-{size}.log")
                        server.start("/health")

                        def restart(s: Server = server) -> None:
                            s.sample_rss()
                            s.stop()
                            s.start("/health")

                        try:
                            block.sizes[size] = measure_size(server, url, size, args, restart)
                        finally:
                            server.stop()
                        block.sizes[size]["rss_mb"] = server.peak_rss_mb
                    measure_bare(bare, block, args)
                    block.sizes.setdefault("_bare", {})["rss_mb"] = bare.peak_rss_mb
                finally:
                    bare.stop()
        finally:
            dbs.drop_all()
    return blocks, seeding


def measure_memory(args: argparse.Namespace, tmp: Path) -> dict[str, dict[str, float]]:
    """Resident sets at the memory size (XXL): a serving worker after every page, and ``kaizen worker``."""
    found: dict[str, dict[str, float]] = {}
    for kind in args.databases:
        dbs = Databases(kind, args.postgres_url, tmp)
        try:
            url = dbs.fresh(args.memory)
            seed(url, args.memory, args.seed)
            server = kaizen_server(url, 1, tmp / f"kaizen-{kind}-memory.log")
            server.start("/health")
            try:
                ids = asyncio.run(targets(url))["ids"]
                cookies = {
                    who: load.sign_in(server.base, f"{who}@example.com") for who in ("alice", "judge1", "organizer")
                }
                for _ in range(3):
                    for page in PAGES:
                        load.alone(server.base, page.path.format(**ids), cookies[page.user])
                        server.sample_rss()
            finally:
                server.stop()
            worker = Server(
                "worker",
                [str(BIN / "kaizen"), "worker", "--log-level", "warning"],
                {**os.environ, "KAIZEN_DATABASE_URL": url, "KAIZEN_SECRET_KEY": "bench-secret-" + "x" * 40},
                0,
                tmp / f"worker-{kind}.log",
            )
            worker.spawn()
            try:
                for _ in range(20):  # its first sweeps and the outbox
                    time.sleep(1)
                    worker.sample_rss()
            finally:
                worker.stop()
            found[kind] = {"server_mb": server.peak_rss_mb, "worker_mb": worker.peak_rss_mb}
            print(
                f"  {kind} {args.memory}: serving worker {server.peak_rss_mb:.0f} MB, kaizen worker "
                f"{worker.peak_rss_mb:.0f} MB",
                flush=True,
            )
        finally:
            dbs.drop_all()
    return found


# --- the report ---------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="S,XL", type=lambda v: v.split(","))
    parser.add_argument("--databases", default="sqlite,postgresql", type=lambda v: v.split(","))
    parser.add_argument("--workers", default="1,2", type=lambda v: [int(x) for x in v.split(",")])
    parser.add_argument("--duration", default=10, type=int, help="seconds of wrk per page")
    parser.add_argument("--connections", default=16, type=int)
    parser.add_argument("--mix-rate", default=50.0, type=float, help="page requests per second, open loop")
    parser.add_argument("--mix-saves", default=2.5, type=float, help="entry autosaves per second")
    parser.add_argument("--mix-duration", default=10, type=int, help="seconds of the open-loop mix")
    parser.add_argument("--seed", default=1, type=int)
    parser.add_argument("--memory", default="XXL", help="size for the resident-set figures ('' to skip)")
    parser.add_argument("--postgres-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--out", default=str(ROOT / "bench" / "RESULTS.md"))
    args = parser.parse_args()
    if not load.wrk_available():
        sys.exit("wrk is needed: apt-get install -y wrk")
    sizes = {*args.sizes, *([args.memory] if args.memory else [])}
    unknown = (sizes - {"S", "M", "XL", "XXL"}) | (set(args.databases) - {"sqlite", "postgresql"})
    if unknown:
        sys.exit(f"unknown: {', '.join(sorted(unknown))}")
    command = ".venv/bin/python bench/run.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    info = machine()
    if "postgresql" in args.databases:
        info["Versions"] += ", " + postgres_version(args.postgres_url)
    start = time.perf_counter()
    blocks, seeding = run(args)
    print("== automatic assignment", flush=True)
    seeding.setdefault("_services", {})["assignment"] = script("assignment.py")
    memory = measure_memory(args, Path(tempfile.mkdtemp(prefix="kaizen-bench-"))) if args.memory else {}
    info["Run time"] = f"{(time.perf_counter() - start) / 60:.1f} min"
    Path(args.out).write_text(report(blocks, seeding, args, command, info, memory), encoding="utf-8")
    print(f"Wrote {args.out}", flush=True)


if __name__ == "__main__":
    main()
