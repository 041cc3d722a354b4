"""`geo export`: the dashboard's filters filter, every data format is written, an empty selection is
not an error, and each bad argument gives one error line on stderr and exit code 2."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pyogrio
import pytest

from geo.boundaries import REGIONS
from geo.cli import main

Checker = Callable[[Any], None]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run `geo` in-process: (exit code, stdout, stderr); argparse's own exits are caught."""
    try:
        code = main(list(args))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def export_all(capsys: pytest.CaptureFixture[str], store: Path, out: Path, *filters: str
               ) -> list[dict[str, Any]]:
    """Export to one GeoJSON file and return its features."""
    code, stdout, err = run(capsys, "export", "--store", str(store), "--format", "geojson", "--out", str(out),
                            *filters)
    assert code == 0, err
    assert stdout.startswith(f"wrote {out}")
    features: list[dict[str, Any]] = json.loads(out.read_text(encoding="utf-8"))["features"]
    return features


def test_every_data_format_is_written(seed_store_path: Path, tmp_path: Path, check_geojson: Checker,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    base = ("export", "--store", str(seed_store_path))
    code, out, _ = run(capsys, *base, "--format", "geojson", "--out", f"{tmp_path}/layers/")
    assert code == 0 and "6 geojson files" in out
    layers = sorted((tmp_path / "layers").glob("*.geojson"))
    assert [p.stem for p in layers] == sorted(["all", "deployment", "front_line", "diplomacy", "migration",
                                               "other"])
    for path in layers:
        check_geojson(json.loads(path.read_text()))
    total = len(json.loads((tmp_path / "layers" / "all.geojson").read_text())["features"])

    assert run(capsys, *base, "--format", "gpkg", "--out", str(tmp_path / "e.gpkg"))[0] == 0
    assert len(pyogrio.read_dataframe(tmp_path / "e.gpkg", layer="all")) == total
    assert run(capsys, *base, "--format", "csv", "--out", str(tmp_path / "e.csv"))[0] == 0
    table = pd.read_csv(tmp_path / "e.csv")
    assert {"lat", "lon"} <= set(table.columns) and len(table) == total


def test_category_filters(seed_store_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    features = export_all(capsys, seed_store_path, tmp_path / "d.geojson", "--category", "diplomacy")
    assert features and {f["properties"]["category"] for f in features} == {"diplomacy"}
    both = export_all(capsys, seed_store_path, tmp_path / "dm.geojson", "--category", "diplomacy",
                      "--category", "migration")
    assert {f["properties"]["category"] for f in both} == {"diplomacy", "migration"}
    assert len(both) > len(features)


def test_date_window_filters(seed_store_path: Path, tmp_path: Path,
                             capsys: pytest.CaptureFixture[str]) -> None:
    everything = export_all(capsys, seed_store_path, tmp_path / "all.geojson")
    window = export_all(capsys, seed_store_path, tmp_path / "w.geojson", "--from", "2022-02-10",
                        "--to", "2022-02-20")
    days = {dt.date.fromisoformat(f["properties"]["event_date"]) for f in window}
    assert days and min(days) >= dt.date(2022, 2, 10) and max(days) <= dt.date(2022, 2, 20)
    assert 0 < len(window) < len(everything)


def test_region_country_and_confidence_filter(seed_store_path: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    baltic = export_all(capsys, seed_store_path, tmp_path / "b.geojson", "--region", "baltic")
    min_lon, min_lat, max_lon, max_lat = REGIONS["baltic"]
    assert baltic
    for feature in baltic:
        lon, lat = feature["geometry"]["coordinates"]
        assert min_lon <= lon <= max_lon and min_lat <= lat <= max_lat
    lithuania = export_all(capsys, seed_store_path, tmp_path / "lt.geojson", "--country", "lt")
    assert lithuania and {f["properties"]["country"] for f in lithuania} == {"LT"}
    sure = export_all(capsys, seed_store_path, tmp_path / "c.geojson", "--min-confidence", "0.95")
    assert sure and min(f["properties"]["confidence"] for f in sure) >= 0.95


def test_an_empty_selection_writes_empty_layers_and_says_so(seed_store_path: Path, tmp_path: Path,
                                                            check_geojson: Checker,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "export", "--store", str(seed_store_path), "--format", "geojson",
                         "--out", f"{tmp_path}/empty/", "--from", "2030-01-01", "--category", "migration")
    assert code == 0, err
    assert "no events match the filters" in out
    written = sorted(p.name for p in (tmp_path / "empty").iterdir())
    assert written == ["all.geojson", "migration.geojson"]
    for name in written:
        document = json.loads((tmp_path / "empty" / name).read_text())
        check_geojson(document)
        assert document["features"] == []
    code, out, _ = run(capsys, "export", "--store", str(seed_store_path), "--format", "gpkg",
                       "--out", str(tmp_path / "empty.gpkg"), "--from", "2030-01-01")
    assert code == 0 and "no events match" in out
    assert len(pyogrio.read_dataframe(tmp_path / "empty.gpkg", layer="all")) == 0


BAD_ARGUMENTS = {
    "unknown category": (["--category", "war"], "invalid choice: 'war'"),
    "from after to": (["--from", "2022-02-20", "--to", "2022-02-10"], "is after"),
    "bad date": (["--from", "2022-13-01"], "not a date"),
    "bad date words": (["--to", "last week"], "not a date"),
    "unknown region": (["--region", "mars"], "invalid choice: 'mars'"),
    "confidence above 1": (["--min-confidence", "1.5"], "between 0 and 1"),
    "confidence below 0": (["--min-confidence", "-0.1"], "between 0 and 1"),
    "confidence not a number": (["--min-confidence", "nan"], "between 0 and 1"),
    "confidence not a float": (["--min-confidence", "high"], "invalid float value"),
    "unknown format": (["--format", "shp"], "invalid choice: 'shp'"),
    "bad country": (["--country", "Ukraine"], "two-letter country code"),
    "out parent missing": (["--out", "{tmp}/missing/e.geojson"], "does not exist"),
    "out parent is a file": (["--out", "{tmp}/a-file/e.geojson"], "not a folder"),
    "out folder is a file": (["--out", "{tmp}/a-file/"], "not a folder"),
    "out has a wrong suffix": (["--out", "{tmp}/e.csv"], ".geojson file or a folder"),
    "store missing": (["--store", "{tmp}/nowhere.sqlite"], "no event store at"),
    "store not a store": (["--store", "{tmp}/a-file"], "not"),
}


@pytest.mark.parametrize("case", list(BAD_ARGUMENTS))
def test_bad_arguments_exit_2_with_one_message(case: str, seed_store_path: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a-file").write_text("my notes, not a store\n")
    extra, message = BAD_ARGUMENTS[case]
    options = {"--store": str(seed_store_path), "--format": "geojson", "--out": str(tmp_path / "e.geojson")}
    args = [arg.format(tmp=tmp_path) for arg in extra]
    for option in list(options):
        if option in args:  # the case replaces this default
            del options[option]
    before = sorted(p.name for p in tmp_path.iterdir())
    code, out, err = run(capsys, "export", *[x for pair in options.items() for x in pair], *args)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    errors = [line for line in lines if "error:" in line]
    assert len(errors) == 1 and errors[0] == lines[-1], err  # one message, last; before it only usage
    assert errors[0].startswith(("geo: error: ", "geo export: error: "))
    assert all(line.startswith(("usage:", " ")) for line in lines[:-1]), err
    assert message in errors[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written, no store created
    assert (tmp_path / "a-file").read_text() == "my notes, not a store\n"


def test_map_formats_through_the_command(seed_store_path: Path, tmp_path: Path) -> None:
    """html (offline) and png from `geo export`: the briefing page names its sources' titles, the
    image is a PNG; their contents are tested in test_briefing_html.py and test_map_image.py."""
    page, image = tmp_path / "briefing.html", tmp_path / "map.png"
    assert main(["export", "--store", str(seed_store_path), "--format", "html", "--offline",
                 "--out", str(page), "--region", "ukraine", "--title", "Briefing <b>"]) == 0
    html = page.read_text(encoding="utf-8")
    assert "Briefing &lt;b&gt;" in html and "Vladimir Putin warns Nato" in html
    assert "<script src=" not in html.replace(" ", "")
    assert main(["export", "--store", str(seed_store_path), "--format", "png", "--out", str(image)]) == 0
    assert image.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
