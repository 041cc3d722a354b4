"""The cue lexicon (data/vocab/categories.toml) and the per-sentence scan that finds its cues.

A sentence is tokenised and scanned for cues once, and the scan is cached, so the several mentions of
one sentence share it. Matching is on lower-case word tokens; at each word the longest cue wins, and
neutral phrases ("talk show", "Cold War") consume their words without counting.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from geo.models import Category
from geo.text import normalise
from geo.vocab_files import load_vocab_file

LEXICON_FILE = Path(__file__).resolve().parent.parent / "data" / "vocab" / "categories.toml"

CUE_CATEGORIES = (Category.FRONT_LINE, Category.MIGRATION, Category.DEPLOYMENT, Category.DIPLOMACY)
SCAN_CACHE_SIZE = 8192

ActorKind = Literal["statement", "denial", "reporting"]

# Words: letters or digits, with inner apostrophes (d'affaires, doesn't). Hyphens split words.
_WORD = re.compile(r"[^\W_]+(?:['’ʼ][^\W_]+)*")
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'"})
# Punctuation between two words that ends a clause for the actor rule ("Russia, he said, …").
_CLAUSE_BREAK = re.compile(r"[,;:()\[\]\"“”«»—–!?]")


@dataclass(frozen=True, slots=True)
class Cue:
    """One cue word or phrase (as tokens) for one category, with its weight."""

    text: str
    tokens: tuple[str, ...]
    category: Category
    weight: float


@dataclass(frozen=True, slots=True, eq=False)
class Lexicon:
    """Category cues and actor-rule words, read from data/vocab/categories.toml.

    Compared and hashed by identity (eq=False): it keys the per-sentence scan cache.
    """

    cues: tuple[Cue, ...]
    by_first_token: Mapping[str, tuple[Cue, ...]]
    precedence: tuple[Category, ...]
    actor_verbs: Mapping[tuple[str, ...], ActorKind]
    prepositions: frozenset[str]
    max_actor_gap: int
    distance_scale: float
    context_factor: float
    clause_words: frozenset[str]
    clause_factor: float
    negations: frozenset[str]
    irrealis: frozenset[str]
    irrealis_window: int
    negation_window: int
    roles: RoleWords


@dataclass(frozen=True, slots=True)
class RoleWords:
    """The words of the positional role rules (geo/roles.py), from the [roles] table."""

    modifier_suffixes: frozenset[str] = frozenset()
    conditional_openers: frozenset[str] = frozenset()
    conditional_verbs: frozenset[str] = frozenset()
    target_phrases: frozenset[tuple[str, ...]] = frozenset()
    self_pronouns: frozenset[str] = frozenset()
    topic_phrases: frozenset[tuple[str, ...]] = frozenset()
    topic_nouns: frozenset[str] = frozenset()
    subject_matter: frozenset[tuple[str, ...]] = frozenset()
    addressee_phrases: frozenset[tuple[str, ...]] = frozenset()
    venue_phrases: frozenset[tuple[str, ...]] = frozenset()
    planner_phrases: frozenset[tuple[str, ...]] = frozenset()
    attribution_phrases: frozenset[tuple[str, ...]] = frozenset()
    attribution_before: frozenset[tuple[str, ...]] = frozenset()
    official_titles: frozenset[tuple[str, ...]] = frozenset()
    organisation_nouns: frozenset[tuple[str, ...]] = frozenset()
    officials_of: frozenset[tuple[str, ...]] = frozenset()
    target_nouns: frozenset[str] = frozenset()
    accusation_verbs: frozenset[str] = frozenset()
    front_line_presence: frozenset[str] = frozenset()
    front_line_zones: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def parse_role_words(table: Mapping[str, Any]) -> RoleWords:
    """RoleWords from the [roles] table; every list is optional.

    >>> words = parse_role_words({"target": ["invasion of"], "front_line_zones": {"UA": ["Donetsk"]}})
    >>> sorted(words.target_phrases), dict(words.front_line_zones)
    ([('invasion', 'of')], {'UA': ('donetsk',)})
    """
    def word_set(key: str) -> frozenset[str]:
        return frozenset(str(w).lower() for w in table.get(key, []))

    def phrases(key: str) -> frozenset[tuple[str, ...]]:
        return frozenset(cue_tokens(str(p)) for p in table.get(key, []))

    return RoleWords(
        modifier_suffixes=word_set("modifier_suffixes"),
        conditional_openers=word_set("conditional_openers"),
        conditional_verbs=word_set("conditional_verbs"),
        target_phrases=phrases("target"),
        self_pronouns=word_set("self_pronouns"),
        topic_phrases=phrases("topic"),
        topic_nouns=word_set("topic_nouns"),
        subject_matter=phrases("subject_matter"),
        addressee_phrases=phrases("addressee"),
        venue_phrases=phrases("venue"),
        planner_phrases=phrases("planner"),
        attribution_phrases=phrases("attribution"),
        attribution_before=phrases("attribution_before"),
        official_titles=phrases("official_titles"),
        organisation_nouns=phrases("organisation_nouns"),
        officials_of=phrases("officials_of"),
        target_nouns=word_set("target_nouns"),
        accusation_verbs=word_set("accusation_verbs"),
        front_line_presence=frozenset(" ".join(p) for p in phrases("front_line_presence")),
        front_line_zones={str(country): tuple(normalise(str(name)) for name in names)
                          for country, names in table.get("front_line_zones", {}).items()},
    )


def cue_tokens(text: str) -> tuple[str, ...]:
    """The matching tokens of a word or phrase: lower case, hyphens split, possessive 's dropped.

    >>> cue_tokens("Build-up of Russia's troops")
    ('build', 'up', 'of', 'russia', 'troops')
    """
    return tuple(word for _start, _end, word in _words(text))


def _words(text: str) -> list[tuple[int, int, str]]:
    folded = text.lower().translate(_APOSTROPHES)
    if len(folded) != len(text):  # a rare letter whose lower case is longer ("İ"): fold word by word
        return [(m.start(), m.end(), _strip_possessive(m.group().lower().translate(_APOSTROPHES)))
                for m in _WORD.finditer(text)]
    return [(m.start(), m.end(), _strip_possessive(m.group())) for m in _WORD.finditer(folded)]


def _strip_possessive(word: str) -> str:
    return word[:-2] if word.endswith("'s") else word


def parse_lexicon(table: Mapping[str, Any]) -> Lexicon:
    """Build a Lexicon from the parsed TOML table (see data/vocab/categories.toml for the layout).

    Raises ValueError on a malformed table: unknown tier, empty cue, non-positive weight, a cue under two
    categories, or a precedence that is not exactly the four cue categories.

    >>> lex = parse_lexicon({"tiers": {"strong": 1.0}, "precedence": ["front_line", "migration",
    ...     "deployment", "diplomacy"], "front_line": {"strong": ["shelled"]}, "migration": {},
    ...     "deployment": {}, "diplomacy": {}, "actor": {"denial": ["denies"]}})
    >>> lex.cues[0].category.value, lex.cues[0].weight
    ('front_line', 1.0)
    """
    tiers = {str(name): float(weight) for name, weight in table["tiers"].items()}
    if any(weight <= 0 for weight in tiers.values()):
        raise ValueError(f"tier weights must be positive: {tiers}")
    precedence = tuple(Category(name) for name in table["precedence"])
    if sorted(precedence) != sorted(CUE_CATEGORIES):
        raise ValueError(f"precedence must list each cue category once: {precedence}")
    cues: list[Cue] = []
    owner: dict[tuple[str, ...], Category] = {}
    for category in CUE_CATEGORIES:
        for tier, words in table.get(category.value, {}).items():
            if tier not in tiers:
                raise ValueError(f"[{category.value}] unknown tier {tier!r}")
            for text in words:
                tokens = cue_tokens(str(text))
                if not tokens:
                    raise ValueError(f"[{category.value}] empty cue {text!r}")
                if tokens in owner:
                    raise ValueError(f"cue {text!r} listed under {owner[tokens].value} and {category.value}")
                owner[tokens] = category
                cues.append(Cue(" ".join(tokens), tokens, category, tiers[tier]))
    for text in table.get("neutral", []):
        tokens = cue_tokens(str(text))
        if not tokens:
            raise ValueError(f"empty neutral phrase {text!r}")
        if tokens in owner:
            raise ValueError(f"neutral phrase {text!r} also listed under {owner[tokens].value}")
        owner[tokens] = Category.OTHER
        cues.append(Cue(" ".join(tokens), tokens, Category.OTHER, 0.0))
    index: dict[str, list[Cue]] = {}
    for cue in cues:
        index.setdefault(cue.tokens[0], []).append(cue)
    actor = table.get("actor", {})
    verbs: dict[tuple[str, ...], ActorKind] = {}
    kinds: tuple[ActorKind, ...] = ("statement", "denial", "reporting")
    for kind in kinds:
        for text in actor.get(kind, []):
            tokens = cue_tokens(str(text))
            if not tokens:
                raise ValueError(f"[actor] empty {kind} verb {text!r}")
            verbs[tokens] = kind
    return Lexicon(
        cues=tuple(cues),
        by_first_token={first: tuple(sorted(group, key=lambda c: -len(c.tokens)))
                        for first, group in index.items()},
        precedence=precedence,
        actor_verbs=verbs,
        prepositions=frozenset(str(p).lower() for p in actor.get("prepositions", [])),
        max_actor_gap=int(actor.get("max_gap", 4)),
        distance_scale=float(table.get("distance_scale", 10.0)),
        context_factor=float(table.get("context_factor", 0.5)),
        clause_words=frozenset(str(w).lower() for w in table.get("clause_words", [])),
        clause_factor=float(table.get("clause_factor", 1.0)),
        negations=frozenset(str(w).lower().replace("’", "'") for w in table.get("negations", [])),
        negation_window=int(table.get("negation_window", 0)),
        irrealis=frozenset(str(w).lower() for w in table.get("irrealis", [])),
        irrealis_window=int(table.get("irrealis_window", 0)),
        roles=parse_role_words(table.get("roles", {})),
    )


def load_lexicon(path: Path | None = None) -> Lexicon:
    """Read and check the category lexicon, data/vocab/categories.toml by default (cached per file).

    >>> load_lexicon() is load_lexicon(LEXICON_FILE)
    True
    """
    return _load_lexicon(LEXICON_FILE if path is None else Path(path).resolve())


def _load_lexicon(path: Path) -> Lexicon:
    return load_vocab_file(path, parse_lexicon)


@dataclass(frozen=True, slots=True)
class _Hit:
    first: int  # token index of the cue's first word
    last: int  # token index of its last word
    cue: Cue


@dataclass(frozen=True, slots=True)
class SentenceScan:
    """A sentence tokenised once, with every cue found in it (shared by all its mentions)."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    words: tuple[str, ...]
    breaks: tuple[bool, ...]  # breaks[j]: a clause break between word j and word j + 1
    clauses: tuple[int, ...]  # clauses[j]: how many clause boundaries precede word j
    hits: tuple[_Hit, ...]
    negated: tuple[int, ...] = ()  # first words of happening cues under a negation ("never attacked")


