"""The dashboard as users meet it (AppTest), on temporary stores: never data/store.

Every page runs; the first start builds the store from seeds/; the date slider, the step and play
controls and a shared link change what the table shows; uploads are ingested with one message per bad
file; a hostile article is stored as written and escaped in the map.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import state
from geo.boundaries import load_boundaries
from geo.config import Config
from geo.folium_map import build_map
from geo.gazetteer import Gazetteer
from geo.ingest import ensure_seed_store, ingest
from geo.map_points import aggregate_points, sources_by_point
from geo.models import Article
from geo.store import open_store

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
SEEDS = Path(__file__).resolve().parent.parent / "seeds"
FIRST, LAST = dt.date(2021, 4, 1), dt.date(2022, 2, 20)  # the seeds' event dates

HOSTILE = """---
title: <img src=x onerror=alert(1)> {{ 7*7 }}
published: 2022-02-21
source: <b>Evil Outlet</b>
url: javascript:alert(1)
---
Russian troops shelled Avdiivka <script>alert("xss")</script> {{ config.items() }} on Monday.
"""


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory: pytest.TempPathFactory, gazetteer: Gazetteer) -> Path:
    path = tmp_path_factory.mktemp("store") / "seeds.sqlite"
    ensure_seed_store(path, SEEDS, gazetteer=lambda: gazetteer)
    return path


@pytest.fixture
def store(seed_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the seed store for one test, named by CRISIS_MAP_STORE."""
    path = tmp_path / "events.sqlite"
    shutil.copy(seed_store, path)
    monkeypatch.setenv("CRISIS_MAP_STORE", str(path))
    yield path


def run_app(**query_params: str | list[str]) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update(query_params)
    return at.run()


def table_dates(at: AppTest) -> set[dt.date]:
    return set(events_table(at)["date"])


def events_table(at: AppTest):  # type: ignore[no-untyped-def]
    return next(frame.value for frame in at.dataframe if "first seen" in frame.value.columns)


def button(at: AppTest, label: str):  # type: ignore[no-untyped-def]
    return next(b for b in at.button if b.label == label)


