"""Whether a draft campaign is ready to be published, pure: no I/O.

Rule: a campaign is published once it has at least one challenge (a team enters one) and one
submission phase (an entry belongs to one). The campaign page shows the reason beside the
disabled "Publish" button; ``campaigns.lifecycle.publish_campaign`` refuses with it too.
"""

from __future__ import annotations

from core.errors import N_

NOTHING_YET = N_("Add at least one challenge and one submission phase before publishing.")
NO_CHALLENGE = N_("Add at least one challenge before publishing.")
NO_SUBMISSION_PHASE = N_("Add at least one submission phase to the timeline before publishing.")


def publication_blocker(challenges: int, submission_phases: int) -> str | None:
    """Why a draft campaign with these many challenges and submission phases cannot be published
    (a message id), or None when it can."""
    if not challenges and not submission_phases:
        return NOTHING_YET
    if not challenges:
        return NO_CHALLENGE
    if not submission_phases:
        return NO_SUBMISSION_PHASE
    return None
