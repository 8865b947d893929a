"""The words of each notification kind, in the current locale: one place for the app and the e-mails.

A notification stores its kind and JSON params; the text is made when it is shown, so it
follows the reader's language. Missing or malformed params never fail: the sentence is
still made, with what is there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from core.errors import N_
from notifications.models import NotificationKind
from web import notification_text_incubation as incubation_words
from web.i18n import gettext, ngettext
from web.notification_params import NotificationText, when
from web.notification_params import number as _int
from web.notification_params import text as _text

_ = gettext


# (label, explanation) per kind, for the preferences page
KIND_LABELS: dict[NotificationKind, tuple[str, str]] = {
    NotificationKind.TEAM_INVITATION: (N_("Team invitations"), N_("Someone invites you to join their team.")),
    NotificationKind.JOIN_REQUEST: (N_("Requests to join"), N_("Someone asks to join the team you captain.")),
    NotificationKind.JOIN_ANSWER: (N_("Answers to your requests"), N_("A captain answers your request to join.")),
    NotificationKind.CAPTAIN: (N_("Captain role"), N_("You are made the captain of your team.")),
    NotificationKind.PHASE_OPENED: (N_("Phase opened"), N_("A phase of a campaign you take part in opens.")),
    NotificationKind.SUBMISSION_REMINDER: (
        N_("Submission reminders"),
        N_("Your team has not submitted its entry and the deadline is near."),
    ),
    NotificationKind.JUDGING_REMINDER: (
        N_("Judging reminders"),
        N_("You have unfinished scorecards and judging closes soon."),
    ),
    NotificationKind.RESULTS_PUBLISHED: (N_("Results published"), N_("The results of a campaign are out.")),
    NotificationKind.EXTENSION_GRANTED: (N_("Extensions"), N_("Your team is given more time to submit.")),
    NotificationKind.AUTOMATION_FAILED: (
        N_("Automation problems"),
        N_("An automatic step of a campaign you organize could not be done."),
    ),
    NotificationKind.TEAM_ADVANCED: (N_("Advancing"), N_("Your team goes on to the next phase.")),
    NotificationKind.TEAM_ELIMINATED: (N_("Elimination"), N_("Your team does not go on after a judging phase.")),
    NotificationKind.AWARDS_TO_APPROVE: (
        N_("Awards to approve"),
        N_("Awards of a campaign wait for an executive's approval."),
    ),
    NotificationKind.PROJECT_PROPOSED: (
        N_("Incubation proposals"),
        N_("A winning entry is proposed for incubation with you as its sponsor."),
    ),
    NotificationKind.PROJECT_DECIDED: (
        N_("Incubation decisions"),
        N_("An executive approves or declines your team's incubation proposal."),
    ),
    NotificationKind.MILESTONE_OVERDUE: (
        N_("Overdue milestones"),
        N_("A milestone you own or sponsor is past its due day."),
    ),
}

ACTION_LABELS: dict[str, str] = {
    "phase.open": N_("Opening a phase"),
    "phase.close": N_("Closing a phase"),
    "results.publish": N_("Publishing the results"),
    "phase.advance": N_("Applying the advancement rule"),
    "remind.submission": N_("Sending submission reminders"),
    "remind.judging": N_("Sending judging reminders"),
}

PHASE_KIND_HINTS: dict[str, str] = {
    "registration": N_("Teams can form and invite members now."),
    "submission": N_("Teams can hand in their entries now."),
    "judging": N_("Judges can score their assigned entries now."),
    "results": N_("The results are visible now."),
}


def kind_label(kind: NotificationKind) -> str:
    return _(KIND_LABELS[kind][0])


def kind_explanation(kind: NotificationKind) -> str:
    return _(KIND_LABELS[kind][1])


def _team_invitation(p: Mapping[str, Any]) -> NotificationText:
    names = {"inviter": _text(p, "inviter"), "team": _text(p, "team"), "campaign": _text(p, "campaign")}
    return NotificationText(
        _("%(inviter)s invited you to the team %(team)s", **names),
        _(
            "%(inviter)s invited you to join the team “%(team)s” in %(campaign)s. "
            "You can accept or decline the invitation on your home page.",
            **names,
        ),
    )


def _join_request(p: Mapping[str, Any]) -> NotificationText:
    names = {"person": _text(p, "person"), "team": _text(p, "team"), "campaign": _text(p, "campaign")}
    return NotificationText(
        _("%(person)s asks to join %(team)s", **names),
        _(
            "%(person)s asks to join your team “%(team)s” in %(campaign)s. "
            "As the captain you can accept or decline the request on the team's page.",
            **names,
        ),
    )


def _join_answer(p: Mapping[str, Any]) -> NotificationText:
    names = {"team": _text(p, "team"), "campaign": _text(p, "campaign")}
    if p.get("accepted"):
        return NotificationText(
            _("You have joined %(team)s", **names),
            _("The captain of “%(team)s” in %(campaign)s accepted your request: you are in the team.", **names),
        )
    return NotificationText(
        _("%(team)s declined your request", **names),
        _(
            "The captain of “%(team)s” in %(campaign)s declined your request to join. "
            "The team board lists other teams looking for people.",
            **names,
        ),
    )


def _captain(p: Mapping[str, Any]) -> NotificationText:
    names = {"person": _text(p, "person"), "team": _text(p, "team"), "campaign": _text(p, "campaign")}
    return NotificationText(
        _("You are the captain of %(team)s", **names),
        _("%(person)s handed you the captain role of “%(team)s” in %(campaign)s.", **names),
    )


def _phase_opened(p: Mapping[str, Any]) -> NotificationText:
    names = {"phase": _text(p, "phase"), "campaign": _text(p, "campaign")}
    if p.get("closes_at"):
        body = _(
            "The phase “%(phase)s” of %(campaign)s is open until %(when)s.",
            when=when(p["closes_at"], p.get("timezone")),
            **names,
        )
    else:
        body = _("The phase “%(phase)s” of %(campaign)s is open.", **names)
    hint = PHASE_KIND_HINTS.get(_text(p, "phase_kind"))
    if hint:
        body = f"{body} {_(hint)}"
    return NotificationText(_("%(phase)s is open in %(campaign)s", **names), body)


def _submission_reminder(p: Mapping[str, Any]) -> NotificationText:
    names = {"team": _text(p, "team"), "phase": _text(p, "phase"), "campaign": _text(p, "campaign")}
    body = _("Your team “%(team)s” has no submitted entry yet for “%(phase)s” of %(campaign)s.", **names)
    closes = ngettext(
        "The phase closes on %(when)s, in about %(num)s hour.",
        "The phase closes on %(when)s, in about %(num)s hours.",
        _int(p, "hours"),
        when=when(p.get("closes_at"), p.get("timezone")),
    )
    return NotificationText(
        _("Reminder: %(team)s has not submitted its entry for %(phase)s", **names), f"{body} {closes}"
    )


def _scorecards_reopened(p: Mapping[str, Any]) -> NotificationText:
    campaign, phase, reopened = _text(p, "campaign"), _text(p, "phase"), _int(p, "reopened")
    title = ngettext(
        "%(num)s scorecard to finalise again in %(campaign)s",
        "%(num)s scorecards to finalise again in %(campaign)s",
        reopened,
        campaign=campaign,
    )
    body = ngettext(
        "An organizer reopened the rubric of “%(phase)s” of %(campaign)s, so %(num)s final scorecard of yours went "
        "back to draft, with your scores kept. Please check it against the rubric and finalise it again.",
        "An organizer reopened the rubric of “%(phase)s” of %(campaign)s, so %(num)s of your final scorecards "
        "went back to draft, with your scores kept. Please check them against the rubric and finalise them again.",
        reopened,
        phase=phase,
        campaign=campaign,
    )
    if p.get("closes_at"):
        closes = _("Judging closes on %(when)s.", when=when(p["closes_at"], p.get("timezone")))
        body = f"{body} {closes}"
    return NotificationText(title, body)


def _judging_reminder(p: Mapping[str, Any]) -> NotificationText:
    if _int(p, "reopened"):
        return _scorecards_reopened(p)
    campaign, phase, unfinished = _text(p, "campaign"), _text(p, "phase"), _int(p, "unfinished")
    title = ngettext(
        "Reminder: %(num)s scorecard to finish in %(campaign)s",
        "Reminder: %(num)s scorecards to finish in %(campaign)s",
        unfinished,
        campaign=campaign,
    )
    body = ngettext(
        "You have %(num)s unfinished scorecard in “%(phase)s” of %(campaign)s.",
        "You have %(num)s unfinished scorecards in “%(phase)s” of %(campaign)s.",
        unfinished,
        phase=phase,
        campaign=campaign,
    )
    closes = ngettext(
        "Judging closes on %(when)s, in about %(num)s hour.",
        "Judging closes on %(when)s, in about %(num)s hours.",
        _int(p, "hours"),
        when=when(p.get("closes_at"), p.get("timezone")),
    )
    return NotificationText(title, f"{body} {closes}")


def _results_published(p: Mapping[str, Any]) -> NotificationText:
    campaign = _text(p, "campaign")
    if p.get("republished"):
        return NotificationText(
            _("The results of %(campaign)s have been updated", campaign=campaign),
            _(
                "The organizers of %(campaign)s published the results again, because: %(reason)s. "
                "See the winners and your team's result.",
                campaign=campaign,
                reason=_text(p, "reason"),
            ),
        )
    return NotificationText(
        _("The results of %(campaign)s are published", campaign=campaign),
        _("The results of %(campaign)s are published: see the winners and your team's feedback.", campaign=campaign),
    )


def _extension_granted(p: Mapping[str, Any]) -> NotificationText:
    names = {"team": _text(p, "team"), "phase": _text(p, "phase"), "campaign": _text(p, "campaign")}
    body = _(
        "Your team “%(team)s” may submit its entry for “%(phase)s” of %(campaign)s until %(when)s.",
        when=when(p.get("until"), p.get("timezone")),
        **names,
    )
    if reason := _text(p, "reason"):
        because = _("Reason: %(reason)s", reason=reason)
        body = f"{body} {because}"
    return NotificationText(_("Your team %(team)s has more time in %(campaign)s", **names), body)


def _automation_failed(p: Mapping[str, Any]) -> NotificationText:
    campaign = _text(p, "campaign")
    action = _text(p, "action")
    label = _(ACTION_LABELS[action]) if action in ACTION_LABELS else action
    extra = p.get("message_params")
    message = _(_text(p, "message"), **(extra if isinstance(extra, dict) else {})) if p.get("message") else ""
    if message:
        body = _("%(action)s failed for %(campaign)s: %(problem)s", action=label, campaign=campaign, problem=message)
    else:
        body = _("%(action)s failed for %(campaign)s.", action=label, campaign=campaign)
    advice = _("Please check the campaign and do this step by hand if needed.")
    body = f"{body} {advice}"
    return NotificationText(_("An automatic step failed in %(campaign)s", campaign=campaign), body)


def _team_advanced(p: Mapping[str, Any]) -> NotificationText:
    names = {"team": _text(p, "team"), "phase": _text(p, "phase"), "campaign": _text(p, "campaign")}
    body = _("Congratulations: your team “%(team)s” goes on after “%(phase)s” of %(campaign)s.", **names)
    if p.get("next_phase"):
        nxt = _(
            "The next phase, “%(next)s”, opens on %(when)s.",
            next=_text(p, "next_phase"),
            when=when(p.get("opens_at"), p.get("timezone")),
        )
        body = f"{body} {nxt}"
    return NotificationText(_("%(team)s goes on in %(campaign)s", **names), body)


def _team_eliminated(p: Mapping[str, Any]) -> NotificationText:
    names = {"team": _text(p, "team"), "phase": _text(p, "phase"), "campaign": _text(p, "campaign")}
    return NotificationText(
        _("%(team)s does not go on in %(campaign)s", **names),
        _(
            "Your team “%(team)s” does not go on after “%(phase)s” of %(campaign)s. "
            "Thank you for taking part: the judges' feedback is shown with the results.",
            **names,
        ),
    )


def _awards_to_approve(p: Mapping[str, Any]) -> NotificationText:
    campaign = _text(p, "campaign")
    return NotificationText(
        _("Awards of %(campaign)s await your approval", campaign=campaign),
        _(
            "The organizers of %(campaign)s have chosen awards; the results can be published once "
            "an executive approves each of them.",
            campaign=campaign,
        ),
    )


_RENDERERS: dict[NotificationKind, Callable[[Mapping[str, Any]], NotificationText]] = {
    NotificationKind.TEAM_INVITATION: _team_invitation,
    NotificationKind.JOIN_REQUEST: _join_request,
    NotificationKind.JOIN_ANSWER: _join_answer,
    NotificationKind.CAPTAIN: _captain,
    NotificationKind.PHASE_OPENED: _phase_opened,
    NotificationKind.SUBMISSION_REMINDER: _submission_reminder,
    NotificationKind.JUDGING_REMINDER: _judging_reminder,
    NotificationKind.RESULTS_PUBLISHED: _results_published,
    NotificationKind.EXTENSION_GRANTED: _extension_granted,
    NotificationKind.AUTOMATION_FAILED: _automation_failed,
    NotificationKind.TEAM_ADVANCED: _team_advanced,
    NotificationKind.TEAM_ELIMINATED: _team_eliminated,
    NotificationKind.AWARDS_TO_APPROVE: _awards_to_approve,
    NotificationKind.PROJECT_PROPOSED: incubation_words.project_proposed,
    NotificationKind.PROJECT_DECIDED: incubation_words.project_decided,
    NotificationKind.MILESTONE_OVERDUE: incubation_words.milestone_overdue,
}


def describe(kind: NotificationKind, params: Mapping[str, Any] | None) -> NotificationText:
    """Title and sentence of a notification, in the current locale."""
    return _RENDERERS[kind](params or {})
