"""The role a place plays in its sentence, read from where it stands rather than from the cues near it.

Cues say what kind of thing a sentence reports; these rules say whether the place is where it happens.
Each rule is a small named function over the sentence scan, and its name (with the word that fired it)
becomes the decisive cue, so the dashboard can show why a point is on the map:

    rule         sentence                                               result at the place
    dateline     "MOSCOW (AP) — The United States delivered …"          other       dateline
    label        "Russian troops will stay, Belarus says | Ukraine"     other       label
    topic        "drills amid the tensions over Ukraine",               other       topic:tensions over
                 "the Russia-Ukraine crisis"                                        topic:crisis
    modifier     "Russia-backed separatists"                            other       modifier:backed
    official     "Georgia's prime minister greets …",                   diplomacy   official:prime minister
                 "officials from the US have warned"                                official:officials from
    organisation "images released by US company Maxar",                other       organisation:company
                 "told Germany's DPA news agency"                                   organisation:news agency
    denied       "Russia has denied that it is planning to invade       other       denied:denied
                 Ukraine" (at Ukraine)
    conditional  "sanctions if Russia invades Ukraine" (at Russia),     diplomacy   conditional:if
                 "Moscow risks being made a pariah if it invades"
    target       "… could order an invasion of Ukraine",                deployment  target:invasion of
                 "aggression by Russia against Ukraine"                             target:aggression against
    addressee    "Western countries sanctioned Russia for …"            diplomacy   addressee:sanctioned
    venue        "Kuleba told reporters in Kyiv that …"                 diplomacy   venue:reporters in
    attribution  "they believe Russia was behind a series of attacks"   other       attribution:was behind
    planner      "warned that Moscow plans to attack the capital"       deployment  planner:plans to attack
    accused of   "Kuleba accused Russia of trying to sow panic"         (the cues after "of", else other)
    actor        "Russia denies massing troops" (see `decide_actor`)    other       actor:denies
    front-line zone  "Ukrainian soldiers walk near Katerinivka"         front_line  zone:soldiers
                 (a deployment at a settlement inside a front-line zone)

The vocabulary of each rule is in data/vocab/categories.toml ([roles] and [actor]).
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from geo.cues import ActorKind, Lexicon, SentenceScan
from geo.models import Category, Classification, Place, Precision
from geo.text import normalise

DENIAL_CONFIDENCE = 0.8
STATEMENT_CONFIDENCE = 0.8
REPORTING_CONFIDENCE = 0.7
ROLE_CONFIDENCE = 0.75
PREPOSITION_LOOKBACK = 2
CONDITIONAL_GAP = 3
ORGANISATION_NAME_WORDS = 3  # name words between a place and its firm or outlet noun ("DPA news agency")

# "MOSCOW (AP) —", "Kyiv, Ukraine (CNN)", "KYIV, Ukraine —": up to five capitalised words and commas
# opening a sentence, then a parenthesised credit or a dash.
_DATELINE = re.compile(r"\s*(?:[A-Z][\w'’.-]*,?\s+){0,4}[A-Z][\w'’.-]*\s*"
                       r"(?:\([A-Z][\w .]{0,24}\)(?:\s*[—–-])?|[—–])")


def dateline_end(sentence: str) -> int:
    """Where a dateline opening the sentence ends (0 if there is none).

    >>> s = "Kyiv, Ukraine (CNN) Russia has not assembled sufficient forces"
    >>> s[:dateline_end(s)]
    'Kyiv, Ukraine (CNN)'
    >>> dateline_end("Russia has massed troops near Ukraine (file photo).")
    0
    """
    match = _DATELINE.match(sentence)
    return match.end() if match else 0


def modifier(scan: SentenceScan, first: int, last: int, sentence: str, lexicon: Lexicon) -> str | None:
    """The suffix word when the place only modifies a sponsor phrase ("Russia-backed"), else None."""
    if last + 1 >= len(scan.words) or scan.words[last + 1] not in lexicon.roles.modifier_suffixes:
        return None
    between = sentence[scan.ends[last]:scan.starts[last + 1]]
    return scan.words[last + 1] if between in _HYPHENS else None


def topic_noun(scan: SentenceScan, last: int, sentence: str, lexicon: Lexicon) -> str | None:
    """"the Ukraine crisis", "the Russia-Ukraine crisis", "Ukraine-Russia news": a place naming what a
    story is about (the noun after it, or after its hyphenated partner), else None."""
    words, nouns = scan.words, lexicon.roles.topic_nouns
    j = last + 1
    if j < len(words) and words[j] not in nouns and sentence[scan.ends[last]:scan.starts[j]] in _HYPHENS:
        j += 1  # "Russia-Ukraine crisis" at Russia: skip the partner
    return words[j] if j < len(words) and words[j] in nouns else None


_HYPHENS = ("-", "‑", "–")


def official_title(scan: SentenceScan, last: int, sentence: str, lexicon: Lexicon) -> str | None:
    """"Georgia's prime minister greets …", "Kiev's defence intelligence agency": the place acts through
    its government, which is diplomacy at that place. The title, else None."""
    word_end = scan.ends[last]
    if not (sentence[:word_end].endswith(("'s", "’s")) or sentence.startswith(("'", "’"), word_end)):
        return None
    return phrase_after(scan, last, lexicon.roles.official_titles, reach=1)


def organisation(scan: SentenceScan, last: int, sentence: str, lexicon: Lexicon) -> str | None:
    """"US company Maxar", "Germany's DPA news agency": the place only gives the nationality of a firm or
    an outlet named next to it. The organisation noun, right after the place or after its possessive and
    capitalised name words ("DPA"), else None."""
    words, nouns = scan.words, lexicon.roles.organisation_nouns
    longest = _longest(nouns)
    j = last + 1
    while j < len(words):
        for n in range(longest, 0, -1):
            if tuple(words[j:j + n]) in nouns:
                return " ".join(words[j:j + n])
        is_possessive = j == last + 1 and words[j] == "s"
        if not (is_possessive or sentence[scan.starts[j]].isupper()) or j - last > ORGANISATION_NAME_WORDS:
            return None
        j += 1
    return None


def target_of_against(scan: SentenceScan, first: int, lexicon: Lexicon) -> str | None:
    """"aggression by Russia against Ukraine": the threat noun before "against" and the place, else None."""
    words = scan.words
    if first == 0 or words[first - 1] != "against":
        return None
    return next((w for w in words[max(0, first - 6):first - 1] if w in lexicon.roles.target_nouns), None)


def accused_of(scan: SentenceScan, first: int, last: int, lexicon: Lexicon) -> int | None:
    """The index of "of" when the place is the one accused ("accused Russia of trying to …"), else None."""
    if first == 0 or scan.words[first - 1] not in lexicon.roles.accusation_verbs:
        return None
    return next((j for j in range(last + 1, min(last + 8, len(scan.words))) if scan.words[j] == "of"), None)


def denied_before(scan: SentenceScan, first: int, lexicon: Lexicon) -> str | None:
    """The denial verb whose content holds the place ("Russia has denied that it is planning to invade
    Ukraine"), unless a contrast ("but", "however") opens a new statement in between; else None."""
    words = scan.words
    for j in range(first - 1, -1, -1):
        if words[j] in _CONTRASTS:
            return None
        if lexicon.actor_verbs.get((words[j],)) == "denial":
            return words[j]
    return None


_CONTRASTS = frozenset({"but", "however", "although", "though", "while", "whereas", "yet"})


def conditional(scan: SentenceScan, first: int, last: int, lexicon: Lexicon) -> str | None:
    """"if Russia invades": the place is the would-be invader in a threatened consequence, else None."""
    words = scan.words
    if first == 0 or words[first - 1] not in lexicon.roles.conditional_openers:
        return None
    ahead = words[last + 1:last + 1 + CONDITIONAL_GAP]
    if any(word in lexicon.roles.conditional_verbs for word in ahead):
        return words[first - 1]
    return None


@functools.lru_cache(maxsize=64)
def _longest(phrases: frozenset[tuple[str, ...]]) -> int:
    """Words in the longest phrase of a set (the lexicon's sets are few and never change: computed once)."""
    return max((len(p) for p in phrases), default=0)


def phrase_before(scan: SentenceScan, first: int, phrases: frozenset[tuple[str, ...]]) -> str | None:
    """The phrase of `phrases` that ends right before the place (or before "the"/"its"/"neighbouring"
    and the place), else None: "invasion of Ukraine", "sanctions on Russia"."""
    words = scan.words
    end = first
    while end > 0 and words[end - 1] in _FILLERS:
        end -= 1
    longest = _longest(phrases)
    for n in range(min(longest, end), 0, -1):
        phrase = tuple(words[end - n:end])
        if phrase in phrases:
            return " ".join(phrase)
    return None


def phrase_after(scan: SentenceScan, last: int, phrases: frozenset[tuple[str, ...]], *,
                 reach: int = 2) -> str | None:
    """The phrase of `phrases` starting within `reach` words after the place ("Moscow plans to attack",
    "Russia is preparing to invade"), else None."""
    words = scan.words
    longest = _longest(phrases)
    for start in range(last + 1, min(last + 1 + reach, len(words))):
        for n in range(longest, 0, -1):
            phrase = tuple(words[start:start + n])
            if phrase in phrases:
                return " ".join(phrase)
    return None


def _addressee(scan: SentenceScan, first: int, last: int,
               phrases: frozenset[tuple[str, ...]]) -> str | None:
    """An addressee phrase before the place, unless the place opens a reported clause ("warned Russia
    could invade": Russia is that clause's subject, not the one warned)."""
    following = scan.words[last + 1] if last + 1 < len(scan.words) else ""
    return None if following in _CLAUSE_VERBS else phrase_before(scan, first, phrases)


_CLAUSE_VERBS = frozenset({"could", "would", "may", "might", "will", "is", "was", "has", "had", "must",
                           "can", "should", "plans", "intends", "wants"})
_FILLERS = frozenset({"the", "its", "their", "neighbouring", "neighboring", "a", "ally"})


_PASSIVE_AUXILIARIES = frozenset({"been", "being", "was", "were", "be"})


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

    >>> from geo.cues import load_lexicon, scan_sentence
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
                if words[j - 1] in _PASSIVE_AUXILIARIES:  # "Russia has been accused of": the object
                    return None
                return ActorVerb(" ".join(phrase), verbs[phrase], j + n - 1)
    return None


def speaks_of_itself(scan: SentenceScan, verb_at: int, lexicon: Lexicon) -> bool:
    """Whether what the actor says is about itself: "Denmark has said it will deploy jets"."""
    ahead = [w for w in scan.words[verb_at + 1:verb_at + 3] if w != "that"]
    return bool(ahead) and ahead[0] in lexicon.roles.self_pronouns


def denies_of_itself(scan: SentenceScan, verb_at: int, lexicon: Lexicon) -> bool:
    """Whether what the actor says of itself is negated ("it has no plans", "it will not"): a denial."""
    return any(word in lexicon.negations for word in scan.words[verb_at + 2:verb_at + 5])


def reported_by(scan: SentenceScan, first: int, lexicon: Lexicon) -> str | None:
    """The verb of saying right before the place ("He said America was concerned", "he hopes Belarus
    will get something back"): the place is the subject of a reported stance, else None."""
    words = scan.words
    j = first - 1
    if j >= 0 and words[j] == "that":
        j -= 1
    if j >= 0 and words[j] not in _TAKES_AN_OBJECT and lexicon.actor_verbs.get((words[j],)) == "reporting":
        return words[j]
    return None


_TAKES_AN_OBJECT = frozenset({"told", "tells", "called", "calls", "blamed", "blames", "mocked"})


def decide_actor(scored: Classification, verb: str, kind: ActorKind, *,
                 about_itself: bool = False) -> Classification:
    """The actor rule's verdict for a mention that is the subject of `verb`.

    A government's statement or warning is diplomacy at that government's place; a denial is never an
    event at the denier. What an actor reports about itself ("Denmark said it will deploy jets") keeps
    the category of what it reports; anything else it reports happened elsewhere, and the speaking
    itself is the diplomacy.

    >>> talks = Classification(Category.DIPLOMACY, "talks", 0.9)
    >>> decide_actor(talks, "said", "reporting") == talks
    True
    >>> decide_actor(Classification(Category.DEPLOYMENT, "troops", 0.9), "said", "reporting").cue
    'actor:said'
    >>> decide_actor(Classification(Category.DEPLOYMENT, "jets", 0.9), "said", "reporting",
    ...              about_itself=True).cue
    'jets'
    >>> decide_actor(Classification(Category.OTHER, "", 0.5), "denies", "denial").category.value
    'other'
    """
    cue = f"actor:{verb}"
    if kind == "denial":
        return Classification(Category.OTHER, cue, DENIAL_CONFIDENCE)
    if kind == "statement":
        return Classification(Category.DIPLOMACY, cue, STATEMENT_CONFIDENCE)
    if scored.category is Category.DIPLOMACY or (about_itself and scored.category is not Category.OTHER):
        return scored
    return Classification(Category.DIPLOMACY, cue, REPORTING_CONFIDENCE)


def in_front_line_zone(place: Place | None, lexicon: Lexicon) -> bool:
    """Whether the place is a settlement or site inside one of the lexicon's front-line zones.

    A zone is a country and the first words of its admin-1 names (sources spell them "Donetsk Oblast",
    "Donetska oblast"): a town there is on or near a line of contact; a whole region is not.
    """
    if place is None or place.precision not in (Precision.SETTLEMENT, Precision.SITE):
        return False
    prefixes = lexicon.roles.front_line_zones.get(place.country, ())
    return bool(prefixes) and normalise(place.admin1).startswith(prefixes)


def at_front_line(scored: Classification, lexicon: Lexicon) -> Classification:
    """Military presence inside a front-line zone is front-line presence: "zone:<cue>".

    Only presence cues (soldiers, positions, a base) count: a landing or an invasion threatened against a
    town in the zone is still a deployment.
    """
    if scored.category is not Category.DEPLOYMENT or scored.cue not in lexicon.roles.front_line_presence:
        return scored
    return Classification(Category.FRONT_LINE, f"zone:{scored.cue}", min(scored.confidence, ROLE_CONFIDENCE))


def conditional_after(scan: SentenceScan, last: int, lexicon: Lexicon) -> str | None:
    """"Moscow risks being made a pariah if it invades": the place is the would-be invader."""
    words, roles = scan.words, lexicon.roles
    for j in range(last + 1, len(words) - 2):
        if (words[j] in roles.conditional_openers and words[j + 1] in roles.self_pronouns
                and any(w in roles.conditional_verbs for w in words[j + 2:j + 2 + CONDITIONAL_GAP])):
            return words[j]
    return None


def role_rule(scan: SentenceScan, first: int, last: int, sentence: str, mention_start: int,
              lexicon: Lexicon) -> Classification | None:
    """The first positional rule that decides the mention's category (dateline, modifier, conditional,
    target), or None when its cues should decide."""
    if mention_start < dateline_end(sentence):
        return Classification(Category.OTHER, "dateline", ROLE_CONFIDENCE)
    if " | " in sentence[:mention_start]:  # "Headline | Ukraine": a section or site label after a title
        return Classification(Category.OTHER, "label", ROLE_CONFIDENCE)
    noun = topic_noun(scan, last, sentence, lexicon)
    if noun is not None:
        return Classification(Category.OTHER, f"topic:{noun}", ROLE_CONFIDENCE)
    suffix = modifier(scan, first, last, sentence, lexicon)
    if suffix is not None:
        return Classification(Category.OTHER, f"modifier:{suffix}", ROLE_CONFIDENCE)
    about = phrase_before(scan, first, lexicon.roles.topic_phrases)
    if about is not None:
        return Classification(Category.OTHER, f"topic:{about}", ROLE_CONFIDENCE)
    opener = conditional(scan, first, last, lexicon) or conditional_after(scan, last, lexicon)
    if opener is not None:
        return Classification(Category.DIPLOMACY, f"conditional:{opener}", ROLE_CONFIDENCE)
    verb = denied_before(scan, first, lexicon)
    if verb is not None:
        return Classification(Category.OTHER, f"denied:{verb}", ROLE_CONFIDENCE)
    title = official_title(scan, last, sentence, lexicon) or phrase_before(scan, first,
                                                                          lexicon.roles.officials_of)
    if title is not None:
        return Classification(Category.DIPLOMACY, f"official:{title}", ROLE_CONFIDENCE)
    noun = organisation(scan, last, sentence, lexicon)
    if noun is not None:
        return Classification(Category.OTHER, f"organisation:{noun}", ROLE_CONFIDENCE)
    roles = lexicon.roles
    noun = target_of_against(scan, first, lexicon)
    if noun is not None:
        return Classification(Category.DEPLOYMENT, f"target:{noun} against", ROLE_CONFIDENCE)
    for rule, found, category in (
            ("target", phrase_before(scan, first, roles.target_phrases), Category.DEPLOYMENT),
            ("addressee", _addressee(scan, first, last, roles.addressee_phrases), Category.DIPLOMACY),
            ("venue", phrase_before(scan, first, roles.venue_phrases), Category.DIPLOMACY),
            ("attribution", phrase_after(scan, last, roles.attribution_phrases)
             or phrase_before(scan, first, roles.attribution_before), Category.OTHER),
            ("planner", phrase_after(scan, last, roles.planner_phrases), Category.DEPLOYMENT)):
        if found is not None:
            return Classification(category, f"{rule}:{found}", ROLE_CONFIDENCE)
    return None
