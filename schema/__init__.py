"""Every table of every domain, registered on the shared metadata (``core.db.metadata``).

Above all the domain packages and below ``web`` and ``migrations``: Alembic, the app, the CLI
and the tests call ``import_all_models`` before they need the whole schema (to compare it with
the migrations, or to empty every table).
"""

from __future__ import annotations


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
