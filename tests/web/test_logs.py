"""A readable terminal: the scheduler's routine lines are DEBUG, what happened stays INFO."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from core.clock import FrozenClock
from core.engine import make_engine
from web.logs import configure_logging, log_level
from web.scheduler import Scheduler
from web.settings import Settings


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root, scheduler_log = logging.getLogger(), logging.getLogger("apscheduler")
    saved = root.level, list(root.handlers), scheduler_log.level
    yield
    root.setLevel(saved[0])
    root.handlers[:] = saved[1]
    scheduler_log.setLevel(saved[2])


def test_levels_come_from_the_option_or_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KAIZEN_LOG_LEVEL", raising=False)
    assert log_level() == logging.INFO
    assert log_level("debug") == logging.DEBUG
    monkeypatch.setenv("KAIZEN_LOG_LEVEL", "WARNING")
    assert log_level() == logging.WARNING
    monkeypatch.setenv("KAIZEN_LOG_LEVEL", "chatty")
    assert log_level() == logging.INFO


@pytest.mark.usefixtures("restore_logging")
def test_apscheduler_routine_shows_only_at_debug() -> None:
    configure_logging(logging.INFO)
    runs = logging.getLogger("apscheduler.executors.default")
    assert not runs.isEnabledFor(logging.INFO) and runs.isEnabledFor(logging.WARNING)
    assert logging.getLogger("kaizen.scheduler").isEnabledFor(logging.INFO)
    configure_logging(logging.DEBUG)
    assert runs.isEnabledFor(logging.DEBUG)


async def test_a_sweep_with_nothing_due_says_nothing_at_info(
    database_url: str, settings: Settings, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    engine = make_engine(database_url)
    scheduler = Scheduler(async_sessionmaker(engine, expire_on_commit=False), clock, settings)
    try:
        with caplog.at_level(logging.DEBUG, logger="kaizen.scheduler"):
            assert await scheduler.sweep() == 0
    finally:
        await engine.dispose()
    lines = [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "kaizen.scheduler"]
    assert lines == [(logging.DEBUG, "sweep: 0 due action(s) applied")]


def test_make_run_loads_the_demo_once() -> None:
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    recipes: dict[str, list[str]] = {}
    target = ""
    for line in makefile.splitlines():
        if line and not line.startswith(("\t", "#", " ")) and ":" in line and "=" not in line:
            target = line.split(":", 1)[0]
            recipes[target] = [line.split(":", 1)[1]]
        elif line.startswith("\t") and target:
            recipes[target].append(line)
    chain = ["run"]
    while (deps := recipes[chain[-1]][0].split()) and deps[0] in recipes and deps[0] != "install":
        chain.append(deps[0])
    commands = [line for name in chain for line in recipes[name][1:]]
    assert sum("kaizen demo" in line for line in commands) == 1, commands


def test_apscheduler_info_lines_are_labelled_debug() -> None:
    from web.logs import RoutineAsDebug

    def record(name: str, level: int) -> logging.LogRecord:
        return logging.LogRecord(name, level, __file__, 1, "Running job", None, None)

    routine, failure, ours = (
        record("apscheduler.executors.default", logging.INFO),
        record("apscheduler.executors.default", logging.ERROR),
        record("kaizen.scheduler", logging.INFO),
    )
    for item in (routine, failure, ours):
        assert RoutineAsDebug().filter(item)
    assert (routine.levelno, routine.levelname) == (logging.DEBUG, "DEBUG")
    assert failure.levelname == "ERROR" and ours.levelname == "INFO"
