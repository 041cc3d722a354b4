"""The real Streamlit app through AppTest: it starts on the seed corpus and escapes article text."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"


def test_app_starts_and_maps_the_seed_places() -> None:
    at = AppTest.from_file(str(APP), default_timeout=180).run()
    assert not at.exception
    places = int(at.metric[0].value)
    assert places > 100  # the five seeds name hundreds of places
