"""What keeps a campaign's results from being published, pure: no I/O.

Rules (DOMAIN.md: awards need an executive's approval before the results can be published):
- at least one award;
- every award approved by an executive (or an admin);
- no award to a team that has withdrawn (it is no longer ranked);
- no phase of the campaign still running, grace included (phases run one at a time; a judging
  phase's scores, which its judges can still change, are what the results rest on), and none
  before the results phase still to come (the results phase opens with the results).

The organizer's results page lists every blocker beside the disabled "Publish results" button;
``judging.awards.publish_results`` refuses with the first one, by hand or by the scheduler.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from campaigns.deadlines import has_started, is_live
from campaigns.models import Phase, PhaseKind
from core.errors import N_

NO_AWARDS = N_("Give at least one award before publishing the results.")
AWARDS_UNAPPROVED = N_("The results cannot be published yet: awards awaiting an executive's approval: %(num)s.")
JUDGING_OPEN = N_("Judging phase “%(phase)s” is still open: the results cannot be published before it closes.")
PHASE_RUNNING = N_("“%(phase)s” is still running: the results cannot be published before it closes.")
PHASE_AHEAD = N_("“%(phase)s” has not run yet: the results come after every phase before them.")
AWARDS_WITHDRAWN = N_(
    "The results cannot be published while awards go to teams that have withdrawn: %(teams)s. Delete those awards."
)


@dataclass(frozen=True)
class Blocker:
    """A reason, as a message id and its parameters (plain values, so that they can be stored)."""

    message: str
    params: dict[str, str | int] = field(default_factory=dict)


def publication_blockers(
    awards: int, unapproved: int, phases: Sequence[Phase], now: datetime, *, withdrawn: Sequence[str] = ()
) -> list[Blocker]:
    """Why the results cannot be published at ``now``, in the order the organizer would fix them;
    empty when they can. ``awards``: how many the campaign has, ``unapproved``: how many of them
    wait for approval, ``phases``: the campaign's phases, ``withdrawn``: the names of withdrawn
    teams that hold an award."""
    blockers: list[Blocker] = []
    if awards == 0:
        blockers.append(Blocker(NO_AWARDS))
    if withdrawn:
        blockers.append(Blocker(AWARDS_WITHDRAWN, {"teams": ", ".join(withdrawn)}))
    if unapproved:
        blockers.append(Blocker(AWARDS_UNAPPROVED, {"num": unapproved}))
    ordered = sorted(phases, key=lambda p: (p.opens_at, p.id))
    blockers += [
        Blocker(JUDGING_OPEN if phase.kind is PhaseKind.JUDGING else PHASE_RUNNING, {"phase": phase.name})
        for phase in ordered
        if phase.kind is not PhaseKind.RESULTS and is_live(phase, now)
    ]
    results = next((p for p in ordered if p.kind is PhaseKind.RESULTS), None)
    blockers += [
        Blocker(PHASE_AHEAD, {"phase": phase.name})
        for phase in ordered
        if results is not None
        and phase.kind is not PhaseKind.RESULTS
        and phase.opens_at < results.opens_at
        and not has_started(phase, now)
    ]
    return blockers
