"""A live server on a free port and a headless Debian chromium driven by Playwright."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import uvicorn

from core.clock import SystemClock
from tests.browser.availability import decide, skipped_notice
from web.app import create_app
from web.settings import Settings

# decided once per run from the environment: run, skip (a developer without chromium) or fail (CI)
BROWSER = decide(os.environ)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def _run_or_skip_or_fail() -> None:
    if BROWSER.action == "skip":
        pytest.skip(BROWSER.reason)
    if BROWSER.action == "fail":
        pytest.fail(BROWSER.reason, pytrace=False)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Decide before any fixture runs, so a skipped test migrates no database and starts no server."""
    if item.get_closest_marker("browser"):
        _run_or_skip_or_fail()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say at the end of the run how many browser tests were skipped and why."""
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if "browser" in getattr(r, "keywords", {})]
    if BROWSER.action == "skip" and skipped:
        terminalreporter.write_line(skipped_notice(len(skipped), BROWSER), yellow=True, bold=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def live_server(settings: Settings) -> Iterator[str]:
    """The real app (system clock) served by uvicorn in a thread."""
    port = _free_port()
    config = uvicorn.Config(
        create_app(settings, clock=SystemClock()), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
async def page() -> AsyncIterator[Any]:
    _run_or_skip_or_fail()
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=BROWSER.chromium, args=CHROMIUM_ARGS, headless=True)
        context = await browser.new_context(locale="en-GB")
        pg = await context.new_page()
        pg.set_default_timeout(10_000)
        yield pg
        await context.close()
        await browser.close()
    await asyncio.sleep(0)
