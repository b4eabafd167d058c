"""Intake throughput: batches of 500 posts through our `POST /v1/intake/posts` (triaged,
stored, grouped) against a bare route that only parses the same JSON, in ABBA rounds.

Two mixes: `cold` (every post recorded: triage and store only, no Temporal) and `mixed` (one
post in ten hot, about two outages: the first batch opens two escalations, every later one
attaches to them, one update per escalation per batch; the outage spike watch runs beside).
Post ids are new in every batch, so nothing is a duplicate.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

from bench.drive import Timings, post
from bench.harness import Run
from bench.sections import latency, order

BATCH = 500
COLD = ["Love the new colours in your store", "Thanks for the quick reply yesterday",
        "What time do you open on Sunday? Asking for the whole team here",
        "شكراً على الخدمة الممتازة", "ممنون از پاسخ سریع شما"]
HOT = ["The app is down again, nothing loads #BenchDown{k}",
       "التطبيق لا يعمل منذ الصباح #BenchDown{k}", "اپلیکیشن از صبح قطعه #BenchDown{k}"]


def batch(run_id: str, number: int, *, hot_every: int | None) -> dict[str, Any]:
    now = datetime.now(UTC).isoformat()
    posts = []
    for n in range(BATCH):
        hot = hot_every is not None and n % hot_every == 0
        text = (HOT[n % len(HOT)].format(k=n % 2) if hot else COLD[n % len(COLD)])
        posts.append({
            "channel": "twitter", "post_id": f"{run_id}-{number}-{n}", "text": text,
            "author": {"handle": f"@bench{n}", "followers": 100}, "posted_at": now,
            "customer": {"id": f"bench-{n % 300}", "name": f"Customer {n % 300}"},
        })
    return {"posts": posts}


async def intake_section(run: Run) -> dict[str, Any]:
    opts = run.options
    sides = {"ours": (run.target("ours", 1), "/v1/intake/posts"),
             "bare": (run.target("bare", 1), "/bare/intake/posts")}
    result: dict[str, Any] = {"batch": BATCH, "batches_per_side": opts.intake_batches}
    for mix, hot_every in (("cold", None), ("mixed", 10)):
        run_id = f"{mix}-{uuid.uuid4().hex[:6]}"
        timings = {side: Timings() for side in sides}
        walls = dict.fromkeys(sides, 0.0)
        outcomes: dict[str, int] = {}
        number = 0
        half = max(1, opts.intake_batches // 2)
        for round_index in range(2):
            for side in order(round_index, tuple(sides)):
                target, path = sides[side]
                for _ in range(half):
                    body = batch(run_id, number, hot_every=hot_every)
                    number += 1
                    started = time.perf_counter()
                    answer = await post(target, path, body, "intake", timings[side], "batch")
                    walls[side] += time.perf_counter() - started
                    if side == "ours":
                        for name in ("escalated", "attached", "recorded", "duplicate"):
                            outcomes[name] = outcomes.get(name, 0) + int(answer[name])
        figures: dict[str, Any] = {}
        for side in sides:
            posts = BATCH * 2 * half
            figures[side] = latency(timings[side].all()) | {
                "posts": posts, "seconds": round(walls[side], 2),
                "posts_per_second": round(posts / walls[side], 1) if walls[side] else 0.0}
        figures["ours"]["outcomes"] = outcomes
        figures["ratio"] = round(figures["ours"]["posts_per_second"]
                                 / figures["bare"]["posts_per_second"], 3)
        result[mix] = figures
    return result
