"""The embedded event store (I/O edge): append articles' events idempotently, query them by window.

One SQLite file (stdlib ``sqlite3``), in WAL mode. Why SQLite: it ships with Python, every commit is
atomic and survives the writer being killed (SIGKILL mid-ingest leaves exactly the committed articles),
its B-tree indexes make a date-window query over a million events fast, readers (the dashboard) never
block the writer (the CLI) in WAL mode, and the file opens anywhere (``sqlite3`` CLI, DB Browser, QGIS).

Tables (schema version ``SCHEMA_VERSION``, file marked with ``PRAGMA application_id``):

- ``articles``: one row per stored article; ``hash`` (``content_hash``) is the idempotency key.
- ``events``: merged events, one per (gazetteer place id, category, event date) = ``event_key``.
  ``source_count`` counts its mentions (one per place mention in a sentence), ``article_count`` the
  distinct articles among them; ``first_seen`` is the earliest publication date of those articles,
  ``confidence`` the highest place-resolution confidence of its mentions, ``date_precision`` the
  finest of its mentions' date precisions.
- ``mentions``: one row per placed Event, with its full provenance (span, sentence, cues, methods).
- ``unresolved``: mentions no rule could place (nothing is dropped).

Durability: ``synchronous=NORMAL`` in WAL mode, SQLite's documented trade-off: a commit survives the
process being killed; a power cut may roll back the last commits but never corrupts the file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import sqlite3
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
import pandas as pd

from geo.errors import StoreError
from geo.models import Article, DatePrecision, Event

log = logging.getLogger(__name__)

DEFAULT_STORE = Path(__file__).resolve().parent.parent / "data" / "store" / "events.sqlite"
APPLICATION_ID = 0x47454F31  # "GEO1": marks the file as a Crisis Map store (sqlite.org/fileformat.html)
SCHEMA_VERSION = 1
_SQLITE_HEADER = b"SQLite format 3\x00"
_CHUNK = 500  # bound parameters per IN (...) list, well under SQLITE_MAX_VARIABLE_NUMBER

_SCHEMA = """
CREATE TABLE articles (
    hash TEXT PRIMARY KEY NOT NULL,
    id TEXT NOT NULL,
    title TEXT,
    source TEXT,
    url TEXT,
    published TEXT,
    published_inferred INTEGER NOT NULL,
    path TEXT
);
CREATE TABLE events (
    event_date TEXT NOT NULL,
    category TEXT NOT NULL,
    place_id TEXT NOT NULL,
    event_key TEXT NOT NULL CHECK (event_key = place_id || '|' || category || '|' || event_date),
    name TEXT NOT NULL,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    country TEXT NOT NULL,
    admin1 TEXT,
    precision TEXT NOT NULL,
    date_precision TEXT NOT NULL,
    source_count INTEGER NOT NULL,
    article_count INTEGER NOT NULL,
    first_seen TEXT,
    confidence REAL NOT NULL,
    PRIMARY KEY (event_date, category, place_id)
) WITHOUT ROWID;
CREATE INDEX events_category_date ON events (category, event_date);
CREATE INDEX events_country ON events (country);
CREATE TABLE mentions (
    id INTEGER PRIMARY KEY,
    event_key TEXT NOT NULL,
    article_hash TEXT NOT NULL REFERENCES articles (hash),
    mention TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    sentence TEXT NOT NULL,
    sentence_start INTEGER NOT NULL,
    cue TEXT NOT NULL,
    category_confidence REAL NOT NULL,
    method TEXT NOT NULL,
    confidence REAL NOT NULL,
    date_cue TEXT NOT NULL
);
CREATE INDEX mentions_event ON mentions (event_key);
CREATE INDEX mentions_article ON mentions (article_hash);
CREATE TABLE unresolved (
    id INTEGER PRIMARY KEY,
    article_hash TEXT NOT NULL REFERENCES articles (hash),
    mention TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    sentence TEXT NOT NULL,
    method TEXT NOT NULL
);
CREATE INDEX unresolved_article ON unresolved (article_hash);
"""

# finest first: an event merged from a dated and an undated mention keeps the dated precision
_PRECISION_RANK = {p.value: rank for rank, p in enumerate(DatePrecision)}
_RANK_SQL = "CASE {} " + " ".join(f"WHEN '{p}' THEN {r}" for p, r in _PRECISION_RANK.items()) + " END"

_UPSERT_EVENT = f"""
INSERT INTO events (event_key, place_id, name, lat, lon, country, admin1, precision, category, event_date,
                    date_precision, source_count, article_count, first_seen, confidence)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)
