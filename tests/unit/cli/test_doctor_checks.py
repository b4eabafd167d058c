"""`escalations doctor`'s checks that need no server: the console secret an API outside this
machine must have, and the credentials of the policy's related systems in the worker's
environment."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from cli.doctor_checks import check_console_secret, check_related_credentials
from config.settings import Settings
from domain.policy import validate_policy
from tests.support.policies import write_policy_file
from tests.unit.domain.test_related_systems import JIRA, SERVICENOW, policy_with

SECRET = SecretStr("s" * 48)


def test_an_api_served_beyond_this_machine_needs_a_console_secret() -> None:
    public = Settings(escalations_public_url="https://escalations.corp.example")
    failure = check_console_secret(public)
    assert not failure.ok
    assert "escalations keys console-secret" in failure.fix

    assert check_console_secret(public.model_copy(
        update={"escalations_console_secret": SECRET})).ok
    assert check_console_secret(Settings(escalations_public_url="http://127.0.0.1:8000")).ok


def test_each_missing_credential_is_named_with_its_system(tmp_path: Path) -> None:
    policy = write_policy_file(tmp_path / "policy.toml",
                               validate_policy(policy_with([JIRA, SERVICENOW])))
    settings = Settings(escalations_policy=policy)

    check = check_related_credentials(settings, {"JIRA_EMAIL": "bot@corp.example",
                                                 "SNOW_USER": "bot", "SNOW_PASSWORD": ""})
    assert check is not None
    assert not check.ok
    assert check.detail == ("not set in this environment: jira: JIRA_API_TOKEN, "
                            "servicenow: SNOW_PASSWORD")
    every = {"JIRA_EMAIL": "a", "JIRA_API_TOKEN": "b", "SNOW_USER": "c", "SNOW_PASSWORD": "d"}
    present = check_related_credentials(settings, every)
    assert present is not None
    assert present.ok


def test_no_related_systems_is_fine_and_a_broken_policy_is_left_to_its_own_check(
    tmp_path: Path,
) -> None:
    shipped = check_related_credentials(Settings(), {})
    assert shipped is not None
    assert shipped.ok
    broken = tmp_path / "policy.toml"
    broken.write_text("[sla]\nnot = 'a policy'\n", encoding="utf-8")
    assert check_related_credentials(Settings(escalations_policy=broken), {}) is None
