"""Logging of ``kaizen run`` and ``kaizen worker``: what happened at INFO, the routine at DEBUG.

The scheduler wakes up every few seconds; APScheduler announces each run of each job at INFO
("Running job …", "… executed successfully"), which would bury the lines that matter (a phase
closed, a mail sent or failed). Those routine lines are shown only at DEBUG; APScheduler's
warnings and errors (a missed or failed job) always are. ``KAIZEN_LOG_LEVEL`` (or ``--log-level``)
chooses the level.
"""

from __future__ import annotations

import logging
import os

LEVELS = ("debug", "info", "warning", "error")
ROUTINE_LOGGERS = ("apscheduler",)


def log_level(value: str | None = None) -> int:
    """The level named by ``value`` or ``KAIZEN_LOG_LEVEL``; INFO when unset or not understood."""
    name = (value or os.environ.get("KAIZEN_LOG_LEVEL") or "info").strip().lower()
    return int(getattr(logging, name.upper())) if name in LEVELS else logging.INFO


class RoutineAsDebug(logging.Filter):
    """Labels the scheduler library's INFO lines DEBUG, which is what they are to us."""

    def filter(self, record: logging.LogRecord) -> bool:
        routine = any(record.name == name or record.name.startswith(name + ".") for name in ROUTINE_LOGGERS)
        if routine and record.levelno == logging.INFO:
            record.levelno, record.levelname = logging.DEBUG, logging.getLevelName(logging.DEBUG)
        return True


def configure_logging(level: int | None = None, *, timestamps: bool = False) -> None:
    """Our lines in uvicorn's style ("INFO:     kaizen.scheduler: …"), the scheduler library's routine at DEBUG."""
    from uvicorn.logging import DefaultFormatter

    level = log_level() if level is None else level
    handler = logging.StreamHandler()
    prefix = "%(asctime)s " if timestamps else ""
    handler.setFormatter(DefaultFormatter(f"{prefix}%(levelprefix)s %(name)s: %(message)s"))
    handler.addFilter(RoutineAsDebug())
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(handler)
    root.setLevel(level)
    for name in ROUTINE_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG if level <= logging.DEBUG else logging.WARNING)
