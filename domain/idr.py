"""The IDR data file for a reporting period: one row per complaint, mapped by the policy's `[idr]`
columns and validated by their rules before anything is written (pure: no I/O, no clock).

`build_idr` takes the complaints the store selected for the period (received in it, or still
open at its start) and returns either rows that pass every column's rules or every problem,
each by row, column and reason. A file with a problem is never rendered.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from domain.complaint_record import ComplaintRecord
from domain.idr_mapping import IdrColumn, IdrMapping
from domain.models import EscalationView
from domain.policy import Policy

_PERIOD = re.compile(r"^(\d{4})[Hh]([12])$")
Value = str | date | int | Decimal | list[str] | None


class Period(BaseModel):
    """A half-year reporting period (1 January-30 June, 1 July-31 December) in local time."""

    label: str
    starts: datetime
    ends: datetime  # exclusive


def parse_period(text: str, zone: ZoneInfo) -> Period:
    """`2026H2` -> 1 July 2026 00:00 to 1 January 2027 00:00 in `zone`; ValueError otherwise."""
    match = _PERIOD.match(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a reporting period: write YYYYH1 or YYYYH2, "
                         "e.g. 2026H2 (1 July-31 December 2026)")
    year, half = int(match[1]), int(match[2])
    first = date(year, 1, 1) if half == 1 else date(year, 7, 1)
    after = date(year, 7, 1) if half == 1 else date(year + 1, 1, 1)
    return Period(label=f"{year}H{half}",
                  starts=datetime.combine(first, time(), tzinfo=zone),
                  ends=datetime.combine(after, time(), tzinfo=zone))


class IdrProblem(BaseModel):
    row: int  # the data row, from 1 (the header is not counted)
    reference: str  # the complaint's reference, to find it
    column: str
    element: str
    reason: str


class IdrFile(BaseModel):
    period: Period
    columns: list[str]
    rows: list[list[str]] = []
    problems: list[IdrProblem] = []

    @property
    def nil(self) -> bool:
        """No complaint to report: the firm lodges a nil submission instead of a file."""
        return not self.rows and not self.problems


def _closed_by(record: ComplaintRecord, period: Period) -> bool:
    return record.closed_at is not None and record.closed_at < period.ends


def _value(source: str, view: EscalationView, record: ComplaintRecord, period: Period,
           zone: ZoneInfo) -> Value:
    closed = _closed_by(record, period)
    person = record.complainant
    received = record.received_at.astimezone(zone).date()
    closed_on = record.closed_at.astimezone(zone).date() if closed and record.closed_at else None
    values: dict[str, Value] = {
        "complaint.reference": record.reference,
        "complaint.brand": record.brand,
        "complaint.kind": view.complaint_kind,
        "complaint.complainant.type": person.type,
        "complaint.complainant.gender": person.gender,
        "complaint.complainant.age_band": person.age_band,
        "complaint.complainant.postcode": person.postcode,
        "complaint.status": "closed" if closed else "open",  # as at the end of the period
        "complaint.received_via": record.received_via,
        "complaint.received_date": received,
        "complaint.closed_date": closed_on,
        "complaint.days_to_close": (closed_on - received).days if closed_on else None,
        "complaint.representative": record.representative,
        "complaint.about_representative": "yes" if record.representative else "no",
        "complaint.products": list(record.products),
        "complaint.issues": list(record.issues),
        "complaint.outcome": record.outcome if closed else None,
        "complaint.compensation": record.compensation if closed else None,
        "complaint.closed_under": record.closed_under.value if closed and record.closed_under
        else None,
        "complaint.delay_notice_sent": "yes" if record.delay_notices else "no",
        "escalation.id": view.id,
    }
    return values[source]


def _cell(column: IdrColumn, value: Value, mapping: IdrMapping, policy: Policy) -> tuple[str, str]:
    """The text written and, when it breaks the column's rules, why ("" when it does not)."""
    if value is None or value == "" or value == []:
        return "", ""
    table = policy.complaints.code_tables.get(column.code_table or "")
    match column.format:
        case "date" if isinstance(value, date):
            text = value.isoformat() if mapping.date_format == "YYYY-MM-DD" else (
                f"{value:%d/%m/%Y}")
        case "integer" if isinstance(value, int):
            if value < 0:
                return str(value), "a count of days cannot be negative"
            text = str(value)
        case "decimal" if isinstance(value, Decimal):
            text = f"{value:.2f}"
        case "codes" if isinstance(value, list):
            unknown = [c for c in value if table is None or c not in table.codes]
            if unknown:
                return ";".join(value), (
                    f"not in code table {column.code_table}: {', '.join(unknown)}")
            text = mapping.separator.join(column.translate.get(c, c) for c in value)
        case "code" | "flag" | "text" if isinstance(value, str):
            if column.format == "code" and (table is None or value not in table.codes):
                return value, f"{value!r} is not in code table {column.code_table}"
            text = column.translate.get(value, value)
        case _:
            return str(value), f"a {type(value).__name__} cannot be written as {column.format}"
    if column.max_length is not None and len(text) > column.max_length:
        return text, f"longer than {column.max_length} characters"
    if column.pattern is not None and re.fullmatch(column.pattern, text) is None:
        return text, f"does not match {column.pattern}"
    return text, ""


