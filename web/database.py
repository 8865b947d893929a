"""Engine set-up shared by the app, the CLI and the migrations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool


def import_all_models() -> None:
    """Registers every table on the shared metadata (for Alembic and create_all)."""
    import accounts.models  # noqa: F401
    import campaigns.models  # noqa: F401
    import core.audit
    import core.scheduling  # noqa: F401
    import incubation.models  # noqa: F401
    import judging.models  # noqa: F401
    import notifications.models  # noqa: F401
    import teams.models  # noqa: F401


def configure_sqlite(engine: Engine, *, immediate: bool = True) -> None:
    """WAL, foreign keys, a busy timeout, and BEGIN IMMEDIATE so writers queue instead of failing."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")  # WAL stays consistent; fsync at checkpoints, not per commit
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str, *, immediate: bool = True, **kwargs: Any) -> AsyncEngine:
    """``immediate=False`` (tests' arranging session only): reads do not take the write lock."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, poolclass=NullPool, **kwargs)
        configure_sqlite(engine.sync_engine, immediate=immediate)
        return engine
    return create_async_engine(url, pool_pre_ping=True, **kwargs)
