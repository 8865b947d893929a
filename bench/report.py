"""The pages bench/run.py measures, the figures of one block, and bench/RESULTS.md."""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent


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
    Page(
        "entries300",
        "a page listing 300 entries (entry list, 300 per page)",
        "organizer",
        "/campaigns/{campaign}/phases/{judging}/advancement?per_page=300",
        bare="items300",
    ),
    Page("results", "organizer results", "organizer", "/campaigns/{campaign}/results"),
    Page("assignments", "assignments", "organizer", "/campaigns/{campaign}/phases/{judging}/assignments"),
    Page("progress", "progress", "organizer", "/campaigns/{campaign}/phases/{judging}/progress"),
]
BARE_PATHS = {"items": "/items", "hello": "/hello", "items300": "/items?rows=300"}
MIX_PAGES = ("home", "campaign", "team", "entry", "queue", "score")
SAVERS = 10


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
    from core.engine import make_engine

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
    blocks: list[Block],
    seeding: dict[str, Any],
    args: argparse.Namespace,
    command: str,
    info: dict[str, str],
    memory: dict[str, dict[str, float]],
) -> str:
    lines = [
        "# Kaizen page figures",
        "",
        "Written by `bench/run.py`; every ratio compares figures taken in the same run on the same machine.",
        "",
        f"**Command:** `{command}`",
        "",
        f"**Taken:** {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. wrk and the open-loop generator ran on the same "
        "cores as the servers; the load average at the start (below) tells whether anything else ran. The "
        "ratios to the bare page measured in the same block are steadier than the absolute numbers.",
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
        "signed-in page compares with a bare hello-world, the page of 300 entries with the bare page of 300 "
        "rows. Servers: `kaizen run --no-scheduler --workers N "
        "--log-level warning` and `uvicorn --workers N --log-level warning`. After each page the server is "
        "given 20 s to finish its backlog (requests wrk abandoned), else it is restarted.",
        "",
        '**Notes.** "entry list" is the organizer\'s advancement page, the one page that lists the entries '
        "of a phase (50 per page, or 300). The open-loop mix offers the rate given by `--mix-rate` "
        "(the issue's target is 200 page "
        'requests/s for 60 s on 2 workers: `--mix-rate 200 --mix-duration 60`). A page with "–" answered '
        'no request within the run at 16 connections; its "alone" time is then the figure to read.',
        "",
        "## Seeding",
        "",
        "| database size | rows | time (incl. migrations and process start) |",
        "|---|---:|---:|",
        *(f"| {k} | {v['rows']:,} | {v['seconds']:.1f} s |" for k, v in seeding.items() if not k.startswith("_")),
        "",
    ]
    for label, printed in seeding.get("_services", {}).items():
        what = "Automatic assignment (bench/assignment.py)" if label == "assignment" else f"Ranking, {label}"
        lines += [f"## {what}", "", "```", printed.strip(), "```", ""]
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
                f"| bare page (300 of 10,000 rows) | {block.bare_rps('items300'):,.1f} | | | "
                f"{_bare_mean(block, 'items300', 'p50_ms')} | {block.bare_p99('items300'):,.0f} | | | |"
                + (" |" if size != sizes[0] else ""),
            ]
            for page in PAGES:
                f = data["pages"][page.key]
                bare = block.bare_rps(page.bare)
                bare_p99 = block.bare_p99(page.bare)
                if f["status"] != 200:
                    lines.append(f"| {page.label} | answered {f['status']} | | | | | | | |")
                    continue
                row = (
                    f"| {page.label} | {f['rps']:,.1f} | {100 * f['rps'] / bare:.0f} % | {_ms(f['alone_ms'])} | "
                    f"{_ms(f['p50_ms'])} | {_ms(f['p99_ms'])} | {_ratio(f['p99_ms'] / bare_p99)} | {f['errors']} | "
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
                *_writes(data.get("writes"), args),
            ]
    if memory:
        lines += [
            f"## Memory at size {args.memory}",
            "",
            f"Resident set (peak) of one serving worker after opening every page above three times at size "
            f"{args.memory}, and of `kaizen worker` over its first 20 s (targets: < 300 MB and < 200 MB).",
            "",
            "| database | serving worker | kaizen worker |",
            "|---|---:|---:|",
            *(f"| {k} | {v['server_mb']:.0f} MB | {v['worker_mb']:.0f} MB |" for k, v in memory.items()),
            "",
        ]
    # the programme dashboard's own bench (bench/dashboard.py --out), kept across runs of this one
    dashboard = Path(__file__).resolve().parent / "RESULTS-dashboard.md"
    if dashboard.exists():
        lines += [dashboard.read_text(encoding="utf-8").strip(), ""]
    lines += ["## Paths measured", ""]
    if blocks and blocks[0].sizes:
        for size, data in blocks[0].sizes.items():
            if not size.startswith("_"):
                paths = ", ".join(f"{k} `{v}`" for k, v in data["paths"].items())
                lines.append(f"- {size} ({blocks[0].database}): {paths}")
    return "\n".join(lines) + "\n"


def _writes(w: dict[str, Any] | None, args: argparse.Namespace) -> list[str]:
    if not w:
        return []
    s, rw, st = w["saves"], w["rw"], w["storm"]
    ro, mix = rw["read_only"], rw["mix"]
    return [
        "Writes (bench/writes.py; each on a campaign of its own in submission, captains signed in through the form):",
        "",
        "| | req/s | p50 ms | p99 ms | errors | other |",
        "|---|---:|---:|---:|---:|---|",
        f"| 16 concurrent autosaves (closed loop, {args.duration} s) | {s['rps']:,.1f} | {_ms(s['p50_ms'])} | "
        f'{_ms(s["p99_ms"])} | {s["errors"]} | "database is locked" in the log: {s["locked"]} |',
        f"| read-only ({', '.join(MIX_PAGES)}) | {ro['rps']:,.1f} | {_ms(ro['p50_ms'])} | {_ms(ro['p99_ms'])} | "
        f"{ro['errors']} | |",
        f"| 90/10 read/write mix | {mix['rps']:,.1f} | {_ms(mix['p50_ms'])} | {_ms(mix['p99_ms'])} | "
        f"{mix['errors']} | **{100 * rw['share']:.0f} %** of read-only |",
        f"| deadline storm: {st['requests']} autosaves and submits over the second before and after the close "
        f"(open loop) | | {_ms(st['p50_ms'])} | **{_ms(st['p99_ms'])}** | {st['errors']} | "
        f"answered {st['answered']}, refused as late {st['refused_late']}, **accepted late {st['accepted_late']}, "
        f"lost {st['lost']}** |",
        "",
    ]


def _ratio(value: float) -> str:
    return "–" if value != value else f"{value:.1f}"


def _bare_mean(block: Block, key: str, name: str) -> str:
    runs = block.bare.get(key, [])
    return _ms(sum(r[name] for r in runs) / len(runs)) if runs else "–"
