"""Tests for geo.cli: `geo places` output format and bad-input handling, `--theatre`, `geo eval`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import geo.cli
from geo.cli import main
from geo.gazetteer import Gazetteer

GOLD = Path(__file__).resolve().parent / "gold" / "seeds.jsonl"
PLACE_KEYS = {"mention", "start", "end", "name", "lat", "lon", "country", "kind", "precision", "gazetteer_id",
              "method", "confidence"}
ARTICLES = {
    "a-1": "Troops massed near Yelnya, Russia. Talks in Geneva failed.",
    "a-2": "Migrants gathered at the Kuznica border crossing, Poland, while officials in Kyiv waited.",
}


@pytest.fixture(autouse=True)
def shared_gazetteer(gazetteer: Gazetteer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI loads the same cached index every run; hand it the session's copy to save ~1 s a call."""
    monkeypatch.setattr(geo.cli, "load_gazetteer", lambda: gazetteer)


@pytest.fixture
def jsonl(tmp_path: Path) -> Path:
    path = tmp_path / "articles.jsonl"
    path.write_text("".join(json.dumps({"id": k, "text": v}) + "\n" for k, v in ARTICLES.items()),
                    encoding="utf-8")
    return path


def json_lines(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_places_json_format(jsonl: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["places", str(jsonl), "--json"]) == 0
    records = json_lines(capsys.readouterr().out)
    assert [r["article"] for r in records] == list(ARTICLES)
    for record in records:
        assert set(record) == {"article", "places", "unresolved"}
        text = ARTICLES[str(record["article"])]
        places = record["places"]
        assert isinstance(places, list) and places
        for place in places:
            assert set(place) == PLACE_KEYS
            assert text[place["start"]:place["end"]] == place["mention"]
            assert -90 <= place["lat"] <= 90 and -180 <= place["lon"] <= 180
            assert 0.0 <= place["confidence"] <= 1.0
        for missing in record["unresolved"]:
            assert set(missing) == {"mention", "start", "end"}
            assert text[missing["start"]:missing["end"]] == missing["mention"]
    first = {p["mention"]: p for p in records[0]["places"]}
    assert first["Yelnya"]["country"] == "RU"


def test_places_text_summary(jsonl: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["places", str(jsonl)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("a-1: ")
    assert "Yelnya" in out


@pytest.mark.parametrize("theatre", ["none", "UA,BY", "ua"])
def test_theatre_values_accepted(jsonl: Path, theatre: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["places", str(jsonl), "--json", "--theatre", theatre]) == 0
    assert len(json_lines(capsys.readouterr().out)) == 2


@pytest.mark.parametrize("theatre", ["XX1", "UKR", "U"])
def test_bad_theatre_is_a_usage_error(jsonl: Path, theatre: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["places", str(jsonl), "--theatre", theatre])
    assert exit_info.value.code == 2
    assert "theatre" in capsys.readouterr().err


def make_bad_inputs(folder: Path) -> list[Path]:
    empty = folder / "empty.txt"
    empty.write_bytes(b"")
    binary = folder / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    huge = folder / "huge.txt"
    with huge.open("wb") as handle:  # 20 MB, sparse: quick to make, over the 10 MB default limit
        handle.truncate(20_000_000)
    return [empty, binary, huge]


def test_places_skips_bad_input_and_keeps_going(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.txt"
    good.write_text("Troops massed near Yelnya.", encoding="utf-8")
    cyrillic = tmp_path / "cp1251.txt"
    cyrillic.write_bytes("Війська біля Києва. Troops near Kyiv.".encode("cp1251"))
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("Talks in Zürich and Geneva.".encode("latin-1"))
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text('{"id": "ok", "text": "Shelling near Avdiivka."}\n{"id": "broken", "text": \n',
                     encoding="utf-8")
    bad = make_bad_inputs(tmp_path)
    code = main(["places", "--json", str(good), str(cyrillic), str(latin), str(mixed), *map(str, bad)])
    captured = capsys.readouterr()
    assert code == 0
    records = {str(r["article"]): r for r in json_lines(captured.out)}
    assert set(records) == {str(good), str(cyrillic), str(latin), "ok"}
    assert "Kyiv" in {p["mention"] for p in records[str(cyrillic)]["places"]}
    assert "Geneva" in {p["mention"] for p in records[str(latin)]["places"]}
    skipped = [line for line in captured.err.splitlines() if line.startswith("geo: skipped")]
    assert len(skipped) == 4, captured.err
    for path in [*bad, mixed]:
        assert sum(str(path) in line for line in skipped) == 1, (path, skipped)
    assert any(f"{mixed} line 2" in line for line in skipped)
    assert "4 articles read, 4 skipped" in captured.err


def test_places_with_only_bad_input_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = make_bad_inputs(tmp_path)
    assert main(["places", "--json", *map(str, bad)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("geo: skipped") == len(bad)


def test_missing_path_is_reported_not_a_crash(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["places", str(tmp_path / "nope.txt")]) == 1
    assert "nope.txt" in capsys.readouterr().err


def test_eval_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", str(GOLD), "--json"]) == 0
    [result] = json_lines(capsys.readouterr().out)
    assert {"precision", "recall", "within_161km", "f1", "median_km", "gold", "theatre"} <= set(result)
    assert result["articles"] == 5
    assert 0.0 <= result["precision"] <= 1.0


def test_eval_bad_gold_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text("{broken\n", encoding="utf-8")
    assert main(["eval", str(gold)]) == 2
    assert "line 1" in capsys.readouterr().err
