"""Choosing one place per mention.

Each candidate place gets a score that is the sum of named rules, applied in this documented order:

1. ``population_prior``  how important the place is (kind and population);
2. ``alias``             a match through an alternate name costs a little against the primary name;
3. ``theatre_prior``     places in the configured theatre countries are preferred (Odessa -> Ukraine);
4. ``context_comma``     "Avdiivka, Ukraine", "Paris, Texas": the qualifier that follows the name;
5. ``context_region``    "the Luhansk region", "Orange County": a place-type word after the name;
   ``city_over_area``    a bare "Kharkiv" is the city, not the oblast reached through a short form;
6. ``article_context``   countries and admin-1 areas named elsewhere in the article;
7. ``home_area``         the admin-1 area where the article's other towns are (second pass);
8. ``coherence``         closeness to the article's other places (second pass).

The rule that separates the winner from the runner-up most is recorded as the ``method``; a single
candidate is resolved by ``exact`` / ``normalised`` / ``alias`` match; names absent from the gazetteer
go to ``fuzzy`` matching and then, if injected, to the online geocoder; what still fails is returned
unresolved (place None), never dropped and never given an invented point.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from operator import attrgetter

from rapidfuzz import fuzz, process

from geo.config import Config
from geo.gazetteer import Candidate, Gazetteer
from geo.geodesy import distance_km
from geo.models import Mention, Place, Precision, ResolvedPlace
from geo.text import normalise

OnlineLookup = Callable[[str, tuple[str, ...]], Place | None]

KIND_PRIOR = {"country": 11.0, "continent": 10.0, "admin1": 7.0, "region": 7.5, "sea": 7.5,
              "strait": 6.0, "river": 5.0, "admin2": 4.0}
SITE_PRIOR = 5.5
CURATED_PRIOR = 5.0
FAME_WEIGHT = 0.5
NOTABLE_POPULATION = 100_000
CAPITAL_BONUS = 3.0  # news names capitals for their governments: "Washington warned" is D.C.
ALIAS_PENALTY = 2.0
THEATRE_BONUS = 2.5
QUALIFIER_BONUS = 8.0
REGION_WORD_BONUS = 6.0
ARTICLE_COUNTRY_BONUS = 5.0
ARTICLE_ADMIN1_BONUS = 2.5
SIBLING_AREA_BONUS = 1.5
HOME_AREA_BONUS = 1.0
CITY_OVER_AREA_PENALTY = 4.0
HOME_AREA_CAP = 3
COHERENCE_CAP = 4.0
NEAR_KM, CLOSE_KM = 50.0, 200.0
_REGION_WORDS = ("region", "oblast", "province", "county", "district", "raion", "krai", "state", "parish",
                 "governorate", "prefecture", "territory")
_QUALIFIER = re.compile(r",?\s+((?:[A-Z][\w'’.-]*\.?)(?:\s+[A-Z][\w'’.-]*){0,2})")


@dataclass(frozen=True, slots=True)
class _Context:
    """What the article says about where it is: qualifier places, named countries and admin-1 areas."""

    countries: Counter[str]
    admin1s: Counter[tuple[str, str]]
    # (normalised name, lat, lon) of the article's confidently placed names; kept sorted by latitude
    anchors: tuple[tuple[str, float, float], ...] = ()
    # (country, admin1) -> names of the article's confidently placed settlements and sites in it
    home_areas: dict[tuple[str, str], frozenset[str]] = field(default_factory=dict)
    # normalised name -> the countries its own mentions were placed in (to discount self-evidence)
    countries_by_name: dict[str, Counter[str]] = field(default_factory=dict)
    # derived once, as every candidate of every name reads them:
    # the anchors' latitudes, in order (`coherence` bisects them to read only a band of anchors)
    anchor_lats: tuple[float, ...] = field(init=False, default=())
    countries_total: int = field(init=False, default=0)  # countries.total()

    def __post_init__(self) -> None:
        anchors = tuple(sorted(self.anchors, key=lambda anchor: anchor[1]))
        object.__setattr__(self, "anchors", anchors)
        object.__setattr__(self, "anchor_lats", tuple(lat for _key, lat, _lon in anchors))
        object.__setattr__(self, "countries_total", self.countries.total())


_NO_CONTEXT = _Context(Counter(), Counter())
_NO_COUNTS: Counter[str] = Counter()  # read only
# Half the height of the latitude band whose anchors can be within CLOSE_KM (widened a hair, so that
# rounding never leaves out an anchor that the exact test in `coherence` would count)
_ANCHOR_BAND_DEG = CLOSE_KM / 111.0 + 1e-6


def population_prior(g: Gazetteer, i: int) -> float:
    """Importance of a place before any context: kind first, then population (log scale)."""
    kind = g.kinds[i]
    population = g.populations[i]
    size = math.log10(population + 1)
    if g.ids[i].startswith("cm:") and not population:
        # curated without a census figure: editors added it because this region's news names it
        return KIND_PRIOR.get(kind, CURATED_PRIOR)
    if kind in ("city", "capital", "settlement"):
        fame = FAME_WEIGHT * math.log10(g.fames[i] + 1)
        return size + fame + (CAPITAL_BONUS if kind == "capital" else 0.0)
    if kind in KIND_PRIOR:
        return KIND_PRIOR[kind] + 0.2 * size
    return max(SITE_PRIOR, size)


def alias_penalty(g: Gazetteer, candidate: Candidate) -> float:
    """Alternate names rank below primary names, less so for big places, whose exonyms are everyday
    English ('Geneva' for Genève, 'Munich' for München)."""
    if not candidate.via_alias:
        return 0.0
    return -ALIAS_PENALTY / 4 if g.populations[candidate.index] >= NOTABLE_POPULATION else -ALIAS_PENALTY


def theatre_prior(g: Gazetteer, i: int, theatre: tuple[str, ...]) -> float:
    return THEATRE_BONUS if theatre and g.countries[i] in theatre else 0.0


def context_comma(g: Gazetteer, i: int, qualifiers: frozenset[tuple[str, str]]) -> float:
    """Bonus when the name is followed by its own country or admin-1 area ("Kuznica, Poland")."""
    if not qualifiers:
        return 0.0
    country, admin1 = g.countries[i], g.admin1s[i]
    for q_country, q_admin1 in qualifiers:
        if q_country == country and (not q_admin1 or q_admin1 == admin1):
            return QUALIFIER_BONUS
    return 0.0


def context_region(g: Gazetteer, i: int, region_word_follows: bool) -> float:
    return REGION_WORD_BONUS if region_word_follows and g.kinds[i] in ("admin1", "admin2", "region") else 0.0


def city_over_area(g: Gazetteer, i: int, surface_key: str, settlement_countries: set[str]) -> float:
    """'Kharkiv' alone is the city, not Kharkiv Oblast: an area reached through a short form of its
    name yields to a same-country settlement of that name ('the Kharkiv region' still wins through
    context_region)."""
    if g.precision(i) is not Precision.ADMIN1 or g.countries[i] not in settlement_countries:
        return 0.0
    return -CITY_OVER_AREA_PENALTY if normalise(g.names[i]) != surface_key else 0.0


def article_context(g: Gazetteer, i: int, surface_key: str, context: _Context) -> float:
    """Bonus for places inside the countries and admin-1 areas the article names, and for admin-1
    areas whose sibling areas it names ('Georgia' beside 'Texas' and 'Ohio' is the US state).

    The name's own first-pass guesses do not count: a lone "Odessa" is not evidence for itself.
    """
    score = 0.0
    country, admin1, kind = g.countries[i], g.admin1s[i], g.kinds[i]
    own = context.countries_by_name.get(surface_key, _NO_COUNTS)
    others_total = context.countries_total - own.total()
    others_here = context.countries[country] - own[country]
    if others_here > 0 and kind != "country":
        # weighted by the country's share of the article's places: one "US ambassador" in a story
        # about Moscow does not drag Geneva to Illinois, a local US paper's towns all do
        score += ARTICLE_COUNTRY_BONUS * others_here / others_total
    if admin1 and (country, admin1) in context.admin1s and kind != "admin1":
        score += ARTICLE_ADMIN1_BONUS
    if kind == "admin1":
        siblings = sum(n for (c, a), n in context.admin1s.items() if c == country and a != admin1)
        score += min(siblings, 2) * SIBLING_AREA_BONUS
    return score


def home_area(g: Gazetteer, i: int, surface_key: str, context: _Context) -> float:
    """Bonus for places in the admin-1 area where the article's other towns are: a local paper's
    'Henry County' or 'Paris' is the one in its own state."""
    if g.kinds[i] in ("admin1", "country"):
        return 0.0
    names = context.home_areas.get((g.countries[i], g.admin1s[i]), frozenset())
    others = len(names) - (surface_key in names)  # the name itself does not count
    return min(others, HOME_AREA_CAP) * HOME_AREA_BONUS


def coherence(g: Gazetteer, i: int, surface_key: str, context: _Context) -> float:
    """Closeness to the other places the article names: +2 within 50 km, +1 within 200 km each (max 4)."""
    score = 0.0
    here_lat, here_lon = g.lats[i], g.lons[i]
    # Only anchors in a band of latitude around the place can be close to it. The sum does not depend
    # on the order the anchors are read in, so reading them sorted by latitude changes nothing.
    first = bisect.bisect_left(context.anchor_lats, here_lat - _ANCHOR_BAND_DEG)
    last = bisect.bisect_right(context.anchor_lats, here_lat + _ANCHOR_BAND_DEG)
    for key, lat, lon in context.anchors[first:last]:
        # one degree of latitude is 111 km: anchors further apart than CLOSE_KM in latitude can't count
        if key == surface_key or abs(lat - here_lat) * 111.0 > CLOSE_KM:
            continue
        d = distance_km(here_lat, here_lon, lat, lon)
        score += 2.0 if d <= NEAR_KM else 1.0 if d <= CLOSE_KM else 0.0
        if score >= COHERENCE_CAP:
            return COHERENCE_CAP
    return score


# ResolvedPlace's fields after its first, `mention`: a repeated name's result is copied onto each of its
# mentions with these (dataclasses.replace takes several times as long, and most names repeat)
_AFTER_MENTION = attrgetter(*(f.name for f in fields(ResolvedPlace)[1:]))

RANKED_MEMO_SIZE = 20_000  # mention keys whose candidates are kept (~1 kB each; see `Resolver._ranked_memo`)
_MentionKey = tuple[str, frozenset[tuple[str, str]], bool]
"""What decides a mention's place besides the article: (surface, qualifiers, region word follows)."""


