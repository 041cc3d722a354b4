"""Shared fixtures: the real gazetteer (built once, then loaded from its cache) and the default config."""

from __future__ import annotations

import pytest

from geo.config import Config
from geo.gazetteer import Gazetteer, load_gazetteer


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    """The real gazetteer: ~20 s on the very first run (index build), ~1 s from the cache later."""
    return load_gazetteer()


@pytest.fixture(scope="session")
def config() -> Config:
    return Config()
