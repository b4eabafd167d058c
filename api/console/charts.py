"""Charts as SVG made on the server: no chart library, no script, nothing the CSP must allow.

One kind of chart covers the report: horizontal bars, one group per category and one bar per
series. Every text is escaped here (markupsafe), and each chart has a title and a description
for screen readers; the page also shows the figures as a table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import count

from markupsafe import Markup, escape

WIDTH = 640
LABEL = 150  # room for the category names
BAR = 14
GAP = 4
GROUP_GAP = 12
_ids = count(1)


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]


def _percent(value: float) -> str:
    return f"{value * 100:.0f}%"


def bar_chart(
    *,
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    maximum: float | None = None,
    show: Callable[[float], str] = _percent,
) -> Markup:
    """Grouped horizontal bars; a None value is drawn as "no data", never as zero."""
    chart_id = f"chart-{next(_ids)}"
    values = [v for s in series for v in s.values if v is not None]
    top = maximum if maximum is not None else max(values, default=0.0) or 1.0
    span = WIDTH - LABEL - 60
    group_height = len(series) * (BAR + GAP) + GROUP_GAP
    legend_height = 22
    height = legend_height + len(categories) * group_height + 4
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" data-chart="{escape(title)}">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(_describe(categories, series, show))}</desc>',
    ]
    x = LABEL
    for index, one in enumerate(series):
        parts.append(f'<rect class="s{index + 1}" x="{x}" y="4" width="12" height="12"/>')
        parts.append(f'<text x="{x + 16}" y="15">{escape(one.name)}</text>')
        x += 24 + 8 * len(one.name)
    y = legend_height
    for row, category in enumerate(categories):
        parts.append(f'<text class="category" x="0" y="{y + BAR}">{escape(category)}</text>')
        for index, one in enumerate(series):
            value = one.values[row] if row < len(one.values) else None
            bar_y = y + index * (BAR + GAP)
            if value is None:
                parts.append(f'<text class="none" x="{LABEL}" y="{bar_y + BAR - 2}">'
                             f'{escape(one.name)}: no data</text>')
                continue
            width = max(1.0, span * min(value / top, 1.0))
            label = f"{one.name}: {show(value)}"
            parts.append(
                f'<rect class="s{index + 1}" x="{LABEL}" y="{bar_y}" width="{width:.1f}" '
                f'height="{BAR}"><title>{escape(category)}, {escape(label)}</title></rect>'
                f'<text x="{LABEL + width + 4:.1f}" y="{bar_y + BAR - 2}">'
                f'{escape(show(value))}</text>'
            )
        y += group_height
    parts.append("</svg>")
    return Markup("".join(parts))


def _describe(categories: Sequence[str], series: Sequence[Series],
              show: Callable[[float], str]) -> str:
    rows = []
    for row, category in enumerate(categories):
        cells = [f"{s.name} {show(v) if (v := s.values[row]) is not None else 'no data'}"
                 for s in series if row < len(s.values)]
        rows.append(f"{category}: {', '.join(cells)}")
    return "; ".join(rows) or "no data"


def hours(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{seconds / 60:.0f} min"


def whole(value: float) -> str:
    return f"{value:.0f}"
