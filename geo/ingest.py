"""Adding articles to the event store: the one ingest loop shared by ``geo ingest`` and the dashboard.

Each article is extracted once (`geo.pipeline.extract_events`) and stored with its events; an article
whose text is already stored, or already waiting in the batch in hand, is skipped before extraction
(`geo.store.content_hash`). Articles without a publication date are skipped with a reason: relative
dates ("on Sunday") cannot be resolved without one.
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from geo.article_meta import ReadProblem
from geo.articles import read_articles
from geo.config import Config
from geo.engines import Engine, InProcessEngine, Result
from geo.errors import ArticleError
from geo.gazetteer import Gazetteer, load_gazetteer
from geo.models import Article
from geo.store import Store, open_store
from geo.store_rows import ArticleRows, content_hash

__all__ = ["INGEST_BATCH", "IngestSummary", "ensure_seed_store", "ingest", "skip_reason"]

log = logging.getLogger(__name__)

# Articles per store transaction. A transaction per article spent as long committing as inserting
# (store work 5.1 ms an article on the bench corpus, 2.4 ms in batches of 50). A batch is all or none,
# so an interrupted ingest loses at most the batch in hand, which the next run redoes.
INGEST_BATCH = 50

NO_DATE = "no publication date (none in the manifest or record, none found in the text)"


@dataclass(frozen=True, slots=True)
class IngestSummary:
    """What one ingest did. `read` counts dated articles; `skipped` holds one reason per item left out
    (an unreadable file or record, an article without a date), each naming the item."""

    read: int
    added_articles: int
    added_events: int  # placed mentions added (each a source of a merged event)
    unresolved: int
    skipped: tuple[str, ...] = ()

    @property
    def already_stored(self) -> int:
        """Articles read whose text the store (or an earlier article of the same run) already held."""
        return self.read - self.added_articles

    def describe(self) -> str:
        """One line for a person.

        >>> IngestSummary(5, 4, 800, 13, ("a.txt: file is empty",)).describe()
        '5 articles read, 4 new (1 already stored), 800 place mentions added, 13 unresolved places, \
1 files or records skipped'
        """
        return (f"{self.read} articles read, {self.added_articles} new ({self.already_stored} already "
                f"stored), {self.added_events} place mentions added, {self.unresolved} unresolved places, "
                f"{len(self.skipped)} files or records skipped")


def skip_reason(item: Article | ReadProblem) -> str | None:
    """Why an item cannot be ingested ("where: why"), or None for a dated article.

    >>> import datetime
    >>> skip_reason(ReadProblem("a.txt", None, "file is empty"))
    'a.txt: file is empty'
    >>> skip_reason(ReadProblem("b.jsonl", 3, "line 3: missing 'text'"))
    "b.jsonl: line 3: missing 'text'"
    >>> skip_reason(ReadProblem("c.md", 2, "bad front matter"))
    'c.md line 2: bad front matter'
    >>> skip_reason(Article("a.txt", "Kyiv.", published=datetime.date(2022, 1, 1))) is None
    True
    """
    if isinstance(item, ReadProblem):
        # JSONL problems already start "line N:"; say it once
        said = item.line is None or item.message.startswith(f"line {item.line}:")
        return f"{item.path}{'' if said else f' line {item.line}'}: {item.message}"
    if item.published is None:
        return f"{item.id}: {NO_DATE}"
    return None


def ingest(articles: Iterable[Article | ReadProblem], store: Store, gazetteer: Gazetteer | None,
           config: Config, *, on_progress: Callable[[int], None] | None = None, batch: int = INGEST_BATCH,
           engine: Engine | None = None) -> IngestSummary:
    """Extract the events of every new article and add them to `store`, `batch` articles per transaction.

    `articles` may hold `ReadProblem`s too, as `geo.articles.iter_articles` yields them: they become
    skip reasons, like articles without a publication date.
    `on_progress` is called after each item with the number of items handled so far. The gazetteer is
    passed in, so a long-lived caller (the dashboard) loads it once. `engine` (`geo.engines`) runs the
    extraction elsewhere (worker processes, a Dask cluster; `gazetteer` may then be None); whatever runs
    it, this process alone writes, in the order of `articles`, so the store comes out the same.
    """
    if batch < 1:
        raise ValueError(f"batch must be at least 1, not {batch}")
    if engine is None:
        if gazetteer is None:
            raise ValueError("ingest needs a gazetteer or an engine")
        engine = InProcessEngine(gazetteer, config)
    skipped: list[str] = []
    read = added_articles = added_events = unresolved = 0
    seen: set[str] = set()  # hashes handed out in this run: written, or still being extracted
    chunk: list[Article] = []
    working: deque[tuple[list[Article], Result]] = deque()
    done: list[ArticleRows] = []

    def collect(chunk: list[Article], result: Result) -> None:
        nonlocal added_events, unresolved
        rows = result.result()
        if len(rows) != len(chunk):
            raise RuntimeError(f"the engine returned {len(rows)} results for {len(chunk)} articles")
        for article_rows in rows:
            done.append(article_rows)
            added_events += len(article_rows.mentions)
            unresolved += len(article_rows.unresolved)
        if len(done) >= batch:
            store.add_rows(done)
            done.clear()

    for handled, item in enumerate(articles, start=1):
        if isinstance(item, Article) and item.published is not None:
            read += 1
            digest = content_hash(item)
            # idempotent: the same text is never extracted twice, whether stored or on its way there
            if digest not in seen and not store.has_hash(digest):
                seen.add(digest)
                chunk.append(item)
                added_articles += 1
                if len(chunk) >= engine.chunk_size:
                    working.append((chunk, engine.submit(chunk)))
                    chunk = []
                    while len(working) > engine.in_flight:
                        collect(*working.popleft())
        else:
            reason = skip_reason(item) or str(item)
            skipped.append(reason)
            log.info("skipped %s", reason)
        if on_progress is not None:
            on_progress(handled)
    if chunk:
        working.append((chunk, engine.submit(chunk)))
    while working:
        collect(*working.popleft())
    store.add_rows(done)
    return IngestSummary(read, added_articles, added_events, unresolved, tuple(skipped))


def ensure_seed_store(path: str | os.PathLike[str], seeds_dir: str | os.PathLike[str], *,
                      gazetteer: Callable[[], Gazetteer] = load_gazetteer, config: Config | None = None,
                      on_progress: Callable[[int, int], None] | None = None) -> IngestSummary | None:
    """Build the store at `path` from the articles in `seeds_dir` if it is missing or holds no article.

    Returns what was ingested, or None when the store already held articles (nothing is loaded then:
    `gazetteer` is only called to build). The store is built in a temporary file beside `path` and
    moved into place when complete, so a start killed mid-build leaves no half-built store behind that
    the next start would take for a finished one. `on_progress(done, total)` follows the articles.
    """
    path = Path(path)
    if path.is_file() and path.stat().st_size > 0:
        with open_store(path) as store:
            if store.stats().articles:
                return None
    items = _seed_items(Path(seeds_dir))
    if on_progress is not None:
        on_progress(0, len(items))  # the caller can show its bar before the first, slowest article
    path.parent.mkdir(parents=True, exist_ok=True)
    building = path.with_name(f".{path.name}.{os.getpid()}.building")
    building.unlink(missing_ok=True)
    try:
        with open_store(building) as store:
            summary = ingest(items, store, gazetteer(), config or Config(),
                             on_progress=None if on_progress is None else
                             lambda done: on_progress(done, len(items)))
        os.replace(building, path)
    finally:
        building.unlink(missing_ok=True)
    return summary


def _seed_items(seeds_dir: Path) -> list[Article | ReadProblem]:
    if not seeds_dir.is_dir():
        raise ArticleError(f"no seed folder at {seeds_dir}: the demo articles ship with the repository")
    result = read_articles([seeds_dir], on_invalid="skip")
    return [*result.problems, *result.articles]

