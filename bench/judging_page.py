"""The organizer results page at a seeded size, beside the bare page, in one run.

Serves Kaizen (one worker, no scheduler) on the given database and the bare app (bench/bare_app.py),
signs in as the organizer, and prints: the page's size, the first (uncached) and a later (cached)
response time, wrk throughput of the results page and of the bare page (16 connections), and the
serving worker's resident set after the page was served.

    .venv/bin/python bench/judging_page.py --database-url sqlite+aiosqlite:////tmp/xl.sqlite3 --seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import sign_in, wrk
from servers import Server, free_port

BIN = Path(__file__).resolve().parent.parent / ".venv" / "bin"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main(args: argparse.Namespace) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="kaizen-page-"))
    port = free_port()
    env = {**os.environ, "KAIZEN_DATABASE_URL": args.database_url}
    command = [str(BIN / "kaizen"), "run", "--no-scheduler", "--port", str(port), "--log-level", "warning"]
    kaizen = Server("kaizen", command, env, port, tmp / "kaizen.log")
    bare_url = f"sqlite+aiosqlite:///{tmp / 'bare.sqlite3'}"
    from bare_app import seed

    asyncio.run(seed(bare_url))
    bare_port = free_port()
    bare_command = [str(BIN / "uvicorn"), "--app-dir", "bench", "bare_app:create", "--factory"]
    bare_command += ["--host", "127.0.0.1", "--port", str(bare_port), "--log-level", "warning"]
    bare = Server("bare", bare_command, {**os.environ, "BENCH_BARE_DATABASE_URL": bare_url}, bare_port, tmp / "b.log")
    try:
        kaizen.start("/health")
        cookies = sign_in(kaizen.base, args.email)
        path = f"/campaigns/{args.campaign}/results"
        with httpx.Client(base_url=kaizen.base, cookies=cookies, timeout=300) as client:
            for label in ("first (uncached)", "second (cached)", "third (cached)"):
                start = time.perf_counter()
                response = client.get(path)
                elapsed = time.perf_counter() - start
                assert response.status_code == 200, response.status_code
                print(f"results page {label}: {elapsed * 1000:8.1f} ms, {len(response.content):,} bytes")
        assert kaizen.process is not None
        print(f"serving worker RSS after the results page: {rss_mb(kaizen.process.pid):.0f} MB")
        page = wrk(kaizen.base + path, cookies, seconds=args.seconds, connections=16)
        print(f"results page under wrk: {page}")
        print(f"serving worker RSS after wrk: {rss_mb(kaizen.process.pid):.0f} MB")
        kaizen.stop()
        bare.start("/hello")
        ceiling = wrk(bare.base + "/items", None, seconds=args.seconds, connections=16)
        print(f"bare page (/items) under wrk: {ceiling}")
        print(f"results page / bare page: {page['rps'] / ceiling['rps']:.0%}")
    finally:
        kaizen.stop()
        bare.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--email", default="organizer@example.com")
    parser.add_argument("--campaign", type=int, default=1)
    parser.add_argument("--seconds", type=int, default=10)
    main(parser.parse_args())