@dataclass(frozen=True, slots=True)
class _Candidates:
    """The candidates of one mention key, with the parts of their scores that ignore the article."""

    candidates: tuple[Candidate, ...]
    key: str  # the normalised surface
    fixed: tuple[tuple[float, ...], ...]  # per candidate: population_prior .. city_over_area
    in_context: tuple[bool, ...]  # per candidate: whether the article's context may count for it
    without_context: tuple[tuple[float, float, float], ...]  # per candidate: the context parts, no context


RULES = ("population_prior", "alias", "theatre_prior", "context_comma", "context_region",
         "city_over_area", "article_context", "home_area", "coherence")


@dataclass
class Resolver:
    """Resolves the mentions of one article; holds the gazetteer, config and optional online lookup."""

    gazetteer: Gazetteer
    config: Config
    online: OnlineLookup | None = None

    def resolve(self, text: str, mentions: Sequence[Mention]) -> list[ResolvedPlace]:
        unknown: dict[str, ResolvedPlace] = {}  # fuzzy/online answers, asked once per article
        # What the text says right after each mention is the same in both passes: it is read once.
        keys = [(m.surface, frozenset(self._qualifiers(text, m)), _region_word_follows(text, m))
                for m in mentions]
        ranked = self._ranked_memo()
        first = self._resolve_all(mentions, keys, _NO_CONTEXT, unknown, ranked)
        return self._resolve_all(mentions, keys, self._article_context(first), unknown, ranked)

    def _resolve_all(self, mentions: Sequence[Mention], keys: list[_MentionKey], context: _Context,
                     unknown: dict[str, ResolvedPlace],
                     ranked: dict[_MentionKey, _Candidates]) -> list[ResolvedPlace]:
        """Resolve each mention; a name with the same qualifiers is scored once per article."""
        decided: dict[_MentionKey, ResolvedPlace] = {}
        resolved = []
        for m, key in zip(mentions, keys, strict=True):
            if key not in decided:
                if key not in ranked:
                    ranked[key] = self._candidates(key)
                decided[key] = self._resolve_one(m, ranked[key], context, unknown)
            done = decided[key]
            resolved.append(done if done.mention is m else ResolvedPlace(m, *_AFTER_MENTION(done)))
        return resolved

    def _article_context(self, resolved: list[ResolvedPlace]) -> _Context:
        countries: Counter[str] = Counter()
        admin1s: Counter[tuple[str, str]] = Counter()
        anchors = []
        home_areas: dict[tuple[str, str], set[str]] = {}
        countries_by_name: dict[str, Counter[str]] = {}
        for r in resolved:
            if r.place is None:
                continue
            if r.place.country:
                countries_by_name.setdefault(normalise(r.mention.surface), Counter())[r.place.country] += 1
            if r.confidence >= 0.5 and r.place.precision in (Precision.SETTLEMENT, Precision.SITE) \
                    and r.place.admin1:
                home_areas.setdefault((r.place.country, r.place.admin1), set()).add(
                    normalise(r.mention.surface))
            if r.place.country:
                countries[r.place.country] += 1
            if r.place.kind == "admin1":
                admin1s[(r.place.country, r.place.admin1)] += 1
            # Capitals are mostly named for their governments ("Moscow said"): they say nothing about
            # where the article's events are, so they do not pull other names towards them.
            if r.confidence >= 0.5 and r.place.kind not in ("country", "continent", "capital"):
                anchors.append((normalise(r.mention.surface), r.place.lat, r.place.lon))
        return _Context(countries, admin1s, tuple(dict.fromkeys(anchors)),
                        {area: frozenset(names) for area, names in home_areas.items()}, countries_by_name)

    def _ranked_memo(self) -> dict[_MentionKey, _Candidates]:
        """`_candidates` answers, kept on the gazetteer for both passes and for later articles (news
        names the same places again and again); they depend on nothing else but the theatre."""
        memo_key = ("ranked", self.config.theatre)
        ranked = self.gazetteer.memo.get(memo_key)
        if not isinstance(ranked, dict) or len(ranked) >= RANKED_MEMO_SIZE:
            ranked = self.gazetteer.memo[memo_key] = {}  # bounded: start afresh when full
        return ranked

    def _candidates(self, mention_key: _MentionKey) -> _Candidates:
        """The places a name may be, each with the parts of its score that ignore the article."""
        g = self.gazetteer
        surface, qualifiers, region_follows = mention_key
        candidates = tuple(g.lookup(surface))
        if len(candidates) < 2:  # nothing to score
            return _Candidates(candidates, "", (), (), ())
        key = normalise(surface)
        settlement_countries = {g.countries[c.index] for c in candidates
                                if g.precision(c.index) is Precision.SETTLEMENT}
        country_readings = {g.countries[c.index] for c in candidates if g.kinds[c.index] == "country"}
        fixed = tuple(
            (
                population_prior(g, c.index),
                alias_penalty(g, c),
                theatre_prior(g, c.index, self.config.theatre),
                context_comma(g, c.index, qualifiers),
                context_region(g, c.index, region_follows),
                city_over_area(g, c.index, key, settlement_countries),
            )
            for c in candidates
        )
        # A country's own namesakes inside it (the State of Mexico) fit the article's talk of that
        # country no better than the country itself: context must not promote them over it.
        in_context = tuple(g.countries[c.index] not in country_readings for c in candidates)
        return _Candidates(candidates, key, fixed, in_context,
                           tuple(self._context_parts(c, key, _NO_CONTEXT) for c in candidates))

    def _context_parts(self, c: Candidate, key: str, context: _Context) -> tuple[float, float, float]:
        """The parts of a candidate's score that read the article: article_context .. coherence."""
        g = self.gazetteer
        return (article_context(g, c.index, key, context), home_area(g, c.index, key, context),
                coherence(g, c.index, key, context))

    def _resolve_one(self, mention: Mention, ranked: _Candidates, context: _Context,
                     unknown: dict[str, ResolvedPlace]) -> ResolvedPlace:
        g = self.gazetteer
        candidates = ranked.candidates
        if not candidates:
            if mention.surface not in unknown:
                unknown[mention.surface] = self._resolve_unknown(mention)
            return unknown[mention.surface]
        if len(candidates) == 1:
            return _only_candidate(g, mention, candidates[0])
        key = ranked.key
        scored = []
        for c, fixed, in_context, without_context in zip(candidates, ranked.fixed, ranked.in_context,
                                                         ranked.without_context, strict=True):
            if in_context and context is not _NO_CONTEXT:
                parts = (*fixed, *self._context_parts(c, key, context))
            else:
                parts = (*fixed, *without_context)
            scored.append((sum(parts), parts, c))
        scored.sort(key=lambda item: item[0], reverse=True)
        best_score, best_parts, best = scored[0]
        place = g.place(best.index)
        runner_score, runner_parts, _ = scored[1]
        gaps = [b - r for b, r in zip(best_parts, runner_parts, strict=True)]
        method = RULES[max(range(len(RULES)), key=lambda k: gaps[k])]
        confidence = round(1.0 / (1.0 + math.exp(-(best_score - runner_score))), 3)
        return ResolvedPlace(mention, place, method, confidence, candidates=len(scored),
                             alternatives=tuple(g.ids[s[2].index] for s in scored[1:4]))

    def _qualifiers(self, text: str, mention: Mention) -> set[tuple[str, str]]:
        """(country, admin1) pairs named right after the mention: ", Ukraine", " Texas", ", Ga."."""
        match = _QUALIFIER.match(text, mention.end)
        if match is None:
            return set()
        words = match.group(1).split()
        found: set[tuple[str, str]] = set()
        for n in range(len(words), 0, -1):
            for c in self.gazetteer.lookup(" ".join(words[:n]).rstrip(".")):
                kind = self.gazetteer.kinds[c.index]
                if kind == "country":
                    found.add((self.gazetteer.countries[c.index], ""))
                elif kind == "admin1":
                    found.add((self.gazetteer.countries[c.index], self.gazetteer.admin1s[c.index]))
            if found:
                break
        return found

    def _resolve_unknown(self, mention: Mention) -> ResolvedPlace:
        fuzzy = fuzzy_match(self.gazetteer, mention.surface, self.config)
        if fuzzy is not None:
            place, score = fuzzy
            return ResolvedPlace(mention, place, "fuzzy", round(0.8 * score / 100.0, 3), candidates=1)
        if self.online is not None:
            online_place = self.online(mention.surface, self.config.theatre)
            if online_place is not None:
                return ResolvedPlace(mention, online_place, "online", 0.6, candidates=1)
        return ResolvedPlace(mention, None, "unresolved", 0.0)