@lru_cache(maxsize=SCAN_CACHE_SIZE)
def scan_sentence(sentence: str, lexicon: Lexicon) -> SentenceScan:
    """Tokenise a sentence and find its cues, longest phrase first at each word (cached per sentence).

    Neutral phrases ("talk show", "Cold War") are matched too, so that their words are not cues.

    >>> scan = scan_sentence("Artillery strikes hit Shchastia.", load_lexicon())
    >>> [h.cue.text for h in scan.hits], scan.words
    (['artillery strikes'], ('artillery', 'strikes', 'hit', 'shchastia'))
    """
    spans = _words(sentence)
    words = tuple(word for _s, _e, word in spans)
    starts = tuple(start for start, _e, _w in spans)
    marks = [False] * len(spans)
    if marks:
        marks[-1] = True
    for match in _CLAUSE_BREAK.finditer(sentence):  # punctuation is never inside a word
        j = bisect.bisect_right(starts, match.start()) - 1  # the word before the mark
        if j >= 0:
            marks[j] = True
    breaks = tuple(marks)
    clauses: list[int] = []
    clause = 0
    for j, word in enumerate(words):
        if j and (breaks[j - 1] or word in lexicon.clause_words):
            clause += 1
        clauses.append(clause)
    hits: list[_Hit] = []
    negated: list[int] = []
    i = 0
    while i < len(words):
        matched = 1
        for cue in lexicon.by_first_token.get(words[i], ()):
            n = len(cue.tokens)
            if words[i:i + n] == cue.tokens and not any(breaks[i:i + n - 1]):
                counted = _as_counted(cue, words, clauses, i, lexicon)
                if counted is not None:
                    hits.append(_Hit(i, i + n - 1, counted))
                elif cue.category in _HAPPENINGS and _negated(words, clauses, i, lexicon):
                    negated.append(i)
                matched = n
                break
        i += matched
    return SentenceScan(starts, tuple(end for _s, end, _w in spans), words, breaks, tuple(clauses),
                        tuple(hits), tuple(negated))



