"""Tests for geo.evaluate: the scorer on hand-made gold, the gold reader's errors, and the real figures."""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable
from pathlib import Path

import pytest

from geo.config import Config
from geo.errors import GoldFileError
from geo.evaluate import GoldArticle, GoldToponym, read_gold, score
from geo.gazetteer import Gazetteer
from geo.geodesy import distance_km
from geo.models import Mention, Place, Precision, ResolvedPlace
from geo.pipeline import geoparse

TESTS = Path(__file__).resolve().parent
EVAL_DIRS = [TESTS.parents[1] / "shared" / "eval", Path("/work/shared/eval")]
EVAL_DIR = next((d for d in EVAL_DIRS if (d / "lgl.jsonl").exists()), None)

TEXT = "Kyiv and Lviv and Donbas and Minsk and Paris."
#       0    5   9    14  18     25  29    35  39   44


def gold_toponym(name: str, lat: float | None = None, lon: float | None = None) -> GoldToponym:
    start = TEXT.index(name)
    return GoldToponym(start, start + len(name), name, lat, lon)


GOLD = GoldArticle(
    id="a1", text=TEXT,
    toponyms=(gold_toponym("Kyiv", 0.0, 0.0), gold_toponym("Lviv", 0.0, 0.0), gold_toponym("Minsk", 0.0, 0.0),
              gold_toponym("Paris")),  # Paris: a gold span without coordinates
    unlocated=(gold_toponym("Donbas"),),
)


def predicted(start: int, end: int, lat: float | None, lon: float | None = 0.0) -> ResolvedPlace:
    mention = Mention(start, end, TEXT[start:end])
    if lat is None:
        return ResolvedPlace(mention, None, "unresolved", 0.0)
    place = Place(id="p", name=mention.surface, lat=lat, lon=lon or 0.0, kind="city",
                  precision=Precision.SETTLEMENT)
    return ResolvedPlace(mention, place, "exact", 0.9)


def parser(*results: ResolvedPlace) -> Callable[[str], list[ResolvedPlace]]:
    return lambda text: list(results)


def test_score_counts_overlaps_and_distances() -> None:
    far = distance_km(0.0, 0.0, 0.0, 3.0)  # ~334 km
    results = parser(
        predicted(0, 4, 0.0),  # Kyiv: exact, 0 km
        predicted(9, 11, 0.0, 1.0),  # "Lv": a partial overlap still counts, ~111 km
        predicted(18, 24, 5.0),  # Donbas: overlaps only an unlocated span -> counts neither way
        predicted(29, 34, 0.0, 3.0),  # Minsk: found, ~334 km
        predicted(39, 44, None),  # Paris: found, unresolved -> no distance
        predicted(14, 17, 1.0),  # "and": a false positive
    )
    s = score([GOLD], results)
    assert (s.articles, s.gold, s.predicted, s.found) == (1, 4, 5, 4)
    assert s.precision == pytest.approx(4 / 5) and s.recall == 1.0
    assert s.f1 == pytest.approx(round(2 * 0.8 / 1.8, 4))
    assert s.resolved_found == 3
    distances = [0.0, distance_km(0, 0, 0, 1), far]
    assert s.within_161km == pytest.approx(round(2 / 3, 4))
    assert s.median_km == round(statistics.median(distances), 1)
    assert s.mean_km == round(statistics.fmean(distances), 1)
    assert [(e[0], e[2]) for e in s.errors] == [("a1", round(far))]


@pytest.mark.parametrize(
    ("results", "gold_n", "pred_n", "found_n"),
    [
        ((), 4, 0, 0),
        ((predicted(0, 4, 0.0), predicted(0, 4, 0.0)), 4, 2, 1),  # one gold span matches one prediction
        ((predicted(0, 9, 0.0),), 4, 1, 1),  # one long prediction over two gold spans finds one
        ((predicted(18, 24, 0.0),), 4, 0, 0),  # unlocated only
        ((predicted(20, 31, 0.0),), 4, 1, 1),  # unlocated and Minsk: Minsk is found
    ],
)
def test_score_matching_table(results: tuple[ResolvedPlace, ...], gold_n: int, pred_n: int,
                              found_n: int) -> None:
    s = score([GOLD], parser(*results))
    assert (s.gold, s.predicted, s.found) == (gold_n, pred_n, found_n)
    assert 0.0 <= s.precision <= 1.0 and 0.0 <= s.recall <= 1.0


def test_score_of_nothing_is_zero_not_a_crash() -> None:
    s = score([], parser())
    figures = (s.articles, s.precision, s.recall, s.f1, s.within_161km, s.median_km)
    assert figures == (0, 0.0, 0.0, 0.0, 0.0, 0.0)


def test_read_gold_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    record = {"id": 7, "text": TEXT, "toponyms": [{"start": 0, "end": 4, "name": "Kyiv", "lat": "50.45",
                                                   "lon": 30.52}], "unlocated": [{"start": 18, "end": 24}]}
    path.write_text(json.dumps(record) + "\n\n", encoding="utf-8")
    [article] = read_gold(path)
    assert article.id == "7"
    assert article.toponyms == (GoldToponym(0, 4, "Kyiv", 50.45, 30.52),)
    assert article.unlocated == (GoldToponym(18, 24, "", None, None),)


GOOD_LINE = json.dumps({"id": "a", "text": "Kyiv", "toponyms": []})


@pytest.mark.parametrize(
    "bad_line",
    [
        "{not json",
        json.dumps({"id": "b", "toponyms": []}),  # no text
        json.dumps({"id": "b", "text": "x"}),  # no toponyms
        json.dumps({"id": "b", "text": "x", "toponyms": [{"end": 1}]}),  # no start
        json.dumps({"id": "b", "text": "x", "toponyms": [{"start": 0, "end": 1, "lat": "north"}]}),
        json.dumps({"id": "b", "text": "x", "toponyms": [None]}),  # a toponym that is not an object
        json.dumps({"id": "b", "text": "x", "toponyms": ["Kyiv"]}),
        json.dumps(["a", "list"]),
    ],
)
def test_read_gold_names_the_bad_line(tmp_path: Path, bad_line: str) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_text(f"{GOOD_LINE}\n\n{bad_line}\n{GOOD_LINE}\n", encoding="utf-8")
    with pytest.raises(GoldFileError, match="line 3"):
        list(read_gold(path))


def test_seed_gold_figures(gazetteer: Gazetteer, config: Config) -> None:
    s = score(read_gold(TESTS / "gold" / "seeds.jsonl"), lambda text: geoparse(text, gazetteer, config))
    assert s.articles == 5
    assert s.recall >= 0.95, s
    assert s.precision >= 0.90, s
    assert s.within_161km == 1.0, s.errors
    assert s.median_km <= 10, s


@pytest.mark.slow
@pytest.mark.skipif(EVAL_DIR is None, reason="public evaluation corpora (shared/eval) are not present")
@pytest.mark.parametrize(("corpus", "minimum"), [("lgl.jsonl", 0.75), ("geovirus.jsonl", 0.85)])
def test_public_corpora_accuracy(gazetteer: Gazetteer, corpus: str, minimum: float) -> None:
    assert EVAL_DIR is not None
    config = Config(theatre=())
    s = score(read_gold(EVAL_DIR / corpus), lambda text: geoparse(text, gazetteer, config))
    assert s.within_161km >= minimum, s.as_dict()
