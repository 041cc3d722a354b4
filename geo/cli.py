"""The ``geo`` command: parse arguments, call the library, print a short summary, return an exit code.

Exit codes: 0 success; 1 nothing could be read / nothing to do; 2 bad arguments or configuration.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from geo.config import Config, load_config, parse_theatre
from geo.errors import GeoError
from geo.evaluate import read_gold, score
from geo.gazetteer import load_gazetteer
from geo.models import ResolvedPlace
from geo.pipeline import geoparse
from geo.resolve import OnlineLookup

log = logging.getLogger("geo")


def _theatre(value: str) -> tuple[str, ...]:
    try:
        return parse_theatre(value)
    except GeoError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


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

    evaluate = sub.add_parser("eval", help="score the geoparser against a gold JSONL file")
    evaluate.add_argument("gold", type=Path)
    evaluate.add_argument("--theatre", type=_theatre)
    evaluate.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    evaluate.add_argument("--errors", type=int, default=0, metavar="N",
                          help="also list the N worst resolution errors")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    try:
        config = load_config(args.config)
        if getattr(args, "theatre", None) is not None:
            config = config.with_theatre(args.theatre)
        if args.command == "places":
            return _places(args, config, sys.stdout)
        return _eval(args, config, sys.stdout)
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
    for item in iter_articles(args.paths, max_bytes=config.max_article_bytes):
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


if __name__ == "__main__":
    raise SystemExit(main())
