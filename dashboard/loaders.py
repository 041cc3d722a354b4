"""All caching around geo.* calls: a rerun (a widget change, a map click) never reruns the pipeline.

Query results are cached by (store path, store revision, filter). The revision changes whenever the
store file does (a commit writes the WAL file, a checkpoint the database file), so events added by
an upload here or by ``geo ingest`` elsewhere show without a restart, and an unchanged store is read
once per filter.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo.article_meta import ReadProblem
from geo.boundaries import load_boundaries
from geo.config import Config, load_config
from geo.export import export_bytes
from geo.filters import EventFilter
from geo.folium_map import detailed_event_keys
from geo.gazetteer import Gazetteer, load_gazetteer
from geo.ingest import IngestSummary, ensure_seed_store, ingest
from geo.map_points import PointKey, PointSources, sources_by_point
from geo.models import Article
from geo.store import DEFAULT_STORE, Store, StoreStats, open_store
from geo.tables import MAX_TABLE_ROWS
from geo.uploads import read_uploads

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
EXPORT_TITLE = "Crisis Map"
STORE_ENV = "CRISIS_MAP_STORE"  # another store file, e.g. a big corpus or a test's temporary store

Revision = tuple[int, int, int, int]

_ready: set[Path] = set()  # stores known to hold articles, so the seed check runs once per process
_seed_lock = threading.Lock()
_read_lock = threading.Lock()  # one shared connection serves every session's thread


def store_path() -> Path:
    return Path(os.environ.get(STORE_ENV) or DEFAULT_STORE)


def revision(path: Path) -> Revision:
    """Modification time and size of the store file and of its write-ahead log."""
    stamps: list[int] = []
    for file in (path, Path(f"{path}-wal")):
        try:
            stat = file.stat()
            stamps += (stat.st_mtime_ns, stat.st_size)
        except FileNotFoundError:
            stamps += (0, 0)
    return stamps[0], stamps[1], stamps[2], stamps[3]


@st.cache_resource(show_spinner="Loading the gazetteer (the very first start builds its index, ~20 s)…")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


@st.cache_resource(show_spinner=False)
def config() -> Config:
    return load_config()


@st.cache_resource(show_spinner=False)
def boundaries() -> gpd.GeoDataFrame:
    return load_boundaries()  # shared read-only: build_map only reads it


@st.cache_resource(show_spinner=False)
def _open(path: str) -> Store:
    return open_store(path)


def event_store() -> tuple[Path, Store]:
    """The store's path and its shared read connection; on a first start the store is built from
    seeds/ with a progress bar (later sessions wait for that build, then find it done)."""
    path = store_path()
    if path not in _ready:
        with _seed_lock:
            if path not in _ready:
                _seed(path)
                _ready.add(path)
    return path, _open(str(path))


def _seed(path: Path) -> None:
    bar = None

    def show(done: int, total: int) -> None:
        nonlocal bar
        text = f"First start: adding the {total} seed articles to the event store ({done}/{total})…"
        if bar is None:
            bar = st.progress(0.0, text=text)
        bar.progress(done / max(total, 1), text=text)

    ensure_seed_store(path, SEEDS, gazetteer=gazetteer, config=config(), on_progress=show)
    if bar is not None:
        bar.empty()


@dataclass(frozen=True, slots=True)
class StoreFacts:
    """What the sidebar offers: the event-date range, outlets and countries, and the counts."""

    stats: StoreStats
    outlets: tuple[str, ...]
    countries: tuple[str, ...]


@st.cache_data(max_entries=8, show_spinner=False)
def store_facts(path: str, rev: Revision) -> StoreFacts:
    store = _open(path)
    with _read_lock:
        return StoreFacts(store.stats(), tuple(store.outlets()), tuple(store.countries()))


@st.cache_data(max_entries=32, show_spinner="Reading events…")
def points(path: str, rev: Revision, query: EventFilter) -> pd.DataFrame:
    """The map points of the filter's events (`Store.points`), most reported first."""
    store = _open(path)
    with _read_lock:
        return store.points(**query.store_query_kwargs())


@st.cache_data(max_entries=32, show_spinner=False)
def day_counts(path: str, rev: Revision, query: EventFilter) -> pd.DataFrame:
    """The filter's events per day and category (`Store.day_counts`), for the timeline."""
    store = _open(path)
    with _read_lock:
        return store.day_counts(**query.store_query_kwargs())


@st.cache_data(max_entries=32, show_spinner=False)
def first_events(path: str, rev: Revision, query: EventFilter) -> pd.DataFrame:
    """The filter's first MAX_TABLE_ROWS events in date order: what the events table lists."""
    store = _open(path)
    with _read_lock:
        return store.query(**query.store_query_kwargs(), limit=MAX_TABLE_ROWS)


@st.cache_data(max_entries=32, show_spinner=False)
def point_details(path: str, rev: Revision, query: EventFilter) -> dict[PointKey, PointSources]:
    """Sources of the points whose popups carry them (the most reported, as `build_map` wants)."""
    return sources_by_point(sources(path, rev, tuple(detailed_event_keys(points(path, rev, query)))))


@st.cache_data(max_entries=64, show_spinner=False)
def sources(path: str, rev: Revision, event_keys: tuple[str, ...]) -> pd.DataFrame:
    store = _open(path)
    with _read_lock:
        return store.sources(event_keys)


@st.cache_data(max_entries=16, show_spinner=False)
def export(path: str, rev: Revision, query: EventFilter, fmt: str) -> bytes:
    """The view as a download, the file `geo export` writes for the same filter (HTML offline).

    Made on a connection of its own: the download thread renders for a while, and the shared reader
    stays free for the other sessions meanwhile."""
    with open_store(path) as store:
        data, _name, _mime = export_bytes(store, query, fmt, title=EXPORT_TITLE, offline=True)
    return data


def add_uploads(files: Sequence[tuple[str, bytes]], *, max_bytes: int,
                on_progress: Callable[[int, int], None]) -> IngestSummary:
    """Read uploaded files and ingest their articles through a connection of its own (so the shared
    reader never sees a transaction half done); then drop every cached query result."""
    result = read_uploads(files, max_bytes=max_bytes)
    items: list[Article | ReadProblem] = [*result.problems, *result.articles]
    total = len(items)
    on_progress(0, total)
    with open_store(store_path()) as store:
        summary = ingest(items, store, gazetteer(), config(),
                         on_progress=lambda done: on_progress(done, total))
    st.cache_data.clear()
    return summary
