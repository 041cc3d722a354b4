"""Finding place mentions in text: gazetteer n-gram matching plus capitalisation and context cues.

Matching works on word tokens: at each capitalised token the longest run of up to
`Gazetteer.max_name_tokens` tokens whose normalised text is a gazetteer name wins (a dictionary lookup
per n-gram, so word boundaries hold by construction and offsets are exact). Each match then passes the
named policies below, which reject words that only look like places. Unknown capitalised words after a
locative cue ("in", "near", "the village of") are kept as mentions too, so the resolver can try fuzzy
matching and, failing that, report them as unresolved.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache, partial
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

from wordfreq import zipf_frequency

from geo.gazetteer import Gazetteer
from geo.models import Mention
from geo.text import normalise
from geo.vocab_files import load_vocab_file

VOCABULARY_FILE = Path(__file__).resolve().parent.parent / "data" / "vocab" / "recognition.toml"

# A word: letters, with inner apostrophes (Yel'nya, but not the possessive 's); or an abbreviation with
# dots (U.S., U.K.). Hyphens split words ("Russia-Ukraine"); hyphenated names ("Ivano-Frankivsk") are
# still found because n-grams are matched on the text between their first and last token.
_TOKEN = re.compile(r"(?:[A-Z]\.){2,}|[^\W\d_]+(?:['’ʼ](?![sS]\b)[^\W\d_]+)*")
_SENTENCE_OPENERS = set(".!?:;\"“‘'(\n—–-|•*#>")
# A sentence opener and the blanks after it: a token starting where such a run ends follows the opener.
_OPENER_RUN = re.compile("[" + "".join(sorted(map(re.escape, _SENTENCE_OPENERS))) + "][ \t]*")
_OPENER_WINDOW = 64  # an opener further back than this, across blanks only, no longer counts
COMMON_WORD_ZIPF = 4.0
SURNAME_MAX_ZIPF = 5.0
GIVEN_NAME_MAX_ZIPF = 5.5  # John 5.4, George 5.0: frequent, but capitalised before a name they are people
PROMINENT_POPULATION = 500_000
NOTABLE_POPULATION = 100_000
ACRONYM_MAX_LENGTH = 5
UNKNOWN_NAME_MAX_TOKENS = 3


@lru_cache(maxsize=1 << 16)
def _zipf(word: str) -> float:
    """English frequency of a word (Zipf scale); memoised, as wordfreq takes ~10 µs to answer."""
    return zipf_frequency(word, "en")


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Recognition word lists (normalised), read from data/vocab/recognition.toml."""

    not_places: frozenset[str]
    person_titles: frozenset[str]
    organisation_suffixes: frozenset[str]
    place_type_words: frozenset[str]
    locative_cues: frozenset[str]
    disease_words: frozenset[str]


def load_vocabulary(path: Path = VOCABULARY_FILE) -> Vocabulary:
    return load_vocab_file(path, parse_vocabulary)


def parse_vocabulary(table: Mapping[str, Any]) -> Vocabulary:
    return Vocabulary(**{key: frozenset(normalise(w) for w in table[key]) for key in (
        "not_places", "person_titles", "organisation_suffixes", "place_type_words", "locative_cues",
        "disease_words")})


class _Token(NamedTuple):
    # a NamedTuple, not a frozen dataclass: an article has ~1,000 tokens, and building a frozen
    # dataclass costs several times as much as a tuple
    start: int
    end: int
    text: str
    capitalised: bool
    sentence_initial: bool
    line: int
    """Offset where the token's line starts: tokens never hold a newline, so two tokens are on one
    line exactly when their `line`s are equal."""


# tuple.__new__ fills a NamedTuple from one tuple without a Python-level call per token
_new_token = partial(tuple.__new__, _Token)


