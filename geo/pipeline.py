"""Composing the stages. Pure: no disk, network or clock here (the online lookup is injected).

    text ──find_mentions──▶ [Mention] ──Resolver──▶ [ResolvedPlace]
    sentence ──classify_mention──▶ Classification     sentence + published ──date_sentence──▶ EventDate
    └──────────────────────────── extract_events ────────────────────────────▶ [Event]
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass

from geo.classify import classify_mention
from geo.config import Config
from geo.dates import date_sentence
from geo.gazetteer import Gazetteer
from geo.mentions import Vocabulary, find_mentions
from geo.models import Article, Event, EventDate, ResolvedPlace
from geo.resolve import OnlineLookup, Resolver
from geo.text import split_sentences


def geoparse(text: str, gazetteer: Gazetteer, config: Config, *, online: OnlineLookup | None = None,
             vocabulary: Vocabulary | None = None) -> list[ResolvedPlace]:
    """Every place mention in the text with the place chosen for it (or unresolved), in text order."""
    mentions = find_mentions(text, gazetteer, vocabulary)
    return Resolver(gazetteer, config, online).resolve(text, mentions)


@dataclass(frozen=True, slots=True)
class Extraction:
    """Everything one article yields: an Event per place mention, placed or not (nothing is dropped)."""

    article: Article
    published: dt.date
    events: tuple[Event, ...]

    @property
    def placed(self) -> tuple[Event, ...]:
        return tuple(e for e in self.events if e.place.place is not None)

    @property
    def unresolved(self) -> tuple[Event, ...]:
        return tuple(e for e in self.events if e.place.place is None)


def extract_events(article: Article, published: dt.date, gazetteer: Gazetteer, config: Config, *,
                   online: OnlineLookup | None = None) -> Extraction:
    """One Event per place mention: its sentence's category and date, with provenance.

    Mentions no rule could place are events too (place None), so the store keeps them as unresolved.

    `published` is passed in (from the manifest, the JSONL record or inference), never read from a
    clock: relative dates ("on Sunday", "last night") are resolved against it.
    """
    text = article.text
    resolved = geoparse(text, gazetteer, config, online=online)
    sentences = split_sentences(text)
    starts = [start for start, _ in sentences]
    dates: dict[int, EventDate] = {}
    events = []
    for r in resolved:
        s_start, s_end = _sentence_of(sentences, starts, r.mention.start, r.mention.end)
        sentence = text[s_start:s_end]
        if s_start not in dates:
            dates[s_start] = date_sentence(sentence, published)
        classification = classify_mention(sentence, r.mention.start - s_start, r.mention.end - s_start)
        events.append(Event(article.id, r, sentence, s_start, classification, dates[s_start]))
    return Extraction(article, published, tuple(events))


def _sentence_of(sentences: list[tuple[int, int]], starts: list[int], start: int,
                 end: int) -> tuple[int, int]:
    """The sentence span holding [start, end); a mention across a split widens to both sentences."""
    k = bisect.bisect_right(starts, start) - 1
    if k < 0:
        return start, end
    s_start, s_end = sentences[k]
    while s_end < end and k + 1 < len(sentences):
        k += 1
        s_end = sentences[k][1]
    return s_start, max(s_end, end)
