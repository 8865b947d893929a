"""A withdrawn team's entry is out of judging: the one condition every judging query shares.

Rules chosen here (DOMAIN.md is silent on them):
- an entry whose team is withdrawn is never assigned: not by automatic assignment, not by hand,
  not as the replacement after a declared conflict, not by a scorecard import (the row is refused);
- it is never ranked: it leaves the ranking and the normalisation of the judges' totals, the
  leniency and agreement figures, advancement, awards (results cannot be published while an
  award goes to a withdrawn team), the results pages, the exports and the progress pages;
- a team that withdraws after assignment: its assignments and scorecards, draft or final, stay
  in the database (the record of who judged what) but count for nothing: they leave the judges'
  queues, their home page counts and reminders, the loads that automatic assignment evens out,
  and the score form answers 404 with a message that says why. A final one still locks the
  rubric (it is never changed behind its judge's back), and a rubric reset reopens it with the
  others without telling its judge to finalise it again.
The condition is applied where judging reads, so it holds however the team came to be withdrawn.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import InstrumentedAttribute

from core.errors import N_
from teams.models import Entry, Team, TeamStatus

WITHDRAWN_ENTRY = N_("This team has withdrawn, so its entry is no longer judged.")


def withdrawn_entries() -> Select[tuple[int]]:
    """The ids of the entries whose team has withdrawn."""
    # never correlated: the queries that use it often read `entry` and `team` themselves
    return (
        select(Entry.id).join(Team, Team.id == Entry.team_id).where(Team.status == TeamStatus.WITHDRAWN).correlate(None)
    )


def judged(entry_id: InstrumentedAttribute[int]) -> ColumnElement[bool]:
    """True for a row whose ``entry_id`` (``Entry.id``, ``Assignment.entry_id``, ...) is still judged."""
    return entry_id.not_in(withdrawn_entries())


def team_judged() -> ColumnElement[bool]:
    """The same condition for a query that already joins ``Team``."""
    return Team.status != TeamStatus.WITHDRAWN
