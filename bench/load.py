"""Load for bench/run.py: sign-in, wrk's closed loop, and an open-loop arrival-rate generator.

wrk measures throughput with a fixed number of connections (a closed loop: a slow answer slows
the next request). A deadline hour is an open loop: people arrive at their own pace whatever the
server does, so ``open_loop`` starts each request at its scheduled instant and measures its
latency from that instant (no coordinated omission), with a 30 s timeout like a browser's.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import statistics
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

PASSWORD = "kaizen-demo"  # noqa: S105 - the documented demo and bench password
CSRF_COOKIE = "kaizen_csrf"
LUA = Path(__file__).with_name("wrk_report.lua")
TIMEOUT_S = 30.0


def sign_in(base: str, email: str) -> dict[str, str]:
    """Signs in through the form, CSRF token and all; returns the browser's cookies."""
    with httpx.Client(base_url=base, timeout=60) as client:
        client.get("/sign-in").raise_for_status()
        response = client.post(
            "/sign-in",
            data={"email": email, "password": PASSWORD},
            headers={"x-csrftoken": client.cookies.get(CSRF_COOKIE) or ""},
        )
        if response.status_code != 303:
            raise RuntimeError(f"sign-in of {email} answered {response.status_code}: {response.text[:200]}")
        return dict(client.cookies.items())


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def wrk(
    url: str,
    cookies: dict[str, str] | None,
    *,
    seconds: int,
    connections: int,
    script: Path = LUA,
    env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One closed-loop run: requests per second, latency percentiles in ms, errors."""
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        f"--timeout={int(TIMEOUT_S)}s",
        "-s",
        str(script),
        url,
    ]
    env = {**os.environ, **(env or {}), "BENCH_COOKIE": cookie_header(cookies or {}), "BENCH_REPORT_LUA": str(LUA)}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=seconds + 60, check=False)  # noqa: S603
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary: {done.stdout[-500:]} {done.stderr[-500:]}")
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    seconds_run = raw["duration_us"] / 1e6
    errors = raw["connect"] + raw["read"] + raw["write"] + raw["status"] + raw["timeout"]
    answered = raw["requests"] > 0
    return {
        "rps": raw["requests"] / seconds_run if seconds_run else 0.0,
        "requests": raw["requests"],
        # with nothing answered within the run there is no latency to tell (NaN, shown as "–")
        "p50_ms": raw["p50_us"] / 1000 if answered else float("nan"),
        "p99_ms": raw["p99_us"] / 1000 if answered else float("nan"),
        "errors": errors,
        "timeouts": raw["timeout"],
        "bytes_per_request": raw["bytes"] / raw["requests"] if raw["requests"] else 0,
    }


def alone(base: str, path: str, cookies: dict[str, str] | None) -> tuple[int, float, int]:
    """Status, the fastest of up to three sequential requests after a first one (ms), and the body's size."""
    best = float("inf")
    status, size = 0, 0
    with httpx.Client(base_url=base, cookies=cookies or {}, timeout=120) as client:
        client.get(path)  # a first request may fill caches or compile templates: not counted
        for _ in range(3):
            start = time.perf_counter()
            response = client.get(path)
            elapsed = time.perf_counter() - start
            status, size, best = response.status_code, len(response.content), min(best, elapsed)
            if status != 200 or elapsed > 1.0:  # a slow page once is enough
                break
    return status, best * 1000, size


def settled(base: str, *, within: float) -> bool:
    """True once the server answers a trivial request quickly again (the last run's backlog is done)."""
    deadline = time.monotonic() + within
    quick = 0
    with httpx.Client(base_url=base, timeout=within) as client:
        while time.monotonic() < deadline:
            start = time.perf_counter()
            try:
                client.get("/health")
            except httpx.HTTPError:
                return False
            quick = quick + 1 if time.perf_counter() - start < 0.2 else 0
            if quick >= 4:  # several in a row, so each worker had its turn
                return True
    return False


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)  # seconds, answered with 2xx
    errors: int = 0  # other status, timeout or failure
    timeouts: int = 0

    def summary(self, offered: int, seconds: float) -> dict[str, Any]:
        done = sorted(self.latencies)

        def pct(p: float) -> float:
            return done[min(len(done) - 1, int(p * len(done)))] * 1000 if done else float("nan")

        return {
            "offered": offered,
            "offered_rate": offered / seconds,
            "ok": len(done),
            "errors": self.errors,
            "timeouts": self.timeouts,
            "p50_ms": statistics.median(done) * 1000 if done else float("nan"),
            "p99_ms": pct(0.99),
        }


