"""Reports: the SLA report as charts, with the filters of GET /v1/reports/sla and a CSV; the
listening report (GET /v1/reports/intake) of the same window below it."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import AwareDatetime, BeforeValidator
from starlette.responses import Response

from api.console.auth import ReportReader
from api.console.charts import Series, bar_chart, hours, whole
from api.console.listening import listening_charts
from api.console.render import page
from api.deps import PolicyDep, StoreDep
from api.http.problems import FieldError, unprocessable
from domain.models import NO_NUL
from domain.reports import GroupBy, SlaFigures, SlaReport
from domain.trends import Breaches, WeekFigures, weekly
from store.queries import breaches_by_kind, daily_figures, intake_report, sla_report

router = APIRouter()
DEFAULT_WEEKS = 12
# The filter form sends a field left empty as "": that is "not given", not a bad value.
Blank = BeforeValidator(lambda value: value or None)
Since = Annotated[AwareDatetime | None, Blank,
                  Query(description="Created at or after (RFC 3339)")]
Until = Annotated[AwareDatetime | None, Blank, Query(description="Created before (RFC 3339)")]
Team = Annotated[str | None, Query(max_length=60, pattern=NO_NUL)]
Grouping = Annotated[GroupBy | None, Blank,
                     Query(description="Also per owner, team, tier, channel, category")]


async def _figures(store: StoreDep, since: datetime | None, until: datetime | None,
                   team: str | None, group_by: GroupBy | None = None,
                   ) -> tuple[SlaReport, Breaches, list[WeekFigures]]:
    if since is not None and until is not None and since >= until:
        raise unprocessable([FieldError(field="query.until", message="must be after since")])

    def read(session: Any) -> tuple[SlaReport, Breaches, list[WeekFigures]]:
        return (sla_report(session, since=since, until=until, team=team, group_by=group_by),
                breaches_by_kind(session, since=since, until=until, team=team),
                weekly(daily_figures(session, since=since, until=until, team=team)))

    return await store.read(read)


def _shares(title: str, names: list[str], groups: list[SlaFigures]) -> Any:
    return bar_chart(title=title, categories=names, maximum=1.0, series=[
        Series("notice", [g.notice_within_sla for g in groups]),
        Series("acknowledge", [g.acknowledge_within_sla for g in groups]),
        Series("resolve", [g.resolve_within_sla for g in groups]),
    ])


def charts(report: SlaReport, breaches: Breaches, weeks: list[WeekFigures]) -> list[Any]:
    priorities = [p.priority.value for p in report.by_priority]
    grouped = ([_shares(f"Share within SLA by {report.group_by.value}",
                        [g.value for g in report.groups], list(report.groups))]
               if report.group_by is not None else [])
    return [*grouped,
        _shares("Share within SLA by priority", priorities, list(report.by_priority)),
        _shares("Share within SLA by team", [t.team for t in report.by_team],
                list(report.by_team)),
        bar_chart(title="Time to acknowledge by priority (mean, p90)", categories=priorities,
                  show=hours, series=[
                      Series("mean", [p.mean_seconds_to_acknowledge for p in report.by_priority]),
                      Series("p90", [p.p90_seconds_to_acknowledge for p in report.by_priority]),
                  ]),
        bar_chart(title="Time to resolve by priority (mean, p90)", categories=priorities,
                  show=hours, series=[
                      Series("mean", [p.mean_seconds_to_resolve for p in report.by_priority]),
                      Series("p90", [p.p90_seconds_to_resolve for p in report.by_priority]),
                  ]),
        bar_chart(title="Weekly trend: escalations and breaches", show=whole,
                  categories=[f"week of {w.week.isoformat()}" for w in weeks], series=[
                      Series("escalations", [float(w.total) for w in weeks]),
                      Series("breached", [float(w.breached) for w in weeks]),
                  ]),
        bar_chart(title="Breaches by kind", show=whole,
                  categories=["notice", "acknowledge", "resolve"],
                  series=[Series("breaches", [float(breaches.notice),
                                              float(breaches.acknowledge),
                                              float(breaches.resolve)])]),
    ]


@router.get("/console/reports")
async def reports(request: Request, _user: ReportReader, store: StoreDep, policy: PolicyDep,
                  since: Since = None, until: Until = None, team: Team = None,
                  group_by: Grouping = None) -> Response:
    """The SLA report of the window (by default the last 12 weeks), drawn."""
    since = since or datetime.now(UTC) - timedelta(weeks=DEFAULT_WEEKS)
    team = team or None
    report, breaches, weeks = await _figures(store, since, until, team, group_by)
    listening = await store.read(lambda s: intake_report(s, since=since, until=until))
    query = {"since": since.isoformat(), "until": until.isoformat() if until else "",
             "team": team or "", "group_by": group_by.value if group_by else ""}
    return page(request, "reports.html", {
        "report": report, "weeks": weeks, "breaches": breaches,
        "charts": charts(report, breaches, weeks), "teams": sorted(policy.policy.teams),
        "groupings": list(GroupBy),
        "query": query, "hours": hours,
        "listening": listening, "listening_charts": listening_charts(listening),
    })


COLUMNS = list(SlaFigures.model_fields)


@router.get("/console/reports.csv")
async def reports_csv(_user: ReportReader, store: StoreDep, since: Since = None,
                      until: Until = None, team: Team = None, group_by: Grouping = None
                      ) -> Response:
    """The same figures as rows: overall, each priority, each team, each group."""
    report, _, _ = await _figures(store, since, until, team or None, group_by)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["group", "name", *COLUMNS])
    rows: list[tuple[str, str, SlaFigures]] = [("overall", "all", report.overall)]
    rows += [("priority", p.priority.value, p) for p in report.by_priority]
    rows += [("team", t.team, t) for t in report.by_team]
    rows += [(group_by.value, g.value, g) for g in report.groups if group_by is not None]
    for group, name, figures in rows:
        writer.writerow([group, _cell(name), *(getattr(figures, c) for c in COLUMNS)])
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="sla-report.csv"'})


def _cell(text: str) -> str:
    """A team name that starts like a formula is written as text (CSV injection)."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text