def tokenise(text: str) -> list[_Token]:
    """Word tokens with offsets, each marked capitalised and sentence-initial (or in a headline line).

    >>> [t.text for t in tokenise("Russia's troops near Yel'nya, U.S. says")]
    ['Russia', 's', 'troops', 'near', "Yel'nya", 'U.S.', 'says']
    """
    # Built column by column, then zipped into tokens in C: per token Python work is what costs here.
    words = _TOKEN.findall(text)
    if not words:
        return []
    starts = _word_starts(text, words)
    ends = [start + len(word) for start, word in zip(starts, words, strict=True)]
    lines = _line_starts(text, starts)
    initial = _sentence_initial(text, starts)
    headline_lines = _headline_line_starts(text, words, lines)
    if headline_lines:
        initial = [flag or line in headline_lines for flag, line in zip(initial, lines, strict=True)]
    capitalised = [word[0].isupper() for word in words]
    return list(map(_new_token, zip(starts, ends, words, capitalised, initial, lines, strict=True)))


def _sentence_initial(text: str, starts: list[int]) -> list[bool]:
    """Whether each token (by start offset) opens a sentence: the last character before it other than
    spaces and tabs, within _OPENER_WINDOW characters, is a sentence opener; or only blanks precede it
    and it starts within the window."""
    opener_at = {m.end(): m.start() for m in _OPENER_RUN.finditer(text)}
    far = -2 * _OPENER_WINDOW
    initial = [start - opener_at.get(start, far) <= _OPENER_WINDOW for start in starts]
    # only the first token can have nothing but blanks before it
    if starts[0] < _OPENER_WINDOW and not text[:starts[0]].strip(" \t"):
        initial[0] = True
    return initial


def _word_starts(text: str, words: list[str]) -> list[int]:
    """Where each of the `_TOKEN` matches `words` starts, found without a match object each (those cost
    more than the matching). Every letter of the text is in some token, and a token starts with a
    letter, so the first `find` after the previous token is the token itself."""
    starts = []
    position = 0
    for word in words:
        position = text.find(word, position)
        starts.append(position)
        position += len(word)
    return starts


def _line_starts(text: str, starts: list[int]) -> list[int]:
    """The offset where each token's line starts (tokens in text order)."""
    lines = []
    line, next_break = 0, text.find("\n")
    for start in starts:
        if 0 <= next_break < start:  # only a token past the next newline needs a search
            line = text.rfind("\n", 0, start) + 1
            next_break = text.find("\n", start)
        lines.append(line)
    return lines


def _headline_line_starts(text: str, words: list[str], lines: list[int]) -> set[int]:
    """Lines written in Title Case or CAPITALS, where capitalisation says nothing about names."""
    headlines = set()
    # tokens come in text order, so each line's words are one run
    for line_start, run in groupby(zip(lines, words, strict=True), key=itemgetter(0)):
        long_words = [w for _line, w in run if len(w) >= 4]
        line_end = text.find("\n", line_start)
        ends_sentence = text[line_start:None if line_end < 0 else line_end].rstrip().endswith((".", "?", "!"))
        if (not ends_sentence and len(long_words) >= 3
                and sum(w[0].isupper() for w in long_words) >= 0.75 * len(long_words)):
            headlines.add(line_start)
    return headlines


