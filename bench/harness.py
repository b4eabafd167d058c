"""One benchmark run: the processes it starts, the clients it drives them with, its results."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from bench import stack
from bench.drive import Target, http_client
from bench.options import Options
from bench.procs import Child, Processes, free_ports


@dataclass
class OursSide:
    env: dict[str, str]
    policy: Path
    tokens: dict[str, str]
    api_port: int
    worker: Child
    api: Child
    url: str
    experiment: str


@dataclass
class BareSide:
    worker: Child
    api: Child
    url: str


@dataclass
class Run:
    options: Options
    workdir: Path
    procs: Processes
    server: stack.DevServer
    receiver: str
    ours: OursSide
    bare: BareSide
    client: Client
    http: dict[str, httpx.AsyncClient] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    variants: dict[str, OursSide] = field(default_factory=dict)
    # The bare app whose lifecycles run their awaited activities locally (--bare-local).
    bare_local: BareSide | None = None
    # The bare app whose lifecycles carry payloads the size of ours (--bare-sized).
    bare_sized: BareSide | None = None
    # An API started ahead with the burst policy, so its start-up overlaps other work.
    burst_api: tuple[Child, str, stack.BurstClock] | None = None

    def target(self, side: str, concurrency: int) -> Target:
        """A driver for `side` ("ours", a variant, "bare", "bare_local" or "bare_sized") with
        enough connections for `concurrency`."""
        key = f"{side}:{concurrency}"
        ours = self.ours if side == "ours" else self.variants.get(side)
        other = {"bare_local": self.bare_local, "bare_sized": self.bare_sized}.get(side)
        bare = other or self.bare
        if key not in self.http:
            base = ours.url if ours is not None else bare.url
            self.http[key] = http_client(base, concurrency)
        if ours is not None:
            return Target(side, self.http[key], "/v1/escalations", "/v1/escalations",
                          ours.tokens)
        return Target(side if other else "bare", self.http[key],
                      "/bare/escalations", "/bare/escalations")

    def cpu(self) -> dict[str, float]:
        """CPU seconds so far of every process of the run, this driver included."""
        times = os.times()
        return {**self.procs.cpu(), "driver": times.user + times.system}

    async def close_clients(self) -> None:
        for client in self.http.values():
            await client.aclose()
        self.http.clear()

    async def receiver_stats(self) -> dict[str, int]:
        async with httpx.AsyncClient(trust_env=False) as http:
            answer = await http.get(f"{self.receiver}/stats")
            stats: dict[str, int] = answer.json()
            return stats

    # Restarting one side's processes (fresh workers for memory, a new policy).

    async def restart_ours_worker(self, experiment: str, side: str = "ours") -> None:
        """A fresh worker process for our side or one of its variants."""
        ours = self.ours if side == "ours" else self.variants[side]

        def restart() -> None:
            self.procs.stop(ours.worker)
            ours.worker = stack.start_ours_worker(
                self.procs, ours.env, experiment=experiment or None,
                name="ours-worker" if side == "ours" else f"ours-worker-{side}")

        await asyncio.to_thread(restart)
        ours.experiment = experiment

    def worker_pid(self, side: str) -> int:
        if side == "bare":
            return self.bare.worker.pid
        return (self.ours if side == "ours" else self.variants[side]).worker.pid

    async def restart_ours_api(self, policy: Path) -> None:
        """A new API process with another policy (the API reads it once, at start)."""
        for key in [k for k in self.http if k.startswith("ours:")]:
            await self.http.pop(key).aclose()  # its connections point at the old process

        def restart() -> None:
            self.procs.stop(self.ours.api)
            (port,) = free_ports(1)
            env = stack.ours_env(self.server, self.workdir, policy, api_port=port)
            self.ours.api, self.ours.url = stack.start_ours_api(
                self.procs, env, port, name="ours-api")
            self.ours.api_port = port
            stack.wait_api(self.procs, self.ours.url)

        await asyncio.to_thread(restart)

    def prestart_burst_api(self, clock: stack.BurstClock) -> None:
        policy = stack.write_policy(self.workdir / "policy-burst.toml", self.receiver, clock)
        (port,) = free_ports(1)
        env = stack.ours_env(self.server, self.workdir, policy, api_port=port)
        child, url = stack.start_ours_api(self.procs, env, port, name="ours-api-burst")
        self.burst_api = (child, url, clock)

    async def switch_to_burst_api(self) -> stack.BurstClock:
        """Our API becomes the one started by prestart_burst_api (the old one stops)."""
        assert self.burst_api is not None, "prestart_burst_api first"
        child, url, clock = self.burst_api
        await asyncio.to_thread(stack.wait_api, self.procs, url)
        for key in [k for k in self.http if k.startswith("ours:")]:
            await self.http.pop(key).aclose()
        await asyncio.to_thread(self.procs.stop, self.ours.api)
        self.ours.api, self.ours.url, self.burst_api = child, url, None
        return clock

    async def restart_bare_worker(self, max_cached: int | None) -> None:
        def restart() -> None:
            self.procs.stop(self.bare.worker)
            self.bare.worker = stack.start_bare_worker(
                self.procs, self.server, max_cached=max_cached,
                runner=self.options.bare_runner, name="bare-worker")

        await asyncio.to_thread(restart)


@asynccontextmanager
async def started(options: Options, *, pragmas: bool = True) -> AsyncIterator[Run]:
    """Everything up, on free ports under a temporary directory; all of it stopped on exit,
    whatever ended the run (error, Ctrl-C, SIGTERM)."""
    workdir = Path(tempfile.mkdtemp(prefix="escalations-bench-"))
    procs = Processes(workdir)
    try:
        # Blocking start-up (subprocess probes) off the event loop.
        parts = await asyncio.to_thread(_start_all, options, workdir, procs, pragmas)
        client = await Client.connect(parts["server"].address,
                                      data_converter=pydantic_data_converter)
        run = Run(options=options, workdir=workdir, procs=procs, client=client, **parts)
        try:
            yield run
        finally:
            await run.close_clients()
    finally:
        await asyncio.to_thread(procs.stop_all)
        if options.keep:
            print(f"kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def _start_all(options: Options, workdir: Path, procs: Processes,
               pragmas: bool) -> dict[str, Any]:
    server = stack.start_dev_server(procs, workdir / "temporal", pragmas=pragmas)
    receiver = stack.start_receiver(procs)
    policy = stack.write_policy(workdir / "policy.toml", receiver)
    tokens = stack.write_keys(workdir / "api-keys.toml")
    ours_port, bare_port = free_ports(2)
    env = stack.ours_env(server, workdir, policy, api_port=ours_port)
    # All four start together; each is awaited after.
    worker = stack.start_ours_worker(procs, env, experiment=options.experiment or None)
    api, ours_url = stack.start_ours_api(procs, env, ours_port)
    bare_worker = stack.start_bare_worker(procs, server, runner=options.bare_runner)
    bare_api, bare_url = stack.start_bare_api(procs, server, bare_port)

    def another_bare_app(wanted: bool, name: str, **mode: bool) -> BareSide | None:
        """A second bare app on the same bare worker (its lifecycles carry their mode)."""
        if not wanted:
            return None
        (port,) = free_ports(1)
        child, url = stack.start_bare_api(procs, server, port, name=name, **mode)
        return BareSide(bare_worker, child, url)

    bare_local = another_bare_app(options.bare_local, "bare-api-local", local=True)
    bare_sized = another_bare_app(options.bare_sized, "bare-api-sized", sized=True)
    variants: dict[str, OursSide] = {}
    for name, experiment in options.variants.items():
        (port,) = free_ports(1)
        v_env = stack.ours_env(server, workdir, policy, api_port=port, variant=name)
        v_worker = stack.start_ours_worker(procs, v_env, experiment=experiment or None,
                                           name=f"ours-worker-{name}")
        v_api, v_url = stack.start_ours_api(procs, v_env, port, name=f"ours-api-{name}")
        variants[name] = OursSide(v_env, policy, tokens, port, v_worker, v_api, v_url,
                                  experiment)
    stack.wait_api(procs, ours_url)
    stack.wait_api(procs, bare_url)
    for extra in (bare_local, bare_sized):
        if extra is not None:
            stack.wait_api(procs, extra.url)
    for variant in variants.values():
        stack.wait_api(procs, variant.url)
    return {
        "variants": variants, "bare_local": bare_local, "bare_sized": bare_sized,
        "server": server, "receiver": receiver,
        "ours": OursSide(env, policy, tokens, ours_port, worker, api, ours_url,
                         options.experiment),
        "bare": BareSide(bare_worker, bare_api, bare_url),
    }


def write_results(results: dict[str, Any], directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = directory / f"bench-{stamp}{'-quick' if results.get('quick') else ''}.json"
    text = json.dumps(results, indent=2, default=str)
    path.write_text(text, encoding="utf-8")
    (directory / "latest.json").write_text(text, encoding="utf-8")
    return path


def machine() -> dict[str, Any]:
    load = os.getloadavg()
    return {"cores": os.cpu_count(), "load_1m_at_start": round(load[0], 2),
            "python": sys.version.split()[0]}
