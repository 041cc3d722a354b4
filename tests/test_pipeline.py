"""Tests for geo.pipeline.extract_events: one Event per mention, sentences, dates, categories, purity."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.config import Config
from geo.gazetteer import Gazetteer
from geo.models import Article, Category, DatePrecision
from geo.pipeline import Extraction, extract_events, geoparse

PUBLISHED = dt.date(2022, 3, 5)
TEXTS = [
    "Shelling hit Avdiivka on Sunday.",
    "Troops massed near Yelnya. Talks in Geneva failed on 3 March 2022.",
    "Refugees crossed from Belarus into Poland near Kuznica last week.",
    "Fighting was reported near Zzyzxville.",
    "  Kyiv\n\nKyiv.Kyiv",
]


def extract(text: str, gazetteer: Gazetteer, config: Config, published: dt.date = PUBLISHED) -> Extraction:
    return extract_events(Article("a", text), published, gazetteer, config)


@pytest.mark.parametrize("text", TEXTS)
def test_one_event_per_mention_placed_or_not(text: str, gazetteer: Gazetteer, config: Config) -> None:
    extraction = extract(text, gazetteer, config)
    mentions = [r.mention for r in geoparse(text, gazetteer, config)]
    assert mentions, "each case names at least one place"
    assert [e.place.mention for e in extraction.events] == mentions
    assert len(extraction.placed) + len(extraction.unresolved) == len(extraction.events)
    assert extraction.published == PUBLISHED and extraction.article.text == text


@pytest.mark.parametrize("text", TEXTS)
def test_event_sentence_holds_its_mention(text: str, gazetteer: Gazetteer, config: Config) -> None:
    for event in extract(text, gazetteer, config).events:
        m = event.place.mention
        assert event.article_id == "a"
        assert m.surface in event.sentence
        assert text[event.sentence_start:event.sentence_start + len(event.sentence)] == event.sentence
        assert event.sentence_start <= m.start and m.end <= event.sentence_start + len(event.sentence)


@pytest.mark.parametrize("text", TEXTS)
def test_categories_and_precisions_are_enum_members(text: str, gazetteer: Gazetteer, config: Config) -> None:
    for event in extract(text, gazetteer, config).events:
        assert isinstance(event.classification.category, Category)
        assert isinstance(event.date.precision, DatePrecision)


def test_relative_day_resolved_against_published(gazetteer: Gazetteer, config: Config) -> None:
    [event] = extract("Shelling hit Avdiivka on Sunday.", gazetteer, config, dt.date(2022, 2, 20)).events
    assert event.place.mention.surface == "Avdiivka"
    assert (event.date.date, event.date.precision) == (dt.date(2022, 2, 20), DatePrecision.DAY)


def test_sentence_without_date_gets_published(gazetteer: Gazetteer, config: Config) -> None:
    events = extract("Troops massed near Yelnya. Talks in Geneva failed on 3 March 2022.", gazetteer,
                     config).events
    by_mention = {e.place.mention.surface: e.date for e in events}
    assert (by_mention["Yelnya"].date, by_mention["Yelnya"].precision) == (PUBLISHED, DatePrecision.PUBLISHED)
    assert (by_mention["Geneva"].date, by_mention["Geneva"].precision) == (dt.date(2022, 3, 3),
                                                                          DatePrecision.DAY)


def test_same_article_twice_gives_identical_results(gazetteer: Gazetteer, config: Config) -> None:
    text = " ".join(TEXTS)
    assert extract(text, gazetteer, config) == extract(text, gazetteer, config)


def test_unknown_name_after_near_is_unresolved_event(gazetteer: Gazetteer, config: Config) -> None:
    extraction = extract("Fighting was reported near Zzyzxville.", gazetteer, config)
    [event] = extraction.events
    assert event.place.mention.surface == "Zzyzxville"
    assert event.place.place is None
    assert extraction.unresolved == (event,) and extraction.placed == ()


@settings(max_examples=50, deadline=None)
@given(text=st.text(max_size=200))
def test_any_text_no_crash_and_spans_exact(text: str, gazetteer: Gazetteer, config: Config) -> None:
    for event in extract(text, gazetteer, config).events:
        m = event.place.mention
        assert text[m.start:m.end] == m.surface
        assert text[event.sentence_start:event.sentence_start + len(event.sentence)] == event.sentence
