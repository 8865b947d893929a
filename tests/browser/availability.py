"""Whether the browser tests can run on this machine, and what happens when they cannot.

A developer without chromium gets a skip and a notice at the end of the run; CI sets
``KAIZEN_REQUIRE_BROWSER=1`` so that a missing chromium fails the run instead of hiding it."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

REQUIRE_VARIABLE = "KAIZEN_REQUIRE_BROWSER"
CHROMIUM_VARIABLE = "KAIZEN_CHROMIUM"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
INSTALL_HINT = "apt-get install chromium fonts-wqy-microhei"
_TRUE = frozenset({"1", "true", "yes", "on"})


def chromium_path(env: Mapping[str, str]) -> str:
    """``KAIZEN_CHROMIUM`` when set, else ``chromium`` on the PATH, else Debian's path."""
    return env.get(CHROMIUM_VARIABLE) or shutil.which("chromium") or DEFAULT_CHROMIUM


def is_executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def browser_required(env: Mapping[str, str]) -> bool:
    return env.get(REQUIRE_VARIABLE, "").strip().lower() in _TRUE


@dataclass(frozen=True)
class Decision:
    action: Literal["run", "skip", "fail"]
    chromium: str
    reason: str = ""


def decide(env: Mapping[str, str], executable: Callable[[str], bool] = is_executable) -> Decision:
    """Run when chromium is there; otherwise skip, or fail when the environment requires the browser."""
    path = chromium_path(env)
    if executable(path):
        return Decision("run", path)
    missing = f"no chromium at {path}"
    if browser_required(env):
        return Decision(
            "fail",
            path,
            f"{REQUIRE_VARIABLE}=1 but {missing}: the browser tests cannot run "
            f"({INSTALL_HINT}, or point {CHROMIUM_VARIABLE} at a chromium executable)",
        )
    return Decision("skip", path, f"{missing} ({INSTALL_HINT}; {REQUIRE_VARIABLE}=1 turns this into a failure)")


def skipped_notice(count: int, decision: Decision) -> str:
    """The line printed at the end of a run whose browser tests were skipped."""
    noun = "test was" if count == 1 else "tests were"
    return f"NOTICE: {count} browser {noun} skipped: {decision.reason}"