_YEAR = re.compile(r"(?:19|20)\d\d")
# A negated happening did not happen; a negated diplomatic act ("will not hold talks") is still a stance.
_HAPPENINGS = frozenset({Category.FRONT_LINE, Category.DEPLOYMENT, Category.MIGRATION})


def _as_counted(cue: Cue, words: tuple[str, ...], clauses: list[int], at: int,
                lexicon: Lexicon) -> Cue | None:
    """The cue as it counts where it stands: None for a neutral phrase or a negated happening; a
    front-line cue under an irrealis marker ("would launch a war") counts as deployment."""
    if cue.category is Category.OTHER:  # a neutral phrase only consumes its words
        return None
    if at and _YEAR.fullmatch(words[at - 1]):  # "its 2014 invasion", "the 2008 war": history, not news
        return None
    if cue.category in _HAPPENINGS and _negated(words, clauses, at, lexicon):
        return None
    if cue.category is Category.FRONT_LINE and _preceded_by(words, clauses, at, lexicon.irrealis,
                                                             lexicon.irrealis_window):
        return Cue(cue.text, cue.tokens, Category.DEPLOYMENT, cue.weight)
    return cue


def _negated(words: tuple[str, ...], clauses: list[int], at: int, lexicon: Lexicon) -> bool:
    """Whether a negation stands within `negation_window` words before word `at`, in its clause:
    "had no intention of launching an offensive", "never attacked anyone" report nothing."""
    return _preceded_by(words, clauses, at, lexicon.negations, lexicon.negation_window)


def _preceded_by(words: tuple[str, ...], clauses: list[int], at: int, markers: frozenset[str],
                 window: int) -> bool:
    for j in range(at - 1, max(-1, at - 1 - window), -1):
        if clauses[j] != clauses[at]:
            return False
        if words[j] in markers:
            return True
    return False
