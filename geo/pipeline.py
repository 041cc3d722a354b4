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
from geo.cues import load_lexicon
from geo.dates import date_sentence
from geo.gazetteer import Gazetteer
from geo.mentions import Vocabulary, find_mentions
from geo.models import Article, Classification, Event, EventDate, Precision, ResolvedPlace
from geo.resolve import OnlineLookup, Resolver
from geo.roles import in_front_line_zone
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
    lexicon = load_lexicon()
    events: list[Event] = []
    for r in resolved:
        s_start, s_end = _sentence_of(sentences, starts, r.mention.start, r.mention.end)
        sentence = text[s_start:s_end]
        if s_start not in dates:
            dates[s_start] = date_sentence(sentence, published)
        previous = events[-1] if events else None
        if previous is not None and _qualifies(text, previous.place, r):
            classification = Classification(previous.classification.category,
                                            f"apposition:{previous.place.mention.surface}",
                                            previous.classification.confidence)
        else:
            classification = classify_mention(
                sentence, r.mention.start - s_start, r.mention.end - s_start,
                context=_unfinished_previous(text, sentences, starts, s_start),
                front_line_zone=in_front_line_zone(r.place, lexicon))
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


def _unfinished_previous(text: str, sentences: list[tuple[int, int]], starts: list[int],
                         s_start: int) -> str:
    """The sentence before the one starting at s_start when it was cut off mid-sentence (no closing
    punctuation, no line break after it): a caption split at page furniture still reads as one
    ("Ukrainian soldiers walk" / "near Katerinivka on December 7.")."""
    k = bisect.bisect_left(starts, s_start)
    if k == 0:
        return ""
    p_start, p_end = sentences[k - 1]
    if "\n" in text[p_end:s_start] or text[p_end - 1] in _SENTENCE_CLOSERS:
        return ""
    return text[p_start:p_end]


_SENTENCE_CLOSERS = frozenset(".!?…\"'”’)]:")


_COARSER = {Precision.SITE: (Precision.SETTLEMENT, Precision.ADMIN1, Precision.COUNTRY),
            Precision.SETTLEMENT: (Precision.ADMIN1, Precision.COUNTRY),
            Precision.ADMIN1: (Precision.COUNTRY,)}


def _qualifies(text: str, place: ResolvedPlace, following: ResolvedPlace) -> bool:
    """Whether `following` only says where `place` is ("Avdiivka, Ukraine", "Wilmington, Delaware"):
    it comes right after a comma and is a larger unit holding it, so it shares its category."""
    if place.place is None or following.place is None:
        return False
    if text[place.mention.end:following.mention.start].strip() != ",":
        return False
    inner, outer = place.place, following.place
    return (outer.precision in _COARSER.get(inner.precision, ()) and inner.country == outer.country
            and (outer.precision is Precision.COUNTRY or inner.admin1 == outer.admin1))
