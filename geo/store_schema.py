"""The event store's file layout: its tables, the marks that identify the file, and the event id.

Tables (schema version ``SCHEMA_VERSION``, file marked with ``PRAGMA application_id``):

- ``articles``: one row per stored article; ``hash`` (``content_hash``) is the idempotency key.
- ``places``: one row per gazetteer place any event refers to, numbered by the store (``id``); its
  attributes are those of its first storage.
- ``categories``: the store's small number (``code``) for each event category name.
- ``events``: merged events, one per (day, category, place). The row is slim on purpose: its ``id``
  packs the three (see `event_id`), so a date window is one range of the table's own B-tree and a row
  read costs one integer; name, coordinates and country are looked up in ``places``, once per place.
  ``source_count`` counts its mentions, ``article_count`` the distinct articles among them,
  ``first_seen`` is the earliest publication day of those articles, ``confidence`` the highest
  place-resolution confidence of its mentions, ``date_precision`` the finest of its mentions'.
- ``mentions``: one row per placed Event (``event`` = the events ``id``) with its full provenance.
- ``unresolved``: mentions no rule could place (nothing is dropped).
- view ``event_rows``: the events as a person reads them (text key, names, ISO dates), for the
  ``sqlite3`` shell, DB Browser or QGIS.

Days are stored as days since 1970-01-01 (``day_number``): numpy and Arrow read them as dates as is.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from pathlib import Path

from geo.errors import StoreError
from geo.models import Category

log = logging.getLogger(__name__)

APPLICATION_ID = 0x47454F31  # "GEO1": marks the file as a Crisis Map store (sqlite.org/fileformat.html)
SCHEMA_VERSION = 2  # 2: places and categories apart, packed integer event id (issue: 1M-event query)
_SQLITE_HEADER = b"SQLite format 3\x00"

PLACE_BITS = 32  # up to 4 billion places
CATEGORY_BITS = 8  # up to 256 categories
DAY_SHIFT = PLACE_BITS + CATEGORY_BITS
PLACE_MASK = (1 << PLACE_BITS) - 1
CATEGORY_MASK = (1 << CATEGORY_BITS) - 1
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()

# the parts of an events row's id in SQL; SQLite's >> keeps the sign, as Python's and numpy's do
SQL_DAY = f"(e.id >> {DAY_SHIFT})"
SQL_CATEGORY = f"((e.id >> {PLACE_BITS}) & {CATEGORY_MASK})"
SQL_PLACE = f"(e.id & {PLACE_MASK})"

_ISO_DAY = "date({} * 86400, 'unixepoch')"
_SCHEMA = f"""
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
CREATE TABLE places (
    id INTEGER PRIMARY KEY CHECK (id BETWEEN 1 AND {PLACE_MASK}),
    place_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    country TEXT NOT NULL,
    admin1 TEXT,
    precision TEXT NOT NULL
);
CREATE TABLE categories (
    code INTEGER PRIMARY KEY CHECK (code BETWEEN 0 AND {CATEGORY_MASK}),
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    date_precision TEXT NOT NULL,
    source_count INTEGER NOT NULL,
    article_count INTEGER NOT NULL,
    first_seen INTEGER,
    confidence REAL NOT NULL
);
CREATE TABLE mentions (
    id INTEGER PRIMARY KEY,
    event INTEGER NOT NULL REFERENCES events (id),
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
CREATE INDEX mentions_event ON mentions (event);
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
CREATE VIEW event_rows AS
SELECT p.place_id || '|' || c.name || '|' || {_ISO_DAY.format(SQL_DAY)} AS event_key,
       p.place_id, p.name, p.lat, p.lon, p.country, p.admin1, p.precision, c.name AS category,
       {_ISO_DAY.format(SQL_DAY)} AS event_date, e.date_precision, e.source_count, e.article_count,
       {_ISO_DAY.format("e.first_seen")} AS first_seen, e.confidence
FROM events e JOIN places p ON p.id = {SQL_PLACE} JOIN categories c ON c.code = {SQL_CATEGORY};
"""


def day_number(day: dt.date) -> int:
    """How the store keeps a date: days since 1970-01-01.

    >>> day_number(dt.date(1970, 1, 2)), day_number(dt.date(1969, 12, 31))
    (1, -1)
    """
    return day.toordinal() - _EPOCH_ORDINAL


def day_from_number(number: int) -> dt.date:
    """The date a `day_number` stands for.

    >>> day_from_number(19002)
    datetime.date(2022, 1, 10)
    """
    return dt.date.fromordinal(number + _EPOCH_ORDINAL)


def event_id(day: int, category: int, place: int) -> int:
    """The id of the merged event of a day number, category code and place number.

    Ids sort by day, then category, then place, so the events of a date window are one id range.

    >>> event_id(19002, 1, 7) == 19002 * 2**40 + 1 * 2**32 + 7
    True
    >>> event_id(-1, 255, 2**32 - 1) < event_id(0, 0, 1)  # days before 1970 sort first
    True
    """
    if not 0 <= category <= CATEGORY_MASK or not 0 <= place <= PLACE_MASK:
        raise ValueError(f"category code {category} or place number {place} out of range")
    return (day << DAY_SHIFT) | (category << PLACE_BITS) | place


def id_range(first_day: int | None, last_day: int | None) -> tuple[int | None, int | None]:
    """The inclusive id range of the events from `first_day` to `last_day` (None: unbounded).

    >>> lo, hi = id_range(19002, 19002)
    >>> lo == event_id(19002, 0, 0) and hi == event_id(19003, 0, 0) - 1
    True
    """
    return (None if first_day is None else first_day << DAY_SHIFT,
            None if last_day is None else ((last_day + 1) << DAY_SHIFT) - 1)


def check_header(path: Path) -> None:
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


def check_or_create_schema(db: sqlite3.Connection, path: Path) -> None:
    """Only reads until the file is known to be ours or empty; creates the schema in one transaction.

    A store of another schema version is refused: there is no migration, a store is rebuilt by
    ingesting its articles again.
    """
    try:
        db.execute("BEGIN IMMEDIATE")  # a second process creating the same store waits, then sees ours
        app_id = db.execute("PRAGMA application_id").fetchone()[0]
        version = db.execute("PRAGMA user_version").fetchone()[0]
        tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if app_id == 0 and tables == 0:
            _create_schema(db)
            log.info("created event store %s", path)
        elif app_id != APPLICATION_ID:
            raise StoreError(f"{path}: not an event store (a SQLite database of something else: "
                             f"application_id {app_id:#x}, {tables} schema objects); refusing to touch it")
        elif version > SCHEMA_VERSION:
            raise StoreError(f"{path}: event store schema version {version} is newer than this "
                             f"program's ({SCHEMA_VERSION}); upgrade crisis-map")
        elif version < SCHEMA_VERSION:
            raise StoreError(f"{path}: event store schema version {version} is older than this "
                             f"program's ({SCHEMA_VERSION}); ingest the articles again into a new store")
        db.execute("COMMIT")
    except BaseException as exc:
        if db.in_transaction:
            db.execute("ROLLBACK")
        if isinstance(exc, sqlite3.DatabaseError):
            raise StoreError(f"{path}: not a readable event store: {exc}") from exc
        raise


def _create_schema(db: sqlite3.Connection) -> None:
    for statement in _SCHEMA.split(";"):
        if statement.strip():
            db.execute(statement)
    # codes in name order, so events of one day list their categories alphabetically; a category
    # added to the program later gets the next free code when first stored
    db.executemany("INSERT INTO categories (code, name) VALUES (?, ?)",
                   enumerate(sorted(c.value for c in Category)))
    db.execute(f"PRAGMA application_id={APPLICATION_ID}")
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