def find_mentions(text: str, gazetteer: Gazetteer, vocabulary: Vocabulary | None = None) -> list[Mention]:
    """Place mentions in text, in order, never overlapping (the longest name wins).

    >>> from geo.gazetteer import Gazetteer, _example_row
    >>> g = Gazetteer.from_rows([_example_row()])
    >>> [m.surface for m in find_mentions("Troops massed near Yel'nya in May.", g)]
    ["Yel'nya"]
    """
    vocab = vocabulary or load_vocabulary()
    tokens = tokenise(text)
    people = person_words(text, tokens, gazetteer, vocab)
    mentions: list[Mention] = []
    i = 0
    while i < len(tokens):
        if not tokens[i].capitalised:
            i += 1
            continue
        end, verdict, end_char = _longest_name(text, tokens, i, gazetteer, vocab)
        if verdict == "place" and _accept_place(text, tokens, i, end, end_char, gazetteer, vocab, people):
            longer = _unknown_name_end(text, tokens, i, gazetteer, vocab) if end == i else None
            if longer is not None and longer > i and not gazetteer.has_name(normalise(tokens[i + 1].text)):
                # "Kolonia Klulowicze": a known word starting an unknown name in a place context is
                # part of that name (here a misspelt village), not a place of its own (Köln).
                end, end_char = longer, tokens[longer].end
            mentions.append(_mention(text, tokens[i].start, end_char))
        elif verdict == "unknown":
            unknown_end = _unknown_name_end(text, tokens, i, gazetteer, vocab)
            if unknown_end is not None:
                mentions.append(_mention(text, tokens[i].start, tokens[unknown_end].end))
            end = i if unknown_end is None else unknown_end
        i = end + 1
    return mentions


def _mention(text: str, start: int, end: int) -> Mention:
    return Mention(start, end, text[start:end])


def _longest_name(text: str, tokens: list[_Token], i: int, gazetteer: Gazetteer,
                  vocab: Vocabulary) -> tuple[int, str, int]:
    """(last token index, verdict, end offset) for the longest known name starting at token i.

    verdict: "place" (a gazetteer name), "blocked" (a not-place word or phrase) or "unknown".
    An abbreviation known with its dot ("Ind.", "W.Va.") ends after the dot.
    """
    first = tokens[i]
    last = min(len(tokens), i + gazetteer.max_name_tokens) - 1
    while last > i and tokens[last].line != first.line:  # a name never runs across a line break
        last -= 1
    for j in range(last, i - 1, -1):
        if j > i and not tokens[j].capitalised and normalise(tokens[j].text) not in vocab.place_type_words:
            continue
        key = normalise(first.text if j == i else text[first.start:tokens[j].end])
        end = tokens[j].end
        if key in vocab.not_places or key in gazetteer.not_places:
            return j, "blocked", end
        if tokens[j].text.endswith(".") and gazetteer.has_name(key + "."):
            return j, "place", end
        if text[end:end + 1] == "." and gazetteer.has_name(key + "."):
            return j, "place", end + 1
        if gazetteer.has_name(key):
            return j, "place", end
    return i, "unknown", tokens[i].end


def _accept_place(text: str, tokens: list[_Token], i: int, j: int, end_char: int, gazetteer: Gazetteer,
                  vocab: Vocabulary, people: set[str]) -> bool:
    """Apply the recognition policies, in order; any one can reject the match."""
    return not (
        is_unknown_acronym(text[tokens[i].start:end_char], gazetteer)
        or is_part_of_organisation(text, tokens, j, vocab)
        or is_disease_name(text, end_char, vocab)
        or is_person_name(text, tokens, i, j, gazetteer, vocab)
        or (i == j and normalise(tokens[i].text) in people and not _is_prominent(gazetteer, tokens[i].text))
        or is_sentence_initial_common_word(text, tokens, i, j, gazetteer)
        or is_common_word(text, tokens, i, j, end_char, gazetteer)
    )


def is_unknown_acronym(surface: str, gazetteer: Gazetteer) -> bool:
    """'HIV', 'SOS', 'AP': capitals-only words are places only when listed as such ('US', 'NSW')."""
    letters = surface.replace(".", "")
    return (letters.isupper() and len(letters) <= ACRONYM_MAX_LENGTH
            and normalise(surface) not in gazetteer.acronyms)


def is_disease_name(text: str, end_char: int, vocab: Vocabulary) -> bool:
    """'Marburg virus', 'Lyme disease', 'Rift Valley fever': named after a place, not about it."""
    following = text[end_char:end_char + 24].split()
    return bool(following) and following[0].lower().strip(".,;:") in vocab.disease_words


