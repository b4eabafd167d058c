"""The SLA report in SQL: one GROUP BY statement per grouping (overall, priority, team).

The 90th percentile is the continuous one (linear interpolation between the two nearest ranks,
PostgreSQL's percentile_cont). PostgreSQL computes it natively; SQLite has no ordered-set
aggregates, so the values of each group are ranked by ROW_NUMBER() over the group's partition
and the two ranks around 0.9 * (n - 1) are blended. Either way it is one statement per
grouping: 100,000 escalations cost a scan and a sort per metric, never a Python loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    Float,
    Integer,
    Row,
    Select,
    SQLColumnExpression,
    String,
    Subquery,
    and_,
    case,
    cast,
    extract,
    func,
    null,
    select,
)
from sqlmodel import Session, col

from domain.enums import Priority, SlaOutcome, Status
from domain.reports import (
    DIRECT,
    UNASSIGNED,
    GroupBy,
    GroupFigures,
    PriorityFigures,
    SlaFigures,
    SlaReport,
    TeamFigures,
)
from store.recurring import recurring_issues
from store.tables import EscalationRow, PostRow

PERCENTILE = 0.9
_DECIDED = (SlaOutcome.MET.value, SlaOutcome.BREACHED.value)
# The times measured, each from creation, each with a mean and a p90.
_TIMES = ("notice", "acknowledge", "resolve")


def sla_report(
    session: Session,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    team: str | None = None,
    group_by: GroupBy | None = None,
) -> SlaReport:
    """Figures of the escalations created in [since, until), of one team if given; split by
    `group_by` too when given."""
    conditions = window(since, until, team)

    overall = _grouped(session, None, conditions)
    by_priority = _grouped(session, col(EscalationRow.priority), conditions)
    by_team = _grouped(session, col(EscalationRow.team), conditions)
    groups = _grouped(session, group_key(group_by), conditions) if group_by else {}
    return SlaReport(
        since=since,
        until=until,
        team=team,
        group_by=group_by,
        groups=[GroupFigures(value=str(value), **_as_fields(figures))
                for value, figures in sorted(groups.items(), key=lambda item: str(item[0]))],
        recurring=recurring_issues(session, conditions),
        overall=overall.get(None, SlaFigures.empty()),
        # Every priority, even an empty one: a report with a row missing reads as an error.
        by_priority=[
            PriorityFigures(priority=p, **_as_fields(by_priority.get(p.value, SlaFigures.empty())))
            for p in Priority
        ],
        by_team=[
            TeamFigures(team=name, **_as_fields(figures))
            for name, figures in sorted(by_team.items(), key=lambda item: str(item[0]))
        ],
    )


def group_key(group_by: GroupBy) -> SQLColumnExpression[str]:
    """The column (or expression) each escalation's group is read from."""
    match group_by:
        case GroupBy.OWNER:
            return func.coalesce(col(EscalationRow.owner), UNASSIGNED)
        case GroupBy.TEAM:
            return col(EscalationRow.team)
        case GroupBy.TIER:
            return cast(col(EscalationRow.tier), String)
        case GroupBy.CATEGORY:
            return col(EscalationRow.category)
        case GroupBy.CHANNEL:
            # The channel of the first post that went to the escalation (ix_posts_escalation
            # serves it); none: opened through the API or the console.
            first_post = (select(col(PostRow.channel))
                          .where(col(PostRow.escalation_id) == col(EscalationRow.id))
                          .order_by(col(PostRow.posted_at), col(PostRow.post_id))
                          .limit(1).correlate(EscalationRow).scalar_subquery())
            return func.coalesce(first_post, DIRECT)


def window(since: datetime | None, until: datetime | None, team: str | None
           ) -> list[ColumnElement[bool]]:
    """The report's escalations: created in [since, until), of `team` when given. A duplicate
    merged into another is left out: its customers and records count in the survivor."""
    conditions: list[ColumnElement[bool]] = [col(EscalationRow.status) != Status.MERGED.value]
    if since is not None:
        conditions.append(col(EscalationRow.created_at) >= since)
    if until is not None:
        conditions.append(col(EscalationRow.created_at) < until)
    if team is not None:
        conditions.append(col(EscalationRow.team) == team)
    return conditions


def _as_fields(figures: SlaFigures) -> dict[str, Any]:
    return {name: getattr(figures, name) for name in SlaFigures.model_fields}


