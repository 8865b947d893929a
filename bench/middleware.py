"""The per-request cost of the stack around a page: database session, sign-in lookup, middleware.

Seeds one SQLite database (``kaizen bench seed``, S by default) and the bare table, then for each
checkout given (``--trees``; default: this one) serves Kaizen from that checkout on its own copy of
the seeded database and measures with wrk, beside the bare app measured in the same invocation:
the trivial signed-in page ``/health`` (÷ bare hello-world), home and the entry page (÷ the bare
page), and 16 concurrent entry autosaves (closed loop, errors and p99). Giving two checkouts (say
main's and a branch's) compares before and after on the same data in the same run.

    .venv/bin/python bench/middleware.py [--trees ../other-checkout,.] [--size S] [--duration 10] [--workers 1]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import load
from run import bare_server, seed, stored_markers, targets
from servers import Server, free_port

ROOT = Path(__file__).resolve().parent.parent
SMALL_PAGES = (("health", "/health", "hello"), ("home", "/", "items"), ("entry", "/teams/{team}/entry", "items"))


def kaizen_from(tree: Path, url: str, workers: int, log: Path) -> Server:
    port = free_port()
    env = {
        **os.environ,
        "KAIZEN_DATABASE_URL": url,
        "KAIZEN_SECRET_KEY": "bench-secret-" + "x" * 40,
        "KAIZEN_ENV": "development",
    }
    command = [str(tree / ".venv" / "bin" / "kaizen"), "run", "--no-scheduler", "--workers", str(workers)]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    return Server(f"kaizen ({tree})", command, env, port, log)


async def concurrent_saves(
    base: str, savers: list[load.Saver], *, connections: int, seconds: float, marker: str
) -> dict[str, Any]:
    """``connections`` clients autosaving in a closed loop (htmx, CSRF) for ``seconds``."""
    latencies: list[float] = []
    failures: dict[str, int] = {}
    answered: list[str] = []

    async def one(n: int) -> None:
        saver = savers[n % len(savers)]
        async with httpx.AsyncClient(base_url=base, cookies=saver.cookies, timeout=load.TIMEOUT_S) as client:
            headers = {"x-csrftoken": client.cookies.get(load.CSRF_COOKIE) or "", "hx-request": "true"}
            end = time.monotonic() + seconds
            k = 0
            while time.monotonic() < end:
                text = f"{marker}-{n}-{k}"
                k += 1
                data = {"phase_id": str(saver.phase_id), "title": f"Bench entry {n}", "summary": text}
                data |= {"problem": "Concurrent autosave from bench/middleware.py."}
                start = time.perf_counter()
                try:
                    response = await client.post(f"/teams/{saver.team_id}/entry/save", data=data, headers=headers)
                except httpx.HTTPError as exc:
                    failures[type(exc).__name__] = failures.get(type(exc).__name__, 0) + 1
                    continue
                if response.status_code == 200:
                    latencies.append(time.perf_counter() - start)
                    answered.append(text)
                else:
                    key = f"HTTP {response.status_code}"
                    failures[key] = failures.get(key, 0) + 1

    await asyncio.gather(*(one(n) for n in range(connections)))
    done = sorted(latencies)
    return {
        "saves": len(done),
        "rps": len(done) / seconds,
        "p50_ms": statistics.median(done) * 1000 if done else float("nan"),
        "p99_ms": done[min(len(done) - 1, int(0.99 * len(done)))] * 1000 if done else float("nan"),
        "failures": failures,
        "answered": answered,
    }


def measure_tree(tree: Path, url: str, args: argparse.Namespace, log: Path) -> dict[str, Any]:
    found = asyncio.run(targets(url))
    server = kaizen_from(tree, url, args.workers, log)
    server.start("/health")
    figures: dict[str, Any] = {}
    try:
        alice = load.sign_in(server.base, "alice@example.com")
        for key, path, _bare in SMALL_PAGES:
            full = path.format(**found["ids"])
            load.alone(server.base, full, alice)
            figures[key] = load.wrk(server.base + full, alice, seconds=args.duration, connections=args.connections)
            print(f"  {key:<8} {figures[key]['rps']:8.1f} req/s  p99 {figures[key]['p99_ms']:6.0f} ms", flush=True)
            load.settled(server.base, within=30)
        savers = [
            load.Saver(load.sign_in(server.base, email), team_id, found["submission"])
            for email, team_id in found["savers"]
        ]
        marker = f"bench-saves-{uuid.uuid4().hex[:8]}"
        saves = asyncio.run(
            concurrent_saves(server.base, savers, connections=args.connections, seconds=args.duration, marker=marker)
        )
        stored = asyncio.run(stored_markers(url, marker))
        saves["lost"] = len([m for m in saves.pop("answered") if m not in stored])
        figures["saves"] = saves
        print(
            f"  saves    {saves['rps']:8.1f} /s     p99 {saves['p99_ms']:6.0f} ms  failures {saves['failures']} "
            f"lost {saves['lost']}",
            flush=True,
        )
    finally:
        server.stop()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trees", default=str(ROOT), type=lambda v: [Path(p).resolve() for p in v.split(",")])
    parser.add_argument("--size", default="S")
    parser.add_argument("--workers", default=1, type=int)
    parser.add_argument("--duration", default=10, type=int)
    parser.add_argument("--connections", default=16, type=int)
    parser.add_argument("--seed", default=1, type=int)
    args = parser.parse_args()
    if not load.wrk_available():
        sys.exit("wrk is needed: apt-get install -y wrk")
    from bare_app import seed as seed_bare

    tmp = Path(tempfile.mkdtemp(prefix="kaizen-middleware-"))
    try:
        seeded = tmp / "seeded.sqlite3"
        seed(f"sqlite+aiosqlite:///{seeded}", args.size, args.seed)
        bare_url = f"sqlite+aiosqlite:///{tmp / 'bare.sqlite3'}"
        asyncio.run(seed_bare(bare_url))
        bare_figures: dict[str, list[float]] = {"hello": [], "items": []}

        def measure_bare() -> None:
            bare = bare_server(bare_url, args.workers, tmp / "bare.log")
            bare.start("/hello")
            try:
                for key in bare_figures:
                    load.alone(bare.base, f"/{key}", None)
                    rps = load.wrk(f"{bare.base}/{key}", None, seconds=args.duration, connections=args.connections)
                    bare_figures[key].append(rps["rps"])
                    print(f"  bare /{key:<6} {rps['rps']:8.1f} req/s", flush=True)
            finally:
                bare.stop()

        measure_bare()
        results: dict[Path, dict[str, Any]] = {}
        for n, tree in enumerate(args.trees):
            print(f"== {tree}", flush=True)
            copy = tmp / f"kaizen-{n}.sqlite3"
            shutil.copy(seeded, copy)
            results[tree] = measure_tree(tree, f"sqlite+aiosqlite:///{copy}", args, tmp / f"kaizen-{n}.log")
        measure_bare()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    bare = {key: statistics.mean(values) for key, values in bare_figures.items()}
    print(f"\nSQLite {args.size}, {args.workers} worker(s), wrk {args.connections} connections, {args.duration} s")
    print(f"bare hello-world {bare['hello']:.0f} req/s, bare page {bare['items']:.0f} req/s (mean of before and after)")
    for tree, figures in results.items():
        cells = [
            f"{key} {figures[key]['rps']:.0f} req/s = {100 * figures[key]['rps'] / bare[ref]:.1f} % of bare {ref}, "
            f"p99 {figures[key]['p99_ms']:.0f} ms"
            for key, _path, ref in SMALL_PAGES
        ]
        saves = figures["saves"]
        cells.append(
            f"saves {saves['rps']:.0f}/s p99 {saves['p99_ms']:.0f} ms failures {saves['failures'] or 0} "
            f"lost {saves['lost']}"
        )
        print(f"{tree}:\n  " + "\n  ".join(cells))


if __name__ == "__main__":
    main()
