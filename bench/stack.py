"""What one run starts: a dev server, our worker and API, the bare worker and API, a receiver.

The dev server gets exactly the arguments `escalations up` gives it (cli.up.dev_server_args),
so the SQLite pragmas under test are the ones users run with; ours and the baseline share it.
"""

from __future__ import annotations

import json
import re
import struct
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from bench.procs import BIN, HOST, Child, Processes, clean_env, free_ports, http_ok, wait_until
from cli.up import UpOptions, dev_server_args
from config.policy_files import preset_text

NAMESPACE = "default"
OURS_QUEUE = "bench-ours"
BARE_QUEUE = "bench-bare"
READY_SECONDS = 180.0  # cold imports on a busy 2-core machine are slow
ROLES = ("incident_manager", "engineer", "engagement_lead", "intake")
_CONTACT = re.compile(r'channel = "(?:webhook|slack|email)", address = "[^"]*"')


@dataclass(frozen=True)
class DevServer:
    address: str
    ui_url: str
    db: Path
    child: Child


def _temporal(*args: str) -> subprocess.CompletedProcess[str]:
    argv = [str(BIN / "temporal"), *args, "--command-timeout", "5s",
            "--disable-config-env", "--disable-config-file"]
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=15, check=False,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(argv, 124, "", "timed out")


def start_dev_server(procs: Processes, directory: Path, *, pragmas: bool,
                     name: str = "temporal") -> DevServer:
    directory.mkdir(parents=True, exist_ok=True)
    temporal_port, ui_port = free_ports(2)
    opts = UpOptions(api_port=0, temporal_port=temporal_port, ui_port=ui_port,
                     data_dir=directory, policy=None, workers=1)
    args = dev_server_args(opts, namespace=NAMESPACE, sqlite_pragmas=pragmas)
    child = procs.start(name, [str(BIN / "temporal"), *args], env=clean_env())
    address = opts.temporal_address

    def serving() -> bool:
        done = _temporal("operator", "cluster", "health", "--address", address)
        return done.returncode == 0 and "SERVING" in done.stdout

    def attributes_ready() -> bool:
        done = _temporal("operator", "search-attribute", "list", "--address", address,
                         "--namespace", NAMESPACE, "-o", "json")
        if done.returncode != 0:
            return False
        return "SlaBreached" in json.loads(done.stdout).get("customAttributes", {})

    wait_until("Temporal", serving, timeout=READY_SECONDS, procs=procs)
    wait_until("search attributes", attributes_ready, timeout=READY_SECONDS, procs=procs)
    return DevServer(address, opts.ui_url, directory / "temporal.db", child)


def write_keys(path: Path) -> dict[str, str]:
    tokens = {role: f"bench-{role}-token-0123456789" for role in ROLES}
    path.write_text("".join(
        f'[[keys]]\nname = "bench-{role}"\nrole = "{role}"\ntoken = "{token}"\n\n'
        for role, token in tokens.items()), encoding="utf-8")
    return tokens


TZ_DIR = "tz"  # under the run's directory: our processes' PYTHONTZPATH (the burst's zones)


@dataclass(frozen=True)
class BurstClock:
    """P4 counts in business time from a window that opens at `opens`: every P4 escalation
    opened before then has its acknowledge timer due at the same instant, `due`.

    The policy writes opening hours in minutes, which would put `opens` on a minute boundary
    and make the run wait up to a minute for it. Instead the window is in a time zone of the
    run's own (`zone`, a TZif file under TZ_DIR) whose UTC offset has seconds: any whole second
    can be a whole minute of its local time."""

    opens: datetime  # UTC, whole seconds
    due: datetime

    @property
    def zone(self) -> str:
        return f"Bench/Burst{int(self.opens.timestamp())}"

    @property
    def offset(self) -> timedelta:
        """Puts `opens` at a whole minute near local noon (the window must not cross midnight)."""
        hours = (12 - self.opens.hour) % 24
        hours = hours - 24 if hours > 12 else hours
        return timedelta(hours=hours, seconds=-self.opens.second)


def write_zone(directory: Path, clock: BurstClock) -> None:
    """The clock's zone as a TZif file: one fixed offset, no transitions (RFC 8536)."""
    offset = int(clock.offset.total_seconds())
    abbr = b"BNC\x00"
    header = b"TZif2" + b"\x00" * 15 + struct.pack(">6l", 0, 0, 0, 0, 1, len(abbr))
    data = struct.pack(">lBB", offset, 0, 0) + abbr
    sign, size = ("-" if offset >= 0 else "+"), abs(offset)  # POSIX: positive is west
    footer = f"\n<BNC>{sign}{size // 3600}:{size % 3600 // 60:02d}:{size % 60:02d}\n"
    path = directory / clock.zone
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(header + data + header + data + footer.encode())


def write_policy(path: Path, receiver: str, burst: BurstClock | None = None) -> Path:
    """The shipped default policy, every contact a webhook at the local receiver."""
    counter = iter(range(1_000_000))
    text = _CONTACT.sub(
        lambda _: f'channel = "webhook", address = "{receiver}/contact/{next(counter)}"',
        preset_text("default"),
    )
    text = _replace_once(text, "allowed_hosts = []", f'allowed_hosts = ["{HOST}"]')
    # Nothing parked for the run may come due in it: a full run holds escalations for an hour
    # and more, and a notice firing then would add work (and RSS) to what is measured.
    text = _replace_once(text, '\nwithin = "PT1H"', '\nwithin = "PT12H"')
    if burst is not None:
        write_zone(path.parent / TZ_DIR, burst)
        text = _burst_calendar(text, burst)
    path.write_text(text, encoding="utf-8")
    return path


