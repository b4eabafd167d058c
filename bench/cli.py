"""`python -m bench`: start everything, run the sections, print the table, write the JSON."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console

from bench import harness, holding, intake, report, sections
from bench.console import console_section
from bench.options import BARE_RUNNERS, RUNNERS, SECTIONS, Options
from worker.runner import TESTED_TEMPORALIO, installed_temporalio

RESULTS = Path(__file__).parent / "results"


def parse(argv: list[str]) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Our escalation lifecycle against bare Temporal, side by side.")
    parser.add_argument("--quick", action="store_true", help="small counts; under two minutes")
    parser.add_argument("--lifecycles", type=int, help="full lifecycles per side")
    parser.add_argument("--concurrency", type=int, help="lifecycles driven at once")
    parser.add_argument("--rounds", type=int, help="interleaved batches per side (ABBA...)")
    parser.add_argument("--creates", type=int, help="creates per route, API overhead")
    parser.add_argument("--create-concurrency", type=int, help="concurrent clients creating")
    parser.add_argument("--hold", help="RSS checkpoints, open escalations (e.g. 5000,20000)")
    parser.add_argument("--hold-concurrency", type=int, help="concurrent clients opening")
    parser.add_argument("--burst", type=int, help="timers coming due together, per side")
    parser.add_argument("--status-updates", type=int, help="in the history lifecycle")
    parser.add_argument("--pragma-lifecycles", type=int, help="per server, WAL comparison")
    parser.add_argument("--intake-batches", type=int,
                        help="batches of 500 posts per side and mix, intake throughput")
    parser.add_argument("--only", help=f"comma-separated sections of {','.join(SECTIONS)}")
    parser.add_argument("--skip", help="comma-separated sections to leave out")
    parser.add_argument("--experiment", default="",
                        help="patches for our worker, e.g. cache=5000,wft=50 (bench.ours_worker)")
    parser.add_argument("--variant", action="append", default=[], metavar="NAME=EXPERIMENT",
                        help="another copy of our stack with worker experiments, driven in "
                             "the same lifecycle rounds (repeatable), e.g. lr=local-record")
    parser.add_argument("--bare-local", action="store_true",
                        help="also a bare lifecycle whose awaited activities are local "
                             "activities, as our store writes are (a second ratio)")
    parser.add_argument("--bare-sized", action="store_true",
                        help="also a bare lifecycle whose payloads have the sizes of ours "
                             "(what our payload volume alone costs)")
    parser.add_argument("--bare-runner", choices=BARE_RUNNERS, default="sdk",
                        help="the bare worker's sandbox runner: the SDK's own (default, as "
                             "hand-written code has it) or ours (worker/runner.py's), to "
                             "compare our layers alone")
    parser.add_argument("--runner", choices=RUNNERS,
                        help="our worker's workflow runner: fast (worker/fast_runner.py, where "
                             "worker/runner.py picks it), stock (the SDK's own, as on an "
                             "untested temporalio) or both (a variant named stock beside "
                             "ours); default fast, both with --quick")
    parser.add_argument("--profile", choices=("worker", "api"), default="",
                        help="py-spy our worker or API during one section (--profile-section)")
    parser.add_argument("--profile-section", choices=("lifecycle", "api"), default="lifecycle",
                        help="the section --profile records (default: lifecycle)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    options = Options.quick_preset() if args.quick else Options()
    for name in ("lifecycles", "concurrency", "rounds", "creates", "create_concurrency",
                 "hold_concurrency", "burst", "status_updates", "pragma_lifecycles",
                 "intake_batches"):
        if (value := getattr(args, name)) is not None:
            setattr(options, name, value)
    if args.hold:
        options.hold = [int(v) for v in args.hold.split(",") if v.strip()]
    if args.only:
        options.sections = tuple(s for s in args.only.split(",") if s)
    if args.skip:
        options.sections = tuple(s for s in options.sections if s not in args.skip.split(","))
    unknown = set(options.sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections {sorted(unknown)}; known: {','.join(SECTIONS)}")
    options.experiment = args.experiment
    for item in args.variant:
        name, _, experiment = item.partition("=")
        if not name.isidentifier() or name in ("ours", "bare"):
            parser.error(f"--variant {item!r}: NAME=EXPERIMENT with a plain name")
        options.variants[name] = experiment
    options.profile = args.profile
    options.profile_section = args.profile_section
    options.bare_local = args.bare_local
    options.bare_sized = args.bare_sized
    options.bare_runner = args.bare_runner
    options.with_runner(args.runner or options.runner)
    options.keep = args.keep
    return options


async def run(options: Options, console: Console) -> dict[str, Any]:
    results: dict[str, Any] = {
        "command": "python -m bench " + " ".join(sys.argv[1:]),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "quick": options.quick,
        "options": vars(options) | {"sections": list(options.sections)},
        "machine": harness.machine(), "seconds": {}, "notes": [],
    }
    if options.bare_runner == "ours":
        results["notes"].append("the bare worker ran with our sandbox runner (--bare-runner "
                                "ours): the ratios show our layers alone, not the runner")
    if options.runner == "both":
        results["notes"].append("variant stock: our stack on the SDK's stock sandbox runner "
                                "(as on an untested temporalio); ours on the fast one")
    if (version := installed_temporalio()) not in TESTED_TEMPORALIO:
        results["notes"].append(f"temporalio {version} is not a tested release: every "
                                "worker of ours ran on the stock runner, fast included")
    begun = time.monotonic()
    async with harness.started(options) as bench:
        results["seconds"]["start"] = round(time.monotonic() - begun, 1)

        async def section(name: str, body: Any) -> Any:
            console.print(f"[dim]{time.monotonic() - begun:6.1f}s  {name} ...[/]")
            started = time.monotonic()
            value = await body
            results["seconds"][name] = round(time.monotonic() - started, 1)
            results[name] = value
            return value

        if "lifecycle" in options.sections:
            await section("lifecycle", _profiled(bench, "lifecycle",
                                                 sections.lifecycle_section(bench)))
        if "api" in options.sections:
            await section("api", _profiled(bench, "api", sections.api_section(bench)))
        if "intake" in options.sections:
            await section("intake", intake.intake_section(bench))
        if "history" in options.sections:
            await section("history", sections.history_section(bench))
        # Open rates so far, for planning the timer burst (a guess until measured).
        api = results.get("api")
        rates = ({"ours": api["ours"]["per_second"], "bare": 3 * api["bare_start"]["per_second"]}
                 if api else {"ours": 5.0, "bare": 20.0})
        if "hold" in options.sections:
            hold = await section("hold", holding.hold_section(bench))
            rates = {"ours": hold["ours"]["per_second"], "bare": hold["bare"]["per_second"]}
        if "burst" in options.sections:
            await section("burst", holding.burst_section(bench, rates))
        if "console" in options.sections:
            await section("console", console_section(bench))
        if "pragmas" in options.sections:
            async with harness.started(options, pragmas=False) as other:
                await section("pragmas", sections.pragmas_section(bench, other))
        results["notes"] += bench.notes
    results["seconds"]["total"] = round(time.monotonic() - begun, 1)
    return results


async def _profiled(bench: harness.Run, name: str, body: Any) -> Any:
    if not bench.options.profile or bench.options.profile_section != name:
        return await body
    from bench import profiling

    child = bench.ours.worker if bench.options.profile == "worker" else bench.ours.api
    out = RESULTS / f"profile-{bench.options.profile}-{time.strftime('%Y%m%d-%H%M%S')}.txt"
    with profiling.recording(child.pid, out):
        value = await body
    bench.notes.append(f"py-spy (GIL samples) of our {bench.options.profile} during the {name} "
                       f"section: {out}")
    for frame, share in profiling.summary(out, top=40):
        bench.notes.append(f"  {share:5.1f}%  {frame}")
    return value


def _terminate(_signum: int, _frame: object) -> None:
    # SIGTERM takes the Ctrl-C path: every `finally` runs and every child is stopped.
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> None:
    options = parse(sys.argv[1:] if argv is None else argv)
    console = Console(width=max(Console().width, 118))  # the table stays readable in a pipe
    signal.signal(signal.SIGTERM, _terminate)
    try:
        results = asyncio.run(run(options, console))
    except KeyboardInterrupt:
        console.print("[yellow]interrupted; everything started was stopped[/]")
        raise SystemExit(130) from None
    report.show(results, console)
    path = harness.write_results(results, RESULTS)
    console.print(f"took {results['seconds']['total']:.0f} s; JSON: {path}")