def is_common_word(text: str, tokens: list[_Token], i: int, j: int, end_char: int,
                   gazetteer: Gazetteer) -> bool:
    """'Council', 'Hospital', 'Superior': an everyday word naming only small places is not a place,
    unless its state or country follows ('Commerce, Ga.')."""
    if i != j or tokens[i].text.isupper():
        return False
    key = normalise(tokens[i].text)
    if _zipf(key) < COMMON_WORD_ZIPF or _is_notable(gazetteer, key):
        return False
    return not re.match(r",? [A-Z]", text[end_char:end_char + 3])


def person_words(text: str, tokens: list[_Token], gazetteer: Gazetteer, vocab: Vocabulary) -> set[str]:
    """Words the article uses as parts of people's names: after a title ('President Lincoln') or in a
    'Given Surname' pair ('Wendy Sherman'); a later bare 'Sherman' is then the same person."""
    people: set[str] = set()
    for k in range(len(tokens) - 1):
        here, there = tokens[k], tokens[k + 1]
        if not there.capitalised or _next_on_line(text, tokens, k) is not there or _in_headline(tokens, k):
            continue
        key, next_key = normalise(here.text), normalise(there.text)
        if key in vocab.person_titles:
            people.add(next_key)
        elif (here.capitalised and not gazetteer.has_name(f"{key} {next_key}")
              and _looks_like_given_name(here, gazetteer, vocab)
              and _looks_like_surname(there, gazetteer, vocab)):
            people.update((key, next_key))
    return people


def _next_on_line(text: str, tokens: list[_Token], j: int) -> _Token | None:
    if j + 1 < len(tokens) and text[tokens[j].end:tokens[j + 1].start] in (" ", "-"):
        return tokens[j + 1]
    return None


def _previous_on_line(text: str, tokens: list[_Token], i: int) -> _Token | None:
    if i > 0 and text[tokens[i - 1].end:tokens[i].start] in (" ", ". "):
        return tokens[i - 1]
    return None


def is_part_of_organisation(text: str, tokens: list[_Token], j: int, vocab: Vocabulary) -> bool:
    """'Washington Post', 'Kyiv Independent', 'Minsk Protocol': the name belongs to something else."""
    following = _next_on_line(text, tokens, j)
    return bool(following and following.capitalised and normalise(following.text)
                in vocab.organisation_suffixes)


def _is_prominent(gazetteer: Gazetteer, key: str, population: int = PROMINENT_POPULATION) -> bool:
    """Whether a name belongs to a country, admin-1 area, capital, curated place or big city.

    Asked several times for most capitalised words of an article, so the answers are kept on the
    gazetteer (a fact about its places, like `geo.resolve`'s fuzzy pool).
    """
    memo_key = ("prominent", key, population)
    memo = gazetteer.memo
    if memo_key not in memo:
        memo[memo_key] = any(
            gazetteer.kinds[c.index] in ("country", "admin1", "continent", "capital")
            or gazetteer.ids[c.index].startswith("cm:") or gazetteer.populations[c.index] >= population
            for c in gazetteer.lookup(key) or gazetteer.lookup(key + ".")
        )
    return memo[memo_key] is True


def _is_notable(gazetteer: Gazetteer, key: str) -> bool:
    return _is_prominent(gazetteer, key, NOTABLE_POPULATION)


def is_person_name(text: str, tokens: list[_Token], i: int, j: int, gazetteer: Gazetteer,
                   vocab: Vocabulary) -> bool:
    """'President Lincoln', 'Gen. Sherman', 'Wendy Sherman', 'Vladimir Putin': a person, not a place."""
    previous = _previous_on_line(text, tokens, i)
    if previous is not None and normalise(previous.text) in vocab.person_titles:
        return True
    if i != j or (tokens[i].sentence_initial and _in_headline(tokens, i)):
        return False
    key = normalise(tokens[i].text)
    if _is_prominent(gazetteer, key):
        return False
    if previous is not None and previous.capitalised and _looks_like_given_name(previous, gazetteer, vocab):
        return True
    following = _next_on_line(text, tokens, j)
    return bool(
        following is not None and following.capitalised and not _in_headline(tokens, i)
        and _looks_like_surname(following, gazetteer, vocab)
    )


