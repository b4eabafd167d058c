"""Opening and holding (rate, worker RSS per escalation in the cache) and a burst of due timers."""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bench import history, stack
from bench.drive import IM, Target, Timings, hold_body, percentile, post, run_concurrently
from bench.harness import Run
from bench.procs import rss_bytes
from bench.sections import add_cpu, order, per_item

WARMUP = 20  # per worker, before its baseline RSS: the sandbox's first imports are not per-item
SETTLE_SECONDS = 3.0  # after opening, before reading RSS: the last workflow tasks finish
FAR = timedelta(days=2)


def _hold_job(run: Run, side: str, target: Target, first: int, due: datetime,
              timings: Timings, sink: list[tuple[str, datetime]]) -> Any:
    async def one(k: int) -> None:
        body = hold_body(run.receiver, first + k)
        if side != "bare":
            view = await post(target, "/v1/escalations", body, IM, timings, "open")
            sink.append((str(view["id"]), _parse(view["deadlines"]["acknowledge_due"])))
        else:
            answer = await post(target, "/bare/holds", {**body, "due": due.isoformat()}, IM,
                                timings, "open")
            sink.append((str(answer["id"]), due))

    return one


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def hold_section(run: Run) -> dict[str, Any]:
    """Open escalations in interleaved chunks up to each checkpoint; RSS of each worker there.

    Both workers start fresh with caches large enough to hold everything (our worker through
    the `cache=` experiment: the SDK's default keeps 1,000), so RSS growth is what an open,
    parked escalation costs in the cache."""
    opts = run.options
    capacity = max(opts.hold) + WARMUP + opts.burst + 100
    sides = ("ours", *run.variants, "bare")
    experiments = {side: ",".join(filter(None, [
        (run.ours if side == "ours" else run.variants[side]).experiment, f"cache={capacity}"]))
        for side in sides if side != "bare"}
    for side, experiment in experiments.items():
        await run.restart_ours_worker(experiment, side)
    await run.restart_bare_worker(capacity)
    c = opts.hold_concurrency
    targets = {side: run.target(side, c) for side in sides}
    due = datetime.now(UTC) + FAR
    opened: dict[str, list[tuple[str, datetime]]] = {side: [] for side in sides}
    for side, target in targets.items():  # also waits for the new workers to poll
        await run_concurrently(WARMUP, c, _hold_job(run, side, target, 500_000, due, Timings(),
                                                    opened[side]))
    await asyncio.sleep(SETTLE_SECONDS)
    pids = {side: run.worker_pid(side) for side in sides}
    rss0 = {side: rss_bytes(pid) for side, pid in pids.items()}
    base = {side: len(opened[side]) for side in opened}
    seconds = dict.fromkeys(sides, 0.0)
    timings = {side: Timings() for side in sides}
    cpu: dict[str, dict[str, float]] = {side: {} for side in sides}
    checkpoints: list[dict[str, Any]] = []
    n = 600_000
    chunk = max(50, min(1_000, max(opts.hold) // 8))
    for goal in sorted(opts.hold):
        index = 0
        while min(len(opened[s]) - base[s] for s in opened) < goal:
            left = {side: goal - (len(opened[side]) - base[side]) for side in ("ours", "bare")}
            if (goal == max(opts.hold) and "burst" in opts.sections and run.burst_api is None
                    and max(left.values()) <= chunk):  # the last round of openings
                _prestart_burst(run, left, {s: len(opened[s]) - base[s] for s in left}, seconds)
            for side in order(index, sides):
                count = min(chunk, goal - (len(opened[side]) - base[side]))
                if count <= 0:
                    continue
                before = run.cpu()
                wall, _ = await run_concurrently(count, c, _hold_job(
                    run, side, targets[side], n, due, timings[side], opened[side]))
                add_cpu(cpu[side], before, run.cpu())
                seconds[side] += wall
                n += count
            index += 1
        await asyncio.sleep(SETTLE_SECONDS)
        point: dict[str, Any] = {"open": goal}
        for side, pid in pids.items():
            held = len(opened[side]) - base[side]
            rss = rss_bytes(pid)
            point[side] = {"held": held, "rss_mib": round(rss / 2**20, 1),
                           "kib_per_escalation": round((rss - rss0[side]) / 1024 / held, 1)}
        for side in sides[:-1]:
            point[side]["ratio"] = _ratio(point[side]["kib_per_escalation"],
                                          point["bare"]["kib_per_escalation"])
        point["ratio"] = point["ours"]["ratio"]
        checkpoints.append(point)
    result: dict[str, Any] = {"concurrency": c, "worker_cache": capacity,
                              "ours_worker_experiment": experiments["ours"],
                              "experiments": experiments, "variants": list(run.variants),
                              "checkpoints": checkpoints}
    for side in sides:
        count = len(opened[side]) - base[side]
        result[side] = {
            "opened": count,
            "per_second": round(count / seconds[side], 2) if seconds[side] else 0.0,
            "open_p50_ms": round(percentile(timings[side].all(), 50) * 1000, 1),
            "open_p99_ms": round(percentile(timings[side].all(), 99) * 1000, 1),
            "errors": len(timings[side].errors),
            "cpu_ms_per_escalation": per_item(cpu[side], count),
        }
    result["ratio"] = _ratio(result["ours"]["per_second"], result["bare"]["per_second"])
    for side in run.variants:
        result[side]["ratio"] = _ratio(result[side]["per_second"], result["bare"]["per_second"])
    return result


def _prestart_burst(run: Run, left: dict[str, int], done: dict[str, int],
                    seconds: dict[str, float]) -> None:
    """Start the burst's API now, before the last round of openings, so its start-up overlaps
    them; ours' timers come due once that round, the settling and ours' burst openings should
    be over, at the rates this section measured so far."""
    rates = {side: done[side] / seconds[side] if seconds[side] else 1.0 for side in done}
    rest = sum(left[side] / max(rates[side], 1.0) for side in left) + SETTLE_SECONDS + 2
    planned = max(API_START_SECONDS, rest) + _open_seconds(run.options.burst, rates["ours"])
    run.prestart_burst_api(burst_clock(planned))


def _ratio(ours: float, bare: float) -> float:
    return round(ours / bare, 3) if bare else math.nan


async def burst_section(run: Run, rates: dict[str, float]) -> dict[str, Any]:
    """N timers of each side due at one instant; how late each fired and was handled.

    Ours: P4 escalations on a business clock whose window opens after all are open, so each
    acknowledge timer is due at the window's opening + 1 s (stack.BurstClock); the API that
    reads that policy is a new process, started ahead (by the hold section's last round). The
    bare burst (hold workflows with their due instant as input) follows once ours' timers have
    all fired and been handled: never both at once. Not the other way round: 1,000 bare hold
    workflows completing together left the server slow enough to open ours at a third of
    its usual rate, past the planned instant.
    """
    n = run.options.burst
    c = run.options.hold_concurrency
    loop = asyncio.get_running_loop()
    ours_open = _open_seconds(n, rates["ours"])
    if run.burst_api is None:  # no hold section before
        run.prestart_burst_api(burst_clock(API_START_SECONDS + ours_open))
    clock = await run.switch_to_burst_api()
    if (clock.due - datetime.now(UTC)).total_seconds() <= ours_open:
        # Later than planned (a slow machine): a new API with a later instant.
        run.prestart_burst_api(burst_clock(API_START_SECONDS + ours_open))
        clock = await run.switch_to_burst_api()
    result: dict[str, Any] = {"timers": n}
    ours = await _open(run, "ours", run.target("ours", c), n, clock.due)
    result["ours"] = await _collect(run, ours, clock.due, loop)
    result["ours"]["opens"] = clock.opens.isoformat()
    result["bare"] = await _bare_burst(run, n, _open_seconds(n, rates["bare"]), loop)
    return result


async def _bare_burst(run: Run, n: int, open_seconds: float,
                      loop: asyncio.AbstractEventLoop) -> dict[str, Any]:
    due = datetime.now(UTC) + timedelta(seconds=open_seconds)
    opened = await _open(run, "bare", run.target("bare", run.options.hold_concurrency), n, due)
    return await _collect(run, opened, due, loop)


API_START_SECONDS = 15.0


def _open_seconds(n: int, rate: float) -> float:
    """Opening n at `rate` (measured before), with a margin: a bare hold opened after its due
    instant arms no timer at all, and the burst then waits for it until its deadline."""
    return n / max(rate, 1.0) * 1.4 + 4


def burst_clock(seconds_from_now: float) -> stack.BurstClock:
    """A window opening on the whole second `seconds_from_now` away (stack.BurstClock)."""
    opens = (datetime.now(UTC) + timedelta(seconds=seconds_from_now + 1)).replace(microsecond=0)
    return stack.BurstClock(opens=opens, due=opens + timedelta(seconds=1))


@dataclass
class Opened:
    ids: list[tuple[str, datetime]]
    seconds: float
    errors: int


async def _open(run: Run, side: str, target: Target, n: int, due: datetime) -> Opened:
    opened: list[tuple[str, datetime]] = []
    wall, errors = await run_concurrently(n, run.options.hold_concurrency, _hold_job(
        run, side, target, 800_000, due, Timings(), opened))
    return Opened(opened, wall, len(errors))


async def _collect(run: Run, opened: Opened, due: datetime,
                   loop: asyncio.AbstractEventLoop) -> dict[str, Any]:
    together = {wid: d for wid, d in opened.ids if d == due}
    wait = (due - datetime.now(UTC)).total_seconds()
    if wait > 0:
        await asyncio.sleep(wait + 2.0)
    found, missing = await history.firings(run.client, together, deadline=loop.time() + 120)
    fired = [f.fired for f in found]
    handled = [f.handled for f in found]
    armed = [f.armed for f in found]
    server = [f.server for f in found]
    return {
        "opened": len(opened.ids), "open_seconds": round(opened.seconds, 1),
        "errors": opened.errors, "due_together": len(together), "margin_s": round(wait, 1),
        "never_fired": missing,
        "fired_p50_s": _s(percentile(fired, 50)), "fired_p99_s": _s(percentile(fired, 99)),
        "fired_max_s": _s(max(fired, default=math.nan)),
        "armed_p50_s": _s(percentile(armed, 50)), "armed_p99_s": _s(percentile(armed, 99)),
        "server_p50_s": _s(percentile(server, 50)), "server_p99_s": _s(percentile(server, 99)),
        "handled_p50_s": _s(percentile(handled, 50)),
        "handled_p99_s": _s(percentile(handled, 99)),
        "handled_max_s": _s(max(handled, default=math.nan)),
        "measured_at": time.strftime("%H:%M:%S"),
    }


def _s(value: float) -> float:
    return round(value, 3)
