"""Decoding article files: bytes of unknown encoding -> text with "\\n" newlines, or None for binary.

Kept apart from `geo.articles` because guessing an encoding is its own concept: a BOM and UTF-8 are
trusted, then a charset the file declares (an HTML meta tag, sniffed by `geo.html_text`), then the
single-byte code page whose decoding looks least implausible. The reader only asks "what text is
this?"; the scoring heuristics, their regexes and their tests live here.
"""

from __future__ import annotations

import codecs
import re

__all__ = ["FALLBACK_ENCODINGS", "decode_text"]

# Single-byte code pages tried when a file is not UTF-8, in tie-break order: Western, Cyrillic, Central
# European. Each is scored by how implausible its decoding looks; see `_implausibility`.
FALLBACK_ENCODINGS = ("cp1252", "cp1251", "cp1250")
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_WINDOWS_1252_LABELS = frozenset({"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "ascii", "us-ascii"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_BINARY_CONTROL_SHARE = 0.05
_WORD = re.compile(r"\w+")
_STRAY_SYMBOL = re.compile(r"(?<=[^\W\d_])[^\w\s\x00-\x7f’‘“”–—…•]+(?=[^\W\d_])")


def decode_text(data: bytes, *, declared: str | None = None) -> str | None:
    """Decode file bytes to text with "\\n" newlines, or None when the bytes are not text.

    UTF-8 (BOM or not) and BOM-marked UTF-16/32 first, then a `declared` charset (an HTML meta tag),
    then the most plausible of `FALLBACK_ENCODINGS`, so cp1251 Cyrillic and latin-1 both come out right.

    >>> decode_text("Київ".encode("cp1251")), decode_text("Zürich\\r\\n".encode("latin-1"))
    ('Київ', 'Zürich\\n')
    >>> decode_text(b"\\x89PNG\\r\\n\\x1a\\n\\x00\\x00") is None
    True
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return _finish(data.decode(codec))
            except UnicodeDecodeError:
                break
    if b"\x00" in data:
        return None
    # WHATWG: pages labelled latin-1 or ASCII are decoded as windows-1252 by every browser.
    declared = "cp1252" if declared in _WINDOWS_1252_LABELS else declared
    candidates = ["utf-8", *([declared] if declared else []), *FALLBACK_ENCODINGS]
    decoded: list[tuple[int, int, str]] = []
    for rank, codec in enumerate(candidates):
        try:
            text = data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
        if rank <= (1 if declared else 0):
            return _finish(text)  # valid UTF-8, or what the page declares: trust it
        decoded.append((_implausibility(text[:65_536]), rank, text))
    text = min(decoded)[2] if decoded else data.decode("latin-1")
    return _finish(text)


def _finish(text: str) -> str | None:
    """Drop a BOM and unify newlines; None when control characters say the "text" is binary."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if text and len(_CONTROL.findall(text)) > _BINARY_CONTROL_SHARE * len(text):
        return None
    return text


def _implausibility(text: str) -> int:
    """How wrong a single-byte decoding looks: mixed-script words, symbols inside words and the like.

    Real Cyrillic words are all-Cyrillic (a bonus); cp1251 read as cp1252 gives "Äîíåöüê" (long runs
    of accented letters) or "Êè¿â" (a symbol inside a word); latin-1 read as cp1251 gives "Zьrich".
    """
    score = 3 * len(_CONTROL.findall(text)) + len(_STRAY_SYMBOL.findall(text))
    for match in _WORD.finditer(text):
        word = match.group()
        if word.isascii():
            continue
        latin = cyrillic = run = 0
        for index, char in enumerate(word):
            kind = _script(char)
            latin += kind == "latin"
            cyrillic += kind == "cyrillic"
            run = run + 1 if kind == "latin" and not char.isascii() else 0
            score += run == 3 or kind == "other"
            if index and char.isupper() and not char.isascii() and word[index - 1].islower():
                score += 1
        if latin and cyrillic:
            score += 2
        elif cyrillic >= 2 and cyrillic == len(word):
            score -= 1
    return score


def _script(char: str) -> str:
    """The script class of one character: "latin", "cyrillic", "ascii" (non-letter) or "other"."""
    if char.isascii():
        return "latin" if char.isalpha() else "ascii"
    if "\u0400" <= char <= "\u04ff":
        return "cyrillic"
    if char.isalpha() and char <= "\u024f":
        return "latin"
    return "other"