def _only_candidate(g: Gazetteer, mention: Mention, candidate: Candidate) -> ResolvedPlace:
    """A name only one place has: resolved by how it matched (exact, normalised or alias)."""
    place = g.place(candidate.index)
    if candidate.via_alias:
        return ResolvedPlace(mention, place, "alias", 0.9, candidates=1)
    method = "exact" if mention.surface == place.name else "normalised"
    return ResolvedPlace(mention, place, method, 0.95, candidates=1)


def _region_word_follows(text: str, mention: Mention) -> bool:
    following = text[mention.end:mention.end + 16].lstrip(" ").lower()
    return following.startswith(_REGION_WORDS)


FUZZY_MIN_POPULATION_OUTSIDE_THEATRE = 100_000
FUZZY_LENGTH_SLACK = 2


def _fuzzy_pool(g: Gazetteer, theatre: tuple[str, ...]) -> dict[int, list[str]]:
    """Names a typo may stand for, by length: every place in the theatre, larger places everywhere.

    Built once per gazetteer and theatre, and kept on the gazetteer itself.
    """
    pool_key = ("fuzzy_pool", theatre)
    if pool_key not in g.memo:
        eligible = [country in theatre or population >= FUZZY_MIN_POPULATION_OUTSIDE_THEATRE
                    for country, population in zip(g.countries, g.populations, strict=True)]
        by_length: dict[int, list[str]] = {}
        for key, codes in g.index.items():  # half a million names: a plain loop, no generator per name
            for code in codes:
                if eligible[code >> 1]:
                    by_length.setdefault(len(key), []).append(key)
                    break
        g.memo[pool_key] = by_length
    pool = g.memo[pool_key]
    assert isinstance(pool, dict)
    return pool


