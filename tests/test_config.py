"""Tests for geo.config: the --theatre parser and the TOML loader's validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.config import DEFAULT_THEATRE, Config, load_config, parse_theatre
from geo.errors import ConfigError


@pytest.mark.parametrize(
    ("value", "theatre"),
    [
        ("ua, by", ("UA", "BY")),
        ("UA,BY,RU", ("UA", "BY", "RU")),
        ("ua,,by,", ("UA", "BY")),
        ("none", ()),
        (" None ", ()),
        ("NONE", ()),
        ("pl", ("PL",)),
    ],
)
def test_parse_theatre(value: str, theatre: tuple[str, ...]) -> None:
    assert parse_theatre(value) == theatre


@pytest.mark.parametrize("value", ["XX1", "U", "UKR", "1A", "ua;by", "ua by", "Ü1"])
def test_parse_theatre_rejects_non_iso_codes(value: str) -> None:
    with pytest.raises(ConfigError):
        parse_theatre(value)


def write_toml(folder: Path, body: str) -> Path:
    path = folder / "crisismap.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_load_config_reads_geo_table(tmp_path: Path) -> None:
    config = load_config(write_toml(tmp_path, '[geo]\ntheatre = ["ua", "by"]\nfuzzy_min_score = 90.0\n'
                                              'geocoder_min_delay_s = 2.5\n'))
    assert config == Config(theatre=("UA", "BY"), fuzzy_min_score=90.0, geocoder_min_delay_s=2.5)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[geo]\ntheatres = ['UA']\n", "unknown settings"),
        ("[geo]\ntheatre = ['UKR']\n", "ISO 3166-1"),
        ("[geo]\ntheatre = ['U1']\n", "ISO 3166-1"),
        ("[geo]\ngeocoder_min_delay_s = 0.5\n", "at least 1 second"),
        ("[geo]\nfuzzy_min_score = 101\n", "between 0 and 100"),
        ("[geo]\ngeocoder_timeout_s = 0\n", "positive"),
        ("[geo]\nfuzzy_min_score = 'high'\n", "crisismap.toml"),
        ("[geo\ntheatre = 1\n", "not valid TOML"),
    ],
)
def test_load_config_rejects_bad_settings(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(write_toml(tmp_path, body))


def test_missing_default_file_means_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CRISIS_MAP_CONFIG", raising=False)
    assert load_config() == Config()
    assert Config().theatre == DEFAULT_THEATRE


def test_missing_explicit_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")


def test_config_path_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_toml(tmp_path, "[geo]\ntheatre = []\n")
    monkeypatch.setenv("CRISIS_MAP_CONFIG", str(path))
    assert load_config().theatre == ()


def test_with_theatre_is_a_new_validated_config() -> None:
    base = Config()
    assert base.with_theatre(("UA",)).theatre == ("UA",)
    assert base.theatre == DEFAULT_THEATRE
    with pytest.raises(ConfigError):
        base.with_theatre(("ukr",))
