"""What a run measures and how much of it: `--quick` (under two minutes) or the full run."""

from __future__ import annotations

from dataclasses import dataclass, field

SECTIONS = ("lifecycle", "api", "intake", "history", "hold", "burst", "pragmas", "console")
# The bare worker's sandbox runner (--bare-runner; bench.bare_worker --runner).
BARE_RUNNERS = ("sdk", "ours")
# Our worker's workflow runner (--runner): "fast" as worker/runner.py picks it, "stock" the
# SDK's own through the STOCK_RUNNER experiment, "both" our worker on the fast one beside a
# variant named "stock" on the stock one, driven in the same rounds.
RUNNERS = ("fast", "stock", "both")
STOCK_RUNNER = "stock-sandbox"  # bench.ours_worker's experiment


@dataclass
class Options:
    quick: bool = False
    lifecycles: int = 120  # per side, split over the interleaved rounds
    concurrency: int = 20  # lifecycles driven at once
    rounds: int = 2  # ours, bare, bare, ours, ... (ABBA cancels drift)
    creates: int = 400  # per side, for the API overhead
    create_concurrency: int = 20
    hold: list[int] = field(default_factory=lambda: [5_000, 20_000])  # RSS checkpoints
    hold_concurrency: int = 20
    burst: int = 1_000
    status_updates: int = 20  # in the history lifecycle
    pragma_lifecycles: int = 60  # per dev server, for the WAL comparison
    console_escalations: int = 10_000  # in the store while the board is timed (bench/console.py)
    console_samples: int = 300  # requests per side
    intake_batches: int = 20  # batches of 500 posts per side and mix (bench.intake)
    sections: tuple[str, ...] = SECTIONS
    experiment: str = ""  # patches for our worker (bench.ours_worker)
    # Extra copies of our stack (own worker, API, task queue, store), each with experiments,
    # driven in the same interleaved lifecycle rounds: name -> experiment.
    variants: dict[str, str] = field(default_factory=dict)
    # Also a bare baseline whose awaited activities are local, as our store writes are.
    bare_local: bool = False
    bare_sized: bool = False
    # The bare worker's sandbox runner: "sdk" (the SDK's own, as hand-written code has it) or
    # "ours" (worker/runner.py's choice: what our layers cost with the same SDK plumbing).
    bare_runner: str = "sdk"
    runner: str = "fast"
    profile: str = ""  # "worker" or "api": py-spy records it during one section
    profile_section: str = "lifecycle"  # "lifecycle" or "api"
    keep: bool = False  # keep the temporary directory (logs, databases)

    @classmethod
    def quick_preset(cls) -> Options:
        # Both runners: the quick run is what shows the fallback still works, and what it costs.
        return cls(quick=True, lifecycles=16, concurrency=8, rounds=2, creates=40,
                   hold=[200], burst=100, pragma_lifecycles=10, intake_batches=4, runner="both",
                   console_escalations=1_000, console_samples=60,
                   sections=tuple(s for s in SECTIONS if s != "pragmas"))

    def with_runner(self, runner: str) -> None:
        """Our worker on `runner` (RUNNERS), through the experiment and variant options."""
        self.runner = runner
        if runner == "stock":
            self.experiment = ",".join(filter(None, [self.experiment, STOCK_RUNNER]))
        elif runner == "both":
            self.variants.setdefault("stock", STOCK_RUNNER)
