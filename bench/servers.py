"""Fresh databases and uvicorn servers for bench/run.py, each started and stopped by its id."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

import httpx
from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Databases:
    """Fresh databases of one kind, dropped (PostgreSQL) or deleted (SQLite) at the end."""

    def __init__(self, kind: str, postgres_url: str, tmp: Path) -> None:
        self.kind, self.postgres_url, self.tmp = kind, postgres_url, tmp
        self.tag = uuid.uuid4().hex[:6]
        self.made: list[str] = []

    def fresh(self, name: str) -> str:
        if self.kind == "sqlite":
            return f"sqlite+aiosqlite:///{self.tmp}/{name}.sqlite3"
        database = f"kaizen_bench_{name.lower()}_{self.tag}"
        asyncio.run(self._admin(f'CREATE DATABASE "{database}"'))
        self.made.append(database)
        return re.sub(r"/[^/]*$", f"/{database}", self.postgres_url)

    def drop_all(self) -> None:
        for database in self.made:
            asyncio.run(self._admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))

    async def _admin(self, sql: str) -> None:
        from core.engine import make_engine

        engine = make_engine(self.postgres_url, isolation_level="AUTOCOMMIT")
        async with engine.connect() as conn:
            await conn.execute(text(sql))
        await engine.dispose()


class Server:
    """A uvicorn server in its own process group, started and stopped by its id."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], port: int, log: Path) -> None:
        self.name, self.command, self.env, self.port, self.log = name, command, env, port, log
        self.process: subprocess.Popen[bytes] | None = None
        self.peak_rss_mb = 0.0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def spawn(self) -> None:
        """Starts the process (in its own process group) without waiting for it to answer."""
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603
                self.command, env=self.env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True
            )

    def start(self, ready_path: str) -> None:
        self.spawn()
        assert self.process is not None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see {self.log}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    pass
                if httpx.get(self.base + ready_path, timeout=30).status_code == 200:
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"{self.name} did not start; see {self.log}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def sample_rss(self) -> None:
        """The largest resident set of a serving process (the workers, or the one process)."""
        if self.process is None:
            return
        pids = _descendants(self.process.pid) or [self.process.pid]
        self.peak_rss_mb = max([self.peak_rss_mb, *(_rss_mb(pid) for pid in pids)])


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


# --- seeding and targets -----------------------------------------------------------------------
