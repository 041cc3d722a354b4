"""`geo places` with the online fallback, end to end: config file -> CLI -> geocoder -> local Nominatim.

The server is the stand-in in tests/nominatim_server.py; nothing here touches the internet. The article
names an invented place after a locative cue, so the mention is found but no gazetteer can know it:
only the online fallback can place it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from nominatim_server import PROXY_VARIABLES, FakeNominatim, Reply, nominatim_result, running_nominatim

import geo.geocode
from geo.cli import main
from geo.config import Config
from geo.gazetteer import Gazetteer
from geo.pipeline import geoparse

NAME = "Zzyzxville"
TEXT = f"Shelling was reported near {NAME} on Sunday."
ZZYZXVILLE = nominatim_result(NAME, "48.1234567", "37.7654321", type_="village", osm_type="node",
                              osm_id=987654321)


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No proxy between us and 127.0.0.1, and no crisismap.toml but the one a test writes."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("CRISIS_MAP_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def nominatim() -> Iterator[FakeNominatim]:
    with running_nominatim() as fake:
        yield fake


def write_config(tmp_path: Path, nominatim: FakeNominatim, *, online: bool) -> Path:
    lines = ["[geo]", f'geocoder_url = "{nominatim.url}"', f'geocoder_cache = "{tmp_path / "geo.sqlite"}"']
    if online:
        lines.insert(1, "online_fallback = true")
    path = tmp_path / "crisismap.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_article(tmp_path: Path, name: str = "article.txt", text: str = TEXT) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run_places(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict[str, Any]]]:
    """Run ``geo <args>`` and return its exit code and the JSON Lines it printed."""
    code = main(list(args))
    out = capsys.readouterr().out
    return code, [json.loads(line) for line in out.splitlines()]


def test_the_gazetteer_alone_cannot_place_the_name(gazetteer: Gazetteer, config: Config) -> None:
    (resolved,) = geoparse(TEXT, gazetteer, config)
    assert (resolved.mention.surface, resolved.place, resolved.method) == (NAME, None, "unresolved")


def test_online_fallback_places_the_name(
    tmp_path: Path, nominatim: FakeNominatim, capsys: pytest.CaptureFixture[str]
) -> None:
    nominatim.script(NAME, Reply(body=[ZZYZXVILLE]))
    toml = write_config(tmp_path, nominatim, online=True)
    code, (record,) = run_places(capsys, "--config", str(toml), "places", "--json",
                                 str(write_article(tmp_path)))
    assert code == 0
    assert record["unresolved"] == []
    (place,) = record["places"]
    assert place["mention"] == NAME
    assert (place["method"], place["gazetteer_id"]) == ("online", "osm:node/987654321")
    assert (place["lat"], place["lon"], place["country"]) == (48.123457, 37.765432, "UA")
    # Asked once, though the resolver makes two passes over the article.
    assert nominatim.count(NAME) == 1
    assert nominatim.seen[0].params["countrycodes"] == ",".join(sorted(c.lower() for c in Config().theatre))
    assert (tmp_path / "geo.sqlite").exists()


def test_online_flag_turns_the_fallback_on(
    tmp_path: Path, nominatim: FakeNominatim, capsys: pytest.CaptureFixture[str]
) -> None:
    nominatim.script(NAME, Reply(body=[ZZYZXVILLE]))
    toml = write_config(tmp_path, nominatim, online=False)
    code, (record,) = run_places(capsys, "--config", str(toml), "places", "--json", "--online",
                                 str(write_article(tmp_path)))
    assert code == 0
    assert [p["method"] for p in record["places"]] == ["online"]


def test_server_error_leaves_the_mention_unresolved_and_warns(
    tmp_path: Path, nominatim: FakeNominatim, capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    nominatim.script(NAME, Reply(status=500, raw="Internal Server Error"))
    toml = write_config(tmp_path, nominatim, online=True)
    article = write_article(tmp_path, "failing.txt", f"Drones were seen near {NAME} at dawn.")
    with caplog.at_level(logging.WARNING, logger="geo.geocode"):
        code, (record,) = run_places(capsys, "--config", str(toml), "places", "--json", str(article))
    assert code == 0
    assert record["places"] == []
    assert [m["mention"] for m in record["unresolved"]] == [NAME]
    (warning,) = [r.getMessage() for r in caplog.records
                  if r.name == "geo.geocode" and r.levelno == logging.WARNING]
    assert "HTTP 500" in warning and NAME in warning


def test_a_failing_name_is_asked_once_per_article(
    tmp_path: Path, nominatim: FakeNominatim, capsys: pytest.CaptureFixture[str]
) -> None:
    """Failures are not cached, so only the resolver's per-article memo keeps this to one request."""
    nominatim.script(NAME, Reply(status=500, raw="Internal Server Error"))
    toml = write_config(tmp_path, nominatim, online=True)
    run_places(capsys, "--config", str(toml), "places", "--json", str(write_article(tmp_path)))
    assert nominatim.count(NAME) == 1


def test_config_without_online_fallback_never_asks_the_server(
    tmp_path: Path, nominatim: FakeNominatim, capsys: pytest.CaptureFixture[str]
) -> None:
    nominatim.script(NAME, Reply(body=[ZZYZXVILLE]))
    toml = write_config(tmp_path, nominatim, online=False)
    code, (record,) = run_places(capsys, "--config", str(toml), "places", "--json",
                                 str(write_article(tmp_path)))
    assert code == 0
    assert [m["mention"] for m in record["unresolved"]] == [NAME]
    assert nominatim.count() == 0
    assert not (tmp_path / "geo.sqlite").exists()


def test_default_config_builds_no_geocoder(
    tmp_path: Path, nominatim: FakeNominatim, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built: list[Config] = []
    monkeypatch.setattr(geo.geocode, "make_geocoder", lambda config: built.append(config))
    code, (record,) = run_places(capsys, "places", "--json", str(write_article(tmp_path)))
    assert code == 0
    assert [m["mention"] for m in record["unresolved"]] == [NAME]
    assert built == []
    assert nominatim.count() == 0
