"""GET /v1/reports/idr: the IDR data file of a reporting period, as `escalations report idr`.

One store query selects the period's complaints; domain.idr maps and validates them with the
active policy's `[idr]` columns. A file with a problem is never sent: the answer is a 422 that
lists every problem by row, column and reason.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from api.auth import IdrReportReader
from api.deps import PolicyDep, StoreDep
from api.http.problems import FieldError, Problem, responses, unprocessable
from domain.idr import IdrFile, build_idr, parse_period, to_csv
from store.queries import idr_complaints

router = APIRouter(tags=["reports"])


class IdrFormat(StrEnum):
    JSON = "json"
    CSV = "csv"


@router.get("/v1/reports/idr", response_model=IdrFile, responses={
    **responses(401, 403, 409, 422, 503),
    200: {"content": {"text/csv": {}}, "description": "JSON, or with format=csv the file"},
})
async def get_idr_report(
    _actor: IdrReportReader,
    store: StoreDep,
    policy: PolicyDep,
    period: Annotated[str, Query(max_length=10, description="YYYYH1 or YYYYH2, e.g. 2026H2")],
    output: Annotated[IdrFormat, Query(alias="format",
                                       description="json, or csv: the data file")] = IdrFormat.JSON,
) -> Response:
    """The IDR data file for a reporting period; 422 with every problem instead of a bad file."""
    mapping = policy.policy
    if mapping.idr is None:
        raise Problem(409, "no-idr-mapping", "The policy has no [idr] column mapping.")
    try:
        window = parse_period(period, mapping.calendar.zone())
    except ValueError as exc:
        raise unprocessable([FieldError(field="query.period", message=str(exc))]) from None
    views = await store.read(lambda s: idr_complaints(s, starts=window.starts, ends=window.ends))
    file = build_idr(views, mapping, window)
    if file.problems:
        raise Problem(
            422, "idr-invalid", f"{len(file.problems)} rows of the {window.label} file break the "
            "mapping's rules; nothing was written.", title="IDR file not valid",
            errors=[FieldError(field=f"rows[{p.row}].{p.column}",
                               message=f"{p.reference}: {p.reason}").model_dump()
                    for p in file.problems],
            problems=[p.model_dump() for p in file.problems])
    if output is IdrFormat.CSV and not file.nil:
        return Response(to_csv(file), media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="idr-{window.label}.csv"'})
    # JSON, and a nil period in either format: it says so (a nil submission, no data file).
    return JSONResponse(file.model_dump(mode="json") | {"nil": file.nil,
                                                          "row_count": len(file.rows)})
