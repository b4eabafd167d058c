"""The app refuses to start on a broken configuration and starts without Temporal."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager

from api.app import StartupError, create_app
from config.settings import Settings


@pytest.mark.parametrize(("change", "complaint"), [
    ({"escalations_policy": "policy.toml"}, "invalid policy"),
    ({"escalations_api_keys": "missing.toml"}, "cannot read the keys file"),
])
async def test_broken_configuration_refuses_to_start(
    settings: Settings, data_dir: Path, change: dict[str, str], complaint: str
) -> None:
    (data_dir / "policy.toml").write_text("[priorities.P1]\nacknowledge_within = 'soon'\n")
    broken = settings.model_copy(update={k: data_dir / v for k, v in change.items()})
    with pytest.raises(StartupError, match=complaint):
        async with LifespanManager(create_app(broken)):
            pass


async def test_starts_without_temporal_and_is_not_ready(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).status_code == 200
    ready = await client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json() == {"status": "not ready", "temporal": False, "database": True,
                            "sealing_key": None}
