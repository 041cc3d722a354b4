"""Tests for geo.gazetteer: spelling variants, name keys, coordinate ranges and the index cache."""

from __future__ import annotations

import logging
import pickle
from pathlib import Path

import numpy as np
import pytest

import geo.gazetteer as gazetteer_module
from geo.config import Config
from geo.gazetteer import Gazetteer, _example_row, load_gazetteer, name_key
from geo.gazetteer_build import PlaceRow
from geo.models import Mention, Precision
from geo.resolve import Resolver

REGION = ("UA", "BY", "RU", "PL", "LT", "LV", "EE")


@pytest.mark.parametrize(
    ("spelling", "variant"),
    [
        ("Kyiv", "Kiev"),
        ("Odesa", "Odessa"),
        ("Kharkiv", "Kharkov"),
        ("Avdiivka", "Avdeyevka"),
        ("Yelnya", "Yelna"),
        ("Yelnya", "Yel'nya"),
        ("Hrodna", "Grodno"),
        ("Šiauliai", "Siauliai"),
        ("Ämari", "Amari"),
        ("Kuźnica", "Kuznica"),
        ("Debaltseve", "Debaltsevo"),
        ("Svitlodarsk", "Svetlodarsk"),
    ],
)
def test_spelling_variants_reach_the_same_place(gazetteer: Gazetteer, spelling: str, variant: str) -> None:
    """Both spellings list the place among their regional candidates, and a bare mention of either
    resolves to it. (The bare population prior alone is not the test: for "Odesa", "Kharkiv" and
    "Grodno" the oblast outranks the city until the resolver's city_over_area rule applies.)"""
    resolver = Resolver(gazetteer, Config(theatre=REGION))
    chosen = []
    for name in (spelling, variant):
        [resolved] = resolver.resolve(name, [Mention(0, len(name), name)])
        assert resolved.place is not None, name
        assert resolved.place.country in REGION, (name, resolved.place)
        regional = {gazetteer.ids[c.index] for c in gazetteer.lookup(name)
                    if gazetteer.countries[c.index] in REGION}
        assert resolved.place.id in regional
        chosen.append(resolved.place.id)
    assert chosen[0] == chosen[1]


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Ind.", "ind."),
        ("W. Va.", "w va."),
        ("Ga.", "ga."),
        ("Ind", "ind"),
        ("Kyiv", "kyiv"),
        ("Yel'nya", "yelnya"),
        ("St. Petersburg", "st petersburg"),
        ("Washington D.C.", "washington d c"),  # a long name ending in a dot is not an abbreviation
    ],
)
def test_name_key(name: str, key: str) -> None:
    assert name_key(name) == key


def test_abbreviation_matches_only_with_its_dot(gazetteer: Gazetteer) -> None:
    assert any(gazetteer.names[c.index] == "Indiana" for c in gazetteer.lookup("Ind."))
    assert not any(gazetteer.names[c.index] == "Indiana" for c in gazetteer.lookup("Ind"))


def test_every_place_has_valid_coordinates_and_columns(gazetteer: Gazetteer) -> None:
    lats, lons = np.asarray(gazetteer.lats, dtype=float), np.asarray(gazetteer.lons, dtype=float)
    assert len(gazetteer) > 200_000
    assert np.isfinite(lats).all() and np.isfinite(lons).all()
    assert ((lats >= -90) & (lats <= 90)).all()
    assert ((lons >= -180) & (lons <= 180)).all()
    n = len(gazetteer)
    columns = (gazetteer.names, gazetteer.kinds, gazetteer.precisions, gazetteer.countries,
               gazetteer.admin1s, gazetteer.populations, gazetteer.sources)
    assert all(len(column) == n for column in columns)
    assert len(set(gazetteer.ids)) == n  # ids are unique
    assert min(gazetteer.populations) >= 0


def test_index_points_only_at_existing_rows(gazetteer: Gazetteer) -> None:
    n = len(gazetteer)
    assert all(0 <= code >> 1 < n for codes in gazetteer.index.values() for code in codes)
    assert all(key and key == key.strip() for key in gazetteer.index)


def test_from_rows_indexes_names_and_aliases() -> None:
    g = Gazetteer.from_rows([_example_row()], not_places=frozenset({"Russian"}))
    assert [(c.index, c.via_alias) for c in g.lookup("Yel’nya")] == [(0, False)]  # curated: no penalty
    assert g.lookup("Smolensk") == []
    assert g.not_places == frozenset({"russian"})
    assert g.by_id("cm:yelnya") is not None and g.by_id("nope") is None
    assert g.place(0).precision is Precision.SETTLEMENT


