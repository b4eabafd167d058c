"""Lifecycle throughput, API overhead and history size: ours and bare, interleaved on one server."""

from __future__ import annotations

import asyncio
from typing import Any

from google.protobuf.json_format import MessageToJson

from bench import history
from bench.drive import (
    IM,
    Target,
    Timings,
    escalation_body,
    lifecycle,
    percentile,
    post,
    run_concurrently,
)
from bench.harness import Run

SIDES = ("ours", "bare")
# The optional second bare apps (--bare-local, --bare-sized): Run attributes of these names.
EXTRA_BARE = ("bare_local", "bare_sized")
WARMUP = 2  # lifecycles per side before anything is timed (imports, sandbox, connections)


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def latency(values: list[float]) -> dict[str, float]:
    return {"n": len(values), "p50_ms": ms(percentile(values, 50)),
            "p99_ms": ms(percentile(values, 99)), "max_ms": ms(max(values, default=0.0))}


def order(round_index: int, sides: tuple[str, ...] = SIDES) -> tuple[str, ...]:
    """ABBA: the sides in order in even rounds, reversed in odd ones."""
    return sides if round_index % 2 == 0 else sides[::-1]


async def _lifecycles(run: Run, target: Target, count: int, concurrency: int, first: int,
                      timings: Timings) -> tuple[float, list[str], list[str]]:
    ids: list[str] = []

    async def one(n: int) -> None:
        body = escalation_body(run.receiver, first + n)
        ids.append(await lifecycle(target, body, timings))

    wall, errors = await run_concurrently(count, concurrency, one)
    return wall, errors, ids


