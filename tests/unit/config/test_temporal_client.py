"""The Temporal client settings for clusters beyond this machine: what `connect` hands the SDK."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.service import TLSConfig

from config.settings import Settings
from config.temporal import tls_config


def test_plaintext_by_default() -> None:
    assert tls_config(Settings()) is False


def test_an_api_key_implies_tls_with_the_system_roots() -> None:
    assert tls_config(Settings(temporal_api_key="key")) is True


def test_tls_can_be_asked_for_alone() -> None:
    assert tls_config(Settings(temporal_tls=True)) is True


def test_mtls_reads_the_client_certificate_and_key(tmp_path: Path) -> None:
    (tmp_path / "c.pem").write_bytes(b"CERT")
    (tmp_path / "k.pem").write_bytes(b"KEY")
    config = tls_config(Settings(temporal_tls_cert=tmp_path / "c.pem",
                                 temporal_tls_key=tmp_path / "k.pem",
                                 temporal_tls_server_name="ns.acct.tmprl.cloud"))
    assert config == TLSConfig(client_cert=b"CERT", client_private_key=b"KEY",
                               domain="ns.acct.tmprl.cloud")


def test_private_roots_without_a_client_certificate(tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_bytes(b"CA")
    config = tls_config(Settings(temporal_tls_ca=tmp_path / "ca.pem"))
    assert isinstance(config, TLSConfig)
    assert config.server_root_ca_cert == b"CA"
    assert config.client_cert is None


def test_a_certificate_without_its_key_is_refused(tmp_path: Path) -> None:
    (tmp_path / "c.pem").write_bytes(b"CERT")
    with pytest.raises(ValueError, match="go together"):
        tls_config(Settings(temporal_tls_cert=tmp_path / "c.pem"))


def test_the_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEMPORAL_API_KEY", "from-env")
    monkeypatch.setenv("TEMPORAL_TLS_SERVER_NAME", "x.tmprl.cloud")
    settings = Settings()
    assert settings.temporal_api_key is not None
    assert settings.temporal_api_key.get_secret_value() == "from-env"
    assert settings.temporal_tls_server_name == "x.tmprl.cloud"
