"""Tests of the synthetic benchmark corpus generator (bench/corpus.py)."""

from __future__ import annotations

import datetime as dt
import json
import string
import sys
from pathlib import Path

import pytest

# bench/ is not an installed package: make the repository root importable under plain `pytest` too.
REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.corpus import (  # noqa: E402
    FIRST_DATE,
    LAST_DATE,
    PLACE_KINDS,
    SENTENCES,
    THEATRE_COUNTRIES,
    TITLES,
    PlacePools,
    build_pools,
    generate_articles,
    main,
    make_article,
    read_jsonl,
    write_jsonl,
)
from geo.gazetteer import Gazetteer, load_gazetteer  # noqa: E402

TINY_POOLS = PlacePools(prominent=("Kyiv", "Minsk"), minor=("Yelnya", "Kuznica"), world=("Geneva",),
                        countries=("Ukraine",))
KNOWN_SLOTS = {"place", "place2", "country", "date", "weekday", "person", "org", "outlet", "number"}


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


@pytest.fixture(scope="module")
def articles(gazetteer: Gazetteer) -> list[dict[str, object]]:
    return generate_articles(30, seed=11, gazetteer=gazetteer)


# ---------------------------------------------------------------- on tiny pools, no gazetteer

def test_templates_are_many_and_use_only_known_slots() -> None:
    assert len(SENTENCES) >= 40
    for template in (*TITLES, *SENTENCES):
        slots = {field for _, field, _, _ in string.Formatter().parse(template) if field}
        assert slots <= KNOWN_SLOTS, template


def test_same_seed_same_article_and_other_seed_another() -> None:
    first = make_article(4, pools=TINY_POOLS, seed=1)
    assert make_article(4, pools=TINY_POOLS, seed=1) == first
    assert make_article(4, pools=TINY_POOLS, seed=2)["text"] != first["text"]
    assert make_article(5, pools=TINY_POOLS, seed=1)["text"] != first["text"]


@pytest.mark.parametrize("words", [300, 900, 2000])
def test_word_count_within_15_percent(words: int) -> None:
    for k in range(20):
        text = make_article(k, pools=TINY_POOLS, words=words)["text"]
        assert abs(len(text.split()) - words) <= 0.15 * words


def test_article_fields() -> None:
    article = make_article(0, pools=TINY_POOLS, seed=3)
    assert set(article) >= {"id", "title", "text", "published", "source", "places"}
    assert article["text"].startswith(article["title"] + "\n\n")
    assert FIRST_DATE <= dt.date.fromisoformat(article["published"]) <= LAST_DATE
    assert json.loads(json.dumps(article)) == article


def test_no_slot_left_unfilled() -> None:
    for k in range(30):
        text = make_article(k, pools=TINY_POOLS)["text"]
        assert "{" not in text and "}" not in text


# ---------------------------------------------------------------- on the real gazetteer

def test_deterministic_for_a_seed(gazetteer: Gazetteer, articles: list[dict[str, object]]) -> None:
    assert generate_articles(30, seed=11, gazetteer=gazetteer) == articles
    assert generate_articles(30, seed=12, gazetteer=gazetteer) != articles


def test_a_smaller_corpus_is_a_prefix_of_a_larger(gazetteer: Gazetteer,
                                                  articles: list[dict[str, object]]) -> None:
    assert generate_articles(7, seed=11, gazetteer=gazetteer) == articles[:7]


@pytest.mark.parametrize("n", [0, 1, 13])
def test_n_articles_with_unique_ids(gazetteer: Gazetteer, n: int) -> None:
    made = generate_articles(n, gazetteer=gazetteer)
    assert len(made) == n
    assert len({a["id"] for a in made}) == n


def test_every_article_has_id_text_and_published_date(articles: list[dict[str, object]]) -> None:
    for article in articles:
        assert isinstance(article["id"], str) and article["id"]
        assert isinstance(article["text"], str) and article["text"].strip()
        assert FIRST_DATE <= dt.date.fromisoformat(str(article["published"])) <= LAST_DATE


def test_about_900_words_each(articles: list[dict[str, object]]) -> None:
    counts = [len(str(a["text"]).split()) for a in articles]
    assert all(abs(c - 900) <= 0.15 * 900 for c in counts), counts
    assert abs(sum(counts) / len(counts) - 900) <= 0.05 * 900


def test_texts_name_places_that_the_gazetteer_knows(gazetteer: Gazetteer,
                                                    articles: list[dict[str, object]]) -> None:
    for article in articles:
        places = article["places"]
        assert isinstance(places, list) and len(places) >= 10
        for name in places:
            assert name in str(article["text"])
            assert gazetteer.lookup(name), name


def test_pools_hold_theatre_places_of_the_chosen_kinds(gazetteer: Gazetteer) -> None:
    pools = build_pools(gazetteer)
    assert len(pools.prominent) >= 50 and len(pools.minor) >= 500
    for name in (*pools.prominent[::25], *pools.minor[::250]):
        assert any(gazetteer.countries[c.index] in THEATRE_COUNTRIES
                   and gazetteer.kinds[c.index] in PLACE_KINDS for c in gazetteer.lookup(name)), name


def test_invalid_sizes_are_rejected(gazetteer: Gazetteer) -> None:
    with pytest.raises(ValueError):
        generate_articles(-1, gazetteer=gazetteer)
    with pytest.raises(ValueError):
        generate_articles(1, words=0, gazetteer=gazetteer)


def test_jsonl_round_trip(tmp_path: Path, articles: list[dict[str, object]]) -> None:
    path = tmp_path / "out" / "corpus.jsonl"
    assert write_jsonl(articles, path) == len(articles)
    assert read_jsonl(path) == articles


def test_cli_writes_n_lines(tmp_path: Path) -> None:
    out = tmp_path / "corpus.jsonl"
    assert main(["--n", "3", "--words", "120", "--out", str(out)]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3
    assert all({"id", "text", "published"} <= set(json.loads(line)) for line in lines)
