"""The embedded event store (I/O edge): append articles' events idempotently, query them by window.

One SQLite file (stdlib ``sqlite3``), in WAL mode. Why SQLite: it ships with Python, every commit is
atomic and survives the writer being killed (SIGKILL mid-ingest leaves exactly the committed articles),
its B-tree indexes make a date-window query over a million events fast, readers (the dashboard) never
block the writer (the CLI) in WAL mode, and the file opens anywhere (``sqlite3`` CLI, DB Browser, QGIS).

An event is merged from every mention of the same place, category and day (`event_key`). The tables
are described in `geo.store_schema`; the rows an article adds are made by `geo.store_rows` (in the
extraction workers, when there are some); reading a window into a frame without a Python object per
row is `geo.store_query`.

Durability: ``synchronous=NORMAL`` in WAL mode, SQLite's documented trade-off: a commit survives the
process being killed; a power cut may roll back the last commits but never corrupts the file.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from geo.errors import StoreError
from geo.models import Article, Event
from geo.store_query import (
    EVENT_COLUMNS,
    MAP_COLUMNS,
    POINT_STORED,
    day_counts_frame,
    events_frame,
    filter_sql,
    points_frame,
    read_categories,
    read_places,
    window_sql,
)
from geo.store_rows import PRECISION_RANK, ArticleRows, PlaceRow, article_rows, content_hash
from geo.store_schema import (
    CATEGORY_MASK,
    DAY_SHIFT,
    PLACE_BITS,
    check_header,
    check_or_create_schema,
    day_from_number,
    day_number,
    event_id,
)

__all__ = ["DEFAULT_STORE", "EVENT_COLUMNS", "MAP_COLUMNS", "SOURCE_COLUMNS", "Store", "StoreStats",
           "content_hash", "event_key", "open_store", "parse_event_key"]

if TYPE_CHECKING:
    import pandas as pd

    from geo.store_query import PlaceTable

log = logging.getLogger(__name__)

DEFAULT_STORE = Path(__file__).resolve().parent.parent / "data" / "store" / "events.sqlite"
_CHUNK = 500  # bound parameters per IN (...) list, well under SQLITE_MAX_VARIABLE_NUMBER

_RANK_SQL = "CASE {} " + " ".join(f"WHEN '{p}' THEN {r}" for p, r in PRECISION_RANK.items()) + " END"

_UPSERT_EVENT = f"""
INSERT INTO events (id, date_precision, source_count, article_count, first_seen, confidence)
VALUES (?, ?, ?, 1, ?, ?)
ON CONFLICT (id) DO UPDATE SET
    source_count = source_count + excluded.source_count,
    article_count = article_count + 1,
    first_seen = coalesce(min(first_seen, excluded.first_seen), first_seen, excluded.first_seen),
    confidence = max(confidence, excluded.confidence),
    date_precision = CASE WHEN {_RANK_SQL.format("excluded.date_precision")} < {_RANK_SQL.format(
        "date_precision")} THEN excluded.date_precision ELSE date_precision END