def test_first_start_builds_the_store_and_every_page_runs(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "new" / "events.sqlite"
    monkeypatch.setenv("CRISIS_MAP_STORE", str(path))
    at = run_app()
    assert not at.exception and not at.error
    with open_store(path) as built:
        assert built.stats().articles == 5
    assert len(events_table(at)) > 250  # the whole period by default
    assert at.query_params["from"] == FIRST.isoformat() and at.query_params["to"] == LAST.isoformat()
    at.switch_page("views/about.py").run()
    assert not at.exception
    assert any("About the data" in header.value for header in at.header)
    assert any("GeoNames" in markdown.value for markdown in at.markdown)
    at.switch_page("views/map.py").run()
    assert not at.exception and len(events_table(at)) > 250


def test_moving_the_date_slider_changes_the_rows(store: Path) -> None:
    at = run_app()
    whole = len(events_table(at))
    at.slider(key="dates").set_value((dt.date(2022, 2, 14), dt.date(2022, 2, 20))).run()
    assert not at.exception
    assert 0 < len(events_table(at)) < whole
    assert table_dates(at) <= {dt.date(2022, 2, 14) + dt.timedelta(days=d) for d in range(7)}
    assert at.query_params["from"] == "2022-02-14"  # the URL follows


def test_the_table_lists_a_first_page_and_the_captions_count_every_event(
        store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dashboard import loaders

    monkeypatch.setattr(loaders, "MAX_TABLE_ROWS", 40)  # the seeds hold a few hundred events
    at = run_app()
    assert not at.exception
    with open_store(store) as reader:
        events = reader.query()
    assert len(events) > 40
    table = events_table(at)
    assert len(table) == 40 and table["date"].tolist() == events["event_date"].dt.date.head(40).tolist()
    captions = [caption.value for caption in at.caption]
    assert f"{len(events):,} events; the first 40 are listed, narrow the filters for the rest" in captions
    assert any(f" · {len(events):,} events at " in caption for caption in captions)


def test_a_shared_link_restores_the_view(store: Path) -> None:
    at = run_app(view="belarus", cat=["front_line", "deployment"], basemap="CartoDB positron", conf="0.5",
                 **{"from": "2022-01-01", "to": "2022-02-20"})
    assert not at.exception
    assert at.radio(key="view").value == "belarus"
    assert at.slider(key="dates").value == (dt.date(2022, 1, 1), dt.date(2022, 2, 20))
    assert at.multiselect(key="categories").value == ["front_line", "deployment"]
    assert at.selectbox(key="basemap").value == "CartoDB positron"
    assert at.slider(key="min_confidence").value == 0.5
    table = events_table(at)
    assert len(table) > 0
    assert set(table["category"]) <= {"✕ Front line / fighting", "▲ Troop deployment"}
    assert min(table["date"]) >= dt.date(2022, 1, 1) and min(table["confidence"]) >= 0.5
    assert at.query_params["view"] == "belarus" and at.query_params["cat"] == ["front_line", "deployment"]


def test_a_broken_link_falls_back_to_defaults(store: Path) -> None:
    at = run_app(view="mars", cat="<script>", conf="NaN", outlet="Nobody", **{"from": "yesterday"})
    assert not at.exception and not at.error
    assert at.radio(key="view").value == "theatre"
    assert at.slider(key="dates").value == (FIRST, LAST)
    assert at.multiselect(key="categories").value == []


def test_step_buttons_move_a_window_through_the_period(store: Path) -> None:
    at = run_app()
    button(at, "step ▶").click().run()
    assert at.slider(key="dates").value == (FIRST, FIRST + dt.timedelta(days=6))
    button(at, "step ▶").click().run()
    assert at.slider(key="dates").value == (FIRST + dt.timedelta(days=7), FIRST + dt.timedelta(days=13))
    button(at, "◀ step").click().run()
    assert at.slider(key="dates").value == (FIRST, FIRST + dt.timedelta(days=6))
    assert not at.exception


def test_play_runs_to_the_end_of_the_period_and_stops(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(state, "PLAY_PAUSE_S", 0.0)
    at = run_app(**{"from": "2022-02-01", "to": "2022-02-07"})
    button(at, "▶ play").click().run()
    assert not at.exception
    assert at.slider(key="dates").value == (LAST - dt.timedelta(days=6), LAST)
    assert not at.session_state[state.PLAYING]
    assert any(b.label == "▶ play" for b in at.button)  # stopped by itself, ready to play again
    assert table_dates(at) <= {LAST - dt.timedelta(days=d) for d in range(7)}


def test_uploads_are_added_and_bad_files_named(store: Path) -> None:
    at = run_app()
    at.file_uploader[0].set_value([("hostile.md", HOSTILE.encode(), "text/markdown"),
                                   ("empty.txt", b"", "text/plain"),
                                   ("scan.jsonl", b"not json\n", "application/jsonl")]).run()
    button(at, "Add 3 files to the map").click().run()
    assert not at.exception
    assert any("1 new" in message.value for message in at.success)
    warnings = " ".join(warning.value for warning in at.warning).replace("\\", "")  # Markdown-escaped
    assert "empty.txt" in warnings and "scan.jsonl" in warnings and "not valid JSON" in warnings
    assert dt.date(2022, 2, 21) in table_dates(at)  # the store grew past the seeds' last day
    assert at.slider(key="dates").value[1] <= LAST  # the window shown stays as the user set it
    with open_store(store) as grown:
        assert grown.stats().articles == 6


def test_a_store_that_is_not_one_shows_an_error_not_a_traceback(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_text("my notes, not a store\n" * 10)
    monkeypatch.setenv("CRISIS_MAP_STORE", str(path))
    at = run_app()
    assert not at.exception
    assert len(at.error) == 1 and "not" in at.error[0].value
    assert path.read_text() == "my notes, not a store\n" * 10  # left untouched


def test_a_hostile_article_is_stored_as_written_and_escaped_in_the_map(
        tmp_path: Path, gazetteer: Gazetteer, config: Config) -> None:
    text = 'Russian troops shelled Avdiivka <script>alert("xss")</script> {{ 1234*5678 }} on Monday.'
    article = Article("evil", text, title="<img src=x onerror=alert(1)>", published=dt.date(2022, 2, 21),
                      source="<b>Evil</b> {{ 1234*5678 }}", url="javascript:alert(1)")
    with open_store(tmp_path / "events.sqlite") as store:
        summary = ingest([article], store, gazetteer, config)
        assert summary.added_articles == 1 and summary.added_events >= 1
        events = store.query()
        sources = store.sources(events["event_key"])
    assert text in set(sources["sentence"]) and "<b>Evil</b> {{ 1234*5678 }}" in set(sources["outlet"])
    page = build_map(aggregate_points(events), boundaries=load_boundaries(),
                     details=sources_by_point(sources)).get_root().render()
    assert "Avdiivka" in page
    assert '<script>alert("xss")' not in page and "<b>Evil" not in page and "javascript:alert" not in page
    assert "&lt;script&gt;" in page and "&#123;&#123; 1234*5678 &#125;&#125;" in page
    assert "{{" not in page and "7006652" not in page  # no template evaluated the article's braces
