"""The one text normalisation used for matching names, and the sentence splitter."""

from __future__ import annotations

import re
from functools import lru_cache

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
        head = text[start:end]
        if head.endswith(_ABBREVIATIONS) and "\n" not in match.group():
            continue
        _append_trimmed(text, start, end, spans)
        start = match.end()
    _append_trimmed(text, start, len(text), spans)
    return spans


def _append_trimmed(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        spans.append((start, end))
