"""Settings: sources, validation and documentation."""

import re
from pathlib import Path

import pytest

from ecomrisk.settings import CONFIG_ENV, Settings, SettingsError, load_settings

DOC = Path(__file__).parents[1] / "docs" / "configuration.md"


def test_every_setting_is_documented() -> None:
    documented = set(re.findall(r"^\| `([a-z_]+)` \| `ECOMRISK_([A-Z_]+)`", DOC.read_text(), re.M))
    expected = {(name, name.upper()) for name in Settings.model_fields}
    assert expected - documented == set(), "settings missing from docs/configuration.md"
    assert documented - expected == set(), "docs/configuration.md names settings that do not exist"


def test_defaults_use_sqlite_in_the_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ECOMRISK_DATA_DIR", str(tmp_path))
    settings = load_settings()
    assert settings.effective_database_url == f"sqlite:///{tmp_path / 'ecomrisk.db'}"


def test_environment_overrides_toml_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "ecomrisk.toml"
    config.write_text('jurisdiction = "UK"\nlog_level = "DEBUG"\n')
    monkeypatch.setenv(CONFIG_ENV, str(config))
    monkeypatch.setenv("ECOMRISK_LOG_LEVEL", "WARNING")
    settings = load_settings()
    assert settings.jurisdiction == "UK"
    assert settings.log_level == "WARNING"


def test_bad_value_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECOMRISK_BATCH_ENGINE", "oracle")
    with pytest.raises(SettingsError, match=r"batch_engine \(ECOMRISK_BATCH_ENGINE\)"):
        load_settings()


def test_unknown_key_in_toml_file_is_an_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "ecomrisk.toml"
    config.write_text('databse_url = "sqlite://"\n')
    monkeypatch.setenv(CONFIG_ENV, str(config))
    with pytest.raises(SettingsError, match="databse_url"):
        load_settings()


def test_missing_config_file_is_an_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(CONFIG_ENV, str(tmp_path / "nope.toml"))
    with pytest.raises(SettingsError, match="no such file"):
        load_settings()


def test_production_refuses_placeholder_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECOMRISK_ENVIRONMENT", "production")
    with pytest.raises(SettingsError, match="secret_key"):
        load_settings()
    monkeypatch.setenv("ECOMRISK_SECRET_KEY", "k" * 40)
    assert load_settings().environment == "production"