def _grouped(
    session: Session,
    key: SQLColumnExpression[str] | None,
    conditions: Sequence[ColumnElement[bool]],
) -> dict[str | None, SlaFigures]:
    """Figures per value of `key`; with no key, one entry (None) for all rows together."""
    postgres = session.get_bind().dialect.name == "postgresql"
    # A NULL key puts every row in one group; a typed column, since PostgreSQL refuses to
    # GROUP BY a bare constant.
    base = select(
        (key if key is not None else cast(null(), String)).label("key"),
        col(EscalationRow.status).label("status"),
        col(EscalationRow.breached).label("breached"),
        col(EscalationRow.sla_notice).label("sla_notice"),
        col(EscalationRow.sla_acknowledge).label("sla_acknowledge"),
        col(EscalationRow.sla_resolve).label("sla_resolve"),
        _seconds(col(EscalationRow.notice_sent_at), postgres=postgres).label("notice"),
        # Time the team waited on the customer or a third party is not the team's time.
        (_seconds(col(EscalationRow.acknowledged_at), postgres=postgres)
         - col(EscalationRow.paused_before_acknowledgement)).label("acknowledge"),
        (_seconds(col(EscalationRow.resolution_declared_at), postgres=postgres)
         - col(EscalationRow.paused_before_resolution)).label("resolve"),
    ).where(*conditions).cte("base")
    if not postgres:
        # Read three times (groups, two rankings): compute the seconds once.
        base = base.prefix_with("MATERIALIZED")
    aggregates: list[ColumnElement[Any]] = [
        base.c.key,
        func.count().label("total"),
        _share(base.c.sla_notice).label("notice_within_sla"),
        _share(base.c.sla_acknowledge).label("acknowledge_within_sla"),
        _share(base.c.sla_resolve).label("resolve_within_sla"),
        *(func.avg(base.c[time]).label(f"mean_seconds_to_{time}") for time in _TIMES),
        func.sum(case((and_(base.c.status == Status.OPEN.value, base.c.breached), 1),
                      else_=0)).label("open_breaches"),
    ]
    if postgres:
        statement = select(
            *aggregates,
            *(_percentile_cont(base.c[time]).label(f"p90_seconds_to_{time}") for time in _TIMES),
        ).group_by(base.c.key)
    else:
        statement = _with_interpolated_p90(base, aggregates)
    return {row.key: _figures(row) for row in session.execute(statement)}


def _with_interpolated_p90(base: CTE, aggregates: list[ColumnElement[Any]]) -> Select[Any]:
    """The aggregates joined with a p90 per metric, computed by ranking (SQLite)."""
    groups = select(
        *aggregates,
        *(func.count(base.c[time]).label(f"{time}_n") for time in _TIMES),
    ).group_by(base.c.key).cte("groups").prefix_with("MATERIALIZED")
    p90s = {time: _interpolated(base, groups, time) for time in _TIMES}
    statement = select(
        *(groups.c[c.name] for c in aggregates),
        *(p90.c.p90.label(f"p90_seconds_to_{time}") for time, p90 in p90s.items()),
    ).select_from(groups)
    for p90 in p90s.values():
        statement = statement.outerjoin(p90, p90.c.key.is_not_distinct_from(groups.c.key))
    return statement


def _seconds(at: SQLColumnExpression[datetime | None], *, postgres: bool) -> ColumnElement[Any]:
    """Seconds from creation to `at`; NULL while `at` is."""
    created = col(EscalationRow.created_at)
    if postgres:
        return cast(extract("epoch", at - created), Float)
    # SQLite keeps text timestamps; julianday() resolves milliseconds, so round to them to drop
    # the floating-point noise of subtracting two day numbers near 2.46 million.
    return func.round((func.julianday(at) - func.julianday(created)) * 86_400_000.0) / 1000.0


def _share(outcome: ColumnElement[str]) -> ColumnElement[Any]:
    """met / (met + breached); NULL when nothing is decided yet."""
    met = func.sum(case((outcome == SlaOutcome.MET.value, 1), else_=0))
    decided = func.sum(case((outcome.in_(_DECIDED), 1), else_=0))
    return cast(met, Float) / func.nullif(decided, 0)


def _percentile_cont(values: ColumnElement[Any]) -> ColumnElement[Any]:
    # percentile_cont skips NULLs (escalations not yet acknowledged or resolved).
    return func.percentile_cont(PERCENTILE).within_group(values)


def _interpolated(base: CTE, groups: CTE, name: str) -> Subquery:
    """percentile_cont by hand: rank h = 0.9 * (n - 1) (0-based) falls between floor(h) and
    floor(h) + 1; blend their values by the fraction, exactly as PostgreSQL does."""
    value = base.c[name]
    ranked = (
        select(
            base.c.key,
            value.label("value"),
            func.row_number().over(partition_by=base.c.key, order_by=value).label("rank"),
        )
        .where(value.is_not(None))  # not yet acknowledged or resolved: nothing to rank
        .subquery(f"{name}_ranked")
    )
    position = PERCENTILE * (groups.c[f"{name}_n"] - 1)
    lower = cast(position, Integer)  # CAST truncates: the floor, since position >= 0 here
    fraction = position - lower
    weight = case((ranked.c.rank == lower + 1, 1 - fraction), else_=fraction)
    return (
        select(ranked.c.key, func.sum(ranked.c.value * weight).label("p90"))
        .join_from(ranked, groups, ranked.c.key.is_not_distinct_from(groups.c.key))
        .where(ranked.c.rank.between(lower + 1, lower + 2))  # 1-based ranks
        .group_by(ranked.c.key)
        .subquery(f"{name}_p90")
    )


def _figures(row: Row[Any]) -> SlaFigures:
    def number(value: Any) -> float | None:
        return None if value is None else float(value)

    return SlaFigures(
        count=int(row.total),
        notice_within_sla=number(row.notice_within_sla),
        acknowledge_within_sla=number(row.acknowledge_within_sla),
        resolve_within_sla=number(row.resolve_within_sla),
        mean_seconds_to_notice=number(row.mean_seconds_to_notice),
        p90_seconds_to_notice=number(row.p90_seconds_to_notice),
        mean_seconds_to_acknowledge=number(row.mean_seconds_to_acknowledge),
        p90_seconds_to_acknowledge=number(row.p90_seconds_to_acknowledge),
        mean_seconds_to_resolve=number(row.mean_seconds_to_resolve),
        p90_seconds_to_resolve=number(row.p90_seconds_to_resolve),
        open_breaches=int(row.open_breaches),
    )
