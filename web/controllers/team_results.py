"""Routes of team_results (to be written)."""

from __future__ import annotations

from typing import Any

routes: list[Any] = []
