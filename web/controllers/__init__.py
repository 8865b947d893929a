"""One module of route handlers per domain; each exports ``routes``."""

from __future__ import annotations

from typing import Any


def route_handlers() -> list[Any]:
    from web.controllers import (
        account,
        admin,
        advancement,
        attachments,
        auth,
        campaign_people,
        campaigns,
        challenges,
        entries,
        extensions,
        favicon,
        health,
        home,
        incubation,
        judging_assignments,
        judging_data,
        judging_progress,
        judging_reset,
        judging_rubric,
        judging_scoring,
        judging_setup,
        notifications,
        results,
        team_results,
        teams,
        timeline,
    )

    modules = (
        health,
        favicon,
        auth,
        home,
        admin,
        campaigns,
        challenges,
        campaign_people,
        timeline,
        extensions,
        teams,
        entries,
        attachments,
        judging_setup,
        judging_reset,
        judging_rubric,
        judging_assignments,
        judging_scoring,
        judging_data,
        judging_progress,
        results,
        advancement,
        team_results,
        incubation,
        notifications,
        account,
    )
    return [handler for module in modules for handler in module.routes]
