"""Shared fixtures: the real gazetteer (built once, then loaded from its cache), the default config, a
store of the seeds, a checker of exported GeoJSON, and the browser of the e2e tests.

Browser tests (marked ``e2e``) skip where Chromium or Playwright is missing, with the reason. With
``CRISIS_MAP_E2E_REQUIRED=1`` (set by .ci/run) a skipped e2e test is reported as failed instead,
whatever skipped it (`chromium_executable`, a ``skipif`` marker, ``importorskip``), so CI cannot go
green without having run them.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from geo.config import Config
from geo.gazetteer import Gazetteer, load_gazetteer

E2E_REQUIRED = os.environ.get("CRISIS_MAP_E2E_REQUIRED") == "1"


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    """The real gazetteer: ~20 s on the very first run (index build), ~1 s from the cache later."""
    return load_gazetteer()


@pytest.fixture(scope="session")
def config() -> Config:
    return Config()


@pytest.fixture(scope="session")
def seed_store_path(tmp_path_factory: pytest.TempPathFactory, gazetteer: Gazetteer) -> Path:
    """An event store built from seeds/ once per session. Shared: open it read-only in spirit (copy it
    first to change it)."""
    from geo.ingest import ensure_seed_store

    path = tmp_path_factory.mktemp("seed-store") / "seeds.sqlite"
    ensure_seed_store(path, Path(__file__).resolve().parent.parent / "seeds", gazetteer=lambda: gazetteer)
    return path


@pytest.fixture(scope="session")
def check_geojson() -> Callable[[Any], None]:
    """A checker of exported GeoJSON documents: the official FeatureCollection JSON Schema
    (tests/data/geojson-schema, validated by `jsonschema`, not by our code), then what the schema
    cannot say about RFC 7946: no ``crs`` member, positions [lon, lat] in WGS84 ranges with at most 6
    decimals (a coordinate written with more, or in exponent form below 1e-6, fails)."""
    import decimal
    import json

    from jsonschema import Draft7Validator

    schema_path = Path(__file__).resolve().parent / "data" / "geojson-schema" / "FeatureCollection.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    validator = Draft7Validator(schema)

    def check(document: Any) -> None:
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
        assert not errors, errors[:5]
        assert "crs" not in document
        for feature in document["features"]:
            assert "crs" not in feature
            lon, lat = feature["geometry"]["coordinates"]
            assert -180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0, (lon, lat)
            for value in (lon, lat):
                exponent = decimal.Decimal(json.dumps(value)).as_tuple().exponent
                assert isinstance(exponent, int) and exponent >= -6, value

    return check


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """Debian's chromium, for Playwright (we never run `playwright install`); skips without it or
    without the playwright package."""
    missing = []
    if importlib.util.find_spec("playwright") is None:
        missing.append('the playwright package (pip install -e ".[test]")')
    path = shutil.which("chromium")
    if path is None:
        missing.append("a chromium binary on PATH (apt-get install chromium)")
    if missing:
        pytest.skip("browser test needs " + " and ".join(missing))
    return path


@pytest.fixture(scope="module")
def browser(chromium_executable: str) -> Iterator[Any]:
    """Headless Debian chromium driven by Playwright, one per test module (a module that starts its own
    `sync_playwright` must not find another one still running)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_executable, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def record_page_problems() -> Callable[[Any, list[str], list[str]], None]:
    """A function that makes a Playwright page report into two lists: its console errors and uncaught
    exceptions into `errors`, every dialog (dismissed) into `dialogs`."""
    def record(page: Any, errors: list[str], dialogs: list[str]) -> None:
        page.on("console", lambda message: errors.append(f"console: {message.text}")
                if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
        page.on("dialog", lambda dialog: (dialogs.append(f"{dialog.type}: {dialog.message}"),
                                          dialog.dismiss()))
    return record


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]
                              ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """With CRISIS_MAP_E2E_REQUIRED=1, an e2e test that skipped fails, naming why it skipped."""
    report = yield
    if E2E_REQUIRED and report.skipped and item.get_closest_marker("e2e") is not None:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"CRISIS_MAP_E2E_REQUIRED=1, but this browser test was skipped: {reason}"
    return report
