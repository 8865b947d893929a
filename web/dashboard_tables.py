"""Every dashboard figure and the innovation record as a ``core.spreadsheet.Table`` (exports);
headers in the reader's language, rates as fractions (0.25 is 25 %), money to the cent."""

from __future__ import annotations

from decimal import Decimal

from core.spreadsheet import Cell, Table
from incubation.labels import KIND_LABELS, STATUS_LABELS
from insights.dashboard import Dashboard
from insights.record import Record
from web.i18n import gettext as _

FIGURES = ("summary", "funnel", "departments", "judging", "incubation", "value", "targets", "trends")


def _rate(value: float | None) -> Cell:
    return None if value is None else round(value, 4)


def _money(value: Decimal | None) -> Cell:
    return None if value is None else float(value)


def stage_label(name: str) -> str:
    return {
        "eligible": _("Eligible employees"),
        "participants": _("Participants"),
        "team": _("Teams"),
        "submitted": _("Submitted entries"),
        "advanced": _("Advanced"),
        "winner": _("Winners"),
        "incubated": _("Incubated"),
        "implemented": _("Implemented"),
    }.get(name, name)


def status_label(status: str) -> str:
    return _(STATUS_LABELS[status]) if status in STATUS_LABELS else status


def kind_label(kind: str) -> str:
    return _(KIND_LABELS[kind]) if kind in KIND_LABELS else kind


def summary(d: Dashboard) -> Table:
    h = d.headline
    rows: list[list[Cell]] = [
        [_("Eligible employees"), h.eligible_people],
        [_("Participants"), h.participants],
        [_("Participation rate"), _rate(h.participation_rate)],
        [_("Submitted entries"), h.submitted],
        [_("Entries per 100 employees"), None if h.entries_per_100 is None else round(h.entries_per_100, 2)],
        [_("Shortlist rate"), _rate(h.shortlist_rate)],
        [_("Teams"), h.teams],
        [_("Teams mixing departments"), h.mixed_teams],
        [_("Share of teams mixing departments"), _rate(h.mixed_share)],
        [_("Adoption rate"), _rate(h.adoption_rate)],
        [_("Implementation rate"), _rate(h.implementation_rate)],
        [_("Scorecards due"), h.scorecards_due],
        [_("Scorecards finished before the deadline"), h.scorecards_on_time],
        [_("Share of scorecards finished before the deadline"), _rate(h.on_time_rate)],
    ]
    return Table(header=[_("Figure"), _("Value")], rows=rows)


def funnel(d: Dashboard) -> Table:
    return Table(
        header=[_("Stage"), _("Count"), _("Conversion from the previous stage"), _("Share of the first stage")],
        rows=[[stage_label(s.name), s.count, _rate(s.from_previous), _rate(s.from_first)] for s in d.funnel],
    )


def departments(d: Dashboard) -> Table:
    return Table(
        header=[
            _("Department"),
            _("Eligible employees"),
            _("Participants"),
            _("Participation rate"),
            _("Submitted entries"),
            _("Entries per 100 employees"),
        ],
        rows=[
            [
                r.name,
                r.eligible,
                r.participants,
                _rate(r.participation_rate),
                r.entries,
                None if r.entries_per_100 is None else round(r.entries_per_100, 2),
            ]
            for r in d.departments
        ],
    )


def judging(d: Dashboard) -> Table:
    h = d.headline
    missing = max(h.scorecards_due - h.scorecards_on_time - h.scorecards_late, 0)
    return Table(
        header=[_("Scorecards"), _("Count"), _("Share")],
        rows=[
            [_("Finished before the deadline"), h.scorecards_on_time, _rate(h.on_time_rate)],
            [_("Finished after the deadline"), h.scorecards_late, _rate(_share(h.scorecards_late, h.scorecards_due))],
            [_("Not finished"), missing, _rate(_share(missing, h.scorecards_due))],
            [_("Scorecards due"), h.scorecards_due, None],
        ],
    )


def _share(part: int, whole: int) -> float | None:
    return None if whole <= 0 else part / whole


