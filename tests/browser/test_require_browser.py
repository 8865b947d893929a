"""KAIZEN_REQUIRE_BROWSER: without chromium a developer's run skips the browser tests with a notice,
while CI's run fails. These tests need no chromium themselves."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.browser.availability import decide, skipped_notice

ROOT = Path(__file__).resolve().parents[2]
MISSING = "/nonexistent/chromium"


def _present(path: str) -> bool:
    return path == "/opt/chromium"


def _absent(path: str) -> bool:
    return False


def test_chromium_present_runs_whether_required_or_not() -> None:
    for require in ("", "1"):
        env = {"KAIZEN_CHROMIUM": "/opt/chromium", "KAIZEN_REQUIRE_BROWSER": require}
        decision = decide(env, _present)
        assert (decision.action, decision.chromium) == ("run", "/opt/chromium")


def test_chromium_missing_skips_unless_required() -> None:
    skip = decide({"KAIZEN_CHROMIUM": MISSING}, _absent)
    assert skip.action == "skip"
    assert f"no chromium at {MISSING}" in skip.reason and "KAIZEN_REQUIRE_BROWSER=1" in skip.reason
    for off in ("0", "", "no", "false"):
        assert decide({"KAIZEN_CHROMIUM": MISSING, "KAIZEN_REQUIRE_BROWSER": off}, _absent).action == "skip"


def test_chromium_missing_fails_when_required() -> None:
    for on in ("1", "true", "YES"):
        decision = decide({"KAIZEN_CHROMIUM": MISSING, "KAIZEN_REQUIRE_BROWSER": on}, _absent)
        assert decision.action == "fail"
        assert decision.reason.startswith(f"KAIZEN_REQUIRE_BROWSER=1 but no chromium at {MISSING}")


def test_notice_counts_the_skipped_tests() -> None:
    decision = decide({"KAIZEN_CHROMIUM": MISSING}, _absent)
    assert skipped_notice(1, decision).startswith(f"NOTICE: 1 browser test was skipped: no chromium at {MISSING}")
    assert skipped_notice(5, decision).startswith("NOTICE: 5 browser tests were skipped: ")


def _run_pytest(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """A real pytest run of two browser tests, with the browser conftest and a chromium that is not there."""
    test_file = tmp_path / "test_needs_chromium.py"
    test_file.write_text(
        "import pytest\n\npytestmark = pytest.mark.browser\n\n\n"
        "def test_one() -> None:\n    pass\n\n\ndef test_two() -> None:\n    pass\n"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KAIZEN_")}
    return subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "pytest",
            "-c",
            str(ROOT / "pyproject.toml"),
            "--rootdir",
            str(tmp_path),
            "-p",
            "tests.browser.conftest",
            "-p",
            "no:cacheprovider",
            str(test_file),
        ],
        cwd=ROOT,
        env={**clean, "KAIZEN_CHROMIUM": MISSING, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_run_without_chromium_skips_and_says_so_at_the_end(tmp_path: Path) -> None:
    run = _run_pytest(tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"NOTICE: 2 browser tests were skipped: no chromium at {MISSING}" in run.stdout
    assert "2 skipped" in run.stdout.splitlines()[-1]


def test_a_run_that_requires_the_browser_fails_without_chromium(tmp_path: Path) -> None:
    run = _run_pytest(tmp_path, KAIZEN_REQUIRE_BROWSER="1")
    assert run.returncode == 1, run.stdout + run.stderr
    assert f"KAIZEN_REQUIRE_BROWSER=1 but no chromium at {MISSING}" in run.stdout
    assert "NOTICE" not in run.stdout
    assert "2 errors" in run.stdout.splitlines()[-1]
