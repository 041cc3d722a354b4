"""Shared fixtures: the real gazetteer (built once, then loaded from its cache), the default config, and
the browser of the e2e tests.

Browser tests (marked ``e2e``) skip where Chromium or Playwright is missing, with the reason. With
``CRISIS_MAP_E2E_REQUIRED=1`` (set by .ci/run) a skipped e2e test is reported as failed instead,
whatever skipped it (`chromium_executable`, a ``skipif`` marker, ``importorskip``), so CI cannot go
green without having run them.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Generator

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
