"""The one text normalisation used for matching names, and the sentence splitter."""

from __future__ import annotations

import bisect
import re
from collections import Counter
from functools import lru_cache
from itertools import accumulate

from unidecode import unidecode

_APOSTROPHES = re.compile(r"['’ʼ`´‘ʹ]")
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—_.]+")


@lru_cache(maxsize=200_000)
def normalise(name: str) -> str:
    """Fold a place name to its matching key: ASCII, lower case, no apostrophes, single spaces.

    >>> normalise("Yel'nya")
    'yelnya'
    >>> normalise("Šiauliai")
    'siauliai'
    >>> normalise("Stanytsia-Luhanska")
    'stanytsia luhanska'
    """
    folded = unidecode(name)
    folded = _APOSTROPHES.sub("", folded).lower()
    return _SEPARATORS.sub(" ", folded).strip()


_SENTENCE_END = re.compile(r"(?<=[.!?…])([\"'”’)\]]*)\s+(?=[\"'“‘(\[]?[A-Z0-9])|\n\s*\n|\n(?=\S)")
_ABBREVIATIONS = ("Mr.", "Mrs.", "Ms.", "Dr.", "Gen.", "Lt.", "Col.", "St.", "Jan.", "Feb.", "Mar.",
                  "Apr.", "Aug.", "Sept.", "Sep.", "Oct.", "Nov.", "Dec.", "U.S.", "U.K.", "No.",
                  "Sen.", "Rep.", "Gov.", "Pres.", "Prof.", "Ft.", "Mt.", "Capt.", "Sgt.", "Maj.")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Split text into sentence spans (start, end), end exclusive, covering only non-blank text.

    Lines are sentences too: news scraped from the web puts headlines and captions on their own lines.

    >>> t = "Troops massed near Yelnya. Talks in Geneva.\\nCaption"
    >>> [t[s:e] for s, e in split_sentences(t)]
    ['Troops massed near Yelnya.', 'Talks in Geneva.', 'Caption']
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end(1) if match.group(1) is not None else match.start()  # keep closing quotes
        if text.endswith(_ABBREVIATIONS, start, end) and "\n" not in match.group():
            continue
        _append_trimmed(text, start, end, spans)
        start = match.end()
    _append_trimmed(text, start, len(text), spans)
    return _split_at_boilerplate(text, spans)


_WORD = re.compile(r"\S+")
_DIGITS = re.compile(r"\d+")
BOILERPLATE_NGRAM = 8
BOILERPLATE_MIN_REPEATS = 3
BOILERPLATE_PEAK_SHARE = 2


def boilerplate_spans(text: str) -> list[tuple[int, int]]:
    """Runs of text repeated word for word (numbers aside) at least three times in one article.

    Scraped pages repeat their furniture: gallery titles ("Hide Caption 15 of 35 Photos: Tensions
    rise between Russia and Ukraine"), share buttons, newsletter pleas. Any 8-word sequence seen three
    times is furniture; overlapping ones merge into one span.

    >>> captions = ["A soldier walks in Avdiivka.", "Tanks near Yelnya.", "Talks in Geneva."]
    >>> t = " ".join(f"Hide Caption {i} of 9 Photos: Tensions rise {c}" for i, c in enumerate(captions))
    >>> [t[s:e] for s, e in boilerplate_spans(t)][0]
    'Hide Caption 0 of 9 Photos: Tensions rise'
    """
    n = BOILERPLATE_NGRAM
    # the _WORD matches, numbers masked (str.split and the regex \s agree on what whitespace is)
    words = _DIGITS.sub("#", text).split()
    if len(words) < n * BOILERPLATE_MIN_REPEATS:
        return []
    # Each window as a tuple of its words, built by zip in C (it stops with the shortest shifted copy,
    # at the last whole window): words hold no spaces, so two tuples are equal when the windows read alike.
    grams = list(zip(*(words[k:] for k in range(n)), strict=False))
    counts = Counter(grams)
    if max(counts.values()) < BOILERPLATE_MIN_REPEATS:
        return []  # most articles repeat nothing
    # sentence ends before each position: a window may end a sentence only at its last word
    ends = list(accumulate((word.endswith((".", "!", "?")) for word in words), initial=0))
    repeated = [k for k, gram in enumerate(grams)
                if counts[gram] >= BOILERPLATE_MIN_REPEATS and not ends[k + n - 1] - ends[k]]
    # ^ a window running across the end of a sentence ("… on December 14. Hide …") is not furniture
    spans: list[tuple[int, int]] = []
    offsets = _word_spans(text) if repeated else []
    for run in _overlapping_runs(repeated, n):
        # Within one run of repeated windows, those much rarer than the run's most repeated one are
        # captions that happen to start alike ("Photos: … Ukraine Ukrainian soldiers walk"), not furniture.
        peak = max(counts[grams[k]] for k in run)
        kept = [k for k in run if counts[grams[k]] * BOILERPLATE_PEAK_SHARE >= peak]
        for part in _overlapping_runs(kept, n):
            spans.append((offsets[part[0]][0], offsets[part[-1] + n - 1][1]))
    return spans


def _word_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each word of `text.split()`, i.e. of each `_WORD` match, without a match object
    per word (which costs more than the rest of `boilerplate_spans`)."""
    spans = []
    end = 0
    for word in text.split():
        start = text.find(word, end)  # only whitespace lies between two words: the first find is it
        end = start + len(word)
        spans.append((start, end))
    return spans


def _overlapping_runs(positions: list[int], width: int) -> list[list[int]]:
    """Group sorted window positions into runs of windows (of `width` words) that overlap or touch."""
    runs: list[list[int]] = []
    for k in positions:
        if runs and k <= runs[-1][-1] + width:
            runs[-1].append(k)
        else:
            runs.append([k])
    return runs


def _split_at_boilerplate(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Cut sentences where repeated page furniture begins or ends, so a caption is its own sentence."""
    furniture = boilerplate_spans(text)
    if not furniture:
        return spans
    cuts = sorted({point for span in furniture for point in span})
    result: list[tuple[int, int]] = []
    for start, end in spans:
        inner = cuts[bisect.bisect_right(cuts, start):bisect.bisect_left(cuts, end)]  # start < c < end
        for left, right in zip([start, *inner], [*inner, end], strict=True):
            _append_trimmed(text, left, right, result)
    return result


def _append_trimmed(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        spans.append((start, end))
