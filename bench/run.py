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
import platform
import re
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import load
from sqlalchemy import func, select, text

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
sys.path.insert(0, str(ROOT))


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    user: str  # a known account's local part
    path: str  # {campaign}, {judging}, {team}, {judged_entry} come from the seeded data
    bare: str = "items"  # the bare page it is compared with


PAGES = [
    Page("health", "trivial signed-in page (/health)", "alice", "/health", bare="hello"),
    Page("home", "home", "alice", "/"),
    Page("campaign", "campaign", "alice", "/campaigns/{campaign}"),
    Page("team", "team", "alice", "/teams/{team}"),
    Page("entry", "entry", "alice", "/teams/{team}/entry"),
    Page("queue", "judge queue", "judge1", "/judging"),
    Page("score", "score form", "judge1", "/judging/{judging}/entries/{judged_entry}"),
    Page("entries", "entry list (advancement)", "organizer", "/campaigns/{campaign}/phases/{judging}/advancement"),
    Page("results", "organizer results", "organizer", "/campaigns/{campaign}/results"),
    Page("assignments", "assignments", "organizer", "/campaigns/{campaign}/phases/{judging}/assignments"),
    Page("progress", "progress", "organizer", "/campaigns/{campaign}/phases/{judging}/progress"),
]
MIX_PAGES = ("home", "campaign", "team", "entry", "queue", "score")
SAVERS = 10


# --- databases and servers --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Databases:
    """Fresh databases of one kind, dropped (PostgreSQL) or deleted (SQLite) at the end."""

    def __init__(self, kind: str, postgres_url: str, tmp: Path) -> None:
        self.kind, self.postgres_url, self.tmp = kind, postgres_url, tmp
        self.tag = uuid.uuid4().hex[:6]
        self.made: list[str] = []

    def fresh(self, name: str) -> str:
        if self.kind == "sqlite":
            return f"sqlite+aiosqlite:///{self.tmp}/{name}.sqlite3"
        database = f"kaizen_bench_{name.lower()}_{self.tag}"
        asyncio.run(self._admin(f'CREATE DATABASE "{database}"'))
        self.made.append(database)
        return re.sub(r"/[^/]*$", f"/{database}", self.postgres_url)

    def drop_all(self) -> None:
        for database in self.made:
            asyncio.run(self._admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))

    async def _admin(self, sql: str) -> None:
        from web.database import make_engine

        engine = make_engine(self.postgres_url, isolation_level="AUTOCOMMIT")
        async with engine.connect() as conn:
            await conn.execute(text(sql))
        await engine.dispose()


class Server:
    """A uvicorn server in its own process group, started and stopped by its id."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], port: int, log: Path) -> None:
        self.name, self.command, self.env, self.port, self.log = name, command, env, port, log
        self.process: subprocess.Popen[bytes] | None = None
        self.peak_rss_mb = 0.0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, ready_path: str) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603
                self.command, env=self.env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True
            )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see {self.log}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    pass
                import httpx

                if httpx.get(self.base + ready_path, timeout=30).status_code == 200:
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"{self.name} did not start; see {self.log}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def sample_rss(self) -> None:
        """The largest resident set of a serving process (the workers, or the one process)."""
        if self.process is None:
            return
        pids = _descendants(self.process.pid) or [self.process.pid]
        self.peak_rss_mb = max([self.peak_rss_mb, *(_rss_mb(pid) for pid in pids)])


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


# --- seeding and targets -----------------------------------------------------------------------


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
    from judging.models import Assignment
    from teams.models import Membership, Team
    from web.database import make_engine

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
    from teams.models import EntryVersion
    from web.database import make_engine

    engine = make_engine(url, immediate=False)
    async with engine.connect() as conn:
        found = await conn.scalars(select(EntryVersion.summary).where(EntryVersion.summary.like(f"{prefix}-%")))
        markers = set(found)
    await engine.dispose()
    return markers


# --- measuring ----------------------------------------------------------------------------------


@dataclass
class Block:
    """One database × worker count: the bare figures and each size's."""

    database: str
    workers: int
    bare: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    sizes: dict[str, dict[str, Any]] = field(default_factory=dict)

    def bare_rps(self, key: str) -> float:
        runs = self.bare.get(key, [])
        return sum(r["rps"] for r in runs) / len(runs) if runs else float("nan")

    def bare_p99(self, key: str) -> float:
        runs = self.bare.get(key, [])
        return sum(r["p99_ms"] for r in runs) / len(runs) if runs else float("nan")


