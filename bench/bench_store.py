"""Speed benchmark of the event store: date-window queries over N merged events (target ≤ 200 ms at 1M).

    python -m bench.bench_store [--events 1000000] [--store PATH]

Builds a new store with N synthetic events (distinct place/category/day keys over 20,000 synthetic
places in the theatre, 2021-11-01..2022-02-28) through the store's own bulk path
(`Store.add_articles`, one transaction per batch of 5,000 articles: the same code as `add_article`). Each
article carries five new events and one more mention of an earlier event, so merging is exercised and
there are 1.2 mentions per event. Articles arrive in random date order (the worst case for locality).
Then times `Store.query` for 7- and 30-day windows, with and without a category or country filter:
median of 5 runs (after one untimed warm-up run), with the rows returned and the store file size.
The warm-up also reads the store's places into memory, once per connection; the "new connection" row
times what a first query pays on top: open the store, read its places, query, close.
Results: a markdown table on stdout and ``bench/out/store.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from bench.bench_places import OUT_DIR
from geo.models import (
    Article,
    Category,
    Classification,
    DatePrecision,
    Event,
    EventDate,
    Mention,
    Place,
    Precision,
    ResolvedPlace,
)
from geo.store import MAP_COLUMNS, Store, open_store

TARGET_MS = 200.0
FIRST_DAY, LAST_DAY = dt.date(2021, 11, 1), dt.date(2022, 2, 28)
DAYS = (LAST_DAY - FIRST_DAY).days + 1
PLACES = 20_000
EVENTS_PER_ARTICLE = 5
BATCH_ARTICLES = 5_000
RUNS = 5
COUNTRIES = ("UA", "UA", "UA", "RU", "RU", "BY", "PL", "LT", "LV", "EE", "MD", "RO")
OUTLETS = ("Reuters", "AP", "BBC", "Kyiv Independent", "TASS", "Meduza", "Guardian")
CATEGORIES = tuple(Category)


def synthetic_places(rng: random.Random) -> list[Place]:
    """Places scattered over the theatre's box (lat 44-60, lon 20-42)."""
    return [Place(f"syn:{i}", f"Place{i:05d}", round(rng.uniform(44, 60), 4), round(rng.uniform(20, 42), 4),
                  "town", Precision.SETTLEMENT, rng.choice(COUNTRIES), f"Oblast{i % 25}")
            for i in range(PLACES)]


