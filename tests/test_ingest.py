"""The shared ingest loop: batches, duplicates, skips and the seed store of a first start."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from geo.article_meta import ReadProblem
from geo.config import Config
from geo.gazetteer import Gazetteer
from geo.ingest import ensure_seed_store, ingest
from geo.models import Article
from geo.store import open_store

DAY = dt.date(2022, 2, 20)


def article(n: int, text: str = "") -> Article:
    return Article(f"a{n}", text or f"Troops gathered near Kharkiv on day {n}.", published=DAY, source="AP")


@pytest.mark.parametrize("batch", [1, 2, 50])
def test_every_new_article_is_stored_once_whatever_the_batch(tmp_path: Path, gazetteer: Gazetteer,
                                                              config: Config, batch: int) -> None:
    items = [article(1), article(2), article(1), article(3),  # a repeat in the same batch
             Article("undated", "Troops in Kyiv."), ReadProblem("bad.jsonl", 4, "line 4: not a JSON object")]
    done: list[int] = []
    with open_store(tmp_path / "s.sqlite") as store:
        summary = ingest(items, store, gazetteer, config, on_progress=done.append, batch=batch)
        again = ingest(items[:4], store, gazetteer, config, batch=batch)
        assert store.stats().articles == 3
    assert (summary.read, summary.added_articles, summary.already_stored) == (4, 3, 1)
    assert summary.added_events >= 3 and done == list(range(1, 7))
    assert summary.skipped == ("undated: no publication date (none in the manifest or record, none found "
                               "in the text)", "bad.jsonl: line 4: not a JSON object")
    assert (again.read, again.added_articles, again.added_events) == (4, 0, 0)


def test_the_seed_store_is_built_once_and_atomically(tmp_path: Path, gazetteer: Gazetteer) -> None:
    path = tmp_path / "store" / "events.sqlite"
    progress: list[tuple[int, int]] = []
    summary = ensure_seed_store(path, Path(__file__).parent.parent / "seeds", gazetteer=lambda: gazetteer,
                                on_progress=lambda done, total: progress.append((done, total)))
    assert summary is not None and summary.added_articles == 5 and not summary.skipped
    assert progress[0] == (0, 5) and progress[-1] == (5, 5)
    assert sorted(p.name for p in path.parent.iterdir()) == ["events.sqlite"]  # no temporary file left

    def no_gazetteer() -> Gazetteer:
        raise AssertionError("a built store needs no gazetteer")

    assert ensure_seed_store(path, tmp_path / "nowhere", gazetteer=no_gazetteer) is None


def test_an_empty_store_file_is_seeded_too(tmp_path: Path, gazetteer: Gazetteer) -> None:
    path = tmp_path / "events.sqlite"
    open_store(path).close()  # a schema, no article
    summary = ensure_seed_store(path, Path(__file__).parent.parent / "seeds", gazetteer=lambda: gazetteer)
    assert summary is not None and summary.added_articles == 5
