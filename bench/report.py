"""The results as one rich table: ours, bare, the ratio, the target and whether it was met."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

Row = tuple[str, str, str, str, str, str]


def _f(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.{digits}f}"


def _verdict(ok: bool | None) -> str:
    if ok is None:
        return ""
    return "[green]met[/]" if ok else "[red]missed[/]"


def _check(value: Any, test: Callable[[float], bool]) -> bool | None:
    if not isinstance(value, int | float) or math.isnan(value):
        return None
    return test(float(value))


def _shape(shape: dict[str, Any]) -> str:
    local = shape.get("local_activities", 0)
    return (f"{shape['activities'] + local} ({local})/{shape['updates']}/{shape['timers']}")


def rows(results: dict[str, Any]) -> list[Row]:
    out: list[Row] = []
    if (lc := results.get("lifecycle")) is not None:
        o, b = lc["ours"], lc["bare"]
        out.append((f"Lifecycle throughput, escalations/s (x{o['escalations']}, "
                    f"{lc['concurrency']} at once)", _f(o["per_second"], 2),
                    _f(b["per_second"], 2), _f(lc["ratio"], 2), ">= 0.8",
                    _verdict(_check(lc["ratio"], lambda r: r >= 0.8))))
        for q in ("p50", "p99"):
            out.append((f"  action round trip {q}, ms", _f(o["action"][f"{q}_ms"]),
                        _f(b["action"][f"{q}_ms"]),
                        _f(o["action"][f"{q}_ms"] / b["action"][f"{q}_ms"], 2), "", ""))
        out.append(("  create round trip p99, ms", _f(o["create"]["p99_ms"]),
                    _f(b["create"]["p99_ms"]),
                    _f(o["create"]["p99_ms"] / b["create"]["p99_ms"], 2), "", ""))
        oc, bc = o["cpu_ms_per_escalation"], b["cpu_ms_per_escalation"]
        if oc and bc:
            out.append(("  CPU ms per lifecycle, all processes", _f(oc["total"], 0),
                        _f(bc["total"], 0), _f(oc["total"] / bc["total"], 2), "", ""))
            out.append(("  CPU ms per lifecycle, worker", _f(oc.get("ours-worker"), 0),
                        _f(bc.get("bare-worker"), 0), "", "", ""))
            out.append(("  CPU ms per lifecycle, Temporal server", _f(oc.get("temporal"), 0),
                        _f(bc.get("temporal"), 0), "", "", ""))
            out.append(("  CPU ms per lifecycle, API", _f(oc.get("ours-api"), 0),
                        _f(bc.get("bare-api"), 0), "", "", ""))
        if (bl := lc.get("bare_local")) is not None:
            out.append(("  vs a bare lifecycle with local awaited activities, escalations/s",
                        _f(o["per_second"], 2), _f(bl["per_second"], 2),
                        _f(lc["ratio_vs_bare_local"], 2), "", ""))
        if (bs := lc.get("bare_sized")) is not None:
            sized_cpu = bs["cpu_ms_per_escalation"]
            out.append(("  vs a bare lifecycle with payloads the size of ours, escalations/s",
                        _f(o["per_second"], 2), _f(bs["per_second"], 2),
                        _f(lc["ratio_vs_bare_sized"], 2), "", ""))
            out.append(("  ↳ its CPU ms per lifecycle, all processes / Temporal server",
                        "", f"{_f(sized_cpu['total'], 0)} / {_f(sized_cpu.get('temporal'), 0)}",
                        "", "", ""))
        for name in lc.get("variants", []):
            v = lc[name]
            vc = v["cpu_ms_per_escalation"]
            out.append((f"  variant {name} ({v['experiment']}): escalations/s",
                        _f(v["per_second"], 2), _f(b["per_second"], 2), _f(v["ratio"], 2),
                        ">= 0.8", _verdict(_check(v["ratio"], lambda r: r >= 0.8))))
            if vc and bc:
                out.append((f"  variant {name}: CPU ms per lifecycle, all processes",
                            _f(vc["total"], 0), _f(bc["total"], 0),
                            _f(vc["total"] / bc["total"], 2), "", ""))
        shape = lc.get("shape", {})
        if "ours" in shape and "bare" in shape:
            s_o, s_b = shape["ours"], shape["bare"]
            out.append(("  activities (of them local) / updates / timers per lifecycle",
                        _shape(s_o), _shape(s_b), "", "equal", _verdict(shape.get("same_work"))))
        out.append(("  notifications received (webhooks, loopback)",
                    _f(o.get("notifications_received")), "-", "",
                    "0 duplicates", _verdict(o.get("duplicate_deliveries") == 0)))
    if (api := results.get("api")) is not None:
        for q in ("p50", "p99"):
            ratio = api[f"ratio_{q}_vs_start"]
            out.append((f"API create {q}, ms ({api['concurrency']} clients) vs bare start",
                        _f(api["ours"][f"{q}_ms"]), _f(api["bare_start"][f"{q}_ms"]),
                        _f(ratio, 2), "<= 2x" if q == "p99" else "",
                        _verdict(_check(ratio, lambda r: r <= 2.0)) if q == "p99" else ""))
        out.append(("  vs bare update-with-start (same Temporal work), p99 ms",
                    _f(api["ours"]["p99_ms"]), _f(api["bare_update_with_start"]["p99_ms"]),
                    _f(api["ratio_p99_vs_update_with_start"], 2), "", ""))
        # Opening like for like: the hold section's bare side arms one timer and runs no
        # activity, this route runs the baseline's intake (two activities) as ours does.
        ours_rate = api["ours"]["per_second"]
        same_rate = api["bare_update_with_start"]["per_second"]
        out.append(("  creates/s vs bare update-with-start (same Temporal work)",
                    _f(ours_rate, 2), _f(same_rate, 2),
                    _f(ours_rate / same_rate if same_rate else None, 2), "", ""))
        for name in api.get("variants", []):
            ratio = api[name]["ratio_p99_vs_start"]
            out.append((f"  variant {name}: create p99, ms, vs bare start",
                        _f(api[name]["p99_ms"]), _f(api["bare_start"]["p99_ms"]),
                        _f(ratio, 2), "<= 2x", _verdict(_check(ratio, lambda r: r <= 2.0))))
    if (intake := results.get("intake")) is not None:
        for mix, what in (("cold", "cold: triaged and stored"),
                          ("mixed", "1 in 10 hot: grouped into 2 escalations")):
            figures = intake[mix]
            out.append((f"Intake posts/s, batches of {intake['batch']} ({what}) vs parse only",
                        _f(figures["ours"]["posts_per_second"]),
                        _f(figures["bare"]["posts_per_second"]), _f(figures["ratio"], 3), "",
                        ""))
            out.append(("  batch round trip p50 / p99, ms",
                        f"{_f(figures['ours']['p50_ms'])} / {_f(figures['ours']['p99_ms'])}",
                        f"{_f(figures['bare']['p50_ms'])} / {_f(figures['bare']['p99_ms'])}",
                        "", "", ""))
        api_rate = (results.get("api") or {}).get("ours", {}).get("per_second")
        if api_rate:
            hot = intake["mixed"]["ours"]["posts_per_second"]
            out.append(("  intake posts/s (mixed) vs our creates/s (api section)", _f(hot),
                        _f(api_rate, 2), _f(hot / api_rate, 1), "> 1 (not the bottleneck)",
                        _verdict(hot > api_rate)))
    if (hold := results.get("hold")) is not None:
        out.append((f"Open and park, escalations/s ({hold['concurrency']} clients)",
                    _f(hold["ours"]["per_second"], 2), _f(hold["bare"]["per_second"], 2),
                    _f(hold["ratio"], 2), ">= 0.8",
                    _verdict(_check(hold["ratio"], lambda r: r >= 0.8))))
        for name in hold.get("variants", []):
            out.append((f"  variant {name}: open and park, escalations/s",
                        _f(hold[name]["per_second"], 2), _f(hold["bare"]["per_second"], 2),
                        _f(hold[name]["ratio"], 2), ">= 0.8",
                        _verdict(_check(hold[name]["ratio"], lambda r: r >= 0.8))))
        for point in hold["checkpoints"]:
            out.append((f"Worker RSS per held escalation, KiB, at {point['open']:,} open",
                        _f(point["ours"]["kib_per_escalation"]),
                        _f(point["bare"]["kib_per_escalation"]), _f(point["ratio"], 2),
                        "<= 1.5x", _verdict(_check(point["ratio"], lambda r: r <= 1.5))))
            for name in hold.get("variants", []):
                ratio = point[name]["ratio"]
                out.append((f"  variant {name}: RSS per held escalation, KiB",
                            _f(point[name]["kib_per_escalation"]),
                            _f(point["bare"]["kib_per_escalation"]), _f(ratio, 2), "<= 1.5x",
                            _verdict(_check(ratio, lambda r: r <= 1.5))))
    if (burst := results.get("burst")) is not None:
        o, b = burst["ours"], burst["bare"]
        late = o["fired_p99_s"]
        out.append((f"{burst['timers']:,} timers due together: fired p99 late, s",
                    _f(late, 2), _f(b["fired_p99_s"], 2), "", "< 1 s",
                    _verdict(_check(late, lambda v: v < 1.0))))
        # Where the lateness comes from (bench.history.Firing): the workflow task that armed
        # the timer (the worker), and the server's timer queue after the duration ran out.
        # `.get`: result files written before the split render it as "-".
        out.append(("  of it: duration ends past due (arming task) p99 / p50, s",
                    f"{_f(o.get('armed_p99_s'), 2)} / {_f(o.get('armed_p50_s'), 2)}",
                    f"{_f(b.get('armed_p99_s'), 2)} / {_f(b.get('armed_p50_s'), 2)}", "", "", ""))
        out.append(("  of it: server fired after the duration ended p99 / p50, s",
                    f"{_f(o.get('server_p99_s'), 2)} / {_f(o.get('server_p50_s'), 2)}",
                    f"{_f(b.get('server_p99_s'), 2)} / {_f(b.get('server_p50_s'), 2)}", "", "",
                    ""))
        # Handled: the workflow task that ran the timer's code completed (a worker's backlog).
        out.append(("  handled (its workflow task completed) p99 late, s",
                    _f(o["handled_p99_s"], 2), _f(b["handled_p99_s"], 2), "", "", ""))
    if (hist := results.get("history")) is not None:
        out.append((f"History events, P1 lifecycle with {hist['status_updates']} status "
                    "updates", _f(hist["events"]), "-", "", "<< 10,240",
                    _verdict(hist["events"] < 10_240 / 4)))
        out.append(("  bytes per event (serialized history / events)",
                    _f(hist["bytes_per_event"], 0), "-", "", "", ""))
    if (co := results.get("console")) is not None:
        out.append((f"Console board p99 vs GET /v1/escalations, ms ({co['escalations']:,} "
                    "stored)", _f(co["board"]["p99_ms"]), _f(co["list"]["p99_ms"]),
                    _f(co["board_ratio_p99"], 2), "<= 1.5x",
                    _verdict(_check(co["board_ratio_p99"], lambda r: r <= 1.5))))
        out.append(("Console escalation page p99 vs JSON escalation + timeline, ms",
                    _f(co["page"]["p99_ms"]), _f(co["json"]["p99_ms"]),
                    _f(co["page_ratio_p99"], 2), "<= 2x",
                    _verdict(_check(co["page_ratio_p99"], lambda r: r <= 2.0))))
    if (pr := results.get("pragmas")) is not None:
        out.append(("SQLite pragmas, our lifecycle escalations/s: WAL | none",
                    _f(pr["wal"]["per_second"], 2), _f(pr["none"]["per_second"], 2),
                    _f(pr["ratio"], 2), "", ""))
    return out


def table(results: dict[str, Any]) -> Table:
    title = "escalations vs bare Temporal" + (" (quick)" if results.get("quick") else "")
    t = Table(title=title, title_justify="left")
    for name, justify in (("measure", "left"), ("ours", "right"), ("bare", "right"),
                          ("ours/bare", "right"), ("target", "left"), ("", "left")):
        t.add_column(name, justify=justify)  # type: ignore[arg-type]
    for row in rows(results):
        t.add_row(*row)
    return t


def error_notes(results: dict[str, Any]) -> list[str]:
    """Every side of every section that saw failed calls (they are not in the figures)."""
    notes = []
    for section, value in results.items():
        if not isinstance(value, dict):
            continue
        for side, figures in value.items():
            if isinstance(figures, dict) and figures.get("error_count"):
                first = (figures.get("errors") or [""])[0]
                notes.append(f"{section}/{side}: {figures['error_count']} failed, e.g. {first}")
    return notes


def show(results: dict[str, Any], console: Console | None = None) -> None:
    console = console or Console()
    console.print(table(results))
    for note in [*results.get("notes", []), *error_notes(results)]:
        console.print(f"- {note}", markup=False)


def markdown(results: dict[str, Any]) -> str:
    """The same table as Markdown, for docs/benchmarks.md (`python -m bench.report FILE`)."""
    lines = ["| measure | ours | bare | ours/bare | target | |", "|---|--:|--:|--:|---|---|"]
    for row in rows(results):
        cells = [re.sub(r"\[/?[a-z ]*\]", "", cell).strip() for cell in row]
        if row[0].startswith("  "):
            cells[0] = "↳ " + cells[0]
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    import json
    import sys

    print(markdown(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))))
