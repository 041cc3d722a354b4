"""The category of a place mention: what its sentence reports happening there, and the cue that decided it.

Cue words and phrases live in data/vocab/categories.toml (vocabulary is data). A sentence is tokenised
and scanned for cues once, and the scan is cached, so the several mentions of one sentence share it.
For each mention every category scores the weights of its cues, a cue nearer the mention counting more:

    score(category) = sum(weight / (1 + distance_in_tokens / distance_scale) * clause_factor ** clauses)

where `clauses` counts the clause boundaries (clause punctuation, "as", "while", "but"…) between the cue
and the mention: "Shelling near Avdiivka continued as troops massed near Yelnya" is front_line at
Avdiivka and deployment at Yelnya.

The best category wins; equal scores go by `precedence` (see `rank_categories`); confidence grows with
the margin over the runner-up. Then the actor rule (`decide_actor`) may overrule: a place that is only
the subject of a verb of saying is an actor, not the scene of what the sentence reports.

The actor rule, case by case (the place is the grammatical subject of the verb, within `max_gap` words,
no preposition just before it; "Ukraine's foreign minister said" counts as Ukraine speaking):

    sentence                                           verb kind   result
    "Russia warned NATO against sending troops"        statement   diplomacy  actor:warned
    "Moscow has demanded guarantees"                   statement   diplomacy  actor:demanded
    "Russia denies massing troops"                     denial      other      actor:denies
    "…cyberattack, which Moscow denies"                denial      other      actor:denies
    "Kyiv said talks would resume"                     reporting   diplomacy  (the cue: talks)
    "Ukraine's prime minister says the government has  reporting   other      actor:says
     enough resources" (cues before the verb, in the
     actor's own title, are not what it said)
    "Moscow has repeatedly stated it has no plans to    reporting   other      actor:stated
     attack", "Kyiv said shelling continued"
    "Ukraine believes Russia was behind the attack"    reporting   other      actor:believes
    "The US Embassy in Ukraine urged citizens to leave" (after "in": not a subject) -> cues: diplomacy
    "Russia has massed 100,000 troops"                 (not a verb of saying)       -> cues: deployment

Statements and warnings by a government are diplomacy by the user's definition, so a country that warns
is on the diplomacy map at that country; a denial, or a generic "said" about troops or shelling
elsewhere, says nothing about the speaker's own territory.
"""

from __future__ import annotations

import bisect
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, NamedTuple

from geo.models import Category, Classification

LEXICON_FILE = Path(__file__).resolve().parent.parent / "data" / "vocab" / "categories.toml"

CUE_CATEGORIES = (Category.FRONT_LINE, Category.MIGRATION, Category.DEPLOYMENT, Category.DIPLOMACY)
NO_CUE_CONFIDENCE = 0.5
MIN_CONFIDENCE = 0.5
MAX_CONFIDENCE = 0.95
CONTEXT_MAX_CONFIDENCE = 0.6
DENIAL_CONFIDENCE = 0.8
STATEMENT_CONFIDENCE = 0.8
REPORTING_CONFIDENCE = 0.7
PREPOSITION_LOOKBACK = 2
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
    )


def load_lexicon(path: Path | None = None) -> Lexicon:
    """Read and check the category lexicon, data/vocab/categories.toml by default (cached per file).

    >>> load_lexicon() is load_lexicon(LEXICON_FILE)
    True
    """
    return _load_lexicon(LEXICON_FILE if path is None else Path(path).resolve())


@lru_cache(maxsize=4)
def _load_lexicon(path: Path) -> Lexicon:
    return parse_lexicon(tomllib.loads(path.read_text(encoding="utf-8")))


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
    i = 0
    while i < len(words):
        matched = 1
        for cue in lexicon.by_first_token.get(words[i], ()):
            n = len(cue.tokens)
            if words[i:i + n] == cue.tokens and not any(breaks[i:i + n - 1]):
                if cue.category is not Category.OTHER:  # a neutral phrase only consumes its words
                    hits.append(_Hit(i, i + n - 1, cue))
                matched = n
                break
        i += matched
    return SentenceScan(starts, tuple(end for _s, end, _w in spans), words, breaks, tuple(clauses),
                        tuple(hits))