ON CONFLICT (event_date, category, place_id) DO UPDATE SET
    source_count = source_count + excluded.source_count,
    article_count = article_count + 1,
    first_seen = coalesce(min(first_seen, excluded.first_seen), first_seen, excluded.first_seen),
    confidence = max(confidence, excluded.confidence),
    date_precision = CASE WHEN {_RANK_SQL.format("excluded.date_precision")} < {_RANK_SQL.format(
        "date_precision")} THEN excluded.date_precision ELSE date_precision END
"""

EVENT_COLUMNS = ("event_key", "place_id", "name", "lat", "lon", "country", "admin1", "precision",
                 "category", "event_date", "date_precision", "source_count", "article_count",
                 "first_seen", "confidence")
MAP_COLUMNS = ("event_key", "name", "lat", "lon", "country", "category", "event_date", "source_count",
               "confidence")  # what a map point and its tooltip need
SOURCE_COLUMNS = ("event_key", "article_id", "article_hash", "title", "outlet", "url", "published",
                  "mention", "start", "end", "sentence", "sentence_start", "cue", "category_confidence",
                  "method", "confidence", "date_cue")


@dataclass(frozen=True, slots=True)
class StoreStats:
    """What a store holds: row counts and the range of its event dates (None when empty)."""

    articles: int
    events: int
    mentions: int
    unresolved: int
    first_date: dt.date | None
    last_date: dt.date | None


def content_hash(article: Article) -> str:
    """The idempotency key of an article: sha256 of its text, NFC-normalised, whitespace collapsed.

    Only the text counts: the same wire story re-read from another file (or another outlet) is the
    same article, and re-ingesting a corpus adds nothing.

    >>> content_hash(Article("a", "Troops  in\\nKyiv. ")) == content_hash(Article("b", "Troops in Kyiv."))
    True
    """
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFC", article.text)).strip()
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def event_key(place_id: str, category: str, event_date: dt.date) -> str:
    """The merge key of an event: the same place, category and day from any article is one event.

    >>> event_key("geonames:703448", "front_line", dt.date(2022, 2, 24))
    'geonames:703448|front_line|2022-02-24'
    """
    return f"{place_id}|{category}|{event_date.isoformat()}"


def open_store(path: str | Path) -> Store:
    """Open the store at `path`, creating its schema if the file is new (missing or empty).

    Raises StoreError, leaving the file untouched, if it is not a Crisis Map store (a text file, or a
    SQLite database of something else) or was written by a newer schema version.
    """
    path = Path(path)
    _check_header(path)
    try:
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: cannot open the event store: {exc}") from exc
    try:
        _check_or_create_schema(db, path)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA busy_timeout=10000")
        db.execute("PRAGMA cache_size=-65536")  # 64 MiB
        db.execute("PRAGMA mmap_size=1073741824")
    except BaseException:
        db.close()
        raise
    return Store(db, path)


def _check_header(path: Path) -> None:
    """Refuse, before SQLite touches it, a file that is not a SQLite database at all."""
    try:
        with path.open("rb") as f:
            header = f.read(len(_SQLITE_HEADER))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StoreError(f"{path}: cannot read the event store: {exc}") from exc
    if header and header != _SQLITE_HEADER:
        raise StoreError(f"{path}: not an event store (not a SQLite database); refusing to touch it")


def _check_or_create_schema(db: sqlite3.Connection, path: Path) -> None:
    """Only reads until the file is known to be ours or empty; creates the schema in one transaction."""
    try:
        db.execute("BEGIN IMMEDIATE")  # a second process creating the same store waits, then sees ours
        app_id = db.execute("PRAGMA application_id").fetchone()[0]
        version = db.execute("PRAGMA user_version").fetchone()[0]
        tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if app_id == 0 and tables == 0:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute(f"PRAGMA application_id={APPLICATION_ID}")
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            log.info("created event store %s", path)
        elif app_id != APPLICATION_ID:
            raise StoreError(f"{path}: not an event store (a SQLite database of something else: "
                             f"application_id {app_id:#x}, {tables} schema objects); refusing to touch it")
        elif version > SCHEMA_VERSION:
            raise StoreError(f"{path}: event store schema version {version} is newer than this "
                             f"program's ({SCHEMA_VERSION}); upgrade crisis-map")
        db.execute("COMMIT")
    except BaseException as exc:
        if db.in_transaction:
            db.execute("ROLLBACK")
        if isinstance(exc, sqlite3.DatabaseError):
            raise StoreError(f"{path}: not a readable event store: {exc}") from exc
        raise


class Store:
    """An open event store: a small wrapper around one SQLite connection. Use as a context manager."""

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self._db = db
        self.path = path

    def __enter__(self) -> Store:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    # -- writing ------------------------------------------------------------------------------------

    def has_article(self, article: Article) -> bool:
        """Whether an article with the same content hash is already stored."""
        row = self._db.execute("SELECT 1 FROM articles WHERE hash = ?", (content_hash(article),))
        return row.fetchone() is not None

    def add_article(self, article: Article, events: Sequence[Event]) -> int:
        """Add one article and its events in one transaction; the number of mention rows added.

        Placed events are merged into ``events`` and recorded in ``mentions``; unplaced ones go to
        ``unresolved`` (not counted in the return value). An article whose content hash is already
        stored adds nothing and returns 0.
        """
        return self.add_articles([(article, events)])

    def add_articles(self, batch: Iterable[tuple[Article, Sequence[Event]]]) -> int:
        """Add many articles in ONE transaction (all or none): the bulk path of `add_article`."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                added = sum(self._insert(article, events) for article, events in batch)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: could not add articles: {exc}") from exc
        return added

    def _insert(self, article: Article, events: Sequence[Event]) -> int:
        digest = content_hash(article)
        published = article.published.isoformat() if article.published else None
        cur = self._db.execute(
            "INSERT INTO articles (hash, id, title, source, url, published, published_inferred, path) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING",
            (digest, article.id, article.title, article.source, article.url, published,
             int(article.published_inferred), article.path))
        if cur.rowcount == 0:
            return 0
        merged: dict[str, tuple[Any, ...]] = {}
        mentions: list[tuple[Any, ...]] = []
        unresolved: list[tuple[Any, ...]] = []
        for e in events:
            m, place = e.place.mention, e.place.place
            if place is None:
                unresolved.append((digest, m.surface, m.start, m.end, e.sentence, e.place.method))
                continue
            key = event_key(place.id, e.classification.category.value, e.date.date)
            mentions.append((key, digest, m.surface, m.start, m.end, e.sentence, e.sentence_start,
                             e.classification.cue, e.classification.confidence, e.place.method,
                             e.place.confidence, e.date.cue))
            old = merged.get(key)
            precision = e.date.precision.value
            count, confidence = 1, e.place.confidence
            if old is not None:
                count, confidence = old[11] + 1, max(old[13], confidence)
                if _PRECISION_RANK[old[10]] < _PRECISION_RANK[precision]:
                    precision = old[10]
            merged[key] = (key, place.id, place.name, place.lat, place.lon, place.country,
                           place.admin1 or None, place.precision.value, e.classification.category.value,
                           e.date.date.isoformat(), precision, count, published, confidence)
        self._db.executemany(_UPSERT_EVENT, merged.values())
        self._db.executemany(
            'INSERT INTO mentions (event_key, article_hash, mention, start, "end", sentence, '
            "sentence_start, cue, category_confidence, method, confidence, date_cue) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", mentions)
        self._db.executemany(
            'INSERT INTO unresolved (article_hash, mention, start, "end", sentence, method) '
            "VALUES (?, ?, ?, ?, ?, ?)", unresolved)
        return len(mentions)

    # -- reading ------------------------------------------------------------------------------------

    def query(self, *, start: dt.date | None = None, end: dt.date | None = None,
              categories: Collection[str] = (), countries: Collection[str] = (),
              bbox: tuple[float, float, float, float] | None = None, min_confidence: float = 0.0,
              outlets: Collection[str] = (), text: str = "",
              columns: Sequence[str] = EVENT_COLUMNS) -> pd.DataFrame:
        """Merged events matching every filter given, ordered by event date: one row per event.

        `start`/`end` are inclusive event dates; `bbox` is (min_lon, min_lat, max_lon, max_lat) in
        WGS84 (min_lon > max_lon means a box across the antimeridian); `min_confidence` applies to the
        event's best place-resolution confidence; `outlets` keeps events with at least one source from
        those outlets; `text` is a case-insensitive (ASCII) substring of the place name or of a source
        sentence. Columns: EVENT_COLUMNS; ``event_date`` and ``first_seen`` are datetime64 days. The
        sources of the events are one `sources(frame.event_key)` call away. `columns` picks a subset
        of EVENT_COLUMNS (e.g. MAP_COLUMNS): at a million events the cost of a wide window is turning
        its rows into Python objects (~0.3 µs a value), not the index search (~20 ms for 58k rows).
        """
        unknown = set(columns) - set(EVENT_COLUMNS)
        if unknown:
            raise ValueError(f"unknown event columns {sorted(unknown)}; known: {EVENT_COLUMNS}")
        where: list[str] = []
        params: list[Any] = []
        window = start is not None or end is not None
        if start is not None:
            where.append("event_date >= ?")
            params.append(start.isoformat())
        if end is not None:
            where.append("event_date <= ?")
            params.append(end.isoformat())
        if categories:
            where.append(f"category IN ({_marks(categories)})")
            params.extend(str(c) for c in categories)
        if countries:
            # unary + keeps the planner on the date index when a window is given: a country index
            # scan would read most of a theatre country's events
            where.append(f"{'+' if window else ''}country IN ({_marks(countries)})")
            params.extend(countries)
        if bbox is not None:
            min_lon, min_lat, max_lon, max_lat = bbox
            if min_lat > max_lat:
                raise ValueError(f"bbox min_lat {min_lat} > max_lat {max_lat}")
            where.append("lat BETWEEN ? AND ?")
            params.extend((min_lat, max_lat))
            where.append("(lon BETWEEN ? AND ?)" if min_lon <= max_lon else "(lon >= ? OR lon <= ?)")
            params.extend((min_lon, max_lon))
        if min_confidence > 0:
            where.append("confidence >= ?")
            params.append(min_confidence)
        if outlets:
            where.append("EXISTS (SELECT 1 FROM mentions m JOIN articles a ON a.hash = m.article_hash "
                         f"WHERE m.event_key = e.event_key AND a.source IN ({_marks(outlets)}))")
            params.extend(outlets)
        if text:
            pattern = "%" + re.sub(r"([\\%_])", r"\\\1", text) + "%"
            where.append("(name LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM mentions m WHERE "
                         "m.event_key = e.event_key AND m.sentence LIKE ? ESCAPE '\\'))")
            params.extend((pattern, pattern))
        sql = (f"SELECT {', '.join(columns)} FROM events e"
               + (f" WHERE {' AND '.join(where)}" if where else "")
               + " ORDER BY event_date, category, place_id")  # the primary key's order: no sort
        return _events_frame(self._db.execute(sql, params).fetchall(), columns)

    def sources(self, event_keys: Iterable[str]) -> pd.DataFrame:
        """The mentions behind events, with their articles: one row per mention (SOURCE_COLUMNS).

        ``outlet`` is the article's source; group by ``event_key`` for per-event lists of outlets,
        urls, article ids and sentences.
        """
        keys = list(dict.fromkeys(event_keys))
        rows: list[tuple[Any, ...]] = []
        for i in range(0, len(keys), _CHUNK):
            chunk = keys[i:i + _CHUNK]
            rows += self._db.execute(
                'SELECT m.event_key, a.id, a.hash, a.title, a.source, a.url, a.published, m.mention, '
                'm.start, m."end", m.sentence, m.sentence_start, m.cue, m.category_confidence, '
                "m.method, m.confidence, m.date_cue FROM mentions m JOIN articles a "
                f"ON a.hash = m.article_hash WHERE m.event_key IN ({_marks(chunk)}) "
                "ORDER BY m.event_key, a.published, m.id", chunk).fetchall()
        frame = pd.DataFrame.from_records(rows, columns=list(SOURCE_COLUMNS))
        frame["published"] = pd.to_datetime(frame["published"], format="%Y-%m-%d")
        return frame

    def unresolved(self) -> pd.DataFrame:
        """Every mention no rule could place, with its article id and outlet."""
        rows = self._db.execute(
            'SELECT a.id, a.hash, a.source, u.mention, u.start, u."end", u.sentence, u.method '
            "FROM unresolved u JOIN articles a ON a.hash = u.article_hash ORDER BY u.id").fetchall()
        return pd.DataFrame.from_records(rows, columns=["article_id", "article_hash", "outlet", "mention",
                                                        "start", "end", "sentence", "method"])

    def article_hashes(self) -> set[str]:
        """The content hashes of every stored article."""
        return {row[0] for row in self._db.execute("SELECT hash FROM articles")}

    def stats(self) -> StoreStats:
        """Row counts and the event-date range."""
        count = {table: self._db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                 for table in ("articles", "events", "mentions", "unresolved")}
        first, last = self._db.execute("SELECT min(event_date), max(event_date) FROM events").fetchone()
        return StoreStats(count["articles"], count["events"], count["mentions"], count["unresolved"],
                          dt.date.fromisoformat(first) if first else None,
                          dt.date.fromisoformat(last) if last else None)


def _marks(values: Collection[Any]) -> str:
    return ", ".join("?" * len(values))


def _events_frame(rows: list[tuple[Any, ...]], columns: Sequence[str]) -> pd.DataFrame:
    """Rows -> frame, column by column (faster than from_records); dates become datetime64 days."""
    values = list(zip(*rows, strict=True)) if rows else [() for _ in columns]
    return pd.DataFrame({name: _column(name, column) for name, column in zip(columns, values, strict=True)})


def _column(name: str, values: Sequence[Any]) -> Any:
    if name in ("event_date", "first_seen"):
        # a window holds few distinct days: parse each once (pd.to_datetime costs ~1 µs a row)
        codes, days = pd.factorize(np.asarray(values, dtype=object))
        parsed = pd.to_datetime(days, format="%Y-%m-%d").to_numpy(dtype="datetime64[ns]")
        return np.append(parsed, np.datetime64("NaT", "ns"))[codes]  # code -1 (NULL) -> NaT
    if name in ("lat", "lon", "confidence"):
        return np.asarray(values, dtype="float64")
    if name in ("source_count", "article_count"):
        return np.asarray(values, dtype="int64")
    return pd.Series(values, dtype="str")