def measure_bare(server: Server, block: Block, args: argparse.Namespace) -> None:
    for key in ("items", "hello"):
        load.alone(server.base, f"/{key}", None)  # the same warm-up as Kaizen's pages get
        figures = load.wrk(f"{server.base}/{key}", None, seconds=args.duration, connections=args.connections)
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
    return result


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


# --- the report ---------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    import sqlite3
    from importlib.metadata import version

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    mem = next(
        line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False).stdout.split("\n")[0]  # noqa: S607
    commit = subprocess.run(  # noqa: S603
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "CPU": f"{cpu}, {os.cpu_count()} cores (load average at start {os.getloadavg()[0]:.2f})",
        "RAM": f"{int(mem) / 1024 / 1024:.1f} GiB",
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "Versions": (
            f"Litestar {version('litestar')}, advanced-alchemy {version('advanced-alchemy')}, "
            f"SQLAlchemy {version('sqlalchemy')}, uvicorn {version('uvicorn')}, "
            f"SQLite {sqlite3.sqlite_version}, {wrk_version.split(' [')[0]}"
        ),
        "Kaizen": f"commit {commit}",
    }


def postgres_version(url: str) -> str:
    from web.database import make_engine

    async def ask() -> str:
        engine = make_engine(url)
        async with engine.connect() as conn:
            found = str(await conn.scalar(text("SHOW server_version")))
        await engine.dispose()
        return found

    try:
        return "PostgreSQL " + asyncio.run(ask()).split()[0]
    except Exception:
        return "PostgreSQL (version unknown)"


def _ms(value: float) -> str:
    return "–" if value != value else f"{value:,.0f}"  # NaN: nothing was answered


