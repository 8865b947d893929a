"""The application shell's fixed cost per request, in minutes rather than bench/run.py's half hour.

Seeds one database (size S by default), serves the bare app (bench/bare_app.py) and Kaizen
(``kaizen run --no-scheduler``) side by side, and measures with wrk, in one run: the bare
hello-world and bare page, then the trivial signed-in page (/health) and a few small pages,
then the bare pair again. Prints req/s, p50/p99 and the ratios the issue's targets are given in.

    .venv/bin/python bench/overhead.py [--database sqlite|postgresql] [--size S] [--duration 10]
        [--pages health,home,campaign,entry,queue,score] [--keep-kaizen-running]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

import load
from report import PAGES
from run import bare_server, kaizen_server, seed, targets
from servers import Databases

DEFAULT_PAGES = "health,home,campaign,entry,queue,score"


def _wrk(base: str, path: str, cookies: dict[str, str] | None, args: argparse.Namespace) -> dict[str, Any]:
    load.alone(base, path, cookies)
    return load.wrk(base + path, cookies, seconds=args.duration, connections=args.connections)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument("--size", default="S")
    parser.add_argument("--duration", default=10, type=int)
    parser.add_argument("--connections", default=16, type=int)
    parser.add_argument("--workers", default=1, type=int)
    parser.add_argument("--pages", default=DEFAULT_PAGES, type=lambda v: v.split(","))
    parser.add_argument("--postgres-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    if not load.wrk_available():
        sys.exit("wrk is needed: apt-get install -y wrk")
    from bare_app import seed as seed_bare

    tmp = Path(tempfile.mkdtemp(prefix="kaizen-overhead-"))
    dbs = Databases(args.database, args.postgres_url, tmp)
    by_key = {p.key: p for p in PAGES}
    try:
        url = dbs.fresh(args.size)
        seed(url, args.size, 1)
        bare_url = dbs.fresh("bare")
        asyncio.run(seed_bare(bare_url))
        found = asyncio.run(targets(url))
        bare = bare_server(bare_url, args.workers, tmp / "bare.log")
        kaizen = kaizen_server(url, args.workers, tmp / "kaizen.log")
        bare_figures: dict[str, list[dict[str, Any]]] = {"hello": [], "items": []}
        rows: list[tuple[str, dict[str, Any], str]] = []
        for round_ in (0, 1):
            bare.start("/hello")
            try:
                for key in ("hello", "items"):
                    bare_figures[key].append(_wrk(bare.base, f"/{key}", None, args))
            finally:
                bare.stop()
            if round_ == 1:
                break
            kaizen.start("/health")
            try:
                cookies = {}
                for key in args.pages:
                    page = by_key[key]
                    if page.user not in cookies:
                        cookies[page.user] = load.sign_in(kaizen.base, f"{page.user}@example.com")
                    figures = _wrk(kaizen.base, page.path.format(**found["ids"]), cookies[page.user], args)
                    rows.append((page.label, figures, page.bare))
                    load.settled(kaizen.base, within=20)
            finally:
                kaizen.stop()
        bare_mean = {
            key: {m: statistics.mean(f[m] for f in runs) for m in ("rps", "p50_ms", "p99_ms")}
            for key, runs in bare_figures.items()
        }
        print(f"\n{args.database}, size {args.size}, {args.workers} worker(s), {args.connections} connections")
        print(f"{'page':<36}{'req/s':>9}{'% bare':>8}{'p50 ms':>8}{'p99 ms':>8}{'p99÷bare':>9}{'err':>5}")
        for key, label in (("hello", "bare hello-world"), ("items", "bare page")):
            b = bare_mean[key]
            print(f"{label:<36}{b['rps']:9.1f}{100:7.0f}%{b['p50_ms']:8.1f}{b['p99_ms']:8.1f}{1:9.1f}")
        for label, f, against in rows:
            b = bare_mean[against]
            print(
                f"{label:<36}{f['rps']:9.1f}{100 * f['rps'] / b['rps']:7.1f}%{f['p50_ms']:8.1f}{f['p99_ms']:8.1f}"
                f"{f['p99_ms'] / b['p99_ms']:9.1f}{f['errors']:5d}"
            )
    finally:
        dbs.drop_all()


if __name__ == "__main__":
    main()
