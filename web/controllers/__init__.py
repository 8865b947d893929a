"""One module of route handlers per domain; each exports ``routes``."""

from __future__ import annotations

from typing import Any


def route_handlers() -> list[Any]:
    from litestar import Router

    from web.controllers import (
        account,
        admin,
        advancement,
        attachments,
        audit,
        auth,
        campaign_entries,
        campaign_people,
        campaigns,
        challenges,
        dashboard,
        entries,
        entry_similar,
        entry_versions,
        extensions,
        favicon,
        health,
        home,
        incubation,
        incubation_project,
        incubation_records,
        judging_assignments,
        judging_data,
        judging_progress,
        judging_reset,
        judging_rubric,
        judging_scoring,
        judging_setup,
        notifications,
        record,
        results,
        team_board,
        team_joining,
        team_page,
        team_results,
        teams,
        timeline,
    )
    from web.controllers.campaign_views import ORGANIZED_CAMPAIGN
    from web.controllers.judging_views import ORGANIZED_PHASE

    modules = (
        health,
        favicon,
        auth,
        home,
        admin,
        audit,
        teams,
        team_page,
        team_joining,
        team_board,
        entries,
        entry_versions,
        entry_similar,
        attachments,
        judging_scoring,
        team_results,
        incubation,
        incubation_project,
        incubation_records,
        notifications,
        account,
        dashboard,
        record,
    )
    # the organizer's pages: the campaign (``campaign``) or judging phase (``organized``) of the
    # path, in the organizer's scope, resolved once for all of them (404 outside it)
    organizer = Router(
        path="/",
        route_handlers=[
            *campaigns.routes,
            *challenges.routes,
            *campaign_people.routes,
            *campaign_entries.routes,
            *timeline.routes,
            *extensions.routes,
            *judging_setup.routes,
            *judging_reset.routes,
            *judging_rubric.routes,
            *judging_assignments.routes,
            *judging_data.routes,
            *judging_progress.routes,
            *results.routes,
            *advancement.routes,
            *audit.organizer_routes,
        ],
        dependencies={**ORGANIZED_CAMPAIGN, **ORGANIZED_PHASE},
    )
    return [*(handler for module in modules for handler in module.routes), organizer]
