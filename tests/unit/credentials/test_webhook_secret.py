"""The webhook signing secret: the Standard Webhooks `whsec_<base64>` form, or refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError
from standardwebhooks import Webhook
from typer.testing import CliRunner

from cli.main import app
from config.settings import Settings
from credentials.webhook_secret import check_webhook_secret, new_webhook_secret


def test_a_new_secret_is_in_the_schemes_form_and_signs() -> None:
    secret = new_webhook_secret()
    assert check_webhook_secret(secret) == secret
    assert Webhook(secret).sign("msg_1", datetime.now(UTC), b"{}").startswith("v1,")


@pytest.mark.parametrize(("value", "why"), [
    ("s3cret-shared-with-receivers", "whsec_"),
    ("whsec_not base64!", "not base64"),
    ("whsec_c2hvcnQ=", "fewer than 24"),
])
def test_other_forms_are_refused_saying_how_to_make_one(value: str, why: str) -> None:
    with pytest.raises(ValueError, match=why) as refused:
        check_webhook_secret(value)
    assert "escalations keys webhook-secret" in str(refused.value)


def test_the_api_and_worker_settings_refuse_it_at_start() -> None:
    with pytest.raises(ValidationError, match="escalations keys webhook-secret"):
        Settings(escalations_webhook_secret="s3cret-shared-with-receivers")


def test_an_empty_value_means_not_configured() -> None:
    assert Settings(escalations_webhook_secret="").escalations_webhook_secret is None


def test_keys_webhook_secret_prints_a_usable_one() -> None:
    result = CliRunner().invoke(app, ["keys", "webhook-secret"])
    assert result.exit_code == 0, result.output
    assert check_webhook_secret(result.output.strip())


def test_the_worker_command_names_the_bad_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESCALATIONS_WEBHOOK_SECRET", "s3cret")
    result = CliRunner().invoke(app, ["worker"])
    assert result.exit_code == 2
    assert "ESCALATIONS_WEBHOOK_SECRET" in result.output
    assert "escalations keys webhook-secret" in result.output