def _row(view: EscalationView, number: int, mapping: IdrMapping, policy: Policy,
         period: Period) -> tuple[list[str], list[IdrProblem]]:
    record = view.complaint
    assert record is not None
    zone = policy.calendar.zone()
    cells: list[str] = []
    problems: list[IdrProblem] = []

    def refuse(column: IdrColumn, reason: str) -> None:
        problems.append(IdrProblem(row=number, reference=record.reference, column=column.name,
                                   element=column.element, reason=reason))

    for column in mapping.columns:
        value = _value(column.source, view, record, period, zone)
        if column.when is not None and str(
                _value(column.when.source, view, record, period, zone)) not in column.when.values:
            cells.append("")  # a conditional element is reported only when its condition holds
            continue
        text, why = _cell(column, value, mapping, policy)
        if why:
            refuse(column, why)
        elif not text and column.requirement == "mandatory":
            refuse(column, "mandatory, and empty")
        elif not text and column.requirement == "conditional" and column.when is not None:
            refuse(column, f"required when {column.when.source} is "
                   f"{' or '.join(column.when.values)}, and empty")
        cells.append(text)
    return cells, problems


def build_idr(views: Sequence[EscalationView], policy: Policy, period: Period) -> IdrFile:
    """The rows of `views` (complaints of the period, received order) or every problem."""
    mapping = policy.idr
    if mapping is None:
        raise ValueError("the policy has no [idr] mapping")
    names = [c.name for c in mapping.columns]
    rows: list[list[str]] = []
    problems: list[IdrProblem] = []
    complaints = [v for v in views if v.complaint is not None]
    for number, view in enumerate(complaints, start=1):
        cells, found = _row(view, number, mapping, policy, period)
        rows.append(cells)
        problems += found
    for column_index, column in enumerate(mapping.columns):
        if column.source != "complaint.reference":
            continue
        seen: dict[str, int] = {}
        for number, cells in enumerate(rows, start=1):
            first = seen.setdefault(cells[column_index], number)
            if first != number:
                problems.append(IdrProblem(
                    row=number, reference=cells[column_index], column=column.name,
                    element=column.element, reason=f"the same identifier as row {first}"))
    if problems:
        return IdrFile(period=period, columns=names, problems=problems)
    return IdrFile(period=period, columns=names, rows=rows)


def to_csv(file: IdrFile) -> str:
    """The data file: a header row, then one row per complaint. Refuses a file with problems."""
    if file.problems:
        raise ValueError(f"{len(file.problems)} problems: the file is not written")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(file.columns)
    writer.writerows(file.rows)
    return out.getvalue()