def _in_headline(tokens: list[_Token], i: int) -> bool:
    return tokens[i].sentence_initial and (i + 1 < len(tokens) and tokens[i + 1].sentence_initial)


def _looks_like_given_name(token: _Token, gazetteer: Gazetteer, vocab: Vocabulary) -> bool:
    key = normalise(token.text)
    if (_is_prominent(gazetteer, key) or key in vocab.place_type_words or key in gazetteer.not_places
            or key in vocab.not_places or key in vocab.person_titles):
        return False
    frequency = _zipf(key)
    return frequency < COMMON_WORD_ZIPF or (not token.sentence_initial and frequency < GIVEN_NAME_MAX_ZIPF)


def _looks_like_surname(token: _Token, gazetteer: Gazetteer, vocab: Vocabulary) -> bool:
    key = normalise(token.text)
    if (_is_prominent(gazetteer, key) or key in vocab.place_type_words or key in vocab.person_titles
            or key in gazetteer.not_places or key in vocab.not_places):
        return False
    return _zipf(key) < SURNAME_MAX_ZIPF


def is_sentence_initial_common_word(text: str, tokens: list[_Token], i: int, j: int,
                                    gazetteer: Gazetteer) -> bool:
    """'Reading the report…', 'Of the 40…': an everyday word whose capital only marks a sentence start.

    Prominent places (countries, capitals, cities of 500k+) keep their claim: 'Turkey said…'.
    """
    if i != j or not tokens[i].sentence_initial:
        return False
    key = normalise(tokens[i].text)
    # "Artillery hit …", "Shelling continued …": crisis-news words (the category cues) open sentences far
    # more often in our articles than in general English, and minor places share some of them
    is_common = _zipf(key) >= COMMON_WORD_ZIPF or key in _event_words()
    return is_common and not _is_prominent(gazetteer, key)


@lru_cache(maxsize=1)
def _event_words() -> frozenset[str]:
    """The single-word cues of the category lexicon (geo.cues), normalised as mentions are."""
    from geo.cues import load_lexicon  # the category vocabulary; imported here to keep mentions light

    return frozenset(normalise(first) for first, cues in load_lexicon().by_first_token.items()
                     if any(len(cue.tokens) == 1 for cue in cues))


def _unknown_name_end(text: str, tokens: list[_Token], i: int, gazetteer: Gazetteer,
                      vocab: Vocabulary) -> int | None:
    """End token of an unknown proper name in a locative context ('near the towns of X'), else None."""
    if tokens[i].sentence_initial or not _after_locative_cue(text, tokens, i, vocab):
        return None
    end = i
    while (end + 1 < len(tokens) and end + 1 - i < UNKNOWN_NAME_MAX_TOKENS
           and tokens[end + 1].capitalised and _next_on_line(text, tokens, end) is tokens[end + 1]):
        end += 1
    words = [normalise(t.text) for t in tokens[i:end + 1]]
    if any(w in vocab.not_places or w in gazetteer.not_places or w in vocab.person_titles
           or w in vocab.organisation_suffixes for w in words):
        return None
    if len(words) == 1 and _zipf(words[0]) >= COMMON_WORD_ZIPF:
        return None
    return end


def _after_locative_cue(text: str, tokens: list[_Token], i: int, vocab: Vocabulary) -> bool:
    for width in (3, 2, 1):
        if i - width < 0:
            continue
        phrase = normalise(text[tokens[i - width].start:tokens[i - 1].end])
        if phrase.startswith("the "):
            phrase = phrase[4:]
        if phrase in vocab.locative_cues:
            return True
    # "Dubicze Cerkiewne and Kolonia Klulowicze": coordinated with a name before it
    return i >= 2 and tokens[i - 1].text in ("and", "or") and tokens[i - 2].capitalised
