"""`escalations up` without servers: options, the dev server's arguments, the children's
environment, and the refusals that happen before anything starts."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import cli.up
from cli.up import (
    UpOptions,
    child_env,
    dev_key_aliases,
    dev_server_args,
    up,
    worker_env,
)
from cli.up_temporal import indexed_type
from config.policy_files import load_policy, preset_text
from domain.enums import Role
from workflows.search_attributes import SEARCH_ATTRIBUTES

UP_ENV = (
    "API_PORT", "ESCALATIONS_TEMPORAL_PORT", "ESCALATIONS_UI_PORT", "ESCALATIONS_DATA_DIR",
    "ESCALATIONS_POLICY", "ESCALATIONS_WORKERS", "ESCALATIONS_API_KEYS", "DATABASE_URL",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in UP_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def opts(tmp_path: Path) -> UpOptions:
    return UpOptions(api_port=18000, temporal_port=17233, ui_port=18233,
                     data_dir=tmp_path / "data", policy=None, workers=2)


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> list[UpOptions]:
    """`up` with the stack replaced by a recorder: only option parsing runs."""
    seen: list[UpOptions] = []

    def record(options: UpOptions, console: object) -> int:
        seen.append(options)
        return 0

    monkeypatch.setattr(cli.up, "run", record)
    return seen


def invoke(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
    app = typer.Typer()
    app.command()(up)
    result = CliRunner().invoke(app, args, env=env)
    return result.exit_code, result.output


def values(args: list[str], *, flag: str) -> list[str]:
    return [args[i + 1] for i, arg in enumerate(args) if arg == flag]


class TestDevServerArgs:
    def test_binds_everything_to_loopback(self, opts: UpOptions) -> None:
        args = dev_server_args(opts, namespace="default", sqlite_pragmas=True)
        assert values(args, flag="--ip") == ["127.0.0.1"]
        assert "--ui-ip" not in args  # the UI follows --ip

    def test_uses_the_requested_ports(self, opts: UpOptions) -> None:
        args = dev_server_args(opts, namespace="default", sqlite_pragmas=True)
        assert values(args, flag="--port") == ["17233"]
        assert values(args, flag="--ui-port") == ["18233"]

    def test_persists_under_the_data_dir(self, opts: UpOptions) -> None:
        args = dev_server_args(opts, namespace="default", sqlite_pragmas=True)
        assert values(args, flag="--db-filename") == [str(opts.data_dir / "temporal.db")]

    def test_registers_the_seven_search_attributes(self, opts: UpOptions) -> None:
        args = dev_server_args(opts, namespace="default", sqlite_pragmas=True)
        pairs = dict(v.split("=") for v in values(args, flag="--search-attribute"))
        assert pairs == SEARCH_ATTRIBUTES

    def test_creates_default_and_the_configured_namespace(self, opts: UpOptions) -> None:
        assert values(dev_server_args(opts, namespace="default", sqlite_pragmas=True),
                      flag="--namespace") == ["default"]
        assert values(dev_server_args(opts, namespace="ops", sqlite_pragmas=True),
                      flag="--namespace") == ["default", "ops"]

    @pytest.mark.parametrize(("supported", "expected"), [
        (True, ["journal_mode=wal", "synchronous=normal"]),
        (False, []),
    ])
    def test_sqlite_pragmas_only_where_the_flag_exists(
        self, opts: UpOptions, supported: bool, expected: list[str]
    ) -> None:
        args = dev_server_args(opts, namespace="default", sqlite_pragmas=supported)
        assert values(args, flag="--sqlite-pragma") == expected

    def test_disables_the_ui_news_feed(self, opts: UpOptions) -> None:
        # It would fetch from the internet on every page load.
        assert "--ui-disable-news-fetch" in dev_server_args(
            opts, namespace="default", sqlite_pragmas=True)


class TestChildEnv:
    def test_points_the_children_at_this_stack(self, opts: UpOptions) -> None:
        env = child_env({}, opts, namespace="default", database_url="sqlite:///x.db",
                        api_keys=opts.data_dir / "api-keys.toml")
        assert env["TEMPORAL_ADDRESS"] == "127.0.0.1:17233"
        assert env["TEMPORAL_UI_URL"] == "http://127.0.0.1:18233"
        assert env["API_HOST"] == "127.0.0.1"
        assert env["API_PORT"] == "18000"
        assert env["DATABASE_URL"] == "sqlite:///x.db"
        assert env["ESCALATIONS_API_KEYS"] == str(opts.data_dir / "api-keys.toml")
        assert env["ESCALATIONS_DATA_DIR"] == str(opts.data_dir)

    def test_overrides_an_inherited_temporal_address(self, opts: UpOptions) -> None:
        env = child_env({"TEMPORAL_ADDRESS": "prod:7233", "SMTP_HOST": "mail"}, opts,
                        namespace="default", database_url="sqlite:///x.db",
                        api_keys=Path("k.toml"))
        assert env["TEMPORAL_ADDRESS"] == "127.0.0.1:17233"
        assert env["SMTP_HOST"] == "mail"  # unrelated settings pass through

    def test_drops_credentials_meant_for_a_remote_cluster(self, opts: UpOptions) -> None:
        remote = {"TEMPORAL_API_KEY": "k", "TEMPORAL_TLS": "true", "TEMPORAL_TLS_CERT": "c.pem",
                  "TEMPORAL_TLS_KEY": "k.pem", "TEMPORAL_TLS_CA": "ca.pem",
                  "TEMPORAL_TLS_SERVER_NAME": "x.tmprl.cloud"}
        env = child_env(remote, opts, namespace="default", database_url="sqlite:///x.db",
                        api_keys=Path("k.toml"))
        assert not set(remote) & set(env)

    @pytest.mark.parametrize(("given", "expected"), [
        ({}, "http://127.0.0.1:18000"),
        ({"ESCALATIONS_PUBLIC_URL": "https://esc.example"}, "https://esc.example"),
    ])
    def test_public_url_defaults_to_the_api(
        self, opts: UpOptions, given: dict[str, str], expected: str
    ) -> None:
        env = child_env(given, opts, namespace="default", database_url="sqlite:///x.db",
                        api_keys=Path("k.toml"))
        assert env["ESCALATIONS_PUBLIC_URL"] == expected

    def test_policy_is_passed_only_when_given(self, opts: UpOptions, tmp_path: Path) -> None:
        policy = tmp_path / "policy.toml"
        with_policy = UpOptions(**{**opts.__dict__, "policy": policy})
        base = {"ESCALATIONS_POLICY": "stale.toml"}

        def env(options: UpOptions) -> dict[str, str]:
            return child_env(base, options, namespace="default", database_url="sqlite:///x.db",
                             api_keys=Path("k.toml"))

        assert env(with_policy)["ESCALATIONS_POLICY"] == str(policy)
        assert "ESCALATIONS_POLICY" not in env(opts)

    def test_each_worker_gets_its_own_metrics_port(self) -> None:
        env = {"WORKER_METRICS_PORT": "9100"}
        assert [worker_env(env, i)["WORKER_METRICS_PORT"] for i in (1, 2, 3)] == [
            "9100", "9101", "9102"]
        assert "WORKER_METRICS_PORT" not in worker_env({}, 1)


@pytest.mark.parametrize(("kind", "expected"), [
    ("Keyword", "INDEXED_VALUE_TYPE_KEYWORD"),
    ("KeywordList", "INDEXED_VALUE_TYPE_KEYWORD_LIST"),
    ("Int", "INDEXED_VALUE_TYPE_INT"),
    ("Bool", "INDEXED_VALUE_TYPE_BOOL"),
    ("Datetime", "INDEXED_VALUE_TYPE_DATETIME"),
])
def test_indexed_type_names_match_the_operator_service(kind: str, expected: str) -> None:
    assert indexed_type(kind) == expected


class TestOptions:
    def test_defaults_are_the_documented_ones(self, captured: list[UpOptions]) -> None:
        code, _ = invoke([])
        assert code == 0
        (options,) = captured
        assert (options.api_port, options.temporal_port, options.ui_port) == (8000, 7233, 8233)
        assert options.data_dir == Path(".escalations").resolve()
        assert options.policy is None
        assert options.workers == 1

    def test_environment_supplies_the_settings(self, captured: list[UpOptions]) -> None:
        env = {"API_PORT": "9000", "ESCALATIONS_TEMPORAL_PORT": "9233",
               "ESCALATIONS_UI_PORT": "9234", "ESCALATIONS_WORKERS": "3",
               "ESCALATIONS_DATA_DIR": "/tmp/esc-data"}
        invoke([], env=env)
        (options,) = captured
        assert (options.api_port, options.temporal_port, options.ui_port) == (9000, 9233, 9234)
        assert options.workers == 3
        assert options.data_dir == Path("/tmp/esc-data")

    def test_flags_win_over_the_environment(self, captured: list[UpOptions]) -> None:
        invoke(["--api-port", "9100", "--workers", "2"],
               env={"API_PORT": "9000", "ESCALATIONS_WORKERS": "5"})
        (options,) = captured
        assert (options.api_port, options.workers) == (9100, 2)

    def test_paths_become_absolute(self, captured: list[UpOptions]) -> None:
        invoke(["--data-dir", "rel/data", "--policy", "rel/policy.toml"])
        (options,) = captured
        assert options.data_dir.is_absolute()
        assert options.policy is not None
        assert options.policy.is_absolute()

    @pytest.mark.parametrize("args", [
        ["--api-port", "7233"],
        ["--ui-port", "7233"],
        ["--workers", "0"],
        ["--api-port", "70000"],
    ])
    def test_rejects_unusable_values(self, captured: list[UpOptions], args: list[str]) -> None:
        code, _ = invoke(args)
        assert code == 2
        assert captured == []


class TestRefusals:
    def test_invalid_policy_names_the_key_and_starts_nothing(self, tmp_path: Path) -> None:
        policy = tmp_path / "policy.toml"
        policy.write_text(preset_text("default").replace(
            'acknowledge_within = "PT15M"', 'acknowledge_within = "soon"', 1), encoding="utf-8")
        data = tmp_path / "data"
        code, output = invoke(["--policy", str(policy), "--data-dir", str(data)])
        assert code == 2
        assert "priorities.P1.acknowledge_within" in output
        assert not data.exists()

    def test_missing_policy_file_is_refused(self, tmp_path: Path) -> None:
        code, output = invoke(["--policy", str(tmp_path / "nope.toml"),
                               "--data-dir", str(tmp_path / "data")])
        assert code == 2
        assert "nope.toml" in output

    def test_busy_port_is_named_before_anything_starts(self, tmp_path: Path) -> None:
        with socket.socket() as busy:
            busy.bind(("127.0.0.1", 0))
            busy.listen()
            port = busy.getsockname()[1]
            data = tmp_path / "data"
            code, output = invoke(["--api-port", str(port), "--data-dir", str(data)])
        assert code == 1
        assert f"port {port}" in output
        assert "--api-port" in output
        assert not data.exists()

    def test_named_keys_file_must_exist(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("ESCALATIONS_API_KEYS", str(tmp_path / "missing-keys.toml"))
        data = tmp_path / "data"
        api, temporal, ui = (str(p) for p in _free_ports(3))
        code, output = invoke(["--data-dir", str(data), "--api-port", api,
                               "--temporal-port", temporal, "--ui-port", ui])
        assert code == 1
        assert "missing-keys.toml" in output
        assert not (data / "temporal.db").exists()  # Temporal was never started


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def test_the_dev_keys_go_by_the_default_policy_s_rca_assignees() -> None:
    aliases = dev_key_aliases(load_policy(None))

    assert {"Priya", "Support problem coordinator"} <= set(aliases[Role.ENGINEER])
    assert {"Sam", "Support engagement lead"} <= set(aliases[Role.ENGAGEMENT_LEAD])
