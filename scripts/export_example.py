"""Make the README's example map image: the seed corpus, whole theatre, every date, as a slide PNG.

Run from the repository root:

    python scripts/export_example.py                            # writes docs/export-theatre.png
    python scripts/export_example.py --out /tmp/theatre.svg     # the format follows the suffix

Builds the event store from seeds/ in a temporary folder (never data/store; about 5 s with the cached
gazetteer), then renders it with `geo.map_image.render_map_image` exactly as `geo export` does: the
points of `aggregate_points`, the boundaries of `load_boundaries`, the view's caption as subtitle.
The output is deterministic: the same commit gives the same bytes.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
from collections.abc import Sequence
from pathlib import Path

from geo.boundaries import load_boundaries
from geo.filters import EventFilter
from geo.ingest import ensure_seed_store
from geo.map_image import FORMATS, render_map_image
from geo.map_points import aggregate_points
from geo.store import open_store

log = logging.getLogger("export_example")

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "export-theatre.png"
TITLE = "Crisis Map: where the seed articles place events"


def export_example(out: Path, *, view: str = "theatre") -> int:
    """Write the seeds' map of `view` to `out` (format from its suffix); returns the bytes written."""
    fmt = out.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise SystemExit(f"{out}: the suffix must be one of {', '.join('.' + f for f in FORMATS)}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "seeds.sqlite"
        ensure_seed_store(path, ROOT / "seeds")
        with open_store(path) as store:
            events = store.query(**EventFilter(view=view).store_query_kwargs())
    dates = events["event_date"]
    window = EventFilter(view=view, start=dates.min().date(), end=dates.max().date())
    data = render_map_image(aggregate_points(events), view=view, title=TITLE, subtitle=window.title(),
                            fmt=fmt, boundaries=load_boundaries())
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return len(data)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=OUT, help=f"image file (default {OUT.relative_to(ROOT)})")
    parser.add_argument("--view", default="theatre", help="ukraine, belarus, baltic or theatre")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("geo").setLevel(logging.WARNING)  # not the store's own progress lines
    size = export_example(args.out, view=args.view)
    log.info("%s: %s bytes", args.out, f"{size:,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