def synthetic_articles(n_events: int, seed: int = 1) -> Iterator[tuple[Article, list[Event]]]:
    """Articles holding exactly `n_events` distinct events, five new ones each plus one repeat."""
    rng = random.Random(seed)
    places = synthetic_places(rng)
    combos = PLACES * len(CATEGORIES) * DAYS
    keys = rng.sample(range(combos), n_events)  # distinct (place, category, day) triples

    def event(article: Article, key: int, k: int) -> Event:
        place = places[key % PLACES]
        category = CATEGORIES[key // PLACES % len(CATEGORIES)]
        day = FIRST_DAY + dt.timedelta(days=key // (PLACES * len(CATEGORIES)))
        sentence = f"Reports of {category.value} near {place.name} on that day, sources said."
        return Event(article.id, ResolvedPlace(Mention(k, k + len(place.name), place.name), place,
                                               "synthetic", round(0.5 + 0.5 * ((key * 7919) % 100) / 100, 2)),
                     sentence, 0, Classification(category, "cue", 0.8),
                     EventDate(day, DatePrecision.DAY, "on that day"))

    for i, first in enumerate(range(0, n_events, EVENTS_PER_ARTICLE)):
        chunk = keys[first:first + EVENTS_PER_ARTICLE]
        published = FIRST_DAY + dt.timedelta(days=chunk[0] // (PLACES * len(CATEGORIES)) + rng.randint(0, 2))
        article = Article(f"syn-{i}", f"Synthetic article {i}.", title=f"Synthetic {i}",
                          published=published, source=rng.choice(OUTLETS), url=f"https://example.org/{i}")
        events = [event(article, key, k) for k, key in enumerate(chunk)]
        if first:
            events.append(event(article, keys[rng.randrange(first)], EVENTS_PER_ARTICLE))
        yield article, events


def _batches(items: Iterator[tuple[Article, list[Event]]], size: int
             ) -> Iterator[list[tuple[Article, list[Event]]]]:
    batch: list[tuple[Article, list[Event]]] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def build_store(path: Path, n_events: int) -> dict[str, Any]:
    """Write a new store of `n_events` synthetic events at `path`; its build time and counts."""
    t0 = time.perf_counter()
    mentions = 0
    with open_store(path) as store:
        for batch in _batches(synthetic_articles(n_events), BATCH_ARTICLES):
            mentions += store.add_articles(batch)
        stats = store.stats()
    seconds = time.perf_counter() - t0
    assert stats.events == n_events, stats
    return {"seconds": round(seconds, 1), "events_per_s": round(n_events / seconds),
            "articles": stats.articles, "mentions": mentions}


def time_query(run: Callable[[], Any]) -> tuple[float, int]:
    run()  # warm-up: page cache and statement cache, as a dashboard rerun meets them
    timings, rows = [], 0
    for _ in range(RUNS):
        t0 = time.perf_counter()
        frame = run()
        timings.append((time.perf_counter() - t0) * 1000)
        rows = len(frame)
    return statistics.median(timings), rows


def query_new_connection(path: Path, **filters: Any) -> Any:
    with open_store(path) as store:
        return store.query(**filters)


def queries(store: Store) -> dict[str, Callable[[], Any]]:
    w7 = {"start": dt.date(2022, 1, 10), "end": dt.date(2022, 1, 16)}
    w30 = {"start": dt.date(2022, 1, 1), "end": dt.date(2022, 1, 30)}
    return {
        "7-day window": lambda: store.query(**w7),
        "first 7-day query of a new connection": lambda: query_new_connection(store.path, **w7),
        "7-day window, MAP_COLUMNS": lambda: store.query(**w7, columns=MAP_COLUMNS),
        "7-day window, category front_line": lambda: store.query(**w7, categories=["front_line"]),
        "7-day window, country UA": lambda: store.query(**w7, countries=["UA"]),
        "7-day window, bbox + min_confidence 0.8": lambda: store.query(
            **w7, bbox=(30.0, 46.0, 40.0, 52.0), min_confidence=0.8),
        "30-day window": lambda: store.query(**w30),
        "30-day window, MAP_COLUMNS": lambda: store.query(**w30, columns=MAP_COLUMNS),
        "30-day window, category front_line": lambda: store.query(**w30, categories=["front_line"]),
        "sources of 100 events": lambda: store.sources(store.query(**w7)["event_key"][:100]),
    }


def ensure_store(path: Path, n_events: int, *, reuse: bool) -> dict[str, Any]:
    """The synthetic store of `n_events` events at `path`: reused if `reuse` and it exists (it must hold
    exactly that many), else built, and then `path` must not exist yet. Returns how it came to be.

    A build goes to a temporary file beside `path`, moved into place when complete: a build killed
    half-way (a 1M-event store takes minutes) leaves nothing a later `reuse` would take for a store.
    """
    if reuse and path.exists():
        with open_store(path) as store:
            stats = store.stats()
        if stats.events != n_events:
            raise SystemExit(f"{path} holds {stats.events} events, not {n_events}")
        return {"reused": True, "articles": stats.articles, "mentions": stats.mentions}
    if path.exists():
        raise SystemExit(f"{path} exists; the benchmark builds a new store (or pass --reuse)")
    building = path.with_name(f".{path.name}.{os.getpid()}.building")
    try:
        build = build_store(building, n_events)  # closed: its write-ahead log is checkpointed
        os.replace(building, path)
    finally:
        for leftover in (building, Path(f"{building}-wal"), Path(f"{building}-shm")):
            leftover.unlink(missing_ok=True)
    return build


def run(n_events: int, store_path: Path | None, reuse: bool = False) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        path = store_path or Path(tmp) / "events.sqlite"
        build = ensure_store(path, n_events, reuse=reuse)
        size = path.stat().st_size  # closing the store checkpointed the WAL into the file
        results: list[dict[str, Any]] = []
        with open_store(path) as store:
            for name, query in queries(store).items():
                ms, rows = time_query(query)
                results.append({"query": name, "median_ms": round(ms, 1), "rows": rows})
    return {"events": n_events, "build": build, "file_bytes": size,
            "file_mb": round(size / 2**20, 1), "runs": RUNS, "target_ms": TARGET_MS, "queries": results,
            "window_queries_within_target": all(r["median_ms"] <= TARGET_MS for r in results
                                                if "window" in r["query"]),
            # the window the store target was agreed on: 7 days, with or without filters
            "7_day_window_queries_within_target": all(r["median_ms"] <= TARGET_MS for r in results
                                                      if r["query"].startswith("7-day window"))}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=1_000_000, help="distinct merged events")
    parser.add_argument("--store", type=Path, default=None, help="keep the store here (a new file)")
    parser.add_argument("--out", type=Path, default=OUT_DIR / "store.json", help="results JSON")
    parser.add_argument("--reuse", action="store_true", help="time queries on an existing --store")
    args = parser.parse_args(argv)
    report = run(args.events, args.store, args.reuse)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    b = report["build"]
    built = "reused" if b.get("reused") else f"built in {b['seconds']} s ({b['events_per_s']:,} events/s)"
    print(f"store: {report['events']:,} events, {b['articles']:,} articles, {b['mentions']:,} mentions; "
          f"{built}; file {report['file_mb']} MiB\n")
    print(f"| query (median of {RUNS}) | ms | rows |\n|---|---:|---:|")
    for r in report["queries"]:
        print(f"| {r['query']} | {r['median_ms']} | {r['rows']:,} |")
    print(f"\n7-day window queries ≤ {TARGET_MS:.0f} ms: {report['7_day_window_queries_within_target']}; "
          f"all window queries: {report['window_queries_within_target']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