"""

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


def event_key(place_id: str, category: str, event_date: dt.date) -> str:
    """The merge key of an event: the same place, category and day from any article is one event.

    >>> event_key("geonames:703448", "front_line", dt.date(2022, 2, 24))
    'geonames:703448|front_line|2022-02-24'
    """
    return f"{place_id}|{category}|{event_date.isoformat()}"


def parse_event_key(key: str) -> tuple[str, str, dt.date] | None:
    """The (place id, category, date) of an `event_key`; None if `key` is not one.

    >>> parse_event_key("geonames:703448|front_line|2022-02-24")
    ('geonames:703448', 'front_line', datetime.date(2022, 2, 24))
    >>> parse_event_key("no key") is None
    True
    """
    parts = str(key).rsplit("|", 2)  # a place id may itself hold a '|'; category and date cannot
    if len(parts) != 3:
        return None
    try:
        return parts[0], parts[1], dt.date.fromisoformat(parts[2])
    except ValueError:
        return None


def open_store(path: str | Path) -> Store:
    """Open the store at `path`, creating its schema if the file is new (missing or empty).

    Raises StoreError, leaving the file untouched, if it is not a Crisis Map store (a text file, or a
    SQLite database of something else) or was written by another schema version.
    """
    path = Path(path)
    check_header(path)
    try:
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: cannot open the event store: {exc}") from exc
    try:
        check_or_create_schema(db, path)
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


class _Numbering:
    """The store's numbers for places and categories within one write transaction, adding new ones.

    Remembered only for the transaction: a rolled-back insert frees its number.
    """

    def __init__(self, db: sqlite3.Connection, committed: Mapping[str, int]) -> None:
        self._db = db
        self._committed = committed  # numbers of earlier transactions: they cannot be rolled back
        self._places: dict[str, int] = {}
        self._categories = {name: code for code, name in read_categories(db).items()}

    @property
    def places(self) -> Mapping[str, int]:
        """The place numbers this transaction looked up or added."""
        return self._places

    def place(self, place: PlaceRow) -> int:
        place_id = place[0]
        number = self._committed.get(place_id) or self._places.get(place_id)
        if number is None:
            row = self._db.execute("SELECT id FROM places WHERE place_id = ?", (place_id,)).fetchone()
            if row is None:  # first storage: its attributes stay those of this first sighting
                row = self._db.execute(
                    "INSERT INTO places (place_id, name, lat, lon, country, admin1, precision) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id", place).fetchone()
            number = self._places[place_id] = row[0]
        return number

    def category(self, name: str) -> int:
        code = self._categories.get(name)
        if code is None:
            code = max(self._categories.values(), default=-1) + 1
            if code > CATEGORY_MASK:
                raise StoreError(f"no code left for category {name!r}")
            self._db.execute("INSERT INTO categories (code, name) VALUES (?, ?)", (code, name))
            self._categories[name] = code
        return code


class Store:
    """An open event store: a small wrapper around one SQLite connection. Use as a context manager."""

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self._db = db
        self.path = path
        self._places: PlaceTable | None = None  # read by the first query
        self._committed_places: dict[str, int] = {}  # place id -> number, of committed transactions

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
        return self.has_hash(content_hash(article))

    def has_hash(self, digest: str) -> bool:
        """Whether an article with this `content_hash` is already stored."""
        return self._db.execute("SELECT 1 FROM articles WHERE hash = ?", (digest,)).fetchone() is not None

    def add_article(self, article: Article, events: Sequence[Event]) -> int:
        """Add one article and its events in one transaction; the number of mention rows added.

        Placed events are merged into ``events`` and recorded in ``mentions``; unplaced ones go to
        ``unresolved`` (not counted in the return value). An article whose content hash is already
        stored adds nothing and returns 0.
        """
        return self.add_articles([(article, events)])

    def add_articles(self, batch: Iterable[tuple[Article, Sequence[Event]]]) -> int:
        """Add many articles in ONE transaction (all or none): the bulk path of `add_article`."""
        return self.add_rows(article_rows(article, events) for article, events in batch)

    def add_rows(self, batch: Iterable[ArticleRows]) -> int:
        """`add_articles` from articles already turned into rows (`geo.store_rows.article_rows`), as the
        extraction workers send them."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                numbering = _Numbering(self._db, self._committed_places)
                added = sum(self._insert(rows, numbering) for rows in batch)
                self._db.execute("COMMIT")
                self._committed_places.update(numbering.places)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: could not add articles: {exc}") from exc
        return added

    def _insert(self, rows: ArticleRows, numbering: _Numbering) -> int:
        digest = rows.hash
        cur = self._db.execute(
            "INSERT INTO articles (hash, id, title, source, url, published, published_inferred, path) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING", (digest, *rows.article))
        if cur.rowcount == 0:
            return 0
        place_numbers = [numbering.place(place) for place in rows.places]
        event_ids = [event_id(day, numbering.category(category), place_numbers[place])
                     for place, category, day, _, _, _ in rows.events]
        self._db.executemany(_UPSERT_EVENT, [
            (eid, precision, count, rows.first_seen, confidence)
            for eid, (_, _, _, precision, count, confidence) in zip(event_ids, rows.events, strict=True)])
        self._db.executemany(
            'INSERT INTO mentions (event, article_hash, mention, start, "end", sentence, '
            "sentence_start, cue, category_confidence, method, confidence, date_cue) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(event_ids[m[0]], digest, *m[1:]) for m in rows.mentions])
        self._db.executemany(
            'INSERT INTO unresolved (article_hash, mention, start, "end", sentence, method) '
            "VALUES (?, ?, ?, ?, ?, ?)", [(digest, *row) for row in rows.unresolved])
        return len(rows.mentions)

    # -- reading ------------------------------------------------------------------------------------

    def query(self, *, start: dt.date | None = None, end: dt.date | None = None,
              categories: Collection[str] = (), countries: Collection[str] = (),
              bbox: tuple[float, float, float, float] | None = None, min_confidence: float = 0.0,
              outlets: Collection[str] = (), text: str = "",
              columns: Sequence[str] = EVENT_COLUMNS, limit: int | None = None) -> pd.DataFrame:
        """Merged events matching every filter given, one row per event, ordered by event date, then
        category, then place (in the order places were first stored).

        `start`/`end` are inclusive event dates; `bbox` is (min_lon, min_lat, max_lon, max_lat) in
        WGS84 (min_lon > max_lon means a box across the antimeridian); `min_confidence` applies to the
        event's best place-resolution confidence; `outlets` keeps events with at least one source from
        those outlets; `text` is a case-insensitive (ASCII) substring of the place name or of a source
        sentence. Columns: EVENT_COLUMNS; ``event_date`` and ``first_seen`` are datetime64 days;
        ``confidence`` keeps 9 decimals. The sources of the events are one
        `sources(frame.event_key)` call away. `columns` picks a subset of EVENT_COLUMNS (e.g.
        MAP_COLUMNS): the fewer stored columns asked for, the less SQLite has to write out. `limit`
        keeps only that many first events (a table's first page).
        """
        unknown = set(columns) - set(EVENT_COLUMNS)
        if unknown:
            raise ValueError(f"unknown event columns {sorted(unknown)}; known: {EVENT_COLUMNS}")
        where, params = self._where(start=start, end=end, categories=categories, countries=countries,
                                    bbox=bbox, min_confidence=min_confidence, outlets=outlets, text=text)
        sql, stored = window_sql(where, columns, limit=limit)
        texts = self._db.execute(sql, params).fetchone()
        return events_frame(texts, stored, columns, self._read_places(), read_categories(self._db))

    def points(self, **filters: Any) -> pd.DataFrame:
        """The map points of the events `query(**filters)` returns, as
        `geo.map_points.aggregate_points` of them makes: one row per place and category, most reported
        first. Reads no per-event place text, so a season of events costs a fraction of the query."""
        where, params = self._where(**filters)
        sql, stored = window_sql(where, POINT_STORED)
        texts = self._db.execute(sql, params).fetchone()
        return points_frame(texts, stored, self._read_places(), read_categories(self._db))

    def day_counts(self, **filters: Any) -> pd.DataFrame:
        """How many of the events `query(**filters)` returns fall on each day, per category: columns
        event_date (datetime64 days), category, events; by day, then category code. A timeline's
        data: SQLite lists the day and category bits of each event id, numpy counts them."""
        where, params = self._where(**filters)
        text, = self._db.execute(f"SELECT group_concat(e.id >> {PLACE_BITS}) FROM events e WHERE {where}",
                                 params).fetchone()
        return day_counts_frame(text, read_categories(self._db))

    def _where(self, *, start: dt.date | None = None, end: dt.date | None = None,
               categories: Collection[str] = (), countries: Collection[str] = (),
               bbox: tuple[float, float, float, float] | None = None, min_confidence: float = 0.0,
               outlets: Collection[str] = (), text: str = "") -> tuple[str, list[Any]]:
        """The SQL condition of `query`'s filters over ``events e``, and its parameters."""
        wanted = {str(c) for c in categories}
        codes = [c for c, name in read_categories(self._db).items() if name in wanted]
        return filter_sql(start=start, end=end, category_codes=codes if categories else None,
                          countries=countries, bbox=bbox, min_confidence=min_confidence, outlets=outlets,
                          text=text)

    def _read_places(self) -> PlaceTable:
        """The places table, brought up to date. Read after the events, not in one transaction with
        them (a Store may serve several threads): places are only ever added, so these name every
        event just read."""
        self._places = read_places(self._db, self._places)
        return self._places

    def sources(self, event_keys: Iterable[str]) -> pd.DataFrame:
        """The mentions behind events, with their articles: one row per mention (SOURCE_COLUMNS).

        ``outlet`` is the article's source; group by ``event_key`` for per-event lists of outlets,
        urls, article ids and sentences. Rows come in the order of `query`, then by publication.
        """
        parsed = {key: parts for key in event_keys if (parts := parse_event_key(key)) is not None}
        numbers = self._place_numbers({place_id for place_id, _, _ in parsed.values()})
        codes = {name: code for code, name in read_categories(self._db).items()}
        keys = {event_id(day_number(day), codes[category], numbers[place_id]): key  # id -> key as given
                for key, (place_id, category, day) in parsed.items()
                if place_id in numbers and category in codes}  # others are no event of this store
        import pandas as pd  # not imported by writers (geo.store_query)

        ids = sorted(keys)
        rows: list[tuple[Any, ...]] = []
        for i in range(0, len(ids), _CHUNK):
            chunk = ids[i:i + _CHUNK]
            rows += self._db.execute(
                'SELECT m.event, a.id, a.hash, a.title, a.source, a.url, a.published, m.mention, '
                'm.start, m."end", m.sentence, m.sentence_start, m.cue, m.category_confidence, '
                "m.method, m.confidence, m.date_cue FROM mentions m JOIN articles a "
                f"ON a.hash = m.article_hash WHERE m.event IN ({', '.join('?' * len(chunk))}) "
                "ORDER BY m.event, a.published, m.id", chunk).fetchall()
        frame = pd.DataFrame.from_records([(keys[row[0]], *row[1:]) for row in rows],
                                          columns=list(SOURCE_COLUMNS))
        frame["published"] = pd.to_datetime(frame["published"], format="%Y-%m-%d")
        return frame

    def _place_numbers(self, place_ids: Collection[str]) -> dict[str, int]:
        """The store's numbers of those gazetteer places it holds."""
        ordered = list(place_ids)
        numbers: dict[str, int] = {}
        for i in range(0, len(ordered), _CHUNK):
            chunk = ordered[i:i + _CHUNK]
            numbers.update(self._db.execute(
                f"SELECT place_id, id FROM places WHERE place_id IN ({', '.join('?' * len(chunk))})",
                chunk))
        return numbers

    def unresolved(self) -> pd.DataFrame:
        """Every mention no rule could place, with its article id and outlet."""
        import pandas as pd
        rows = self._db.execute(
            'SELECT a.id, a.hash, a.source, u.mention, u.start, u."end", u.sentence, u.method '
            "FROM unresolved u JOIN articles a ON a.hash = u.article_hash ORDER BY u.id").fetchall()
        return pd.DataFrame.from_records(rows, columns=["article_id", "article_hash", "outlet", "mention",
                                                        "start", "end", "sentence", "method"])

    def article_hashes(self) -> set[str]:
        """The content hashes of every stored article."""
        return {row[0] for row in self._db.execute("SELECT hash FROM articles")}

    def outlets(self) -> list[str]:
        """The outlets of the stored articles, sorted; articles without one are left out."""
        return [row[0] for row in self._db.execute(
            "SELECT DISTINCT source FROM articles WHERE source IS NOT NULL AND source != '' ORDER BY 1")]

    def countries(self) -> list[str]:
        """The country codes of the stored places, sorted; places without a country are left out."""
        return [row[0] for row in self._db.execute(
            "SELECT DISTINCT country FROM places WHERE country IS NOT NULL AND country != '' ORDER BY 1")]

    def stats(self) -> StoreStats:
        """Row counts and the event-date range."""
        count = {table: self._db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                 for table in ("articles", "events", "mentions", "unresolved")}
        first, last = self._db.execute(f"SELECT min(id) >> {DAY_SHIFT}, max(id) >> {DAY_SHIFT} "
                                       "FROM events").fetchone()
        return StoreStats(count["articles"], count["events"], count["mentions"], count["unresolved"],
                          None if first is None else day_from_number(first),
                          None if last is None else day_from_number(last))