def report(
    blocks: list[Block], seeding: dict[str, Any], args: argparse.Namespace, command: str, info: dict[str, str]
) -> str:
    lines = [
        "# Kaizen page figures",
        "",
        "Written by `bench/run.py`; every ratio compares figures taken in the same run on the same machine.",
        "",
        f"**Command:** `{command}`",
        "",
        f"**Taken:** {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. **Shared machine:** the 2 cores were shared with "
        "colleagues' test runs and builds while this ran, so each figure carries noise; the ratios to the bare "
        "page measured in the same block are steadier than the absolute numbers. wrk and the open-loop "
        "generator ran on the same cores as the servers.",
        "",
        "| machine | |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in info.items()),
        "",
        "**Method.** wrk, 1 thread, "
        f"{args.connections} connections, {args.duration} s per page (closed loop), 30 s timeout; latency "
        "percentiles from wrk's Lua `done()` hook; the signed-in session cookie is sent by the same script. "
        '"alone" is the fastest of up to three sequential requests before the run (after one more, uncounted). '
        "% of bare compares with "
        "the bare Litestar + SQLAlchemy + Jinja page (50 of 10,000 rows, ~23 KB) served by uvicorn with the "
        "same workers and the same database kind, measured before and after the block (mean); the trivial "
        "signed-in page compares with a bare hello-world. Servers: `kaizen run --no-scheduler --workers N "
        "--log-level warning` and `uvicorn --workers N --log-level warning`. After each page the server is "
        "given 20 s to finish its backlog (requests wrk abandoned), else it is restarted.",
        "",
        "## Seeding",
        "",
        "| database size | rows | time (incl. migrations and process start) |",
        "|---|---:|---:|",
        *(f"| {k} | {v['rows']:,} | {v['seconds']:.1f} s |" for k, v in seeding.items()),
        "",
    ]
    for block in blocks:
        bare_items, bare_hello = block.bare_rps("items"), block.bare_rps("hello")
        sizes = [s for s in block.sizes if not s.startswith("_")]
        for size in sizes:
            data = block.sizes[size]
            lines += [
                f"## {block.database}, {block.workers} worker{'s' if block.workers > 1 else ''}, size {size}",
                "",
                "| page | req/s | % of bare | alone ms | p50 ms | p99 ms | p99 ÷ bare p99 | errors | KB |"
                + (" XL ÷ S req/s |" if size != sizes[0] else ""),
                "|---|---:|---:|---:|---:|---:|---:|---:|---:|" + ("---:|" if size != sizes[0] else ""),
                f"| bare page (50 of 10,000 rows) | {bare_items:,.1f} | 100 % | | "
                f"{_bare_mean(block, 'items', 'p50_ms')} | {block.bare_p99('items'):,.0f} | 1.0 | | 23 |"
                + (" |" if size != sizes[0] else ""),
                f"| bare hello-world | {bare_hello:,.1f} | | | {_bare_mean(block, 'hello', 'p50_ms')} | "
                f"{block.bare_p99('hello'):,.0f} | | | |" + (" |" if size != sizes[0] else ""),
            ]
            for page in PAGES:
                f = data["pages"][page.key]
                bare = bare_hello if page.bare == "hello" else bare_items
                bare_p99 = block.bare_p99(page.bare)
                if f["status"] != 200:
                    lines.append(f"| {page.label} | answered {f['status']} | | | | | | | |")
                    continue
                row = (
                    f"| {page.label} | {f['rps']:,.1f} | {100 * f['rps'] / bare:.0f} % | {_ms(f['alone_ms'])} | "
                    f"{_ms(f['p50_ms'])} | {_ms(f['p99_ms'])} | {f['p99_ms'] / bare_p99:.1f} | {f['errors']} | "
                    f"{f['kb']:.0f} |"
                )
                if size != sizes[0]:
                    first = block.sizes[sizes[0]]["pages"][page.key]
                    row += f" {100 * f['rps'] / first['rps']:.0f} % |" if first.get("rps") else " |"
                lines.append(row)
            mix = data["mix"]
            p, s = mix["pages"], mix["saves"]
            stored = "yes" if mix["lost"] == 0 else f"NO, {mix['lost']} lost"
            lines += [
                "",
                f"Deadline-hour mix (open loop, {args.mix_duration} s): "
                f"{p['offered_rate']:.0f} page requests/s offered ({', '.join(MIX_PAGES)} in turn), "
                f"{s['offered_rate']:.1f} autosaves/s through `POST /teams/{{id}}/entry/save` (htmx, CSRF) by "
                f"{SAVERS} team captains.",
                "",
                "| | offered | answered 2xx | errors (timeouts) | p50 ms | p99 ms |",
                "|---|---:|---:|---:|---:|---:|",
                f"| pages | {p['offered']} | {p['ok']} | {p['errors']} ({p['timeouts']}) | {_ms(p['p50_ms'])} | "
                f"{_ms(p['p99_ms'])} |",
                f"| saves | {s['offered']} | {s['ok']} | {s['errors']} ({s['timeouts']}) | {_ms(s['p50_ms'])} | "
                f"{_ms(s['p99_ms'])} |",
                "",
                f"Every answered save stored: **{stored}**; "
                f"saves stored though the user got an error or a timeout: {mix['stored_unanswered']}. "
                f"Largest resident set of a serving worker: **{data['rss_mb']:.0f} MB** "
                f"(bare app: {block.sizes.get('_bare', {}).get('rss_mb', 0):.0f} MB).",
                "",
            ]
    lines += ["## Paths measured", ""]
    if blocks and blocks[0].sizes:
        for size, data in blocks[0].sizes.items():
            if not size.startswith("_"):
                paths = ", ".join(f"{k} `{v}`" for k, v in data["paths"].items())
                lines.append(f"- {size} ({blocks[0].database}): {paths}")
    return "\n".join(lines) + "\n"


def _bare_mean(block: Block, key: str, name: str) -> str:
    runs = block.bare.get(key, [])
    return _ms(sum(r[name] for r in runs) / len(runs)) if runs else "–"


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
    parser.add_argument("--postgres-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--out", default=str(ROOT / "bench" / "RESULTS.md"))
    args = parser.parse_args()
    if not load.wrk_available():
        sys.exit("wrk is needed: apt-get install -y wrk")
    unknown = set(args.sizes) - {"S", "M", "XL", "XXL"} | set(args.databases) - {"sqlite", "postgresql"}
    if unknown:
        sys.exit(f"unknown: {', '.join(sorted(unknown))}")
    command = ".venv/bin/python bench/run.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    info = machine()
    if "postgresql" in args.databases:
        info["Versions"] += ", " + postgres_version(args.postgres_url)
    start = time.perf_counter()
    blocks, seeding = run(args)
    info["Run time"] = f"{(time.perf_counter() - start) / 60:.1f} min"
    Path(args.out).write_text(report(blocks, seeding, args, command, info), encoding="utf-8")
    print(f"Wrote {args.out}", flush=True)


if __name__ == "__main__":
    main()