@dataclass(frozen=True)
class Saver:
    """A member of a team who autosaves its entry."""

    cookies: dict[str, str]
    team_id: int
    phase_id: int


async def open_loop(
    base: str,
    pages: list[tuple[str, dict[str, str]]],
    savers: list[Saver],
    *,
    page_rate: float,
    save_rate: float,
    seconds: float,
    marker: str,
) -> dict[str, Any]:
    """Page requests at ``page_rate`` per second and autosaves at ``save_rate``, for ``seconds``.

    Each save writes a unique summary (``marker``-n) through the real htmx autosave with its CSRF
    token; returns latency figures and the markers of the saves that were answered 2xx or not."""
    limits = httpx.Limits(max_connections=2000, max_keepalive_connections=200)
    timeout = httpx.Timeout(TIMEOUT_S)
    clients: dict[str, httpx.AsyncClient] = {}

    def client_for(cookies: dict[str, str]) -> httpx.AsyncClient:
        key = cookie_header(cookies)
        if key not in clients:  # one client per person: each keeps its own cookies
            clients[key] = httpx.AsyncClient(base_url=base, cookies=cookies, limits=limits, timeout=timeout)
        return clients[key]

    page_outcome, save_outcome = Outcome(), Outcome()
    answered: list[str] = []
    unanswered: list[str] = []
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.2

    async def page(n: int, due: float) -> None:
        path, cookies = pages[n % len(pages)]
        await _timed(client_for(cookies).get(path), due, page_outcome)

    async def save(n: int, due: float) -> None:
        saver = savers[n % len(savers)]
        client = client_for(saver.cookies)
        text = f"{marker}-{n}"
        data = {
            "phase_id": str(saver.phase_id),
            "title": f"Bench entry {n}",
            "summary": text,
            "problem": "Deadline-hour autosave from bench/run.py.",
            "solution": "",
            "expected_impact": "",
            "prototype_url": "",
            "video_url": "",
        }
        headers = {"x-csrftoken": client.cookies.get(CSRF_COOKIE) or "", "hx-request": "true"}
        ok = await _timed(
            client.post(f"/teams/{saver.team_id}/entry/save", data=data, headers=headers), due, save_outcome
        )
        (answered if ok else unanswered).append(text)

    async def arrivals(rate: float, fire: Any) -> list[asyncio.Task[None]]:
        tasks = []
        for n in range(int(rate * seconds)):
            due = start + n / rate
            await asyncio.sleep(max(0.0, due - loop.time()))
            tasks.append(asyncio.create_task(fire(n, due)))
        return tasks

    try:
        groups = await asyncio.gather(arrivals(page_rate, page), arrivals(save_rate, save))
        await asyncio.gather(*(task for group in groups for task in group))
    finally:
        for client in clients.values():
            await client.aclose()
    return {
        "pages": page_outcome.summary(int(page_rate * seconds), seconds),
        "saves": save_outcome.summary(int(save_rate * seconds), seconds),
        "answered": answered,
        "unanswered": unanswered,
    }


async def _timed(request: Any, due: float, outcome: Outcome) -> bool:
    loop = asyncio.get_running_loop()
    try:
        response = await request
    except httpx.TimeoutException:
        outcome.errors += 1
        outcome.timeouts += 1
        return False
    except httpx.HTTPError:
        outcome.errors += 1
        return False
    if not 200 <= response.status_code < 300:
        outcome.errors += 1
        return False
    outcome.latencies.append(loop.time() - due)
    return True