def classify_mention(sentence: str, mention_start: int, mention_end: int, *, context: str = "",
                     lexicon: Lexicon | None = None) -> Classification:
    """The category of what `sentence` reports at the place mentioned at [mention_start, mention_end).

    Offsets are relative to the sentence. `context` (e.g. the headline or the neighbouring sentences) is
    used only when the sentence itself has no cue, at a discount. Raises ValueError for a span outside
    the sentence.

    >>> s = "Shelling near Avdiivka continued as troops massed near Yelnya."
    >>> classify_mention(s, 14, 22)
    Classification(category=<Category.FRONT_LINE: 'front_line'>, cue='shelling', confidence=0.55)
    >>> classify_mention(s, 55, 61).category.value
    'deployment'
    >>> classify_mention("Russia denies massing troops near Ukraine.", 0, 6).cue
    'actor:denies'
    """
    if not 0 <= mention_start <= mention_end <= len(sentence):
        raise ValueError(f"mention span {mention_start}..{mention_end} outside a sentence of "
                         f"{len(sentence)} characters")
    lex = lexicon if lexicon is not None else _load_lexicon(LEXICON_FILE)
    scan = scan_sentence(sentence, lex)
    first, last = _mention_words(scan, mention_start, mention_end)
    scored = score_cues(scan, first, last, lex)
    if scored.category is Category.OTHER and context:
        scored = _score_context(context, lex)
    if first > last:  # the span covers no word: no subject, no actor
        return scored
    actor = actor_verb(scan, first, last, lex)
    if actor is None:
        return scored
    if actor.kind == "reporting":
        # What the actor said starts at the verb: cues in its own title ("Ukraine's prime minister says")
        # are not what it said, so they are scored as part of the mention.
        scored = score_cues(scan, first, actor.at, lex)
    return decide_actor(scored, actor.verb, actor.kind)


def _mention_words(scan: SentenceScan, start: int, end: int) -> tuple[int, int]:
    """(first, last): indices of the words the mention overlaps; last == first - 1 if it covers none."""
    first = bisect.bisect_right(scan.ends, start)  # first word ending after the mention starts
    last = bisect.bisect_left(scan.starts, end) - 1  # last word starting before it ends
    return first, max(last, first - 1)


def score_cues(scan: SentenceScan, first: int, last: int, lexicon: Lexicon) -> Classification:
    """The category whose cues, weighted by nearness to words first..last, score highest.

    An empty range (last == first - 1) stands for a span between words. Cues overlapping the mention
    are part of its name ("Kuznica border crossing") and do not count.
    """
    scores: dict[Category, float] = {}
    best_hit: dict[Category, tuple[float, str]] = {}
    scale, clause_factor = lexicon.distance_scale, lexicon.clause_factor
    here = scan.clauses[min(first, len(scan.clauses) - 1)] if scan.clauses else 0
    for hit in scan.hits:
        if hit.last >= first and hit.first <= last:
            continue
        distance = max(0, first - hit.last, hit.first - last)
        value = hit.cue.weight / (1.0 + distance / scale)
        boundaries = abs(scan.clauses[hit.first] - here)
        if boundaries:
            value *= clause_factor ** boundaries
        category = hit.cue.category
        scores[category] = scores.get(category, 0.0) + value
        if value > best_hit.get(category, (0.0, ""))[0]:
            best_hit[category] = (value, hit.cue.text)
    return _decide(scores, best_hit, lexicon.precedence)


def _decide(scores: Mapping[Category, float], best_hit: Mapping[Category, tuple[float, str]],
            precedence: Sequence[Category], cue_prefix: str = "") -> Classification:
    ranked = rank_categories(scores, precedence)
    if not ranked:
        return Classification(Category.OTHER, "", NO_CUE_CONFIDENCE)
    winner = ranked[0]
    runner_up = scores[ranked[1]] if len(ranked) > 1 else 0.0
    return Classification(winner, cue_prefix + best_hit[winner][1],
                          margin_confidence(scores[winner], runner_up))


def rank_categories(scores: Mapping[Category, float], precedence: Sequence[Category]) -> list[Category]:
    """Categories with a positive score, best first; equal scores go by the lexicon's precedence.

    Precedence (front_line > migration > deployment > diplomacy) is justified in categories.toml: the
    more concrete, rarer happening wins a tie, and diplomacy words frame every other kind of news.

    >>> order = [Category.FRONT_LINE, Category.MIGRATION, Category.DEPLOYMENT, Category.DIPLOMACY]
    >>> [c.value for c in rank_categories({Category.DIPLOMACY: 1.0, Category.FRONT_LINE: 1.0}, order)]
    ['front_line', 'diplomacy']
    """
    rank = {category: position for position, category in enumerate(precedence)}
    return sorted((c for c, s in scores.items() if s > 0),
                  key=lambda c: (-round(scores[c], 9), rank.get(c, len(rank))))


