"""The kaizen command on a fresh SQLite file: migrations, users, directory import, demo guard."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from web.cli import main


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "KAIZEN_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}",
        "KAIZEN_VAR_DIR": str(tmp_path),
        "KAIZEN_ENV": "development",
    }


def run(env: dict[str, str], *args: str, input: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=env, input=input, catch_exceptions=False)
    return result.exit_code, result.output


def test_upgrade_from_empty_then_check_is_clean(env: dict[str, str]) -> None:
    assert run(env, "db", "upgrade")[0] == 0
    code, output = run(env, "db", "check")
    assert code == 0, output
    assert run(env, "db", "downgrade", "base")[0] == 0
    assert run(env, "db", "upgrade")[0] == 0


def test_users_create_and_duplicate(env: dict[str, str]) -> None:
    run(env, "db", "upgrade")
    args = ("users", "create", "--email", "Ann@Example.com", "--name", "Ann", "--password", "long-enough-pw")
    code, output = run(env, *args)
    assert code == 0 and "ann@example.com" in output
    code, output = run(env, *args)
    assert code != 0 and "already exists" in output


def test_users_import_is_all_or_nothing(env: dict[str, str], tmp_path: Path) -> None:
    run(env, "db", "upgrade")
    bad = tmp_path / "bad.csv"
    bad.write_text("email,name,department\nann@example.com,Ann,Sales\nnot-an-email,Bob,Sales\n", encoding="utf-8")
    code, output = run(env, "users", "import", str(bad))
    assert code != 0 and "line 3" in output and "nothing was imported" in output
    good = tmp_path / "good.csv"
    good.write_text("email,name,department\nann@example.com,Ann,Sales\n王芳@example.com,王芳,财务\n", encoding="utf-8")
    code, output = run(env, "users", "import", str(good))
    assert code == 0 and "Imported 2 new" in output
    code, output = run(env, "users", "import", str(good))
    assert "updated 2 existing" in output


def test_demo_refuses_production(env: dict[str, str]) -> None:
    env = {**env, "KAIZEN_ENV": "production", "KAIZEN_SECRET_KEY": "x" * 40}
    code, output = run(env, "demo")
    assert code != 0 and "production" in output


def test_production_requires_a_secret_key(env: dict[str, str]) -> None:
    code, output = run({**env, "KAIZEN_ENV": "production", "KAIZEN_SECRET_KEY": ""}, "db", "check")
    assert code != 0 and "KAIZEN_SECRET_KEY" in output


def test_run_without_the_scheduler_tells_every_server_process(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    import uvicorn

    seen: dict[str, object] = {}

    def fake_run(app: str, **options: object) -> None:
        seen.update(options, app=app, scheduler=os.environ.get("KAIZEN_SCHEDULER"))

    monkeypatch.setattr(uvicorn, "run", fake_run)
    monkeypatch.delenv("KAIZEN_SCHEDULER", raising=False)
    assert run(env, "run", "--no-scheduler", "--workers", "3")[0] == 0
    assert seen["scheduler"] == "0" and seen["workers"] == 3 and seen["factory"] is True
    monkeypatch.delenv("KAIZEN_SCHEDULER", raising=False)
    assert run(env, "run")[0] == 0
    assert seen["scheduler"] is None  # the default: each process runs the scheduler
    # the app alone reads X-Forwarded-For, and only from KAIZEN_TRUSTED_PROXIES (uvicorn would trust 127.0.0.1)
    assert seen["proxy_headers"] is False


def test_a_bad_setting_stops_a_command_with_its_message(env: dict[str, str]) -> None:
    code, output = run({**env, "KAIZEN_TRUSTED_PROXIES": "10.0.0.0/33"}, "db", "check")
    assert code != 0 and "KAIZEN_TRUSTED_PROXIES: '10.0.0.0/33' is not an IP address or network" in output


def test_worker_is_a_command(env: dict[str, str]) -> None:
    code, output = run(env, "worker", "--help")
    assert code == 0 and "scheduler alone" in output


def test_demo_lists_its_accounts_briefly() -> None:
    from web.cli import demo_accounts_summary

    accounts = [("admin@example.com", "admin")] + [(f"judge{i}@example.com", "judge") for i in range(1, 6)]
    accounts += [(f"p{i}@example.com", "participant") for i in range(10)]
    lines = demo_accounts_summary(accounts, "secret")
    assert lines[0] == "Demo accounts (password: secret):"
    assert lines[1].split() == ["admin", "admin@example.com"]
    assert "judge1@example.com" in lines[2] and "judge5@example.com" in lines[2] and "more" not in lines[2]
    assert lines[3].startswith("  participants") and lines[3].endswith("p3@example.com and 6 more")
    assert len(lines) == 4
