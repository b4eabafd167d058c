"""Replay a JSONL file of social posts into a running stack, the way a connector would.

    python examples/replay_posts.py examples/posts.jsonl --token "$INTAKE_TOKEN"

Each line is one post in the shape of `POST /v1/intake/posts` (channel, post_id, text, author,
optional customer, posted_at, optional thread_id and url). Posts go in batches of up to 500.
A batch is retried as a whole when the API answers 502, 503 or 504 or cannot be reached:
intake is idempotent per post (`channel` + `post_id`), so a retry never escalates twice and
posts the first try finished come back as `duplicate`. `--now` moves every post's time by the
same amount so the newest one is now (a demo of an old export then groups and spikes as live).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

RETRIED = {502, 503, 504}


def read_posts(path: Path) -> list[dict[str, Any]]:
    posts = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                posts.append(json.loads(line))
            except json.JSONDecodeError as error:
                raise SystemExit(f"{path}:{number}: not JSON: {error}") from None
    return posts


def shifted_to_now(posts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    times = [datetime.fromisoformat(p["posted_at"]) for p in posts]
    offset = datetime.now(UTC) - max(times)
    return [{**p, "posted_at": (t + offset).isoformat()} for p, t in zip(posts, times,
                                                                           strict=True)]


def send(http: httpx.Client, batch: list[dict[str, Any]], *, attempts: int) -> dict[str, Any]:
    """One batch, retried with exponential backoff while the stack is unavailable."""
    delay = 1.0
    for attempt in range(1, attempts + 1):
        try:
            answer = http.post("/v1/intake/posts", json={"posts": batch})
        except httpx.TransportError as error:
            problem = f"cannot reach the API ({error.__class__.__name__})"
        else:
            if answer.status_code not in RETRIED:
                if answer.is_error:
                    raise SystemExit(f"refused ({answer.status_code}): {answer.text}")
                result: dict[str, Any] = answer.json()
                return result
            problem = f"{answer.status_code}: {answer.json().get('detail', '')}"
        if attempt == attempts:
            raise SystemExit(f"gave up after {attempts} attempts: {problem}")
        sys.stderr.write(f"  {problem}; again in {delay:.0f} s\n")
        time.sleep(delay)
        delay = min(delay * 2, 30.0)
    raise AssertionError("unreachable")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path, help="JSONL, one post per line")
    parser.add_argument("--api", default="http://127.0.0.1:8000", help="the API's address")
    parser.add_argument("--token", required=True, help="an API token (role intake)")
    parser.add_argument("--batch", type=int, default=500, help="posts per call (at most 500)")
    parser.add_argument("--attempts", type=int, default=8, help="tries per batch")
    parser.add_argument("--now", action="store_true", help="move the posts' times to now")
    args = parser.parse_args()
    posts = read_posts(args.file)
    if args.now and posts:
        posts = shifted_to_now(posts)
    size = max(1, min(args.batch, 500))
    outcomes: Counter[str] = Counter()
    escalations: set[str] = set()
    headers = {"Authorization": f"Bearer {args.token}"}
    with httpx.Client(base_url=args.api, headers=headers, timeout=120.0) as http:
        for start in range(0, len(posts), size):
            answer = send(http, posts[start:start + size], attempts=args.attempts)
            outcomes.update(p["outcome"] for p in answer["posts"])
            escalations.update(answer["escalations"])
            sys.stdout.write(f"posts {start + 1}-{start + len(answer['posts'])}: "
                             f"{answer['escalated']} escalated, {answer['attached']} attached, "
                             f"{answer['recorded']} recorded, {answer['duplicate']} duplicate\n")
    sys.stdout.write(f"{len(posts)} posts: {dict(outcomes)}; escalations opened or grown: "
                     f"{', '.join(sorted(escalations)) or 'none'}\n")


if __name__ == "__main__":
    main()
