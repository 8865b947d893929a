"""The words of incubation's notifications: a proposal to sponsor, a decision, an overdue milestone."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from web.i18n import gettext as _
from web.notification_params import NotificationText
from web.notification_params import text as _text


def project_proposed(p: Mapping[str, Any]) -> NotificationText:
    names = {"project": _text(p, "project"), "campaign": _text(p, "campaign"), "budget": _text(p, "budget")}
    return NotificationText(
        _("“%(project)s” is proposed for incubation", **names),
        _(
            "The winning entry “%(project)s” of %(campaign)s asks for a budget of %(budget)s, with you as its "
            "sponsor. Please approve or decline it.",
            **names,
        ),
    )


def project_decided(p: Mapping[str, Any]) -> NotificationText:
    names = {"project": _text(p, "project"), "campaign": _text(p, "campaign")}
    if p.get("decision") == "declined":
        return NotificationText(
            _("“%(project)s” is not taken into incubation", **names),
            _(
                "Your proposal “%(project)s” of %(campaign)s is declined. The reason: %(reason)s",
                reason=_text(p, "reason"),
                **names,
            ),
        )
    return NotificationText(
        _("“%(project)s” is approved for incubation", **names),
        _(
            "Congratulations: your proposal “%(project)s” of %(campaign)s is approved with a budget of %(budget)s.",
            budget=_text(p, "budget"),
            **names,
        ),
    )


def milestone_overdue(p: Mapping[str, Any]) -> NotificationText:
    names = {
        "project": _text(p, "project"),
        "milestone": _text(p, "milestone"),
        "due": _text(p, "due_on"),
        "campaign": _text(p, "campaign"),
    }
    return NotificationText(
        _("A milestone of “%(project)s” is overdue", **names),
        _(
            "The milestone “%(milestone)s” of “%(project)s” (%(campaign)s) was due on %(due)s and is not done yet.",
            **names,
        ),
    )
