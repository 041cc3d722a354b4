"""The ``geo`` command: parse arguments, call the library, print a short summary, return an exit code.

Exit codes: 0 success; 1 nothing could be read / nothing to do; 2 bad arguments or configuration.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
from collections.abc import Iterator, Sequence
from contextlib import closing
from pathlib import Path
from typing import TextIO

from geo.config import Config, load_config, parse_theatre
from geo.errors import GeoError
from geo.evaluate import read_gold, score
from geo.gazetteer import load_gazetteer
from geo.models import Article, Event, ResolvedPlace
from geo.pipeline import extract_events, geoparse
from geo.resolve import OnlineLookup

log = logging.getLogger("geo")

def _theatre(value: str) -> tuple[str, ...]:
    try:
        return parse_theatre(value)
    except GeoError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="geo", description="Crisis Map: places, dates and events in news.")
    parser.add_argument("--config", type=Path, help="TOML config file (default: ./crisismap.toml if present)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress and decisions")
    sub = parser.add_subparsers(dest="command", required=True)

    places = sub.add_parser("places", help="every place mention in each article")
    places.add_argument("paths", nargs="+", type=Path, help="files or folders (.txt .md .html .jsonl)")
    places.add_argument("--json", action="store_true", help="JSON Lines, one object per article")
    places.add_argument("--theatre", type=_theatre, help="countries to favour, e.g. UA,BY,RU, or 'none'")
    places.add_argument("--online", action="store_true",
                        help="ask the online geocoder (Nominatim) for names the gazetteer lacks")

    extract = sub.add_parser("extract", help="events (place, category, date) of each article")
    extract.add_argument("paths", nargs="+", type=Path, help="files or folders (.txt .md .html .jsonl)")
    extract.add_argument("--json", action="store_true", help="JSON Lines, one object per article")
    extract.add_argument("--theatre", type=_theatre, help="countries to favour, or 'none'")

    ingest = sub.add_parser("ingest", help="add articles' events to the event store")
    ingest.add_argument("paths", nargs="+", type=Path, help="files or folders (.txt .md .html .jsonl)")
    ingest.add_argument("--store", type=Path, default=None,
                        help="store file (default data/store/events.sqlite)")
    ingest.add_argument("--theatre", type=_theatre, help="countries to favour, or 'none'")
    ingest.add_argument("--no-progress", action="store_true", help="no progress bar")
    ingest.add_argument("--workers", type=_positive_int, default=1,
                        help="extraction processes (default 1: in this process; the store keeps one writer)")
    ingest.add_argument("--engine", choices=("local", "dask"), default="local",
                        help="run extraction in local processes or on a Dask cluster")
    ingest.add_argument("--scheduler", metavar="ADDRESS",
                        help="Dask scheduler address (default: start a LocalCluster of --workers workers)")

    events_eval = sub.add_parser("eval-events", help="score categories and event dates against a gold file")
    events_eval.add_argument("gold", type=Path)
    events_eval.add_argument("--theatre", type=_theatre)
    events_eval.add_argument("--json", action="store_true", help="print the figures as one JSON object")

    evaluate = sub.add_parser("eval", help="score the geoparser against a gold JSONL file")
    evaluate.add_argument("gold", type=Path)
    evaluate.add_argument("--theatre", type=_theatre)
    evaluate.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    evaluate.add_argument("--errors", type=int, default=0, metavar="N",
                          help="also list the N worst resolution errors")
    _add_export_parser(sub)
    return parser


def _iso_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def _country_code(value: str) -> str:
    code = value.strip().upper()
    if len(code) != 2 or not (code.isascii() and code.isalpha()):
        raise argparse.ArgumentTypeError(f"not a two-letter country code (ISO 3166-1): {value!r}")
    return code


def _add_export_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from geo.boundaries import REGIONS
    from geo.export import EXPORT_FORMATS
    from geo.models import Category

    export = sub.add_parser("export", help="write the events of a filtered view as data layers, HTML or "
                            "an image", description="Write the events the filters select (the dashboard's "
                            "filters) as GeoJSON layers, a GeoPackage, CSV, a briefing page or a map image.")
    export.add_argument("--store", type=Path, default=None, metavar="FILE",
                        help="store file (default data/store/events.sqlite)")
    export.add_argument("--format", required=True, choices=EXPORT_FORMATS, dest="fmt")
    export.add_argument("--out", required=True, metavar="PATH",
                        help="output file, or folder (ending in /) for GeoJSON layers (one per category)")
    export.add_argument("--category", action="append", choices=[c.value for c in Category], default=[],
                        help="only this category (repeatable)")
    export.add_argument("--from", type=_iso_date, dest="start", metavar="DATE",
                        help="first event date, YYYY-MM-DD")
    export.add_argument("--to", type=_iso_date, dest="end", metavar="DATE",
                        help="last event date, YYYY-MM-DD")
    export.add_argument("--region", choices=list(REGIONS), default="theatre",
                        help="map view; all but theatre also keep only the events inside its box")
    export.add_argument("--country", action="append", type=_country_code, default=[], metavar="CC",
                        help="only places in this country, e.g. UA (repeatable)")
    export.add_argument("--min-confidence", type=float, default=0.0, metavar="0..1",
                        help="minimum place-resolution confidence, 0 to 1")
    export.add_argument("--title", help="title of the HTML page or image")
    export.add_argument("--offline", action="store_true",
                        help="html: inline Leaflet, so the page works with no network")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    try:
        config = load_config(args.config)
        if getattr(args, "theatre", None) is not None:
            config = config.with_theatre(args.theatre)
        command = {"places": _places, "extract": _extract, "ingest": _ingest, "eval": _eval,
                   "eval-events": _eval_events, "export": _export}[args.command]
        return command(args, config, sys.stdout)
    except GeoError as exc:
        print(f"geo: error: {exc}", file=sys.stderr)
        return 2


def _online_lookup(config: Config, enabled: bool) -> OnlineLookup | None:
    if not (enabled or config.online_fallback):
        return None
    from dataclasses import replace

    from geo.geocode import make_geocoder

    geocoder = make_geocoder(replace(config, online_fallback=True))
    if geocoder is None:
        return None
    return lambda name, theatre: geocoder.geocode(name, country_codes=theatre)


def place_record(r: ResolvedPlace) -> dict[str, object]:
    """One entry of the ``places`` list in ``geo places --json`` (a format other teams read)."""
    p = r.place
    assert p is not None
    return {
        "mention": r.mention.surface, "start": r.mention.start, "end": r.mention.end, "name": p.name,
        "lat": round(p.lat, 6), "lon": round(p.lon, 6), "country": p.country, "kind": p.kind,
        "precision": p.precision.value, "gazetteer_id": p.id, "method": r.method,
        "confidence": r.confidence,
    }


def _places(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    from geo.articles import ReadProblem, iter_articles

    gazetteer = load_gazetteer()
    online = _online_lookup(config, args.online)
    read = failed = 0
    for item in iter_articles(args.paths, max_bytes=config.max_article_bytes, on_invalid="skip"):
        if isinstance(item, ReadProblem):
            failed += 1
            print(f"geo: skipped {item.path}{f' line {item.line}' if item.line else ''}: {item.message}",
                  file=sys.stderr)
            continue
        read += 1
        resolved = geoparse(item.text, gazetteer, config, online=online)
        found = [place_record(r) for r in resolved if r.place is not None]
        missing = [{"mention": r.mention.surface, "start": r.mention.start, "end": r.mention.end}
                   for r in resolved if r.place is None]
        if args.json:
            out.write(json.dumps({"article": item.id, "places": found, "unresolved": missing},
                                 ensure_ascii=False) + "\n")
        else:
            out.write(f"{item.id}: {len(found)} places, {len(missing)} unresolved\n")
            for rec in found:
                out.write(f"  {rec['mention']!s:<28} -> {rec['name']} ({rec['country']}, {rec['precision']}) "
                          f"{rec['lat']:.4f},{rec['lon']:.4f}  [{rec['method']} {rec['confidence']}]\n")
            for rec in missing:
                out.write(f"  {rec['mention']!s:<28} -> unresolved\n")
    print(f"geo: {read} articles read, {failed} skipped", file=sys.stderr)
    return 0 if read else 1


def _eval(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    gazetteer = load_gazetteer()
    scores = score(read_gold(args.gold), lambda text: geoparse(text, gazetteer, config))
    if args.json:
        out.write(json.dumps({"gold": str(args.gold), "theatre": list(config.theatre), **scores.as_dict()})
                  + "\n")
    else:
        out.write(
            f"{args.gold}: {scores.articles} articles, {scores.gold} gold toponyms, "
            f"{scores.predicted} predicted\n"
            f"  precision {scores.precision:.3f}  recall {scores.recall:.3f}  F1 {scores.f1:.3f}\n"
            f"  resolved {scores.resolved_found}: within 161 km {scores.within_161km:.1%}  "
            f"median {scores.median_km} km  mean {scores.mean_km} km\n"
        )
    for article_id, what, km in sorted(scores.errors, key=lambda e: -e[2])[:args.errors]:
        out.write(f"  {km:>7} km  {article_id}: {what}\n")
    return 0 if scores.articles else 1



def _published(article: Article) -> tuple[dt.date, str] | None:
    """The publication date and its precision ('day' when given, 'inferred' when read from the text)."""
    if article.published is None:
        return None
    return article.published, "inferred" if article.published_inferred else "day"


def event_record(event: Event) -> dict[str, object]:
    """One entry of the ``events`` list in ``geo extract --json`` (a format other teams read)."""
    r, p = event.place, event.place.place
    assert p is not None
    return {
        "mention": r.mention.surface, "start": r.mention.start, "end": r.mention.end, "name": p.name,
        "lat": round(p.lat, 6), "lon": round(p.lon, 6), "country": p.country,
        "precision": p.precision.value, "gazetteer_id": p.id,
        "category": event.classification.category.value, "cue": event.classification.cue,
        "confidence": event.classification.confidence, "event_date": event.date.date.isoformat(),
        "date_precision": event.date.precision.value, "sentence": event.sentence,
    }


def _readable_articles(paths: list[Path], config: Config, skipped: list[str]) -> Iterator[Article]:
    """Articles from the paths; every unreadable item becomes one line in `skipped`, printed once."""
    from geo.articles import ReadProblem, iter_articles

    for item in iter_articles(paths, max_bytes=config.max_article_bytes, on_invalid="skip"):
        if isinstance(item, ReadProblem):
            where = f"{item.path}{f' line {item.line}' if item.line else ''}"
            skipped.append(f"{where}: {item.message}")
            print(f"geo: skipped {where}: {item.message}", file=sys.stderr)
        elif item.published is None:
            message = "no publication date (none in the manifest or record, none found in the text)"
            skipped.append(f"{item.id}: {message}")
            print(f"geo: skipped {item.id}: {message}", file=sys.stderr)
        else:
            yield item


def _extract(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    gazetteer = load_gazetteer()
    skipped: list[str] = []
    read = 0
    for article in _readable_articles(args.paths, config, skipped):
        published, precision = _published(article) or (dt.date.min, "")
        extraction = extract_events(article, published, gazetteer, config)
        read += 1
        if args.json:
            out.write(json.dumps({"article": article.id, "published": published.isoformat(),
                                  "published_precision": precision,
                                  "events": [event_record(e) for e in extraction.placed]},
                                 ensure_ascii=False) + "\n")
        else:
            out.write(f"{article.id} ({published}, {precision}): {len(extraction.placed)} events, "
                      f"{len(extraction.unresolved)} unresolved\n")
            for e in extraction.placed:
                rec = event_record(e)
                out.write(f"  {rec['event_date']} {rec['date_precision']:<9} {rec['category']:<10} "
                          f"{rec['name']} ({rec['country']})  cue: {rec['cue'] or '-'}\n")
    print(f"geo: {read} articles read, {len(skipped)} skipped", file=sys.stderr)
    return 0 if read else 1


def _ingest(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    from dataclasses import replace

    from tqdm import tqdm

    from geo.engines import batch_gc, make_engine
    from geo.ingest import ingest
    from geo.store import DEFAULT_STORE, open_store

    if args.scheduler and args.engine != "dask":
        raise GeoError("--scheduler needs --engine dask")
    # a Dask cluster loads its own gazetteers; local workers fork from this process and share it
    gazetteer = None if args.engine == "dask" else load_gazetteer()
    skipped: list[str] = []
    path = args.store or DEFAULT_STORE
    path.parent.mkdir(parents=True, exist_ok=True)
    with (batch_gc(), open_store(path) as store,
          closing(make_engine(args.engine, config, gazetteer, workers=args.workers,
                              scheduler=args.scheduler)) as engine):
        articles = tqdm(_readable_articles(args.paths, config, skipped), unit=" articles",
                        disable=args.no_progress or None, file=sys.stderr)
        summary = ingest(articles, store, gazetteer, config, engine=engine)
    summary = replace(summary, skipped=(*skipped, *summary.skipped))
    out.write(f"{path}: {summary.describe()}\n")
    for reason in summary.skipped:
        out.write(f"  skipped {reason}\n")
    return 0 if summary.read or not summary.skipped else 1


def _eval_events(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    from geo.evaluate_events import read_gold_events, score_events
    from geo.pubdate import infer_published

    gazetteer = load_gazetteer()
    scores = score_events(
        read_gold_events(args.gold),
        lambda gold: list(extract_events(Article(gold.id, gold.text), gold.published, gazetteer,
                                         config).events),
        lambda text: infer_published(text).date,
    )
    if args.json:
        out.write(json.dumps({"gold": str(args.gold), **scores.as_dict()}) + "\n")
    else:
        out.write(
            f"{args.gold}: {scores.articles} articles, {scores.compared} gold place mentions found\n"
            f"  category accuracy {scores.category_accuracy:.3f}\n"
            f"  exact-day accuracy {scores.exact_day_accuracy:.3f} over {scores.day_compared} mentions "
            f"whose text gives a day; any-precision date accuracy {scores.date_accuracy_any_precision:.3f}\n"
            f"  publication date inferred from the text alone: {scores.published_inferred_right} of "
            f"{scores.articles} right\n"
        )
        for gold_category, predicted in scores.confusion.items():
            out.write(f"  gold {gold_category:<10} -> {predicted}\n")
    return 0 if scores.articles else 1


def _export(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    from geo.export import export_view
    from geo.filters import EventFilter
    from geo.store import DEFAULT_STORE, open_store

    try:
        flt = EventFilter(view=args.region, start=args.start, end=args.end,
                          categories=tuple(dict.fromkeys(args.category)),
                          countries=tuple(dict.fromkeys(args.country)), min_confidence=args.min_confidence)
    except ValueError as exc:  # from > to, a confidence outside [0, 1]: the filter checks its values
        print(f"geo: error: bad filter: {exc}", file=sys.stderr)
        return 2
    path = args.store or DEFAULT_STORE
    if not path.is_file():  # open_store would create an empty store: an export only reads
        print(f"geo: error: no event store at {path} (build one with `geo ingest`)", file=sys.stderr)
        return 2
    with open_store(path) as store:
        summary = export_view(store, flt, args.fmt, args.out, title=args.title, offline=args.offline)
    out.write(summary.describe() + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
