"""One module of route handlers per domain; each exports ``routes``."""

from __future__ import annotations

from typing import Any


def route_handlers() -> list[Any]:
    from web.controllers import (
        admin,
        auth,
        campaigns,
        health,
        home,
        incubation,
        judging,
        results,
        team_results,
        teams,
    )

    modules = (health, auth, home, admin, campaigns, teams, judging, results, team_results, incubation)
    return [handler for module in modules for handler in module.routes]