def _closest_name(g: Gazetteer, key: str, theatre: tuple[str, ...],
                  min_score: float) -> tuple[str, float] | None:
    """The pool name closest to key by rapidfuzz ratio, if at least min_score (answers memoised)."""
    memo_key = ("closest", key, theatre, min_score)
    if memo_key in g.memo:
        return g.memo[memo_key]  # type: ignore[return-value]
    pool = _fuzzy_pool(g, theatre)
    best: tuple[str, float] | None = None
    # a ratio >= ~88 is impossible between names whose lengths differ by more than the slack
    for length in range(len(key) - FUZZY_LENGTH_SLACK, len(key) + FUZZY_LENGTH_SLACK + 1):
        found = process.extractOne(key, pool.get(length, ()), scorer=fuzz.ratio, score_cutoff=min_score)
        if found is not None and (best is None or found[1] > best[1]):
            best = (found[0], float(found[1]))
    g.memo[memo_key] = best
    return best


def fuzzy_match(g: Gazetteer, surface: str, config: Config) -> tuple[Place, float] | None:
    """The closest gazetteer name to a misspelt one ("Avdiika" -> Avdiivka), if close enough."""
    key = normalise(surface)
    if len(key) < config.fuzzy_min_length:
        return None
    best = _closest_name(g, key, config.theatre, config.fuzzy_min_score)
    if best is None:
        return None
    name, score = best
    candidates = [c.index for c in g.lookup(name)]
    chosen = max(candidates, key=lambda i: (g.countries[i] in config.theatre, population_prior(g, i)))
    return g.place(chosen), float(score)