def incubation(d: Dashboard) -> Table:
    inc = d.incubation
    rows: list[list[Cell]] = [
        [status_label(line.status), line.projects, _money(line.budget_requested), _money(line.budget_approved)]
        for line in inc.lines
    ]
    rows.append([_("All proposals"), inc.proposals, _money(inc.budget_requested), _money(inc.budget_approved)])
    rows.append([_("Incubation projects"), inc.projects, None, None])
    return Table(header=[_("Status"), _("Projects"), _("Budget requested"), _("Budget approved")], rows=rows)


def value(d: Dashboard) -> Table:
    return Table(
        header=[_("Kind"), _("Unit"), _("Projects measured"), _("Realised value")],
        rows=[[kind_label(v.kind), v.unit, v.projects, _money(v.realised)] for v in d.value],
    )


def targets(d: Dashboard) -> Table:
    return Table(
        header=[
            _("Unit"),
            _("Projects with a KPI target"),
            _("Improvement aimed at"),
            _("Realised by these projects"),
            _("Share of the improvement aimed at"),
        ],
        rows=[
            [t.unit, t.projects, _money(t.aimed), _money(t.realised), None if t.share is None else round(t.share, 4)]
            for t in d.targets
        ],
    )


def trends(d: Dashboard) -> Table:
    return Table(
        header=[
            _("Campaign"),
            _("Eligible employees"),
            _("Participants"),
            _("Participation rate"),
            _("Teams"),
            _("Submitted entries"),
            _("Entries per 100 employees"),
            _("Shortlist rate"),
            _("Winners"),
            _("Incubation projects"),
            _("Adoption rate"),
            _("Implemented"),
            _("Share of scorecards finished before the deadline"),
            *[_("Realised value (%(unit)s)", unit=unit) for unit in d.units],
        ],
        rows=[
            [
                t.title,
                t.eligible,
                t.participants,
                _rate(t.participation_rate),
                t.teams,
                t.submitted,
                None if t.entries_per_100 is None else round(t.entries_per_100, 2),
                _rate(t.shortlist_rate),
                t.winners,
                t.projects,
                _rate(t.adoption_rate),
                t.implemented,
                _rate(t.on_time_rate),
                *[_money(t.realised.get(unit, Decimal("0.00"))) for unit in d.units],
            ]
            for t in d.trends
        ],
    )


def figure_table(d: Dashboard, figure: str) -> Table:
    builders = {
        "summary": summary,
        "funnel": funnel,
        "departments": departments,
        "judging": judging,
        "incubation": incubation,
        "value": value,
        "targets": targets,
        "trends": trends,
    }
    return builders[figure](d)


def record_table(r: Record) -> Table:
    """The whole record as one sheet: one line per team, entry, award, judging phase and project."""
    rows: list[list[Cell]] = []
    team_status = {
        "active": _("Active"),
        "eliminated": _("Eliminated"),
        "winner": _("Winner"),
        "withdrawn": _("Withdrawn"),
    }
    for t in r.teams:
        detail = t.challenge + (" · " + _("Captain") if t.captain else "")
        rows.append([_("Team"), t.campaign, t.team, detail, team_status.get(t.status, t.status), None])
    for e in r.entries:
        status = _("Submitted") if e.status == "submitted" else _("Draft")
        when = e.submitted_at.isoformat() if e.submitted_at else None
        rows.append([_("Entry"), e.campaign, e.title, f"{e.team} · {e.phase}", status, when])
    for a in r.awards:
        rows.append([_("Award"), a.campaign, a.award, a.team, None, a.published_at.isoformat()])
    for j in r.judging:
        detail = _("%(final)s of %(assigned)s scorecards finished", final=j.final, assigned=j.assigned)
        on_time = _("%(n)s before the deadline", n=j.on_time)
        rows.append([_("Judging"), j.campaign, j.phase, detail, on_time, j.closes_at.isoformat()])
    for p in r.projects:
        detail = " · ".join(
            [
                p.team,
                _("%(done)s of %(all)s milestones done", done=p.milestones_done, all=p.milestones),
                *[_("realised %(value)s %(unit)s", value=f"{total:.2f}", unit=unit) for unit, total in p.realised],
            ]
        )
        rows.append([_("Incubation project"), p.campaign, p.title, detail, status_label(p.status), None])
    return Table(header=[_("Kind"), _("Campaign"), _("Name"), _("Details"), _("Status"), _("Date (UTC)")], rows=rows)
