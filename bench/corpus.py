"""A deterministic synthetic news corpus for benchmarks: crisis-news sentences about real places.

The speed benchmark of `geo places` (≥ 1,000 articles of ~900 words) needs far more text than the five
seed articles, so this module writes articles that read like them: sentence templates taken from the
seeds' themes (troop deployments, shelling on the line of contact, diplomatic talks, migrants at the
Belarus–Poland border) filled with place names drawn from the gazetteer, plus the words that make
geoparsing hard: people's names, organisations ("NATO", "the OSCE"), outlets ("Moscow Times"), months
and weekdays.

Each article is built from its own random generator seeded by ``(seed, article number)``, so the first
k articles of a corpus are the same whatever its size, and the same seed always gives the same text (for
the same gazetteer).

    python -m bench.corpus --n 1000 --out bench/out/corpus-1000.jsonl
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import string
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from geo.gazetteer import Gazetteer

Article = dict[str, Any]
"""One JSONL-ready article: id, title, text, published (ISO date), source, places (names inserted)."""

OUT_DIR = Path(__file__).resolve().parent / "out"
THEATRE_COUNTRIES = ("UA", "BY", "RU", "PL", "LT", "LV", "EE", "MD", "RO")
PLACE_KINDS = ("city", "capital", "admin1")
MIN_POPULATION = 5_000
PROMINENT_POPULATION = 100_000
FIRST_DATE = dt.date(2021, 11, 1)
LAST_DATE = dt.date(2022, 2, 28)
WORD_SPREAD = 0.07
"""Each article aims at ``words`` × U(1 − spread, 1 + spread) words, then ends at a sentence boundary."""

# Where a {place} slot draws from: the article's own recurring places, else a fresh draw.
FOCUS_PLACES = 5
FOCUS_SHARE = 0.45
PROMINENT_SHARE = 0.35
WORLD_SHARE = 0.10

WORLD_PLACES = (
    "Washington", "London", "Paris", "Berlin", "Brussels", "Geneva", "Vienna", "Beijing", "Ankara",
    "Istanbul", "Munich", "Stockholm", "Helsinki", "Prague", "Budapest", "Baghdad", "Damascus", "Tbilisi",
    "Minneapolis", "Rome",
)
COUNTRIES = (
    "Ukraine", "Ukraine", "Ukraine", "Russia", "Russia", "Belarus", "Belarus", "Poland", "Lithuania",
    "Latvia", "Estonia", "Moldova", "Romania", "Germany", "France", "Britain", "Turkey", "Georgia",
)
PEOPLE = (
    "Vladimir Putin", "Volodymyr Zelensky", "Antony Blinken", "Sergei Lavrov", "Dmytro Kuleba",
    "Jens Stoltenberg", "Olaf Scholz", "Emmanuel Macron", "Joe Biden", "Andrzej Duda", "Maria Zakharova",
    "Wendy Sherman", "Sergei Ryabkov", "Dmitry Peskov", "Oleksii Reznikov", "Kyrylo Budanov", "Liz Truss",
    "Boris Johnson", "Gitanas Nauseda", "Kaja Kallas", "Mariusz Blaszczak", "Alexander Lukashenko",
    "Denis Pushilin", "Ben Wallace", "Lloyd Austin", "Ursula von der Leyen", "Josep Borrell",
    "Sviatlana Tsikhanouskaya", "Mark Milley", "Victoria Nuland",
)
ORGANISATIONS = (
    "NATO", "Nato", "the OSCE", "the European Union", "the EU", "the Pentagon", "the Kremlin",
    "the UN Security Council", "Frontex", "the Red Cross", "Gazprom", "the State Duma", "the White House",
    "the Verkhovna Rada", "Amnesty International", "the International Organization for Migration",
)
OUTLETS = (
    "The Guardian", "Al Jazeera", "MailOnline", "The Sun", "Reuters", "BBC News", "Deutsche Welle",
    "Kyiv Independent", "Euronews", "Associated Press", "Financial Times", "Moscow Times",
)
MONTHS = ("November", "December", "January", "February", "March", "April")
MONTH_ABBREVIATIONS = ("Nov.", "Dec.", "Jan.", "Feb.")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

TITLES = (
    "Troops mass near {place} as {country} warns of 'red lines'",
    "Shelling near {place} as talks in {place2} stall",
    "Migrants stranded at {place} as Belarus border crisis deepens",
    "{person} warns of 'severe consequences' after build-up near {place}",
    "Live: Diplomats meet in {place} as fears of invasion grow",
    "Russian tanks spotted on the move near {place}",
    "Residents of {place} prepare for the worst as {country} talks fail",
    "Ceasefire breached near {place}, monitors say",
    "{country} sends more troops to the border near {place}",
    "Evacuation ordered in {place} after overnight shelling",
)

SENTENCES = (
    # troop deployments and drills
    "Russian troops were seen moving towards {place} on {weekday}, according to satellite images "
    "reviewed by {outlet}.",
    "Tanks and self-propelled guns were loaded onto trains in {place} and moved west, footage posted on "
    "{weekday} showed.",
    "Joint drills between Russian and Belarusian forces near {place} are due to end on {date}.",
    "Satellite images show new field camps and helicopters at an airfield near {place}, about {number} km "
    "from the border.",
    "Columns of armoured vehicles were filmed on the road between {place} and {place2}.",
    "{country} has massed more than 100,000 troops near the border, from {place} in the north to Crimea "
    "in the south.",
    "The Belarusian leader, Alexander Lukashenko, visited troops at a training ground near {place}.",
    "Reservists in {place} began training with wooden rifles as the government called for calm.",
    "Analysts said the deployment resembled the build-up seen in April, when troops massed near {place}.",
    "A field hospital was set up outside {place} to treat soldiers wounded on the front line.",
    # shelling on the line of contact
    "Ukrainian officials said artillery shelled positions near {place} overnight, the third violation of "
    "the ceasefire along the line of contact since {date}.",
    "Residents of {place} said they had heard heavy shelling from the direction of {place2} late on "
    "{weekday}.",
    "OSCE monitors reported {number} ceasefire violations in the {place} area on {weekday}.",
    "A school in {place} was damaged by shelling on {date}, local officials said, blaming the separatists.",
    "A shell hit a kindergarten in {place} on {date}; no children were hurt, officials said.",
    "The separatist authorities in {place} announced the evacuation of women and children to {place2}.",
    "{org} said it had recorded {number} explosions in the area of {place} and {place2} on {date}.",
    "Humanitarian convoys from {place} reached {place2} after a two-day delay at a checkpoint.",
    # diplomacy
    "{person} said on {weekday} that talks in {place} with {country} had been \"frank but useful\".",
    "Foreign ministers met in {place} to discuss the military alliance's response to the build-up near "
    "{country}'s borders.",
    "{person}, speaking in {place}, warned that any incursion would be met with swift and severe "
    "sanctions.",
    "{person} flew to {place} on {weekday} for talks with his counterpart, the first such visit since "
    "{date}.",
    "The talks between {country} and the United States in {place} ended without a breakthrough, {person} "
    "told reporters.",
    "{person} said Moscow wanted legally binding guarantees that {org} would not expand further east.",
    "The US embassy in {place} told non-essential staff to leave {country} as soon as possible.",
    "{person} told {outlet} that the situation around {place} remained \"tense but under control\".",
    "{person} is expected to travel to {place} and {place2} later this month, the foreign ministry said.",
    "Britain and {country} agreed to send anti-tank weapons and instructors to {place}.",
    "The Kremlin denied it had any plans to attack {country} and accused {org} of stoking tensions.",
    # migrants at the Belarus–Poland border
    "Hundreds of migrants remained camped near {place} on the Belarus–Poland border in freezing "
    "temperatures.",
    "Polish border guards said about {number} people had tried to cross from {country} near {place} in the "
    "past 24 hours.",
    "Migrants who had been held near {place} were flown back to Iraq on {date}, officials said.",
    "Polish police detained {number} people near {place} on suspicion of helping migrants cross the "
    "border.",
    "Aid agencies said at least {number} migrants were sheltering in a logistics centre near {place}.",
    "The governor of the region around {place} said the border crossing at {place2} would stay closed "
    "until {date}.",
    # daily life, economy
    "Officials in {place} said gas supplies through the pipeline had fallen sharply since {date}.",
    "Thousands of people marched in {place} on {weekday} in a show of unity, waving blue and yellow flags.",
    "Flights between {place} and {place2} were suspended after insurers withdrew cover.",
    "Fuel prices in {place} rose by a fifth in a week as residents stocked up on essentials.",
    "Rail traffic through {place} was halted for several hours on {weekday} after a bomb threat.",
    # no place: what fills the rest of a news article
    "It was not immediately possible to verify the claims independently.",
    "{person} did not say what form a response would take.",
    "Markets fell on the news on {weekday}, and the rouble weakened against the dollar.",
    "A spokesman for {org} declined to comment when contacted by {outlet} on {date}.",
    "\"We are ready for any scenario,\" {person} said in a televised address.",
)

_FORMATTER = string.Formatter()
_SLOTS = {template: tuple(field for _, field, _, _ in _FORMATTER.parse(template) if field)
          for template in (*TITLES, *SENTENCES)}
# A place name as news writes it: letters, with single spaces, hyphens or apostrophes inside.
_PLAIN_NAME = re.compile(r"[^\W\d_]+(?:[ '’-][^\W\d_]+)*")


@dataclass(frozen=True, slots=True)
class PlacePools:
    """Names a {place} slot can take, all present in the gazetteer."""

    prominent: tuple[str, ...]
    """Theatre capitals, admin-1 areas and cities of ``PROMINENT_POPULATION`` or more."""
    minor: tuple[str, ...]
    """The other theatre places of ``MIN_POPULATION`` or more (or curated)."""
    world: tuple[str, ...]
    countries: tuple[str, ...]


def build_pools(gazetteer: Gazetteer) -> PlacePools:
    """Pick the place names the generator may write, sorted so that the choice is reproducible.

    Theatre places (``THEATRE_COUNTRIES``) of the kinds in ``PLACE_KINDS`` with a population of at least
    ``MIN_POPULATION``, or curated (``cm:``) ids; world places and countries from fixed lists, kept only
    when the gazetteer knows them.
    """
    g = gazetteer
    prominent: set[str] = set()
    minor: set[str] = set()
    for i, country in enumerate(g.countries):
        if country not in THEATRE_COUNTRIES or g.kinds[i] not in PLACE_KINDS:
            continue
        if g.populations[i] < MIN_POPULATION and not g.ids[i].startswith("cm:"):
            continue
        name = g.names[i]
        if len(name) < 3 or not _PLAIN_NAME.fullmatch(name):
            continue
        big = g.kinds[i] != "city" or g.populations[i] >= PROMINENT_POPULATION
        (prominent if big else minor).add(name)
    minor -= prominent
    if not prominent or not minor:
        raise ValueError("the gazetteer has too few theatre places to build a corpus from")
    return PlacePools(
        prominent=tuple(sorted(prominent)), minor=tuple(sorted(minor)),
        world=tuple(n for n in WORLD_PLACES if g.lookup(n)) or ("Washington",),
        countries=tuple(n for n in COUNTRIES if g.lookup(n)) or ("Ukraine",),
    )


class _ArticleWriter:
    """Draws the slot values of one article from its own random generator."""

    def __init__(self, rng: random.Random, pools: PlacePools) -> None:
        self.rng = rng
        self.pools = pools
        self.focus = [self._fresh_place() for _ in range(FOCUS_PLACES)]

    def _fresh_place(self) -> str:
        draw = self.rng.random()
        if draw < WORLD_SHARE:
            return self.rng.choice(self.pools.world)
        if draw < WORLD_SHARE + PROMINENT_SHARE:
            return self.rng.choice(self.pools.prominent)
        return self.rng.choice(self.pools.minor)

    def place(self, avoid: str = "") -> str:
        for _ in range(8):
            name = self.rng.choice(self.focus) if self.rng.random() < FOCUS_SHARE else self._fresh_place()
            if name != avoid:
                break
        return name

    def date(self) -> str:
        day = self.rng.randint(1, 28)
        style = self.rng.random()
        if style < 0.5:
            return f"{self.rng.choice(MONTHS)} {day}"
        if style < 0.85:
            return f"{day} {self.rng.choice(MONTHS)}"
        return f"{self.rng.choice(MONTH_ABBREVIATIONS)} {day}"

    def number(self) -> str:
        if self.rng.random() < 0.5:
            return str(self.rng.randint(2, 90))
        return f"{self.rng.randint(1, 60) * 100:,}"

    def fill(self, template: str) -> tuple[str, list[str]]:
        """The template with every slot filled, and the place names written into it."""
        values: dict[str, str] = {}
        places: list[str] = []
        for slot in _SLOTS[template]:
            if slot in values:
                continue
            if slot in ("place", "place2"):
                values[slot] = self.place(avoid=values.get("place", ""))
                places.append(values[slot])
            elif slot == "country":
                values[slot] = self.rng.choice(self.pools.countries)
            elif slot == "date":
                values[slot] = self.date()
            elif slot == "weekday":
                values[slot] = self.rng.choice(WEEKDAYS)
            elif slot == "person":
                values[slot] = self.rng.choice(PEOPLE)
            elif slot == "org":
                values[slot] = self.rng.choice(ORGANISATIONS)
            elif slot == "outlet":
                values[slot] = self.rng.choice(OUTLETS)
            elif slot == "number":
                values[slot] = self.number()
            else:
                raise KeyError(f"unknown template slot {{{slot}}}")
        text = template.format_map(values)
        return text[0].upper() + text[1:], places


def make_article(k: int, *, pools: PlacePools, words: int = 900, seed: int = 0) -> Article:
    """Article number k of the corpus with this seed: a headline line, then paragraphs of 1-3 sentences.

    The text ends at the sentence boundary nearest its word target (``words`` ± 7 %), after at least
    one sentence.
    """
    rng = random.Random(f"crisis-map-bench:{seed}:{k}")
    writer = _ArticleWriter(rng, pools)
    title, places = writer.fill(rng.choice(TITLES))
    target = round(words * rng.uniform(1 - WORD_SPREAD, 1 + WORD_SPREAD))
    count = len(title.split())
    paragraphs: list[str] = []
    full = False
    while not full:
        paragraph: list[str] = []
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            sentence, named = writer.fill(rng.choice(SENTENCES))
            size = len(sentence.split())
            # stop where the count lands closest to the target
            full = count + size - target > target - count and bool(paragraphs or paragraph)
            if full:
                break
            paragraph.append(sentence)
            places.extend(named)
            count += size
        if paragraph:
            paragraphs.append(" ".join(paragraph))
    published = FIRST_DATE + dt.timedelta(days=rng.randrange((LAST_DATE - FIRST_DATE).days + 1))
    return {
        "id": f"bench-{seed}-{k:06d}",
        "title": title,
        "text": "\n\n".join((title, *paragraphs)) + "\n",
        "published": published.isoformat(),
        "source": rng.choice(OUTLETS),
        "places": places,
    }


def iter_articles(n: int, *, words: int = 900, seed: int = 0,
                  gazetteer: Gazetteer | None = None) -> Iterator[Article]:
    """Yield n articles one by one (for corpora too large to hold in memory).

    The gazetteer is loaded (``geo.gazetteer.load_gazetteer``) when none is given.
    """
    if n < 0 or words < 1:
        raise ValueError("n must be >= 0 and words >= 1")
    if gazetteer is None:
        from geo.gazetteer import load_gazetteer

        gazetteer = load_gazetteer()
    pools = build_pools(gazetteer)
    for k in range(n):
        yield make_article(k, pools=pools, words=words, seed=seed)


def generate_articles(n: int, *, words: int = 900, seed: int = 0,
                      gazetteer: Gazetteer | None = None) -> list[Article]:
    """n synthetic crisis-news articles of about ``words`` words each, the same for the same seed.

    Each is a JSONL-ready dict: ``id``, ``title``, ``text`` (headline line + paragraphs), ``published``
    (ISO date within 2021-11-01..2022-02-28), ``source`` (an outlet) and ``places`` (the place names
    written into the text, in order: a rough gold list, not every one of which is a place in context).
    """
    return list(iter_articles(n, words=words, seed=seed, gazetteer=gazetteer))


def default_corpus_path(n: int, *, words: int = 900, seed: int = 0) -> Path:
    """``bench/out/corpus-N.jsonl`` for the default words and seed, else ``corpus-N-wW-sS.jsonl``.

    >>> default_corpus_path(1000).name, default_corpus_path(10, words=50, seed=3).name
    ('corpus-1000.jsonl', 'corpus-10-w50-s3.jsonl')
    """
    suffix = "" if (words, seed) == (900, 0) else f"-w{words}-s{seed}"
    return OUT_DIR / f"corpus-{n}{suffix}.jsonl"


def write_jsonl(articles: Iterable[Article], path: Path) -> int:
    """Write articles as JSON Lines (UTF-8) through a temporary file; return how many were written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    count = 0
    with partial.open("w", encoding="utf-8") as handle:
        for article in articles:
            handle.write(json.dumps(article, ensure_ascii=False) + "\n")
            count += 1
    partial.replace(path)
    return count


def read_jsonl(path: Path) -> list[Article]:
    """Read a corpus written by `write_jsonl`."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.corpus",
                                     description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="number of articles (default 1000)")
    parser.add_argument("--words", type=int, default=900, help="words per article, ±7%% (default 900)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None,
                        help="JSONL file (default bench/out/corpus-N.jsonl)")
    args = parser.parse_args(argv)
    if args.n < 0 or args.words < 1:
        parser.error("--n must be >= 0 and --words >= 1")
    out = args.out or default_corpus_path(args.n, words=args.words, seed=args.seed)
    written = write_jsonl(iter_articles(args.n, words=args.words, seed=args.seed), out)
    print(f"bench.corpus: wrote {written} articles (~{args.words} words, seed {args.seed}) to {out}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