def _replace_once(text: str, old: str, new: str) -> str:
    if text.count(old) != 1:
        raise RuntimeError(f"the shipped policy changed: {old!r} is not there exactly once")
    return text.replace(old, new)


def _burst_calendar(text: str, burst: BurstClock) -> str:
    zone = burst.zone
    local = burst.opens + burst.offset
    opening = f"{local:%H:%M}"
    closing = f"{min(local.hour + 4, 23):02d}:{local.minute:02d}"
    within = (burst.due - burst.opens).total_seconds()
    p4 = text.index("[priorities.P4]")
    head, tail = text[:p4], text[p4:]
    tail = _replace_once_first(tail, 'acknowledge_within = "PT24H"',
                               f'acknowledge_within = "PT{within:g}S"')
    tail = _replace_once_first(tail, "rca_required = false",
                               'rca_required = false\nclock = "business"')
    text = head + tail
    text = _replace_once(text, 'timezone = "UTC"', f'timezone = "{zone}"')
    text = _replace_once(text, 'workdays = ["mon", "tue", "wed", "thu", "fri"]',
                         'workdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]')
    return _replace_once(text, 'hours = "09:00-17:00"', f'hours = "{opening}-{closing}"')


def _replace_once_first(text: str, old: str, new: str) -> str:
    if old not in text:
        raise RuntimeError(f"the shipped policy changed: {old!r} is missing")
    return text.replace(old, new, 1)


@dataclass
class Ours:
    """Our worker and API processes on one task queue and one store file."""

    worker: Child
    api: Child
    api_url: str
    tokens: dict[str, str]


def ours_env(server: DevServer, directory: Path, policy: Path, *, api_port: int,
             variant: str = "", extra: dict[str, str] | None = None) -> dict[str, str]:
    suffix = f"-{variant}" if variant else ""
    return clean_env(
        TEMPORAL_ADDRESS=server.address,
        TEMPORAL_NAMESPACE=NAMESPACE,
        TEMPORAL_TASK_QUEUE=OURS_QUEUE + suffix,
        TEMPORAL_UI_URL=server.ui_url,
        DATABASE_URL=f"sqlite:///{directory / f'store{suffix}.db'}",
        ESCALATIONS_DATA_DIR=str(directory),
        ESCALATIONS_POLICY=str(policy),
        ESCALATIONS_API_KEYS=str(directory / "api-keys.toml"),
        ESCALATIONS_PUBLIC_URL=f"http://{HOST}:{api_port}",
        # Zones of the timer burst first, then the tzdata package (a dependency of ours).
        PYTHONTZPATH=str(directory / TZ_DIR),
        **(extra or {}),
    )


def start_ours_worker(procs: Processes, env: dict[str, str], *, experiment: str | None,
                      name: str = "ours-worker") -> Child:
    """`escalations worker` as users run it; with an experiment, bench.ours_worker, which runs
    the same worker with the experiment's patches applied (labelled in the report)."""
    if experiment:
        argv = [sys.executable, "-m", "bench.ours_worker", "--experiment", experiment]
    else:
        argv = [str(BIN / "escalations"), "worker"]
    return procs.start(name, argv, env=env)


def start_ours_api(procs: Processes, env: dict[str, str], port: int, *,
                   experiment: str | None = None, name: str = "ours-api") -> tuple[Child, str]:
    if experiment:
        argv = [sys.executable, "-m", "bench.ours_api", "--experiment", experiment,
                "--port", str(port)]
    else:
        argv = [str(BIN / "escalations"), "api", "--host", HOST, "--port", str(port)]
    child = procs.start(name, argv, env=env)
    return child, f"http://{HOST}:{port}"


def wait_api(procs: Processes, url: str) -> None:
    wait_until(f"the API at {url}", lambda: http_ok(f"{url}/healthz"), timeout=READY_SECONDS,
               procs=procs)


def start_receiver(procs: Processes) -> str:
    (port,) = free_ports(1)
    procs.start("receiver", [sys.executable, "-m", "bench.receiver", "--port", str(port)],
                env=clean_env())
    url = f"http://{HOST}:{port}"
    wait_until("the receiver", lambda: http_ok(f"{url}/stats"), timeout=READY_SECONDS,
               procs=procs)
    return url


def start_bare_worker(procs: Processes, server: DevServer, *, max_cached: int | None = None,
                      runner: str = "sdk", name: str = "bare-worker") -> Child:
    argv = [sys.executable, "-m", "bench.bare_worker", "--address", server.address,
            "--task-queue", BARE_QUEUE, "--runner", runner]
    if max_cached is not None:
        argv += ["--max-cached-workflows", str(max_cached)]
    return procs.start(name, argv, env=clean_env())


def start_bare_api(procs: Processes, server: DevServer, port: int, *, local: bool = False,
                   sized: bool = False, name: str = "bare-api") -> tuple[Child, str]:
    """With `local`, its lifecycles run their awaited activities as local activities; with
    `sized`, their payloads have the sizes of ours (bench.bare_models.Sizes)."""
    # uvicorn's defaults, as `escalations api` runs (info log, access log): the difference
    # measured is the app, not the server's configuration.
    env = clean_env(BENCH_TEMPORAL_ADDRESS=server.address, BENCH_TASK_QUEUE=BARE_QUEUE,
                    BENCH_BARE_LOCAL="1" if local else "0",
                    BENCH_BARE_SIZED="1" if sized else "0")
    argv = [sys.executable, "-m", "uvicorn", "bench.bare_api:create_app", "--factory",
            "--host", HOST, "--port", str(port)]
    child = procs.start(name, argv, env=env)
    return child, f"http://{HOST}:{port}"
