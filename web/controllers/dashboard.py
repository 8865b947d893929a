"""The programme dashboard for executives and admins: figures across campaigns or of one, by
period and department, with charts drawn on the server and every figure exported."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response, get
from litestar.params import FromQuery
from litestar.response import Template

from core.errors import N_, NotFound
from insights.dashboard import Dashboard, dashboard
from insights.filters import parse_scope
from web import dashboard_tables, downloads
from web.dashboard_charts import BarChart, bar_chart, trend_chart
from web.deps import EXECUTIVE, AppClock, DbSession
from web.i18n import format_number, format_share, ngettext
from web.i18n import gettext as _

NOT_FOUND = N_("We could not find that campaign or department.")


async def _figures(
    db: DbSession, clock: AppClock, campaign: str, start: str, end: str, department: str
) -> tuple[Dashboard, dict[str, str]]:
    scope, errors = parse_scope(campaign, start, end, department)
    found = await dashboard(db, scope, clock.now(), no_department=_("No department"))
    if scope.campaign_id is not None and scope.campaign_id not in {c.id for c in found.choices}:
        raise NotFound(NOT_FOUND)
    if scope.department_id is not None and scope.department_id not in found.department_names:
        raise NotFound(NOT_FOUND)
    return found, {field: _(message) for field, message in errors.items()}


def _pct(rate: float | None) -> str:
    return format_share(None if rate is None else rate * 100)


def _value_charts(d: Dashboard) -> list[tuple[str, BarChart]]:
    """One bar chart per unit (units are never drawn on one scale): the realised value of each
    outcome kind, and the improvement the KPI targets in that unit aim at, with the share realised."""
    charts = []
    for unit in d.units:
        items = [
            (
                v.kind,
                dashboard_tables.kind_label(v.kind),
                float(v.realised),
                f"{format_number(float(v.realised), 2)} {unit}",
            )
            for v in d.value
            if v.unit == unit
        ]
        for t in d.targets:
            if t.unit == unit:
                text = _(
                    "%(aimed)s %(unit)s · %(share)s realised",
                    aimed=format_number(float(t.aimed), 2),
                    unit=unit,
                    share=_pct(t.share),
                )
                label = ngettext(
                    "KPI target of %(num)s project: improvement aimed at",
                    "KPI targets of %(num)s projects: improvement aimed at",
                    t.projects,
                )
                items.append(("target", label, float(t.aimed), text))
        charts.append((unit, bar_chart(items)))
    return charts


def _charts(d: Dashboard) -> dict[str, Any]:
    first = d.funnel[0].count if d.funnel else 0
    funnel = bar_chart(
        [
            (
                s.name,
                dashboard_tables.stage_label(s.name),
                float(s.count),
                format_number(s.count, 0) + ("" if s.from_previous is None else f" · {_pct(s.from_previous)}"),
            )
            for s in d.funnel
        ],
        maximum=float(first),
    )
    departments = bar_chart(
        [
            (str(r.department_id or 0), r.name, r.participation_rate or 0.0, _pct(r.participation_rate))
            for r in d.departments
        ],
        maximum=1.0,
    )
    h = d.headline
    missing = max(h.scorecards_due - h.scorecards_on_time - h.scorecards_late, 0)
    judging = bar_chart(
        [
            (key, label, float(count), format_number(count, 0))
            for key, label, count in (
                ("on-time", _("Finished before the deadline"), h.scorecards_on_time),
                ("late", _("Finished after the deadline"), h.scorecards_late),
                ("missing", _("Not finished"), missing),
            )
        ],
        maximum=float(h.scorecards_due),
    )
    incubation = bar_chart(
        [
            (
                line.status,
                dashboard_tables.status_label(line.status),
                float(line.projects),
                format_number(line.projects, 0),
            )
            for line in d.incubation.lines
        ]
    )
    trends = trend_chart(
        len(d.trends),
        [
            ("participation", _("Participation rate"), [t.participation_rate for t in d.trends]),
            ("shortlist", _("Shortlist rate"), [t.shortlist_rate for t in d.trends]),
            ("adoption", _("Adoption rate"), [t.adoption_rate for t in d.trends]),
            ("on-time", _("Scorecards on time"), [t.on_time_rate for t in d.trends]),
        ],
    )
    return {
        "funnel_chart": funnel,
        "departments_chart": departments,
        "judging_chart": judging,
        "incubation_chart": incubation,
        "value_charts": _value_charts(d),
        "trend_chart": trends,
    }


@get("/dashboard", opt=EXECUTIVE, name="dashboard")
async def dashboard_page(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    clock: AppClock,
    campaign: FromQuery[str] = "",
    start: FromQuery[str] = "",
    end: FromQuery[str] = "",
    department: FromQuery[str] = "",
) -> Template:
    found, errors = await _figures(db_session, clock, campaign, start, end, department)
    values = {"campaign": campaign, "start": start, "end": end, "department": department}
    query = urlencode({k: v.strip() for k, v in values.items() if v.strip() and k not in errors})
    return Template(
        template_name="dashboard/index.html",
        context={
            "d": found,
            "values": values,
            "errors": errors,
            "export_query": query,
            "missing_scorecards": max(
                found.headline.scorecards_due - found.headline.scorecards_on_time - found.headline.scorecards_late, 0
            ),
            **_charts(found),
        },
        status_code=422 if errors else 200,
    )


@get("/dashboard/export", opt=EXECUTIVE, name="dashboard_export")
async def dashboard_export(
    db_session: DbSession,
    clock: AppClock,
    figure: FromQuery[str] = "summary",
    format: FromQuery[str] = "csv",
    campaign: FromQuery[str] = "",
    start: FromQuery[str] = "",
    end: FromQuery[str] = "",
    department: FromQuery[str] = "",
) -> Response[bytes]:
    if figure not in dashboard_tables.FIGURES or format not in downloads.FORMATS:
        raise NotFound(NOT_FOUND)
    found, _errors = await _figures(db_session, clock, campaign, start, end, department)
    name = f"kaizen-dashboard-{figure}" + (f"-campaign{found.scope.campaign_id}" if found.scope.campaign_id else "")
    return await downloads.sheet(dashboard_tables.figure_table(found, figure), format, figure, name)


routes = [dashboard_page, dashboard_export]
