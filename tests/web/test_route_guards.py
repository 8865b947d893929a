"""Every route has an explicit access decision and names the rule that guards it: a new route
without them fails here."""

from __future__ import annotations

import ast
import inspect
import textwrap
import types
from typing import Any

from litestar import Litestar

from web.auth import ACCESS_LEVELS


def test_every_route_handler_declares_its_access(app: Litestar) -> None:
    undecided = [
        f"{sorted(handler.http_methods)} {route.path}"
        for route in app.routes
        for handler in getattr(route, "route_handlers", [])
        if handler.opt.get("access") not in ACCESS_LEVELS
        and handler.http_methods != {"OPTIONS"}  # Litestar's automatic OPTIONS answer
    ]
    print(f"routes checked: {len(app.routes)}")
    assert undecided == []


def test_public_routes_are_only_the_expected_ones(app: Litestar) -> None:
    public = sorted(
        route.path
        for route in app.routes
        for handler in getattr(route, "route_handlers", [])
        if handler.opt.get("access") == "public"
    )
    assert set(public) <= {"/health", "/sign-in", "/sign-out", "/language", "/static/{file_path:path}", "/favicon.ico"}


# --- which rule guards each route ------------------------------------------------------------
# The guard of every route: its access level, or (for a signed-in person's route) the named scope
# rule its handler reaches (``reaches``): a loader that answers 404 outside the person's scope or
# a predicate. OWN: the person's own data only (the handler reads nothing but ``signed_in``'s).
# A new route must be added here, with the rule that guards it.
GUARDS = {
    "account": "OWN",
    "account_password": "OWN",
    "account_preferences": "OWN",
    "admin_departments": "access:admin",
    "admin_import": "access:admin",
    "admin_import_form": "access:admin",
    "admin_user_create": "access:admin",
    "admin_user_edit": "access:admin",
    "admin_user_new": "access:admin",
    "admin_user_update": "access:admin",
    "admin_users": "access:admin",
    "advancement_apply": "organized_campaign",
    "advancement_override": "organized_campaign",
    "advancement_page": "organized_campaign",
    "attachment_delete": "member_team",
    "audit_export": "access:admin",
    "audit_log": "access:admin",
    "attachment_download": "readable_attachment",
    "attachment_upload": "member_team",
    "awards_approval": "approval_campaign",
    "awards_approve": "approval_campaign",
    "campaign": "visible_campaign",
    "campaign_audit": "organized_campaign",
    "campaign_audit_export": "organized_campaign",
    "campaign_close": "organized_campaign",
    "campaign_create": "access:executive",
    "campaign_edit": "organized_campaign",
    "campaign_extension_grant": "organized_campaign",
    "campaign_extension_revoke": "organized_campaign",
    "campaign_extensions": "organized_campaign",
    "campaign_new": "access:executive",
    "campaign_entries": "organized_campaign",
    "campaign_entries_export": "organized_campaign",
    "campaign_people": "organized_campaign",
    "campaign_people_add": "organized_campaign",
    "campaign_people_remove": "organized_campaign",
    "campaign_publish": "organized_campaign",
    "campaign_timeline": "organized_campaign",
    "campaign_update": "organized_campaign",
    "campaigns": "visible_campaigns_query",
    "dashboard": "access:executive",
    "dashboard_export": "access:executive",
    "my_record": "OWN",
    "my_record_csv": "OWN",
    "person_record": "readable_record",
    "person_record_csv": "readable_record",
    "challenge_create": "organized_campaign",
    "challenge_edit": "organized_campaign",
    "challenge_new": "organized_campaign",
    "challenge_update": "organized_campaign",
    "entry_form": "member_team",
    "entry_similar": "member_team",
    "entry_save": "member_team",
    "entry_submit": "member_team",
    "entry_version": "member_team",
    "entry_compare": "member_team",
    "entry_restore": "member_team",
    "favicon": "access:public",
    "health": "access:public",
    "home": "OWN",
    "incubation": "access:executive",
    "incubation_project": "project_for",
    "incubation_export": "access:executive",
    "incubation_outcomes_export": "project_for",
    "incubation_project_create": "can_propose",
    "incubation_project_new": "can_propose",
    "incubation_project_status": "access:executive",
    "incubation_project_decision": "access:executive",
    "incubation_propose": "OWN",
    "incubation_milestone_add": "project_for",
    "incubation_milestone_done": "project_for",
    "incubation_update_add": "project_for",
    "incubation_outcome_add": "project_for",
    "incubation_outcome_fix": "project_for",
    "incubation_outcome_remove": "project_for",
    "incubation_milestone_fix": "project_for",
    "incubation_milestone_remove": "project_for",
    "invitation_accept": "own_invitation",
    "invitation_decline": "own_invitation",
    "invitations": "pending_invitations_for",
    "judging_assignment_add": "organized_phase",
    "judging_assignment_auto": "organized_phase",
    "judging_assignment_choose": "organized_phase",
    "judging_assignment_remove": "organized_phase",
    "judging_assignments": "organized_phase",
    "judging_declare_conflict": "get_assigned_entry",
    "judging_export": "organized_phase",
    "judging_import": "organized_phase",
    "judging_import_form": "organized_phase",
    "judging_import_template_csv": "organized_phase",
    "judging_import_template_xlsx": "organized_phase",
    "judging_progress": "organized_phase",
    "judging_queue": "judge_queue",
    "judging_remind_all": "organized_phase",
    "judging_remind_judge": "organized_phase",
    "judging_rubric": "organized_phase",
    "judging_rubric_add": "organized_phase",
    "judging_rubric_copy": "organized_phase",
    "judging_rubric_copy_form": "organized_phase",
    "judging_rubric_delete": "organized_phase",
    "judging_rubric_move": "organized_phase",
    "judging_rubric_reset": "organized_campaign",
    "judging_rubric_reset_form": "organized_campaign",
    "judging_rubric_update": "organized_phase",
    "judging_score_finalise": "get_assigned_entry",
    "judging_score_form": "get_assigned_entry",
    "judging_score_save": "get_assigned_entry",
    "judging_setup": "organized_campaign",
    "judging_setup_judge": "organized_campaign",
    "judging_setup_save": "organized_campaign",
    "notification_bell": "OWN",
    "notification_preferences": "OWN",
    "notification_preferences_save": "OWN",
    "notification_read": "OWN",
    "notifications": "OWN",
    "notifications_read_all": "OWN",
    "phase_close": "organized_campaign",
    "phase_create": "organized_campaign",
    "phase_open": "organized_campaign",
    "phase_reopen": "organized_campaign",
    "phase_update": "organized_campaign",
    "results_award_add": "organized_campaign",
    "results_award_delete": "organized_campaign",
    "results_page": "organized_campaign",
    "results_publish": "organized_campaign",
    "results_republish": "organized_campaign",
    "results_winners": "winners",
    "set_language": "access:public",
    "sign_in": "access:public",
    "sign_in_submit": "access:public",
    "sign_out": "access:public",
    "static": "access:public",
    "static/head": "access:public",
    "board_listing": "visible_campaign",
    "board_unlist": "visible_campaign",
    "join_request_accept": "member_team",
    "join_request_create": "joinable_team",
    "join_request_decline": "member_team",
    "join_request_withdraw": "own_join_request",
    "team_board": "visible_campaign",
    "team_captain": "member_team",
    "team_join": "joinable_team",
    "team_leave_confirm": "member_team",
    "team_needs": "member_team",
    "team_create": "visible_campaign",
    "team_invitation_revoke": "member_team",
    "team_invite": "member_team",
    "team_leave": "member_team",
    "team_new": "visible_campaign",
    "team_page": "viewable_team",
    "team_result": "team_result",
}
SCOPE_RULES = frozenset(g for g in GUARDS.values() if not g.startswith("access:") and g != "OWN")
PROJECT = ("web", "accounts", "campaigns", "teams", "judging", "incubation", "insights", "notifications")


