"""Extraction engines: worker processes and a Dask LocalCluster store exactly what one process stores."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from geo.articles import iter_articles
from geo.cli import main as geo_main
from geo.config import Config
from geo.engines import DaskEngine, InProcessEngine, ProcessEngine, extract_chunk, make_engine
from geo.errors import EngineError
from geo.gazetteer import Gazetteer
from geo.ingest import ingest
from geo.models import Article
from geo.store import open_store

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.corpus import generate_articles, write_jsonl  # noqa: E402

SEEDS = REPO / "seeds"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, gazetteer: Gazetteer) -> Path:
    """A folder of 60 synthetic articles (one repeated) plus the five seeds with their manifest."""
    folder = tmp_path_factory.mktemp("corpus")
    articles = generate_articles(60, seed=7, gazetteer=gazetteer)
    write_jsonl([*articles, articles[3]], folder / "synthetic.jsonl")
    return folder


def _items(corpus: Path) -> Iterator[object]:
    yield from iter_articles([corpus, SEEDS], on_invalid="skip")


def _stored(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    with open_store(path) as store:
        events = store.query()
        return events, store.sources(events["event_key"])


@pytest.fixture(scope="module")
def in_process(corpus: Path, gazetteer: Gazetteer, config: Config,
               tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("one") / "events.sqlite"
    with open_store(path) as store:
        summary = ingest(_items(corpus), store, gazetteer, config)
    assert summary.added_articles == 65 and summary.already_stored == 1
    return path


def test_local_workers_store_what_one_process_stores(in_process: Path, corpus: Path, config: Config,
                                                     gazetteer: Gazetteer, tmp_path: Path) -> None:
    path = tmp_path / "events.sqlite"
    with open_store(path) as store, ProcessEngine(2, config, chunk_size=4) as engine:
        summary = ingest(_items(corpus), store, None, config, engine=engine, batch=7)
        again = ingest(_items(corpus), store, None, config, engine=engine)
    assert summary.added_articles == 65 and summary.already_stored == 1
    assert again.added_articles == 0
    for mine, reference in zip(_stored(path), _stored(in_process), strict=True):
        pd.testing.assert_frame_equal(mine, reference)


@pytest.mark.slow
def test_a_two_worker_dask_cluster_stores_what_one_process_stores(in_process: Path, corpus: Path,
                                                                  config: Config, tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    path = tmp_path / "events.sqlite"
    with open_store(path) as store, DaskEngine(config, workers=2, chunk_size=8) as engine:
        summary = ingest(_items(corpus), store, None, config, engine=engine)
    assert summary.added_articles == 65
    for mine, reference in zip(_stored(path), _stored(in_process), strict=True):
        pd.testing.assert_frame_equal(mine, reference)


def test_one_local_worker_extracts_in_this_process(gazetteer: Gazetteer, config: Config) -> None:
    engine = make_engine("local", config, gazetteer, workers=1)
    assert isinstance(engine, InProcessEngine) and engine.in_flight == 0
    with pytest.raises(ValueError, match="unknown engine"):
        make_engine("spark", config, gazetteer)
    with pytest.raises(ValueError, match="at least 1"):
        ProcessEngine(0, config)


def test_an_undated_article_is_refused_by_the_task(gazetteer: Gazetteer, config: Config) -> None:
    with pytest.raises(ValueError, match="publication date"):
        extract_chunk([Article("x", "Troops in Kyiv.")], config, gazetteer)


def test_an_unreachable_scheduler_is_one_clear_error(config: Config) -> None:
    pytest.importorskip("distributed")
    with pytest.raises(EngineError, match="could not start the dask engine"):
        DaskEngine(config, scheduler="tcp://127.0.0.1:9", connect_timeout=1)


def test_cli_workers_and_engine_arguments(corpus: Path, tmp_path: Path, in_process: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "events.sqlite"
    assert geo_main(["ingest", str(corpus), str(SEEDS), "--store", str(store), "--workers", "2",
                     "--no-progress"]) == 0
    assert "65 new (1 already stored)" in capsys.readouterr().out
    pd.testing.assert_frame_equal(_stored(store)[0], _stored(in_process)[0])
    assert geo_main(["ingest", str(corpus), "--store", str(store), "--scheduler", "tcp://x:1"]) == 2
    assert "--scheduler needs --engine dask" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        geo_main(["ingest", str(corpus), "--workers", "0"])
    assert exit_info.value.code == 2


def test_a_worker_that_loads_its_own_gazetteer_keeps_collections_off_it(
        gazetteer: Gazetteer, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Dask worker (or a spawned process) loads the gazetteer itself and then sets the collector as
    `batch_gc` does; a forked worker reuses the parent's gazetteer and settings."""
    import gc

    from geo import engines

    threshold = gc.get_threshold()
    monkeypatch.setattr(engines, "_preloaded", [None])
    monkeypatch.setattr(engines, "load_gazetteer", lambda: gazetteer)
    try:
        assert engines._worker_gazetteer() is gazetteer
        assert gc.get_threshold()[0] == engines.INGEST_GC_THRESHOLD
        assert gc.get_freeze_count() > 0
        assert engines._worker_gazetteer() is gazetteer  # loaded once
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()
