"""Tests for the event commands of geo.cli: `extract --json`, `ingest` (idempotent, keeps the store on
bad input), `eval-events --json`, and the seed corpus's publication dates."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import geo
import geo.cli
from geo.cli import main
from geo.gazetteer import Gazetteer
from geo.store import content_hash, open_store

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
EVENTS_GOLD = ROOT / "tests" / "gold" / "seeds_events.jsonl"
EVENT_KEYS = {"mention", "start", "end", "name", "lat", "lon", "country", "precision", "gazetteer_id",
              "category", "cue", "confidence", "event_date", "date_precision", "sentence"}
CATEGORIES = {"deployment", "front_line", "diplomacy", "migration", "other"}
DATE_PRECISIONS = {"day", "week", "month", "published"}
ARTICLES = {
    "a1": ("Shelling hit Avdiivka on Sunday. Troops massed near Yelnya.", "2022-02-20"),
    "a2": ("Talks in Geneva failed. Migrants gathered at the Kuznica border crossing, Poland.", "2021-11-14"),
}
SEED_DATES = {"000": dt.date(2021, 12, 2), "001": dt.date(2022, 1, 26), "002": dt.date(2021, 11, 14),
              "003": dt.date(2021, 11, 30), "004": dt.date(2022, 2, 20)}


@pytest.fixture(autouse=True)
def shared_gazetteer(gazetteer: Gazetteer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI loads the same cached index every run; hand it the session's copy to save ~1 s a call."""
    monkeypatch.setattr(geo.cli, "load_gazetteer", lambda: gazetteer)


def json_lines(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def ingest(paths: list[Path], store: Path) -> int:
    return main(["ingest", *map(str, paths), "--store", str(store), "--no-progress"])


def write_bad_folder(folder: Path) -> Path:
    """A manifest with a bad-date row (2) and a missing-file row (3), and one good, dated article."""
    folder.mkdir()
    (folder / "bad_date.txt").write_text("Refugees crossed into Poland near Kuznica.\n", encoding="utf-8")
    good = folder / "good.txt"
    good.write_text("Troops massed near Yelnya on Monday. Talks in Geneva.\n", encoding="utf-8")
    (folder / "manifest.csv").write_text(
        "file,published,outlet,title,url,notes\n"
        "bad_date.txt,2021-13-45,,,,\n"
        "missing.txt,2022-01-01,,,,\n"
        "good.txt,2022-02-14,Outlet,Good,,\n", encoding="utf-8")
    return good


def test_extract_json_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "articles.jsonl"
    path.write_text("".join(json.dumps({"id": k, "text": text, "published": published}) + "\n"
                            for k, (text, published) in ARTICLES.items()), encoding="utf-8")
    assert main(["extract", str(path), "--json"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert len(lines) == 2
    records = [json.loads(line) for line in lines]
    assert [r["article"] for r in records] == list(ARTICLES)
    for record in records:
        assert set(record) == {"article", "published", "published_precision", "events"}
        text, published = ARTICLES[str(record["article"])]
        assert record["published"] == published
        assert record["published_precision"] == "day"
        events = record["events"]
        assert isinstance(events, list) and events
        for event in events:
            assert set(event) == EVENT_KEYS
            assert text[event["start"]:event["end"]] == event["mention"]
            assert event["mention"] in event["sentence"]
            assert event["category"] in CATEGORIES
            assert event["date_precision"] in DATE_PRECISIONS
            dt.date.fromisoformat(event["event_date"])
    avdiivka = next(e for e in records[0]["events"] if e["mention"] == "Avdiivka")
    assert (avdiivka["event_date"], avdiivka["date_precision"]) == ("2022-02-20", "day")


def test_extract_skips_article_without_any_date(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "undated.txt"
    path.write_text("Troops massed near Yelnya. Talks in Geneva failed.\n", encoding="utf-8")
    assert main(["extract", str(path), "--json"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    skipped = [line for line in captured.err.splitlines() if line.startswith("geo: skipped")]
    assert len(skipped) == 1, captured.err
    assert str(path) in skipped[0] and "no publication date" in skipped[0]


def test_ingest_twice_adds_nothing_the_second_time(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "events.sqlite"
    assert ingest([SEEDS], store) == 0
    assert "5 articles read, 5 new (0 already stored)" in capsys.readouterr().out
    with open_store(store) as s:
        first = s.stats()
    assert first.articles == 5 and first.events > 0 and first.mentions > 0
    assert ingest([SEEDS], store) == 0
    assert "5 articles read, 0 new (5 already stored)" in capsys.readouterr().out
    with open_store(store) as s:
        second = s.stats()
    assert (second.articles, second.events, second.mentions) == (first.articles, first.events, first.mentions)
    assert second == first


def test_ingest_bad_input_keeps_what_is_stored(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "events.sqlite"
    assert ingest([SEEDS], store) == 0
    with open_store(store) as s:
        seed_hashes = s.article_hashes()
    assert len(seed_hashes) == 5
    capsys.readouterr()
    good = write_bad_folder(tmp_path / "incoming")
    assert ingest([tmp_path / "incoming"], store) == 0
    captured = capsys.readouterr()
    for row, what in [(2, "bad published date '2021-13-45'"), (3, "file not found: missing.txt")]:
        lines = [line for line in captured.err.splitlines() if f"manifest.csv row {row}:" in line]
        assert len(lines) == 1, captured.err
        assert what in lines[0]
    with open_store(store) as s:
        hashes = s.article_hashes()
        stats = s.stats()
    assert seed_hashes <= hashes
    good_hash = content_hash(geo.Article("good", good.read_text(encoding="utf-8")))
    assert good_hash in hashes
    assert stats.articles == 6  # the bad-date file has no date in its text either: skipped, not stored


def test_ingest_bad_rows_reported_once_as_users_see_it(tmp_path: Path) -> None:
    write_bad_folder(tmp_path / "incoming")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "geo.cli", "ingest", "incoming", "--store", "events.sqlite", "--no-progress"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    for row in (2, 3):
        lines = [line for line in result.stderr.splitlines() if f"manifest.csv row {row}:" in line]
        assert len(lines) == 1, result.stderr


def test_eval_events_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval-events", str(EVENTS_GOLD), "--json"]) == 0
    [result] = json_lines(capsys.readouterr().out)
    assert {"category_accuracy", "exact_day_accuracy", "published_inferred_right"} <= set(result)
    for key in ("category_accuracy", "exact_day_accuracy"):
        value = result[key]
        assert isinstance(value, float | int) and 0.0 <= value <= 1.0
    right, articles = result["published_inferred_right"], result["articles"]
    assert isinstance(right, int) and isinstance(articles, int)
    assert articles == 5 and 0 <= right <= articles


def test_seed_publication_dates_are_right(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    read = geo.read_articles([SEEDS])
    assert read.problems == ()
    dates = {Path(str(a.path)).name[:3]: (a.published, a.published_inferred) for a in read.articles}
    assert dates == {prefix: (day, False) for prefix, day in SEED_DATES.items()}
    store = tmp_path / "events.sqlite"
    assert ingest([SEEDS], store) == 0
    with open_store(store) as s:
        frame = s.query()
    event_days = {d.date() for d in frame["event_date"]}
    assert {dt.date(2022, 2, 20), dt.date(2021, 12, 2)} <= event_days