# --- the cache ---------------------------------------------------------------------------------------
# A stand-in builder keeps these fast: the cache logic does not depend on what the rows are.

def _fake_rows(calls: list[int]) -> object:
    def build_rows(curated: list[Path] | None = None) -> list[PlaceRow]:
        calls.append(1)
        return [_example_row()]
    return build_rows


@pytest.fixture
def fake_build(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    monkeypatch.setattr(gazetteer_module, "build_rows", _fake_rows(calls))
    monkeypatch.setattr(gazetteer_module, "demonyms", lambda: frozenset({"Russian"}))
    return calls


def _cache_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("gazetteer-*.pickle"))


def test_cache_is_written_once_then_read(tmp_path: Path, fake_build: list[int]) -> None:
    first = load_gazetteer(curated=[], cache_dir=tmp_path)
    assert len(_cache_files(tmp_path)) == 1
    second = load_gazetteer(curated=[], cache_dir=tmp_path)
    assert fake_build == [1]  # the second load came from the pickle
    assert len(first) == len(second) == 1
    assert second.lookup("Yelnya") == first.lookup("Yelnya")
    assert not list(tmp_path.glob("*.tmp"))  # the atomic write leaves no temporary file


def test_cache_key_follows_the_curated_files(tmp_path: Path, fake_build: list[int]) -> None:
    curated = tmp_path / "places.csv"
    curated.write_text("v1", encoding="utf-8")
    load_gazetteer(curated=[curated], cache_dir=tmp_path / "cache")
    curated.write_text("v2", encoding="utf-8")
    load_gazetteer(curated=[curated], cache_dir=tmp_path / "cache")
    assert fake_build == [1, 1]
    assert len(_cache_files(tmp_path / "cache")) == 2


def test_unwritable_cache_dir_only_costs_a_rebuild(tmp_path: Path, fake_build: list[int]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory", encoding="utf-8")
    assert len(load_gazetteer(curated=[], cache_dir=blocker / "cache")) == 1
    assert len(load_gazetteer(curated=[], cache_dir=blocker / "cache")) == 1
    assert fake_build == [1, 1]



@pytest.mark.parametrize(
    ("garbage", "warns"),
    [
        (b"garbage", True),
        (b"", True),
        (b"not a pickle at all", True),
        (b"\x80\x05garbage", True),
        (pickle.dumps(_example_row())[:-3], True),  # truncated
        (b"c__main__\nNope\n.", True),  # AttributeError
        (pickle.dumps({"a": 1}), False),  # a valid pickle of the wrong type is replaced quietly
        (b"\x80\x04\x8c\x02\xff\xfe\x94.", True),  # damaged string: UnicodeDecodeError
        (b"\x80\x7d.", True),  # damaged protocol byte: ValueError
        (b"cgeo.gazett%er\nGazetteer\n.", True),  # damaged module name: ModuleNotFoundError
    ],
)
def test_damaged_cache_is_rebuilt_with_a_warning(tmp_path: Path, fake_build: list[int], garbage: bytes,
                                                 warns: bool, caplog: pytest.LogCaptureFixture) -> None:
    load_gazetteer(curated=[], cache_dir=tmp_path)
    [cache] = _cache_files(tmp_path)
    cache.write_bytes(garbage)
    with caplog.at_level(logging.WARNING, logger="geo.gazetteer"):
        rebuilt = load_gazetteer(curated=[], cache_dir=tmp_path)
    assert len(rebuilt) == 1
    assert fake_build == [1, 1]
    assert isinstance(pickle.loads(cache.read_bytes()), Gazetteer)  # the good index was written back
    assert ("unreadable" in caplog.text) is warns


@pytest.mark.slow
def test_real_damaged_cache_is_rebuilt(tmp_path: Path, gazetteer: Gazetteer,
                                       caplog: pytest.LogCaptureFixture) -> None:
    """The real build (~20 s): a damaged cache file is rebuilt, and the next load reads the new pickle."""
    key = gazetteer_module._cache_key(gazetteer_module.curated_files())
    cache = tmp_path / f"gazetteer-{key}.pickle"
    cache.write_bytes(b"garbage" * 100)
    with caplog.at_level(logging.WARNING, logger="geo.gazetteer"):
        rebuilt = load_gazetteer(cache_dir=tmp_path)
    assert "unreadable" in caplog.text
    assert len(rebuilt) == len(gazetteer)
    assert rebuilt.lookup("Yelnya") == gazetteer.lookup("Yelnya")
    again = load_gazetteer(cache_dir=tmp_path)
    assert len(again) == len(gazetteer)
    assert _cache_files(tmp_path) == [cache]
