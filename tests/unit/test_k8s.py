"""deploy/k8s against the Kubernetes schemas (kubernetes-validate, offline), and against the code.

No kustomize binary runs here, so the test applies what the overlays use of kustomize itself
(the base's resources, its configMapGenerator, JSON 6902 patches with add/replace) and validates
every resulting object, base and each overlay, in strict mode (unknown fields fail).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from config.policy_files import load_policy
from tests.unit.test_compose import settings_env_names

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy/k8s"
# The oldest release still in upstream support when this was written; kubernetes-validate
# bundles its schemas.
KUBERNETES_VERSION = "1.33.0"
OVERLAYS = sorted(p.name for p in (K8S / "overlays").iterdir())
# Set by the manifests but not read by Settings: none today.
NOT_SETTINGS: set[str] = set()

Resource = dict[str, Any]


def load_kustomization(directory: Path) -> list[Resource]:
    spec = yaml.safe_load((directory / "kustomization.yaml").read_text(encoding="utf-8"))
    resources: list[Resource] = []
    for entry in spec.get("resources", []):
        path = directory / entry
        if path.is_dir():
            resources += load_kustomization(path)
        else:
            resources += [doc for doc in yaml.safe_load_all(path.read_text("utf-8")) if doc]
    for generator in spec.get("configMapGenerator", []):
        data = {}
        for item in generator["files"]:
            key, _, source = item.partition("=")
            data[key] = (directory / (source or key)).read_text(encoding="utf-8")
        resources.append({"apiVersion": "v1", "kind": "ConfigMap",
                          "metadata": {"name": generator["name"]}, "data": data})
    for patch in spec.get("patches", []):
        target = patch["target"]
        for resource in resources:
            if resource["kind"] == target["kind"] and \
                    target.get("name", resource["metadata"]["name"]) == \
                    resource["metadata"]["name"]:
                for op in yaml.safe_load(patch["patch"]):
                    apply(resource, op)
    return resources


def apply(resource: Resource, op: dict[str, Any]) -> None:
    """One JSON 6902 operation (add or replace), as kustomize applies it."""
    *parents, last = op["path"].strip("/").split("/")
    node: Any = resource
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    value = copy.deepcopy(op["value"])
    if op["op"] == "add" and isinstance(node, list):
        node.append(value) if last == "-" else node.insert(int(last), value)
    elif op["op"] in {"add", "replace"}:
        assert op["op"] == "add" or last in node, f"replace of a missing {op['path']}"
        node[int(last) if isinstance(node, list) else last] = value
    else:
        raise AssertionError(f"unsupported patch op {op['op']}")


def rendered(name: str) -> list[Resource]:
    return load_kustomization(K8S / "base" if name == "base" else K8S / "overlays" / name)


def find(resources: list[Resource], kind: str, name: str) -> Resource:
    matches = [r for r in resources if r["kind"] == kind and r["metadata"]["name"] == name]
    assert len(matches) == 1, f"{kind}/{name}"
    return matches[0]


@pytest.mark.parametrize("name", ["base", *OVERLAYS])
def test_every_object_is_valid_for_kubernetes(name: str) -> None:
    for resource in rendered(name):
        kubernetes_validate.validate(resource, KUBERNETES_VERSION, strict=True)


def test_the_service_is_all_there() -> None:
    resources = rendered("base")
    api = find(resources, "Deployment", "escalations-api")
    worker = find(resources, "Deployment", "escalations-worker")
    assert find(resources, "Service", "escalations-api")["spec"]["selector"] == \
        api["spec"]["selector"]["matchLabels"]
    hpa = find(resources, "HorizontalPodAutoscaler", "escalations-api")
    assert hpa["spec"]["scaleTargetRef"]["name"] == "escalations-api"
    assert worker["spec"]["replicas"] >= 1
    job = find(resources, "Job", "escalations-migrate")
    assert job["spec"]["template"]["spec"]["containers"][0]["args"] == ["migrate"]
    container = api["spec"]["template"]["spec"]["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"


def test_processes_only_check_the_schema_the_job_migrated() -> None:
    config = find(rendered("base"), "ConfigMap", "escalations-config")
    assert config["data"]["ESCALATIONS_MIGRATE_ON_START"] == "false"


@pytest.mark.parametrize("name", ["base", *OVERLAYS])
def test_every_variable_set_is_a_setting(name: str) -> None:
    resources = rendered(name)
    names: set[str] = set()
    for kind, key in (("ConfigMap", "escalations-config"), ("Secret", "escalations-secrets")):
        resource = find(resources, kind, key)
        names |= set(resource.get("data", {})) | set(resource.get("stringData", {}))
    for resource in resources:
        if resource["kind"] in {"Deployment", "Job"}:
            for container in resource["spec"]["template"]["spec"]["containers"]:
                names |= {env["name"] for env in container.get("env", [])}
    assert names - settings_env_names() == NOT_SETTINGS


def test_mtls_overlay_mounts_the_client_certificate_where_the_settings_say() -> None:
    resources = rendered("temporal-cloud-mtls")
    data = find(resources, "ConfigMap", "escalations-config")["data"]
    for name in ("escalations-api", "escalations-worker"):
        spec = find(resources, "Deployment", name)["spec"]["template"]["spec"]
        mounts = {m["mountPath"] for m in spec["containers"][0]["volumeMounts"]}
        assert str(Path(data["TEMPORAL_TLS_CERT"]).parent) in mounts
        assert Path(data["TEMPORAL_TLS_KEY"]).parent == Path(data["TEMPORAL_TLS_CERT"]).parent


def test_api_key_overlay_gives_the_key_as_a_secret() -> None:
    resources = rendered("temporal-cloud-api-key")
    assert "TEMPORAL_API_KEY" in find(resources, "Secret", "escalations-secrets")["stringData"]
    assert "TEMPORAL_API_KEY" not in find(resources, "ConfigMap", "escalations-config")["data"]


def test_the_shipped_policy_is_valid() -> None:
    load_policy(K8S / "base/policy.toml")
