"""Where extraction runs during an ingest: in this process, in local worker processes, or on Dask.

`geo.ingest.ingest` hands an engine chunks of new articles and writes what comes back, in the order it
handed them out, through the store's single writer. Extraction (`geo.pipeline.extract_events`) is pure,
so the same chunks give the same events wherever they run, and the store comes out identical whatever
the engine. An engine keeps up to `in_flight` chunks working while the writer stores earlier ones.

    engine             runs extraction                                 for
    InProcessEngine    in the calling process, one article at a time   small runs, the dashboard
    ProcessEngine      in N local worker processes                     one machine with several cores
    DaskEngine         on a Dask cluster (a LocalCluster by default)   beyond one machine

A worker process loads the gazetteer once (from the on-disk index cache) and keeps it.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from types import TracebackType
from typing import Any, Protocol

from geo.config import Config
from geo.errors import EngineError
from geo.gazetteer import Gazetteer, load_gazetteer
from geo.models import Article
from geo.pipeline import extract_events
from geo.store_rows import ArticleRows, article_rows

__all__ = ["DaskEngine", "Engine", "InProcessEngine", "ProcessEngine", "batch_gc", "extract_chunk",
           "make_engine"]

# articles per task sent to a worker: ~0.3 s of work, so scheduling costs little (under 1 ms a task
# locally), while the last tasks of a run, which leave a worker idle as they finish, stay short
CHUNK_ARTICLES = 10
CONNECT_TIMEOUT_S = 30  # for a remote scheduler: wait this long, then say it is out of reach
INGEST_GC_THRESHOLD = 100_000  # allocations between young collections during an ingest (default 700)
IN_FLIGHT_PER_WORKER = 3  # tasks queued per worker, so none waits while the writer stores results


class Result(Protocol):
    """What `Engine.submit` returns: concurrent.futures and dask.distributed futures both fit."""

    def result(self) -> list[ArticleRows]: ...


class Engine(Protocol):
    """Runs `extract_chunk` on chunks of articles; `in_flight` chunks may be pending at once."""

    chunk_size: int
    in_flight: int

    def submit(self, articles: list[Article]) -> Result: ...

    def close(self) -> None: ...


def extract_chunk(articles: Sequence[Article], config: Config,
                  gazetteer: Gazetteer | None = None) -> list[ArticleRows]:
    """The store rows of each article (all dated) and its events, in order; the task every engine runs.

    Rows, not `Event`s: the single writer unpickles plain tuples about 15 times faster
    (`geo.store_rows`), and turning events into rows is done here, in parallel.
    """
    places = gazetteer if gazetteer is not None else _worker_gazetteer()
    rows = []
    for article in articles:
        if article.published is None:
            raise ValueError(f"{article.id}: an article is extracted only with its publication date")
        rows.append(article_rows(article, extract_events(article, article.published, places, config).events))
    return rows


def _worker_gazetteer() -> Gazetteer:
    """The gazetteer of this worker process: the parent's when forked from it, else loaded once.

    A worker that loads its own (a Dask worker, a spawned process) also sets the collector as
    `batch_gc` does, for good: a forked worker inherits that from its parent.
    """
    gazetteer = _preloaded[0]
    if gazetteer is None:
        gazetteer = _preloaded[0] = load_gazetteer()
        _collect_for_batch()
    return gazetteer


@contextmanager
def batch_gc() -> Iterator[None]:
    """Garbage-collector settings for a long run over the loaded gazetteer; the old ones come back after.

    Collection took ~6 ms an article in `geo ingest`, a seventh of its time (measured with gc.callbacks
    on the 1,000-article bench): every full collection walked the gazetteer's half-million index entries
    again, and the pipeline's many small short-lived records set off a young collection every 700
    allocations. What is loaded by now lives until the end, so it is frozen out of collections; the
    pipeline makes few reference cycles, so collections can be rarer. Together: 5.8 s -> 0.5 s.
    """
    threshold = gc.get_threshold()
    _collect_for_batch()
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def _collect_for_batch() -> None:
    gc.freeze()
    gc.set_threshold(INGEST_GC_THRESHOLD, *gc.get_threshold()[1:])


# set in the parent before its workers fork (they inherit it), or on a worker's first task
_preloaded: list[Gazetteer | None] = [None]


class _Done:
    """A result computed on the spot."""

    def __init__(self, value: list[ArticleRows]) -> None:
        self._value = value

    def result(self) -> list[ArticleRows]:
        return self._value


class _EngineBase:
    def __enter__(self) -> Any:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Release the workers (nothing to release by default)."""