async def lifecycle_section(run: Run) -> dict[str, Any]:
    """N full lifecycles per side, in ABBA rounds; escalations/s and per-action round trips."""
    opts = run.options
    extras = tuple(name for name in EXTRA_BARE if getattr(run, name) is not None)
    sides = ("ours", *run.variants, "bare", *extras)
    batch = max(1, opts.lifecycles // opts.rounds)
    walls = dict.fromkeys(sides, 0.0)
    counts = dict.fromkeys(sides, 0)
    timings = {side: Timings() for side in sides}
    errors: dict[str, list[str]] = {side: [] for side in sides}
    ids: dict[str, list[str]] = {side: [] for side in sides}
    cpu: dict[str, dict[str, float]] = {side: {} for side in sides}
    for side in sides:  # warm-up, untimed
        target = run.target(side, opts.concurrency)
        _, warm_errors, warm_ids = await _lifecycles(run, target, WARMUP, WARMUP, 900_000,
                                                     Timings())
        errors[side] += warm_errors
        ids[side] += warm_ids
    before = await run.receiver_stats()
    n = 0
    for index in range(opts.rounds):
        for side in order(index, sides):
            target = run.target(side, opts.concurrency)
            cpu_before = run.cpu()
            wall, batch_errors, batch_ids = await _lifecycles(
                run, target, batch, opts.concurrency, n, timings[side])
            add_cpu(cpu[side], cpu_before, run.cpu())
            n += batch
            walls[side] += wall
            counts[side] += len(batch_ids)
            errors[side] += batch_errors
            ids[side] += batch_ids
    after = await run.receiver_stats()
    result: dict[str, Any] = {"concurrency": opts.concurrency,
                              "driven": "ours: our API (HTTP); bare: the bare FastAPI app "
                                        "(HTTP), same paths and bodies"}
    for side in sides:
        t = timings[side]
        result[side] = {
            "escalations": counts[side],
            "seconds": round(walls[side], 2),
            "per_second": round(counts[side] / walls[side], 3) if walls[side] else 0.0,
            "create": latency(t.calls.get("create", [])),
            "action": latency(t.all(exclude=("create",))),
            "by_action": {name: latency(v) for name, v in t.calls.items()},
            "conflicts_retried": t.conflicts_retried,
            "errors": errors[side][:5],
            "error_count": len(errors[side]),
            "cpu_ms_per_escalation": per_item(cpu[side], counts[side]),
        }
    result["ratio"] = _ratio(result["ours"]["per_second"], result["bare"]["per_second"])
    for extra in extras:
        result[f"ratio_vs_{extra}"] = _ratio(result["ours"]["per_second"],
                                             result[extra]["per_second"])
    for name, variant in run.variants.items():
        result[name]["experiment"] = variant.experiment
        result[name]["ratio"] = _ratio(result[name]["per_second"], result["bare"]["per_second"])
    result["variants"] = list(run.variants)
    result["ours"]["notifications_received"] = after["count"] - before["count"]
    result["ours"]["duplicate_deliveries"] = after["duplicates"]
    result["shape"] = await _shapes(run, ids)
    return result


def add_cpu(into: dict[str, float], before: dict[str, float], after: dict[str, float]) -> None:
    for name, seconds in after.items():
        into[name] = into.get(name, 0.0) + seconds - before.get(name, seconds)


def per_item(cpu: dict[str, float], count: int) -> dict[str, float]:
    """CPU milliseconds per item by process, only the processes that did work."""
    if not count:
        return {}
    used = {name: round(seconds * 1000 / count, 1) for name, seconds in sorted(cpu.items())
            if seconds > 0.005 * count}
    return used | {"total": round(sum(cpu.values()) * 1000 / count, 1)}


def _ratio(ours: float, bare: float) -> float:
    return round(ours / bare, 3) if bare else float("nan")


async def _shapes(run: Run, ids: dict[str, list[str]]) -> dict[str, Any]:
    """One finished lifecycle per side: the same activities, updates and timers?"""
    shapes: dict[str, Any] = {}
    found: dict[str, history.Shape] = {}
    for side in (*SIDES, *EXTRA_BARE):
        if not ids.get(side):
            continue
        handle = run.client.get_workflow_handle(ids[side][0])
        await handle.result(rpc_timeout=None)  # the last update returns before completion
        fetched = await history.fetch(run.client, ids[side][0])
        found[side] = history.shape(fetched)
        if run.options.keep:  # to replay offline (temporalio.worker.Replayer) or read
            (run.workdir / f"history-{side}.json").write_text(MessageToJson(fetched))
        shapes[side] = vars(found[side]) | {
            "bytes_per_event": round(found[side].bytes_per_event, 1)}
    if "ours" in found and "bare" in found:
        shapes["same_work"] = found["ours"].same_work(found["bare"])
    for extra in EXTRA_BARE:
        if extra in found:
            shapes[f"same_work_{extra}"] = found["ours"].same_work(found[extra])
    return shapes


async def api_section(run: Run) -> dict[str, Any]:
    """Create round trips at N concurrent clients: ours, a bare route that only starts the
    baseline workflow, and a bare route that does update-with-start as ours does."""
    opts = run.options
    c = opts.create_concurrency
    routes = {
        "ours": (run.target("ours", c), "/v1/escalations"),
        **{name: (run.target(name, c), "/v1/escalations") for name in run.variants},
        "bare_start": (run.target("bare", c), "/bare/starts"),
        "bare_update_with_start": (run.target("bare", c), "/bare/escalations"),
    }
    timings = {name: Timings() for name in routes}
    walls: dict[str, float] = {}
    created: list[tuple[str, str]] = []
    half = max(1, opts.creates // 2)
    n = 100_000
    for round_index in range(2):
        names = list(routes) if round_index == 0 else list(routes)[::-1]
        for name in names:
            target, path = routes[name]
            first = n

            async def one(k: int, target: Target = target, path: str = path, name: str = name,
                          first: int = first) -> None:
                answer = await post(target, path, escalation_body(run.receiver, first + k), IM,
                                    timings[name], "create")
                if name == "ours" or name in run.variants:
                    created.append((name, str(answer["id"])))

            wall, _ = await run_concurrently(half, c, one)
            walls[name] = walls.get(name, 0.0) + wall
            n += half
    if not opts.quick:
        # Cancelled, untimed: their P1 timers (15 min) must not fire in a later section; a
        # quick run is over before that.
        await run_concurrently(len(created), c, lambda k: post(
            run.target(created[k][0], c), f"/v1/escalations/{created[k][1]}/cancel",
            {"reason": "bench"}, IM, Timings(), "cancel"))
    result: dict[str, Any] = {"concurrency": c}
    for name in routes:
        result[name] = latency(timings[name].all()) | {
            "per_second": round(2 * half / walls[name], 2)}
    result["ratio_p99_vs_start"] = _ratio(result["ours"]["p99_ms"],
                                          result["bare_start"]["p99_ms"])
    result["ratio_p50_vs_start"] = _ratio(result["ours"]["p50_ms"],
                                          result["bare_start"]["p50_ms"])
    result["ratio_p99_vs_update_with_start"] = _ratio(
        result["ours"]["p99_ms"], result["bare_update_with_start"]["p99_ms"])
    for name, variant in run.variants.items():
        result[name]["experiment"] = variant.experiment
        result[name]["ratio_p99_vs_start"] = _ratio(result[name]["p99_ms"],
                                                    result["bare_start"]["p99_ms"])
    result["variants"] = list(run.variants)
    return result


async def history_section(run: Run) -> dict[str, Any]:
    """One P1 lifecycle with N status updates: events and bytes in its history."""
    updates = [("status-updates", {"message": f"update {k}", "audiences": ["internal"]}, IM)
               for k in range(run.options.status_updates)]
    escalation = await lifecycle(run.target("ours", 1), escalation_body(run.receiver, 7),
                                 Timings(), extra=updates)
    await run.client.get_workflow_handle(escalation).result(rpc_timeout=None)
    shape = history.shape(await history.fetch(run.client, escalation))
    return {"status_updates": run.options.status_updates, **vars(shape),
            "bytes_per_event": round(shape.bytes_per_event, 1),
            "share_of_warning": round(shape.events / 10_240, 4)}


async def settle(seconds: float) -> None:
    await asyncio.sleep(seconds)


async def pragmas_section(wal: Run, none: Run) -> dict[str, Any]:
    """Our lifecycle on a dev server with `escalations up`'s SQLite pragmas and on one without,
    in ABBA batches (each server with its own worker and API, idle while the other runs)."""
    opts = wal.options
    runs = {"wal": wal, "none": none}
    batch = max(1, opts.pragma_lifecycles // 2)
    walls = dict.fromkeys(runs, 0.0)
    counts = dict.fromkeys(runs, 0)
    timings = {name: Timings() for name in runs}
    errors: dict[str, list[str]] = {name: [] for name in runs}
    for run in runs.values():  # warm-up, untimed
        await _lifecycles(run, run.target("ours", opts.concurrency), WARMUP, WARMUP, 910_000,
                          Timings())
    n = 950_000
    for index in range(2):
        for name in (("wal", "none") if index % 2 == 0 else ("none", "wal")):
            run = runs[name]
            wall, batch_errors, ids = await _lifecycles(
                run, run.target("ours", opts.concurrency), batch, opts.concurrency, n,
                timings[name])
            errors[name] += batch_errors
            n += batch
            walls[name] += wall
            counts[name] += len(ids)
    result: dict[str, Any] = {"concurrency": opts.concurrency}
    for name in runs:
        result[name] = {"escalations": counts[name], "seconds": round(walls[name], 2),
                        "per_second": round(counts[name] / walls[name], 3),
                        "action": latency(timings[name].all(exclude=("create",))),
                        "error_count": len(errors[name]), "errors": errors[name][:3]}
    result["ratio"] = _ratio(result["wal"]["per_second"], result["none"]["per_second"])
    return result
