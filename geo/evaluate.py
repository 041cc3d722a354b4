"""Scoring a geoparser against a gold file (``geo eval``): span P/R/F1 and distance errors.

Gold lines: ``{"id", "text", "toponyms": [{"start", "end", "name", "lat", "lon"}], "unlocated": [...]}``.
A predicted span that overlaps a gold span counts as found (one-to-one); a predicted span overlapping
only an ``unlocated`` gold span counts neither way. Distances are measured for found toponyms whose
prediction has coordinates; acc@161 is the share of those within 161 km (100 miles), as published for
Mordecai, CamCoder and the population baseline.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from geo.errors import GoldFileError
from geo.geodesy import distance_km
from geo.models import ResolvedPlace

ACCURACY_KM = 161.0


@dataclass(frozen=True, slots=True)
class GoldToponym:
    start: int
    end: int
    name: str
    lat: float | None
    lon: float | None


@dataclass(frozen=True, slots=True)
class GoldArticle:
    id: str
    text: str
    toponyms: tuple[GoldToponym, ...]
    unlocated: tuple[GoldToponym, ...]


@dataclass(frozen=True, slots=True)
class Scores:
    """Toponym recognition and resolution figures over a gold file."""

    articles: int
    gold: int
    predicted: int
    found: int
    precision: float
    recall: float
    f1: float
    resolved_found: int
    within_161km: float
    median_km: float
    mean_km: float
    errors: tuple[tuple[str, str, float], ...] = ()

    def as_dict(self) -> dict[str, float | int]:
        return {k: getattr(self, k) for k in self.__slots__ if k != "errors"}


GoldRecord = TypeVar("GoldRecord")


def read_gold_lines(path: Path, build: Callable[[dict[str, Any]], GoldRecord]) -> Iterator[GoldRecord]:
    """Each non-blank JSON line of a gold file turned into a record by `build`; any malformed line
    raises GoldFileError naming the file and line."""
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield build(json.loads(line))
            except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
                raise GoldFileError(f"{path} line {number}: {exc}") from exc


def read_gold(path: Path) -> Iterator[GoldArticle]:
    return read_gold_lines(path, lambda record: GoldArticle(
        id=str(record["id"]), text=record["text"],
        toponyms=tuple(_toponym(t) for t in record["toponyms"]),
        unlocated=tuple(_toponym(t) for t in record.get("unlocated", [])),
    ))


def _toponym(t: dict[str, object]) -> GoldToponym:
    lat, lon = t.get("lat"), t.get("lon")
    return GoldToponym(int(str(t["start"])), int(str(t["end"])), str(t.get("name", "")),
                       None if lat is None else float(str(lat)), None if lon is None else float(str(lon)))


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def score(gold: Iterable[GoldArticle], parse: Callable[[str], list[ResolvedPlace]]) -> Scores:
    """Run `parse` on every gold text and compare."""
    n_articles = n_gold = n_pred = n_found = 0
    distances: list[float] = []
    errors: list[tuple[str, str, float]] = []
    for article in gold:
        n_articles += 1
        n_gold += len(article.toponyms)
        used: set[int] = set()
        for r in parse(article.text):
            m = r.mention
            match = next((k for k, t in enumerate(article.toponyms) if k not in used
                          and _overlaps(m.start, m.end, t.start, t.end)), None)
            if match is None:
                if not any(_overlaps(m.start, m.end, u.start, u.end) for u in article.unlocated):
                    n_pred += 1
                continue
            n_pred += 1
            n_found += 1
            used.add(match)
            t = article.toponyms[match]
            if r.place is not None and t.lat is not None and t.lon is not None:
                d = distance_km(r.place.lat, r.place.lon, t.lat, t.lon)
                distances.append(d)
                if d > ACCURACY_KM:
                    errors.append((article.id, f"{m.surface} -> {r.place.name} ({r.place.country}, "
                                   f"{r.method})", round(d)))
    precision = n_found / n_pred if n_pred else 0.0
    recall = n_found / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    within = sum(d <= ACCURACY_KM for d in distances) / len(distances) if distances else 0.0
    return Scores(
        articles=n_articles, gold=n_gold, predicted=n_pred, found=n_found,
        precision=round(precision, 4), recall=round(recall, 4), f1=round(f1, 4),
        resolved_found=len(distances), within_161km=round(within, 4),
        median_km=round(statistics.median(distances), 1) if distances else 0.0,
        mean_km=round(statistics.fmean(distances), 1) if distances else 0.0, errors=tuple(errors),
    )