def margin_confidence(best: float, runner_up: float) -> float:
    """0.5 for a tie, 0.95 for an unopposed winner, linear in the relative margin between.

    >>> margin_confidence(1.0, 0.0), margin_confidence(1.0, 1.0), margin_confidence(2.0, 1.0)
    (0.95, 0.5, 0.72)
    """
    if best <= 0:
        return NO_CUE_CONFIDENCE
    margin = max(0.0, min(1.0, (best - runner_up) / best))
    return round(MIN_CONFIDENCE + (MAX_CONFIDENCE - MIN_CONFIDENCE) * margin, 2)


def _score_context(context: str, lexicon: Lexicon) -> Classification:
    """Cues of the surrounding text, discounted and regardless of distance: 'context:<cue>'."""
    scan = scan_sentence(context, lexicon)
    scores: dict[Category, float] = {}
    best_hit: dict[Category, tuple[float, str]] = {}
    for hit in scan.hits:
        category, value = hit.cue.category, hit.cue.weight * lexicon.context_factor
        scores[category] = scores.get(category, 0.0) + value
        if value > best_hit.get(category, (0.0, ""))[0]:
            best_hit[category] = (value, hit.cue.text)
    decided = _decide(scores, best_hit, lexicon.precedence, cue_prefix="context:")
    return Classification(decided.category, decided.cue, min(decided.confidence, CONTEXT_MAX_CONFIDENCE))


class ActorVerb(NamedTuple):
    """A verb of saying whose subject is the mention: the verb, its kind, its last word's index."""

    verb: str
    kind: ActorKind
    at: int


def actor_verb(scan: SentenceScan, first: int, last: int, lexicon: Lexicon) -> ActorVerb | None:
    """The verb of saying whose subject the mention (words first..last) is, or None.

    The mention is taken as the subject when no preposition stands in the two words before it within
    its clause ("in what Kyiv called" still makes Kyiv the subject), and a verb of saying follows within
    `max_gap` words in the same clause ("Russia, he said, …" is not Russia speaking).

    >>> lex = load_lexicon()
    >>> actor_verb(scan_sentence("Moscow has repeatedly stated it has no plans", lex), 0, 0, lex)
    ActorVerb(verb='stated', kind='reporting', at=3)
    >>> actor_verb(scan_sentence("Troops in Belarus said nothing", lex), 2, 2, lex) is None
    True
    """
    words, breaks, clauses = scan.words, scan.breaks, scan.clauses
    for j in range(first - 1, max(-1, first - 1 - PREPOSITION_LOOKBACK), -1):
        if clauses[j] != clauses[first]:
            break
        if words[j] in lexicon.prepositions:
            return None
    verbs = lexicon.actor_verbs
    j = last
    while (j < len(words) - 1 and j - last < lexicon.max_actor_gap and not breaks[j]
           and clauses[j + 1] == clauses[last]):
        j += 1
        for n in (2, 1):  # "called on" before "called"
            phrase = words[j:j + n]
            if len(phrase) == n and phrase in verbs:
                return ActorVerb(" ".join(phrase), verbs[phrase], j + n - 1)
    return None


def decide_actor(scored: Classification, verb: str, kind: ActorKind) -> Classification:
    """The actor rule's verdict for a mention that is the subject of `verb` (table in the module doc).

    >>> talks = Classification(Category.DIPLOMACY, "talks", 0.9)
    >>> decide_actor(talks, "said", "reporting") == talks
    True
    >>> decide_actor(Classification(Category.DEPLOYMENT, "troops", 0.9), "said", "reporting").cue
    'actor:said'
    >>> decide_actor(Classification(Category.OTHER, "", 0.5), "warned", "statement").category.value
    'diplomacy'
    """
    cue = f"actor:{verb}"
    if kind == "statement":
        return Classification(Category.DIPLOMACY, cue, STATEMENT_CONFIDENCE)
    if kind == "denial":
        return Classification(Category.OTHER, cue, DENIAL_CONFIDENCE)
    if scored.category is Category.DIPLOMACY:
        return scored
    return Classification(Category.OTHER, cue, REPORTING_CONFIDENCE)