def _called(function: Any) -> set[str]:
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError):
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            names.add(node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", ""))
    return names


def reaches(function: Any, depth: int = 3, seen: set[Any] | None = None) -> set[str]:
    """The scope rules a function calls, itself or through the project's functions it calls (by name)."""
    seen = seen if seen is not None else set()
    found: set[str] = set()
    known = getattr(function, "__globals__", {})
    for name in _called(function):
        if name in SCOPE_RULES:
            found.add(name)
        callee = known.get(name)
        ours = isinstance(callee, types.FunctionType) and (callee.__module__ or "").split(".")[0] in PROJECT
        if depth and ours and callee not in seen:
            seen.add(callee)
            found |= reaches(callee, depth - 1, seen)
    return found


def guarded_by(handler: Any) -> set[str]:
    """The scope rules a handler reaches, itself or through the dependencies it asks for."""
    rules = reaches(handler.fn)
    for name, provide in handler.resolve_dependencies().items():
        if name in handler.parsed_fn_signature.parameters:
            rules |= reaches(provide.dependency)
    return rules


def test_every_route_names_the_rule_that_guards_it_and_reaches_it(app: Litestar) -> None:
    seen: dict[str, str] = {}
    wrong = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if handler.http_methods == {"OPTIONS"}:
                continue
            access = handler.opt.get("access")
            guard = GUARDS.get(handler.name, "(none: add it to GUARDS)")
            seen[handler.name] = guard
            if access != "user":
                ok = guard == f"access:{access}"
            elif guard == "OWN":
                ok = not guarded_by(handler)  # reads no one else's data through a scope rule
            else:
                ok = guard in guarded_by(handler)
            if not ok:
                wrong.append(f"{handler.name} ({route.path}): {guard}, reaches {sorted(guarded_by(handler))}")
    print("\n".join(f"{name}: {guard}" for name, guard in sorted(seen.items())))
    assert wrong == []
    assert set(GUARDS) == set(seen), "GUARDS names a route that no longer exists"
