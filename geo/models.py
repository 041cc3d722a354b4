"""Frozen records shared by every stage of the pipeline.

Coordinates are always (lat, lon) in WGS84 here; the swap to (x=lon, y=lat) happens once, in frames.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class Precision(StrEnum):
    """How much ground a resolved place covers, from a point to a sea."""

    SITE = "site"
    SETTLEMENT = "settlement"
    ADMIN1 = "admin1"
    COUNTRY = "country"
    REGION = "region"
    SEA = "sea"


def validate_coordinates(lat: float, lon: float) -> None:
    """Raise ValueError unless lat/lon are finite WGS84 degrees.

    >>> validate_coordinates(50.45, 30.52)
    """
    if not (-90.0 <= lat <= 90.0) or not (-180.0 <= lon <= 180.0):
        raise ValueError(f"coordinates out of range: lat={lat!r}, lon={lon!r}")


@dataclass(frozen=True, slots=True)
class Article:
    """One news article: its text and what is known about where it came from."""

    id: str
    text: str
    title: str | None = None
    published: dt.date | None = None
    published_inferred: bool = False
    source: str | None = None
    url: str | None = None
    path: str | None = None


@dataclass(frozen=True, slots=True)
class Mention:
    """A span of article text that names a place: text[start:end] == surface."""

    start: int
    end: int
    surface: str

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise ValueError(f"bad mention span {self.start}..{self.end}")
        if len(self.surface) != self.end - self.start:
            raise ValueError("mention surface length does not match its span")


@dataclass(frozen=True, slots=True)
class Place:
    """A gazetteer entry: one real place with a point and what kind of thing it is."""

    id: str
    name: str
    lat: float
    lon: float
    kind: str
    precision: Precision
    country: str = ""
    admin1: str = ""
    population: int = 0
    source: str = ""

    def __post_init__(self) -> None:
        validate_coordinates(self.lat, self.lon)


@dataclass(frozen=True, slots=True)
class ResolvedPlace:
    """A mention and the place chosen for it, with the rule that chose it.

    `place` is None when no rule could resolve the name: such mentions are reported, never dropped.
    """

    mention: Mention
    place: Place | None
    method: str
    confidence: float
    candidates: int = 0
    alternatives: tuple[str, ...] = field(default=())

    @property
    def resolved(self) -> bool:
        return self.place is not None


class Category(StrEnum):
    """What kind of happening a place mention reports (the user's four, plus other)."""

    DEPLOYMENT = "deployment"
    FRONT_LINE = "front_line"
    DIPLOMACY = "diplomacy"
    MIGRATION = "migration"
    OTHER = "other"


class DatePrecision(StrEnum):
    """How exactly an event date is known: a day, a week, a month, or only the publication date."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    PUBLISHED = "published"


@dataclass(frozen=True, slots=True)
class EventDate:
    """When a mentioned happening took place, and the words that said so ('' for the publication date).

    For WEEK and MONTH precision, `date` is the first day of that week (Monday) or month.
    """

    date: dt.date
    precision: DatePrecision
    cue: str = ""


@dataclass(frozen=True, slots=True)
class Classification:
    """The category of a mention's sentence and the cue (word, phrase or rule) that decided it."""

    category: Category
    cue: str
    confidence: float


@dataclass(frozen=True, slots=True)
class Event:
    """One place mention in one sentence of one article: where, what kind of thing, and when.

    Provenance travels with it: the article, the exact span, the sentence, how the place was resolved
    and which cue set the category and the date.
    """

    article_id: str
    place: ResolvedPlace
    sentence: str
    sentence_start: int
    classification: Classification
    date: EventDate
