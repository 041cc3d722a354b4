"""The category of a place mention: what its sentence reports happening there, and the cue that decided it.

Cue words and phrases live in data/vocab/categories.toml (vocabulary is data; geo/cues.py reads it and
scans sentences). For each mention every category scores the weights of its cues, a cue nearer the
mention counting more:

    score(category) = sum(weight / (1 + distance_in_tokens / distance_scale) * clause_factor ** clauses)

where `clauses` counts the clause boundaries (clause punctuation, "as", "while", "but"…) between the cue
and the mention: "Shelling near Avdiivka continued as troops massed near Yelnya" is front_line at
Avdiivka and deployment at Yelnya.

The best category wins; equal scores go by `precedence` (see `rank_categories`); confidence grows with
the margin over the runner-up. Before the cues, the positional role rules of geo/roles.py may decide
(a dateline, a "Russia-backed" modifier, "if Russia invades", the target of an invasion); after them
the actor rule may overrule: a place that is only the subject of a verb of saying is an actor, not the
scene of what the sentence reports. Case by case (the place is the grammatical subject of the verb,
within `max_gap` words, no preposition just before it; "Ukraine's foreign minister said" counts as
Ukraine speaking):

    sentence                                           verb kind   result
    "Russia warned NATO against sending troops"        statement   diplomacy  actor:warned
    "Russia denies massing troops"                     denial      other      actor:denies
    "…cyberattack, which Moscow denies"                denial      other      actor:denies
    "Kyiv said talks would resume"                     reporting   diplomacy  (the cue: talks)
    "Kyiv said shelling continued near Avdiivka"       reporting   diplomacy  actor:said
    "Denmark has said it will deploy four jets"        reporting   deployment (the cue: deploy)
    "The US Embassy in Ukraine urged citizens to leave" (after "in": not a subject) -> cues: diplomacy
    "Russia has massed 100,000 troops"                 (not a verb of saying)       -> cues: deployment

Statements and warnings by a government are diplomacy by the user's definition, so a country that
speaks is on the diplomacy map at that country; what it reports happening elsewhere is not an event at
its own territory, and a denial is no event at all.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence

from geo.cues import LEXICON_FILE, Lexicon, SentenceScan, _load_lexicon, scan_sentence
from geo.models import Category, Classification
from geo.roles import (
    accused_of,
    actor_verb,
    at_front_line,
    decide_actor,
    denies_of_itself,
    phrase_before,
    reported_by,
    role_rule,
    speaks_of_itself,
)

NO_CUE_CONFIDENCE = 0.5
MIN_CONFIDENCE = 0.5
MAX_CONFIDENCE = 0.95
CONTEXT_MAX_CONFIDENCE = 0.6
REPORTED_STANCE_CONFIDENCE = 0.6
DENIED_REACH = 8  # words after a reported place within which a negated happening makes it a denial


def classify_mention(sentence: str, mention_start: int, mention_end: int, *, context: str = "",
                     lexicon: Lexicon | None = None, front_line_zone: bool = False) -> Classification:
    """The category of what `sentence` reports at the place mentioned at [mention_start, mention_end).

    Offsets are relative to the sentence. `context` (e.g. the headline or the neighbouring sentences) is
    used only when the sentence itself has no cue, at a discount. `front_line_zone` says the place lies
    in a front-line zone (geo.roles.in_front_line_zone), where military presence is front-line presence.
    Raises ValueError for a span outside the sentence.

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
    decided = _classify_words(scan, first, last, sentence, mention_start, context, lex)
    return at_front_line(decided, lex) if front_line_zone else decided


def _classify_words(scan: SentenceScan, first: int, last: int, sentence: str, mention_start: int,
                    context: str, lex: Lexicon) -> Classification:
    if first <= last:
        by_role = role_rule(scan, first, last, sentence, mention_start, lex)
        if by_role is not None:
            return by_role
    of_at = accused_of(scan, first, last, lex)
    if of_at is not None:  # the accused takes what it is accused of: the cues after "of", or other
        return score_cues(scan, 0, of_at, lex)
    scored = score_cues(scan, first, last, lex)
    if scored.category is Category.OTHER and context:
        scored = _score_context(context, lex)
    if first > last:  # the span covers no word: no subject, no actor
        return scored
    if scored.category is Category.OTHER:
        verb = reported_by(scan, first, lex)
        if verb is not None and any(last < j <= last + DENIED_REACH for j in scan.negated):
            # "Peskov added that Russia had never attacked anyone": a denial on the place's behalf
            return Classification(Category.OTHER, f"denied:{verb}", REPORTED_STANCE_CONFIDENCE)
        if verb is not None:  # nothing happens there, but the place's stance is reported: diplomacy
            return Classification(Category.DIPLOMACY, f"stance:{verb}", REPORTED_STANCE_CONFIDENCE)
    actor = actor_verb(scan, first, last, lex)
    if actor is None:
        if scored.category is Category.DIPLOMACY:
            about = phrase_before(scan, first, lex.roles.subject_matter)
            if about is not None:  # "talks over Ukraine": what the diplomacy is about, not where
                return Classification(Category.OTHER, f"topic:{about}", scored.confidence)
        return scored
    about_itself = False
    if actor.kind == "reporting":
        # What the actor said starts at the verb: cues in its own title ("Ukraine's prime minister says")
        # are not what it said, so they are scored as part of the mention.
        about_itself = speaks_of_itself(scan, actor.at, lex)
        if about_itself and denies_of_itself(scan, actor.at, lex):  # "stated it has no plans to attack"
            return decide_actor(scored, actor.verb, "denial")
        # Speaking of itself, the actor is the scene of what follows the verb only ("Moscow has stated
        # it has no plans to attack", after a clause about an incursion, reports nothing).
        scored = score_cues(scan, 0 if about_itself else first, actor.at, lex)
    return decide_actor(scored, actor.verb, actor.kind, about_itself=about_itself)


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

