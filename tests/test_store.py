"""The event store on real SQLite files in tmp_path: schema, idempotency, merging, filters, refusal of
foreign files, and atomicity under SIGKILL."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from geo.errors import GeoError, StoreError
from geo.models import (
    Article,
    Category,
    Classification,
    DatePrecision,
    Event,
    EventDate,
    Mention,
    Place,
    Precision,
    ResolvedPlace,
)
from geo.store import DEFAULT_STORE, MAP_COLUMNS, Store, content_hash, event_key, open_store

REPO = Path(__file__).resolve().parent.parent

KYIV = Place("gn:703448", "Kyiv", 50.45, 30.52, "city", Precision.SETTLEMENT, "UA", "Kyiv City")
YELNYA = Place("gn:468261", "Yelnya", 54.57, 33.18, "town", Precision.SETTLEMENT, "RU", "Smolensk")
BREST = Place("gn:629634", "Brest", 52.10, 23.70, "city", Precision.SETTLEMENT, "BY")
D1, D2, D3 = dt.date(2022, 1, 10), dt.date(2022, 1, 17), dt.date(2022, 2, 1)


def make_event(article: Article, place: Place | None, category: Category, day: dt.date, *,
               sentence: str = "", confidence: float = 0.9,
               precision: DatePrecision = DatePrecision.DAY) -> Event:
    """An Event built straight from the records: its mention is the first occurrence of the name."""
    surface = place.name if place else "Nowhereville"
    sentence = sentence or f"Something happened in {surface}."
    start = article.text.find(surface)
    start = start if start >= 0 else 0
    mention = Mention(start, start + len(surface), surface)
    resolved = ResolvedPlace(mention, place, "test" if place else "unresolved", confidence if place else 0.0)
    return Event(article.id, resolved, sentence, 0, Classification(category, "cue", 0.8),
                 EventDate(day, precision, "on Monday"))


def article(n: int, text: str = "", *, source: str = "Reuters", published: dt.date = D1) -> Article:
    return Article(f"a{n}", text or f"Article {n}: troops in Kyiv and Yelnya.", title=f"Title {n}",
                   published=published, source=source, url=f"https://example.org/{n}")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(tmp_path / "events.sqlite") as s:
        yield s


def test_default_store_is_under_the_repository() -> None:
    assert DEFAULT_STORE == REPO / "data" / "store" / "events.sqlite"


def test_a_new_store_has_the_schema(tmp_path: Path) -> None:
    path = tmp_path / "events.sqlite"
    open_store(path).close()
    with sqlite3.connect(path) as db:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert {"articles", "places", "categories", "events", "mentions", "unresolved"} <= tables
    assert {"mentions_event", "mentions_article"} <= indexes  # events' own id is the date index
    with open_store(path) as s:  # reopening keeps it
        assert s.stats().articles == 0


def test_the_event_rows_view_reads_like_the_query(tiny: Store) -> None:
    with sqlite3.connect(tiny.path) as db:
        rows = db.execute("SELECT event_key, name, category, event_date, first_seen FROM event_rows "
                          "ORDER BY event_date, category").fetchall()
    assert rows[0] == (event_key(KYIV.id, "deployment", D1), "Kyiv", "deployment", "2022-01-10", "2022-01-10")
    frame = tiny.query()
    assert [r[0] for r in rows] == list(frame["event_key"])


@pytest.mark.parametrize("day", [dt.date(1941, 6, 22), dt.date(1970, 1, 1), D3])
def test_any_day_round_trips_through_the_event_id(store: Store, day: dt.date) -> None:
    a = article(1)
    store.add_article(a, [make_event(a, KYIV, Category.FRONT_LINE, day)])
    frame = store.query(start=day, end=day)
    assert list(frame["event_key"]) == [event_key(KYIV.id, "front_line", day)]
    assert frame["event_date"][0] == dt.datetime.combine(day, dt.time())
    assert (store.stats().first_date, store.stats().last_date) == (day, day)
    assert list(store.sources(frame["event_key"])["article_id"]) == ["a1"]


def test_a_place_keeps_the_attributes_of_its_first_storage(store: Store) -> None:
    a1, a2 = article(1), article(2, "Troops near Kiev.")
    store.add_article(a1, [make_event(a1, KYIV, Category.DEPLOYMENT, D1)])
    store.add_article(a2, [make_event(a2, dataclasses.replace(KYIV, name="Kiev", lat=50.0),
                                      Category.DIPLOMACY, D2)])
    frame = store.query()
    assert list(frame["name"]) == ["Kyiv", "Kyiv"] and list(frame["lat"]) == [50.45, 50.45]


def test_an_open_reader_sees_places_a_writer_stores_later(tmp_path: Path) -> None:
    with open_store(tmp_path / "events.sqlite") as reader, open_store(tmp_path / "events.sqlite") as writer:
        assert reader.query().empty
        a1, a2 = article(1), article(2, "Refugees crossed at Brest.")
        writer.add_article(a1, [make_event(a1, KYIV, Category.DEPLOYMENT, D1)])
        assert list(reader.query()["name"]) == ["Kyiv"]
        writer.add_article(a2, [make_event(a2, BREST, Category.MIGRATION, D2)])
        assert list(reader.query()["name"]) == ["Kyiv", "Brest"]
        assert list(reader.query(countries=["BY"])["place_id"]) == [BREST.id]


def test_sources_of_unknown_or_malformed_keys_are_empty(tiny: Store) -> None:
    keys = ["no key", event_key("gn:0", "deployment", D1), event_key(KYIV.id, "nonsense", D1),
            event_key(KYIV.id, "deployment", D2)]
    assert tiny.sources(keys).empty
    assert tiny.sources(keys).columns.tolist() == tiny.sources([]).columns.tolist()


def test_content_hash_ignores_whitespace_only() -> None:
    a = Article("x", "Troops in\n\n Kyiv.")
    assert content_hash(a) == content_hash(Article("y", "Troops in Kyiv.  ", source="AP"))
    assert content_hash(a) != content_hash(Article("x", "Troops in Kyiv!"))


def test_adding_an_article_twice_adds_nothing_the_second_time(store: Store) -> None:
    a = article(1)
    events = [make_event(a, KYIV, Category.DEPLOYMENT, D1), make_event(a, None, Category.OTHER, D1)]
    assert store.add_article(a, events) == 1
    before = store.stats()
    assert (before.articles, before.events, before.mentions, before.unresolved) == (1, 1, 1, 1)
    assert store.add_article(a, events) == 0
    assert store.add_article(Article("other-id", a.text + "\n"), events) == 0  # same content
    assert store.stats() == before
    assert store.has_article(a)


def test_unresolved_mentions_are_kept(store: Store) -> None:
    a = article(1, "Shelling near Nowhereville overnight.")
    store.add_article(a, [make_event(a, None, Category.FRONT_LINE, D1, sentence=a.text)])
    unresolved = store.unresolved()
    assert list(unresolved["mention"]) == ["Nowhereville"]
    assert a.text[unresolved["start"][0]:unresolved["end"][0]] == "Nowhereville"
    assert store.query().empty


def test_same_place_category_and_date_from_two_articles_is_one_event(store: Store) -> None:
    a1 = article(1, source="Reuters", published=D2)
    a2 = article(2, source="BBC", published=D1)
    store.add_article(a1, [make_event(a1, KYIV, Category.DEPLOYMENT, D1, sentence="Troops in Kyiv.",
                                      confidence=0.7, precision=DatePrecision.WEEK)])
    store.add_article(a2, [make_event(a2, KYIV, Category.DEPLOYMENT, D1, sentence="Tanks in Kyiv.",
                                      confidence=0.9)])
    frame = store.query()
    assert len(frame) == 1
    row = frame.iloc[0]
    assert row["event_key"] == event_key(KYIV.id, "deployment", D1)
    assert (row["source_count"], row["article_count"]) == (2, 2)
    assert row["first_seen"] == dt.datetime(2022, 1, 10)  # the earlier publication
    assert row["confidence"] == pytest.approx(0.9)
    assert row["date_precision"] == "day"  # the finer of week and day
    sources = store.sources(frame["event_key"])
    assert set(sources["outlet"]) == {"Reuters", "BBC"}
    assert set(sources["article_id"]) == {"a1", "a2"}
    assert set(sources["sentence"]) == {"Troops in Kyiv.", "Tanks in Kyiv."}
    assert set(sources["url"]) == {"https://example.org/1", "https://example.org/2"}


def test_two_mentions_in_one_article_count_as_two_sources_of_one_article(store: Store) -> None:
    a = article(1, "Kyiv. Kyiv again.")
    added = store.add_article(a, [make_event(a, KYIV, Category.DIPLOMACY, D1),
                                  make_event(a, KYIV, Category.DIPLOMACY, D1)])
    assert added == 2
    row = store.query().iloc[0]
    assert (row["source_count"], row["article_count"]) == (2, 1)


@pytest.fixture
def tiny(store: Store) -> Store:
    """Four events: Kyiv deployment D1 (Reuters), Yelnya deployment D2 (TASS, conf 0.5),
    Brest migration D3 (BBC), Kyiv diplomacy D3 (BBC, sentence mentions 'talks')."""
    a1, a2, a3 = article(1, source="Reuters"), article(2, source="TASS"), article(3, source="BBC")
    store.add_article(a1, [make_event(a1, KYIV, Category.DEPLOYMENT, D1)])
    store.add_article(a2, [make_event(a2, YELNYA, Category.DEPLOYMENT, D2, confidence=0.5)])
    store.add_article(a3, [make_event(a3, BREST, Category.MIGRATION, D3),
                           make_event(a3, KYIV, Category.DIPLOMACY, D3, sentence="Peace talks opened.")])
    return store


def _names(frame: object) -> list[tuple[str, str]]:
    import pandas as pd

    assert isinstance(frame, pd.DataFrame)
    return [(r.name, r.category) for r in frame.itertuples()]


@pytest.mark.parametrize(("filters", "expected"), [
    ({}, [("Kyiv", "deployment"), ("Yelnya", "deployment"), ("Kyiv", "diplomacy"),
          ("Brest", "migration")]),
    ({"start": D2, "end": D3}, [("Yelnya", "deployment"), ("Kyiv", "diplomacy"), ("Brest", "migration")]),
    ({"start": D1, "end": D1}, [("Kyiv", "deployment")]),  # inclusive on both ends
    ({"end": D2}, [("Kyiv", "deployment"), ("Yelnya", "deployment")]),
    ({"start": D2 + dt.timedelta(days=1), "end": D3 - dt.timedelta(days=1)}, []),
    ({"categories": ["deployment"]}, [("Kyiv", "deployment"), ("Yelnya", "deployment")]),
    ({"categories": [Category.MIGRATION, Category.DIPLOMACY], "start": D3},
     [("Kyiv", "diplomacy"), ("Brest", "migration")]),
    ({"countries": ["RU", "BY"]}, [("Yelnya", "deployment"), ("Brest", "migration")]),
    ({"countries": ["UA"], "start": D1, "end": D2}, [("Kyiv", "deployment")]),
    ({"bbox": (30.0, 50.0, 34.0, 55.0)}, [("Kyiv", "deployment"), ("Yelnya", "deployment"),
                                          ("Kyiv", "diplomacy")]),
    ({"bbox": (20.0, 51.0, 32.0, 53.0)}, [("Brest", "migration")]),
    ({"min_confidence": 0.6}, [("Kyiv", "deployment"), ("Kyiv", "diplomacy"), ("Brest", "migration")]),
    ({"outlets": ["TASS", "Reuters"]}, [("Kyiv", "deployment"), ("Yelnya", "deployment")]),
    ({"text": "brest"}, [("Brest", "migration")]),  # a place name, any case
    ({"text": "TALKS"}, [("Kyiv", "diplomacy")]),  # a source sentence
    ({"text": "100%"}, []),  # LIKE wildcards are literal
    ({"text": "happened", "countries": ["UA"]}, [("Kyiv", "deployment")]),
])
def test_query_filters(tiny: Store, filters: dict[str, object], expected: list[tuple[str, str]]) -> None:
    assert _names(tiny.query(**filters)) == expected  # type: ignore[arg-type]


def test_query_frame_types(tiny: Store) -> None:
    frame = tiny.query()
    assert str(frame["event_date"].dtype).startswith("datetime64")
    assert frame["lat"].dtype == "float64" and frame["source_count"].dtype == "int64"
    assert tiny.query(start=dt.date(2030, 1, 1)).columns.tolist() == frame.columns.tolist()


def test_query_can_return_fewer_columns(tiny: Store) -> None:
    frame = tiny.query(start=D3, columns=MAP_COLUMNS)
    assert frame.columns.tolist() == list(MAP_COLUMNS) and len(frame) == 2
    with pytest.raises(ValueError, match="unknown"):
        tiny.query(columns=["event_key", "DROP TABLE"])


# -- what the map page reads: points, day counts, a first page of events ----------------------------

@pytest.fixture(scope="module")
def season(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """3,000 synthetic events over a season (bench/bench_store.py's generator, the store's own write
    path): places reported on many days and in several categories, many ties in reports."""
    from bench.bench_store import build_store

    path = tmp_path_factory.mktemp("season") / "events.sqlite"
    build_store(path, 3_000)
    with open_store(path) as s:
        yield s


SEASON_FILTERS = [{}, {"start": dt.date(2022, 1, 10), "end": dt.date(2022, 1, 16)},
                  {"categories": ["diplomacy", "migration"]}, {"countries": ["UA"], "min_confidence": 0.8},
                  {"bbox": (30.0, 48.0, 40.0, 56.0), "end": dt.date(2021, 12, 31)},
                  {"start": dt.date(2030, 1, 1)}]


@pytest.mark.parametrize("filters", SEASON_FILTERS)
def test_points_are_the_aggregate_of_the_query(season: Store, filters: dict[str, object]) -> None:
    import pandas as pd

    from geo.map_points import POINT_INPUT_COLUMNS, aggregate_points

    events = season.query(**filters, columns=POINT_INPUT_COLUMNS)  # type: ignore[arg-type]
    points = season.points(**filters)
    if events.empty:
        assert points.empty and points.columns.tolist() == aggregate_points(events).columns.tolist()
        return
    pd.testing.assert_frame_equal(points, aggregate_points(events))
    if not filters:  # a whole season: points merge many events, and many points tie in reports
        assert points["events"].max() > 1 and len(points) < len(events)
        assert points["reports"].duplicated().any()


@pytest.mark.parametrize("filters", SEASON_FILTERS)
def test_day_counts_count_the_query_per_day_and_category(season: Store, filters: dict[str, object]) -> None:
    events = season.query(**filters)  # type: ignore[arg-type]
    counts = season.day_counts(**filters)
    assert counts.columns.tolist() == ["event_date", "category", "events"]
    expected = events.groupby(["event_date", "category"]).size()
    assert {(row.event_date, row.category): row.events for row in counts.itertuples()} == dict(expected)
    assert counts["event_date"].is_monotonic_increasing


def test_a_query_limit_keeps_the_first_events(season: Store) -> None:
    import pandas as pd

    events = season.query(categories=["front_line"])
    assert len(events) > 100
    for limit in (0, 1, 100, len(events) + 5):
        first = season.query(categories=["front_line"], limit=limit)
        pd.testing.assert_frame_equal(first, events.head(limit))


def test_points_and_day_counts_take_the_query_filters_only(tiny: Store) -> None:
    with pytest.raises(TypeError):
        tiny.points(colour="red")
    with pytest.raises(TypeError):
        tiny.day_counts(columns=["event_key"])


def test_stats(tiny: Store) -> None:
    stats = tiny.stats()
    assert (stats.articles, stats.events, stats.mentions, stats.unresolved) == (3, 4, 4, 0)
    assert (stats.first_date, stats.last_date) == (D1, D3)


def test_store_error_is_a_geo_error_and_a_runtime_error() -> None:
    assert issubclass(StoreError, GeoError) and issubclass(StoreError, RuntimeError)


def _foreign_sqlite(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE notes (body TEXT)")
        db.execute("INSERT INTO notes VALUES ('keep me')")
    sqlite3.connect(path).close()


@pytest.mark.parametrize("make", [
    lambda p: p.write_text("just some notes\n" * 100),
    lambda p: p.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200),  # right magic, garbage after
    _foreign_sqlite,
])
def test_a_file_that_is_not_a_store_is_refused_and_left_untouched(tmp_path: Path, make: object) -> None:
    path = tmp_path / "not-a-store.sqlite"
    make(path)  # type: ignore[operator]
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not"):
        open_store(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-a-store.sqlite"]


def test_a_store_of_another_schema_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "events.sqlite"
    open_store(path).close()
    for version, word in ((1, "older"), (99, "newer")):
        with sqlite3.connect(path) as db:
            db.execute(f"PRAGMA user_version={version}")
        with pytest.raises(StoreError, match=f"schema version {version} is {word}"):
            open_store(path)


def test_a_missing_directory_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError):
        open_store(tmp_path / "no" / "such" / "dir" / "events.sqlite")


_INGEST_LOOP = textwrap.dedent("""
    import datetime as dt, sys
    from geo.models import *
    from geo.store import open_store, content_hash
    place = Place("gn:703448", "Kyiv", 50.45, 30.52, "city", Precision.SETTLEMENT, "UA")
    with open_store(sys.argv[1]) as store:
        for n in range(1_000_000):
            text = f"Article {n}: troops in Kyiv. " + "padding " * 200
            article = Article(f"a{n}", text, published=dt.date(2022, 1, 1), source="Reuters")
            events = [Event(article.id, ResolvedPlace(Mention(n % 7, n % 7 + 4, "Kyiv"), place, "t", 0.9),
                            "Troops in Kyiv.", 0, Classification(Category(c), "cue", 0.8),
                            EventDate(dt.date(2022, 1, 1) + dt.timedelta(days=n % 90), DatePrecision.DAY))
                      for c in ("deployment", "front_line", "diplomacy", "migration", "other") * 4]
            store.add_article(article, events)
            print(content_hash(article), flush=True)
""")


def test_sigkill_mid_ingest_leaves_exactly_the_committed_articles(tmp_path: Path) -> None:
    path = tmp_path / "events.sqlite"
    proc = subprocess.Popen([sys.executable, "-c", _INGEST_LOOP, str(path)], stdout=subprocess.PIPE,
                            cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, text=True)
    assert proc.stdout is not None
    printed: list[str] = []
    deadline = time.monotonic() + 60
    while len(printed) < 25 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        printed.append(line.strip())
    os.kill(proc.pid, signal.SIGKILL)
    printed += [line.strip() for line in proc.stdout.read().splitlines() if line.strip()]
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert len(printed) >= 20
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with open_store(path) as store:
        stored = store.article_hashes()
        stats = store.stats()
    assert stored >= set(printed)
    assert len(stored - set(printed)) <= 1  # committed, killed before it could print
    assert stats.mentions == 20 * stats.articles  # no article half-written
