"""Scoring categories and event dates against a gold file (``geo eval-events``).

Gold lines extend the ``geo eval`` format: ``{"id", "text", "published": "YYYY-MM-DD", "toponyms":
[{"start", "end", "name", "lat", "lon", "category", "event_date", "date_precision"}]}``. Each gold
toponym that a predicted event overlaps is compared: category accuracy over all of them, exact-day
accuracy over those whose gold date has day precision (the text gives a day), and the publication
date our reader would infer from the text alone against the gold one.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from geo.evaluate import read_gold_lines
from geo.models import Event


@dataclass(frozen=True, slots=True)
class GoldEvent:
    start: int
    end: int
    category: str
    event_date: dt.date
    date_precision: str


@dataclass(frozen=True, slots=True)
class GoldEventArticle:
    id: str
    text: str
    published: dt.date
    toponyms: tuple[GoldEvent, ...]


@dataclass(frozen=True, slots=True)
class EventScores:
    """Category and date figures over a gold file."""

    articles: int
    compared: int
    category_accuracy: float
    day_compared: int
    exact_day_accuracy: float
    date_accuracy_any_precision: float
    published_inferred_right: int
    confusion: dict[str, dict[str, int]]

    def as_dict(self) -> dict[str, object]:
        return {k: getattr(self, k) for k in self.__slots__}


def read_gold_events(path: Path) -> Iterator[GoldEventArticle]:
    return read_gold_lines(path, lambda record: GoldEventArticle(
        id=str(record["id"]), text=record["text"],
        published=dt.date.fromisoformat(record["published"]),
        toponyms=tuple(
            GoldEvent(int(t["start"]), int(t["end"]), str(t["category"]),
                      dt.date.fromisoformat(t["event_date"]), str(t["date_precision"]))
            for t in record["toponyms"]),
    ))


def score_events(gold: Iterable[GoldEventArticle],
                 extract: Callable[[GoldEventArticle], list[Event]],
                 infer_published: Callable[[str], dt.date | None]) -> EventScores:
    """Run `extract` on every gold article (given its gold publication date) and compare."""
    articles = compared = right_category = day_compared = right_day = right_date = published_right = 0
    confusion: dict[str, Counter[str]] = {}
    for article in gold:
        articles += 1
        published_right += infer_published(article.text) == article.published
        events = [e for e in extract(article) if e.place.place is not None]
        for t in article.toponyms:
            event = next((e for e in events if e.place.mention.start < t.end
                          and t.start < e.place.mention.end), None)
            if event is None:
                continue
            compared += 1
            predicted = event.classification.category.value
            right_category += predicted == t.category
            confusion.setdefault(t.category, Counter())[predicted] += 1
            right_date += event.date.date == t.event_date
            if t.date_precision == "day":
                day_compared += 1
                right_day += event.date.date == t.event_date
    return EventScores(
        articles=articles, compared=compared,
        category_accuracy=round(right_category / compared, 4) if compared else 0.0,
        day_compared=day_compared,
        exact_day_accuracy=round(right_day / day_compared, 4) if day_compared else 0.0,
        date_accuracy_any_precision=round(right_date / compared, 4) if compared else 0.0,
        published_inferred_right=published_right,
        confusion={gold: dict(counts) for gold, counts in sorted(confusion.items())},
    )