class InProcessEngine(_EngineBase):
    """Extraction in the calling process, article by article, with the caller's gazetteer."""

    chunk_size = 1
    in_flight = 0

    def __init__(self, gazetteer: Gazetteer, config: Config) -> None:
        self._gazetteer, self._config = gazetteer, config

    def submit(self, articles: list[Article]) -> Result:
        return _Done(extract_chunk(articles, self._config, self._gazetteer))


class ProcessEngine(_EngineBase):
    """Extraction in `workers` local processes.

    Where the platform can fork, workers are forked from this process: a gazetteer the caller has
    already loaded (`preloaded`) is then shared copy-on-write instead of being loaded once per worker.
    """

    def __init__(self, workers: int, config: Config, *, preloaded: Gazetteer | None = None,
                 chunk_size: int = CHUNK_ARTICLES) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, not {workers}")
        if preloaded is not None:
            _preloaded[0] = preloaded  # inherited by forked workers
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
        self._config = config
        self.chunk_size = chunk_size
        self.in_flight = workers * IN_FLIGHT_PER_WORKER

    def submit(self, articles: list[Article]) -> Future[list[ArticleRows]]:
        return self._pool.submit(extract_chunk, articles, self._config)

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)


class DaskEngine(_EngineBase):
    """Extraction on a Dask cluster: the one at `scheduler` ("tcp://host:8786"), or a LocalCluster of
    `workers` single-threaded worker processes started here and stopped on close.

    Workers of a remote cluster need this package installed (`pip install crisis-map`) and its
    gazetteer index; they load it once each. Results come back in submission order.
    """

    def __init__(self, config: Config, *, scheduler: str | None = None, workers: int = 2,
                 chunk_size: int = CHUNK_ARTICLES, connect_timeout: float = CONNECT_TIMEOUT_S) -> None:
        try:
            import distributed
        except ImportError as exc:  # an optional extra
            raise EngineError("the dask engine needs dask.distributed: pip install 'crisis-map[dask]'") \
                from exc
        dask: Any = distributed  # untyped package
        self._cluster = None
        if scheduler is None and workers < 1:
            raise ValueError(f"workers must be at least 1, not {workers}")
        try:
            if scheduler is None:
                self._cluster = dask.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                                  dashboard_address=None)
            self._client = dask.Client(self._cluster if scheduler is None else scheduler,
                                       timeout=connect_timeout)
        except (OSError, TimeoutError, RuntimeError) as exc:
            if self._cluster is not None:
                self._cluster.close()
            raise EngineError(f"could not start the dask engine ({scheduler or 'LocalCluster'}): {exc}") \
                from exc
        workers_now = len(self._client.scheduler_info().get("workers", {})) or workers
        self._config = config
        self.chunk_size = chunk_size
        self.in_flight = max(1, workers_now) * IN_FLIGHT_PER_WORKER

    def submit(self, articles: list[Article]) -> Result:
        future: Result = self._client.submit(extract_chunk, articles, self._config, pure=False)
        return future

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_engine(name: str, config: Config, gazetteer: Gazetteer | None, *, workers: int = 1,
                scheduler: str | None = None) -> Engine:
    """The engine `geo ingest --engine NAME --workers N [--scheduler ADDRESS]` asks for.

    "local" with one worker extracts in this process (with `gazetteer`); with more, in worker
    processes. "dask" runs on the cluster at `scheduler`, or on a LocalCluster of `workers` workers.
    """
    if name == "local":
        if workers == 1:
            if gazetteer is None:
                gazetteer = load_gazetteer()
            return InProcessEngine(gazetteer, config)
        return ProcessEngine(workers, config, preloaded=gazetteer)
    if name == "dask":
        return DaskEngine(config, scheduler=scheduler, workers=workers)
    raise ValueError(f"unknown engine {name!r}; choose local or dask")

