"""The event date of a sentence: when what it reports happened, relative to the article's publication date.

The publication date is passed in; nothing here reads the clock. A sentence is scanned for date
expressions (`find_dates`), each resolved against the publication date, and one is chosen
(`choose_date`): the first calendar date with a day ("December 8", "30.11.2021", "Thursday, December 2"),
else the first other day ("on Sunday", "yesterday", "3 days ago"), else the first week ("last week"),
else the first month ("earlier this month", "in early December"). No expression: the publication date,
precision PUBLISHED.

Resolution rules, each a small named function with its own test rows:

    expression                         resolves to                                          precision
    "December 8", "8 Dec.", no year    the nearest year, a past date preferred: a future     DAY
                                       one must be FUTURE_WEIGHT times nearer (so up to ~10
                                       weeks ahead); with a future cue, the next one
                                       (`nearest_year`)
    "Jan. 26, 2022", "2021-11-30",     as written; numbers are day-first ("30.11.2021")      DAY
    "30.11.2021"                       unless only month-first is a date ("11/30/2021")
    "on Sunday", "Sunday's talks"      the latest such day on or before publication; the     DAY
                                       next one on or after when a future cue precedes it
                                       ("will", "is due", "scheduled"…); "last Sunday" is
                                       strictly before, "next Sunday" strictly after
                                       (`weekday_date`)
    "today", "yesterday", "last        publication date + offset from data/vocab/dates.toml  DAY
    night", "tomorrow"
    "3 days ago", "36 hours ago"       publication date - n days (hours: whole days)          DAY
    "this week", "last week",          Monday of that week                                   WEEK
    "2 weeks ago"
    "earlier this month", "last        first day of that month                               MONTH
    month", "November 2021"
    "in November", "in early           the latest such month, or the coming calendar month   MONTH
    December", "by mid-February"       (`nearest_month`)

False dates are kept out by the shapes themselves: a month name counts only with a day number, a year
or a preposition ("in/early/late/mid/since/by/until…"), and only capitalised, so "Putin may claim" and
"troops march" are not months; bare numbers ("1st Brigade", "100,000 troops", "S-400", "10-day
exercise"), bare years ("its 2014 invasion"), clock times and percentages match no shape. A date more
than HORIZON_DAYS from publication ("the annexation on March 18, 2014") is background, not the event,
and is skipped. Phrases that only look like dates ("Russia Today", "Sunday Times") are listed in
data/vocab/dates.toml.

Plain regex + datetime rather than dateparser: the shapes are few, the year and weekday policies above
are ours to choose (dateparser's PREFER_DATES_FROM is all-past or all-future), and this is exact and
takes tens of microseconds per sentence; dateparser is never called here.

>>> import datetime as dt
>>> date_sentence("Troops massed near Yelnya, Russia, on November 9.", dt.date(2022, 1, 26))
EventDate(date=datetime.date(2021, 11, 9), precision=<DatePrecision.DAY: 'day'>, cue='November 9')
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from geo.models import DatePrecision, EventDate
from geo.vocab_files import load_vocab_file

__all__ = [
    "FUTURE_GRACE_DAYS",
    "FUTURE_WEIGHT",
    "HORIZON_DAYS",
    "VOCABULARY_FILE",
    "DateExpression",
    "DateVocabulary",
    "MonthDirection",
    "choose_date",
    "date_sentence",
    "find_dates",
    "load_date_vocabulary",
    "nearest_month",
    "nearest_year",
    "parse_date_vocabulary",
    "points_forward",
    "weekday_date",
]

VOCABULARY_FILE = Path(__file__).resolve().parent.parent / "data" / "vocab" / "dates.toml"

FUTURE_GRACE_DAYS = 7  # with a future cue, a yearless date may still lie this far before publication
FUTURE_WEIGHT = 4  # a future yearless date must be this many times nearer than the past one to win
HORIZON_DAYS = 400  # dates further from publication are background ("since 2014"), not the event
CUE_WINDOW = 150  # characters before a date expression searched for a future cue (within its clause)

# Tiers of `choose_date`, best first.
TIER_CALENDAR, TIER_DAY, TIER_WEEK, TIER_MONTH = 0, 1, 2, 3

# --- the calendar (code, not vocabulary: it does not change) ---------------------------------------

_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December")
_MONTH_ABBREVIATIONS = {"Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "Jun": 6, "Jul": 7, "Aug": 8, "Sep": 9,
                        "Sept": 9, "Oct": 10, "Nov": 11, "Dec": 12}
_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS: Mapping[str, int] = {
    **{name.lower(): number for number, name in enumerate(_MONTH_NAMES, start=1)},
    **{name.lower(): number for name, number in _MONTH_ABBREVIATIONS.items()},
}
WEEKDAYS: Mapping[str, int] = {name.lower(): number for number, name in enumerate(_WEEKDAY_NAMES)}
NUMBER_WORDS: Mapping[str, int] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}


def _names(names: Sequence[str]) -> str:
    """Capitalised or upper-case names, longest first: case is what tells "May" from "may"."""
    variants = sorted({v for name in names for v in (name, name.upper())}, key=len, reverse=True)
    return "|".join(variants)


_FULL_MONTH = rf"(?:{_names(_MONTH_NAMES)})\b"
_ANY_MONTH = rf"(?:(?:{_names(_MONTH_NAMES)})\b|(?:{_names(list(_MONTH_ABBREVIATIONS))})\b\.?)"
_WEEKDAY = rf"(?:{_names(_WEEKDAY_NAMES)})\b"
_YEAR = r"(?:19|20)\d\d"
_DAY = r"[0-3]?\d"
_WEEKDAY_PREFIX = rf"(?:(?P<wd>{_WEEKDAY}),?\s+(?:the\s+)?)?"
_NOT_A_QUANTITY = r"(?![.,]?\d|\s*(?:%|(?i:per\s?cent|km|kilomet|miles?)\b))"

_MONTH_DAY = re.compile(
    rf"{_WEEKDAY_PREFIX}(?P<m>{_ANY_MONTH})\s+(?P<d>{_DAY})(?:st|nd|rd|th)?\b"
    rf"(?:,?\s+(?P<y>{_YEAR})\b)?{_NOT_A_QUANTITY}")
_DAY_MONTH = re.compile(
    rf"(?<![\w,.\-/]){_WEEKDAY_PREFIX}(?P<d>{_DAY})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m>{_ANY_MONTH})"
    rf"(?:,?\s+(?P<y>{_YEAR})\b)?")
_ISO_DATE = re.compile(rf"(?<![\w\-.])(?P<y>{_YEAR})-(?P<m>[01]\d)-(?P<d>[0-3]\d)(?![\d\-])")
_NUMERIC_DATE = re.compile(
    rf"(?<![\w.,/\-])(?P<d>{_DAY})(?P<sep>[./])(?P<m>{_DAY})(?P=sep)(?P<y>{_YEAR})(?!\w|[./,]\d)")
_MONTH_PREFIXES = ("the end of", "the start of", "the beginning of", "the middle of", "end of",
                   "start of", "beginning of", "middle of", "early", "late", "mid", "in", "since", "by",
                   "until", "till", "from", "during", "throughout", "through", "before", "after", "last",
                   "next", "this")
_MONTH_ONLY = re.compile(
    r"(?<![\w\-])(?:(?P<pre>(?i:(?:" + "|".join(p.replace(" ", r"\s+") for p in _MONTH_PREFIXES)
    + r")(?:\s+(?:early|late|mid))?))[\s\-]+)?"
    rf"(?P<m>{_FULL_MONTH})(?:,?\s+(?P<y>{_YEAR})\b)?(?!\.?\s+{_DAY}(?:st|nd|rd|th)?\b)")
_WEEKDAY_ONLY = re.compile(rf"(?<![\w\-])(?:(?P<mod>(?i:last|past|next|coming|this))\s+)?(?P<wd>{_WEEKDAY})")
_AGO = re.compile(
    r"\b(?P<n>\d{1,3}|" + "|".join(NUMBER_WORDS) + r")\s+(?P<unit>hour|day|week|month)s?\s+ago\b",
    re.IGNORECASE)
# Cheap tests that let a sentence skip the patterns that cannot match it (most sentences have no date).
_MONTH_HINT = re.compile(r"\b(?:" + "|".join(f"{n[:3]}|{n[:3].upper()}" for n in _MONTH_NAMES) + ")")
_DIGIT_HINT = re.compile(r"\d")
_AGO_HINT = re.compile(r"ago\b", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r"[,;:()\[\]—–]|\s-\s")
_SENTENCE_OPENERS = frozenset({"", "on", "by", "from", "until", "since", "as of", "and", "but"})


# --- vocabulary (data/vocab/dates.toml) --------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class DateVocabulary:
    """Relative-date words with their offsets, future cues and look-alike phrases, compiled once."""

    relative_days: Mapping[str, int]
    relative_weeks: Mapping[str, int]
    relative_months: Mapping[str, int]
    future: tuple[str, ...]
    past_markers: tuple[str, ...]
    not_dates: tuple[str, ...]
    relative_pattern: re.Pattern[str]
    future_pattern: re.Pattern[str]
    past_marker_pattern: re.Pattern[str]
    not_date_pattern: re.Pattern[str] | None
    # the last word of each relative phrase, for a quick test (`_may_hold`) before the pattern
    relative_words: tuple[str, ...] | None


def _phrase_pattern(phrases: Sequence[str]) -> str:
    ordered = sorted(phrases, key=len, reverse=True)  # longest first: "the day before yesterday"
    return "|".join(re.escape(p).replace(r"\ ", r"\s+").replace("'", "['’]") for p in ordered)


def parse_date_vocabulary(table: Mapping[str, Any]) -> DateVocabulary:
    """Build a DateVocabulary from the parsed TOML table (see data/vocab/dates.toml for the layout).

    >>> vocab = parse_date_vocabulary({"relative_days": {"yesterday": -1}, "cues": {"future": ["will"]}})
    >>> vocab.relative_days["yesterday"], bool(vocab.future_pattern.search("talks will resume"))
    (-1, True)
    """
    def offsets(section: str) -> dict[str, int]:
        raw = table.get(section, {})
        if not isinstance(raw, Mapping):
            raise ValueError(f"[{section}] must be a table of phrase = offset")
        result = {}
        for phrase, offset in raw.items():
            if not isinstance(offset, int) or isinstance(offset, bool) or not str(phrase).strip():
                raise ValueError(f"[{section}] {phrase!r} needs an integer offset")
            result[" ".join(str(phrase).lower().split())] = offset
        return result

    days, weeks, months = offsets("relative_days"), offsets("relative_weeks"), offsets("relative_months")
    shared = (days.keys() & weeks.keys()) | (days.keys() & months.keys()) | (weeks.keys() & months.keys())
    if shared:
        raise ValueError(f"phrases listed in two relative sections: {sorted(shared)}")
    cues = table.get("cues", {})
    future = tuple(str(c).lower() for c in cues.get("future", ()))
    past_markers = tuple(str(c).lower() for c in cues.get("past_markers", ()))
    not_dates = tuple(str(p) for p in cues.get("not_dates", ()))
    relative = [*days, *weeks, *months]
    return DateVocabulary(
        relative_days=days, relative_weeks=weeks, relative_months=months, future=future,
        past_markers=past_markers, not_dates=not_dates,
        relative_pattern=re.compile(rf"(?<![\w\-])(?:{_phrase_pattern(relative)})\b" if relative
                                    else r"(?!)", re.IGNORECASE),
        # a cue word used as a noun ("the end of the drills") says nothing about tense
        future_pattern=re.compile(rf"(?<!the )(?<![\w'’])(?:{_phrase_pattern(future)})\b(?!\s+of\b)"
                                  if future else r"(?!)", re.IGNORECASE),
        # "was originally set to", "had planned": a past marker within the two words before a cue
        past_marker_pattern=re.compile(rf"\b(?:{_phrase_pattern(past_markers)})\s+(?:\w+\s+)?$"
                                       if past_markers else r"(?!)", re.IGNORECASE),
        not_date_pattern=re.compile(rf"\b(?:{_phrase_pattern(not_dates)})\b") if not_dates else None,
        relative_words=_hint_words(relative),
    )


def _hint_words(phrases: Sequence[str]) -> tuple[str, ...] | None:
    """The last word of each phrase, for `_may_hold`; None if one is not ASCII (see there why)."""
    words = tuple(sorted({phrase.split()[-1] for phrase in phrases if phrase.split()}))
    return words if all(word.isascii() for word in words) else None


def _may_hold(lowered: str | None, words: tuple[str, ...] | None) -> bool:
    """False only when a case-insensitive pattern that needs one of `words` cannot match the sentence:
    it is ASCII (`lowered` is then its lower case, else None) and holds none of them. A few substring
    tests cost a fraction of such a pattern, which most sentences do not match.

    Only ASCII text is tested so: re.IGNORECASE also pairs 'ſ' with 's' and 'İ'/'ı' with 'i', which
    `str.lower` does not; within ASCII the two agree.
    """
    if lowered is None or words is None:
        return True
    return any(word in lowered for word in words)


def load_date_vocabulary(path: Path | None = None) -> DateVocabulary:
    """Read the date vocabulary, data/vocab/dates.toml by default (cached per file).

    >>> load_date_vocabulary() is load_date_vocabulary(VOCABULARY_FILE)
    True
    """
    return _load_date_vocabulary(VOCABULARY_FILE if path is None else Path(path).resolve())


def _load_date_vocabulary(path: Path) -> DateVocabulary:
    return load_vocab_file(path, parse_date_vocabulary)


# --- resolution policies -------------------------------------------------------------------------

def nearest_year(month: int, day: int, published: dt.date, *, forward: bool = False) -> dt.date | None:
    """The date of a yearless day-and-month, in the year that puts it nearest to publication.

    News reports the past, so the past is preferred: a future candidate wins only when it is
    FUTURE_WEIGHT times nearer than the past one, i.e. up to about ten weeks ahead ("the Olympics are
    beginning on February 4th", "staff ordered home by January 31", written in December). With
    `forward` (a future cue), the earliest candidate at most FUTURE_GRACE_DAYS before publication.

    >>> nearest_year(12, 8, dt.date(2022, 1, 26))
    datetime.date(2021, 12, 8)
    >>> nearest_year(2, 4, dt.date(2022, 1, 26))
    datetime.date(2022, 2, 4)
    >>> nearest_year(5, 10, dt.date(2022, 1, 26)), nearest_year(5, 10, dt.date(2022, 1, 26), forward=True)
    (datetime.date(2021, 5, 10), datetime.date(2022, 5, 10))
    """
    candidates = [d for year in (published.year - 1, published.year, published.year + 1)
                  if (d := _safe_date(year, month, day))]
    if forward:
        grace = dt.timedelta(days=FUTURE_GRACE_DAYS)
        return min((d for d in candidates if d >= published - grace), default=None)

    def weighted_distance(d: dt.date) -> tuple[int, bool]:
        days = (d - published).days
        return (days * FUTURE_WEIGHT if days > 0 else -days), days > 0

    return min(candidates, key=weighted_distance, default=None)


MonthDirection = Literal["nearest", "past", "future"]


def nearest_month(month: int, published: dt.date, *, direction: MonthDirection = "nearest",
                  strict: bool = False) -> dt.date:
    """The first day of the named month nearest to the publication month.

    "past": the publication month or before; "future": the publication month or after; "nearest": the
    past, except that the coming calendar month is taken as upcoming ("an invasion by mid-February",
    written in January). `strict` excludes the publication month itself ("last December" written in
    December).

    >>> published = dt.date(2022, 1, 26)
    >>> nearest_month(11, published), nearest_month(1, published), nearest_month(2, published)
    (datetime.date(2021, 11, 1), datetime.date(2022, 1, 1), datetime.date(2022, 2, 1))
    >>> nearest_month(2, published, direction="past"), nearest_month(3, published, direction="future")
    (datetime.date(2021, 2, 1), datetime.date(2022, 3, 1))
    """
    this_month = published.replace(day=1)
    if direction == "nearest":
        coming = _add_months(this_month, 1)
        if coming.month == month and not strict:
            return coming
        direction = "past"
    candidate = dt.date(published.year, month, 1)
    if direction == "future":
        if candidate < this_month or (strict and candidate == this_month):
            candidate = candidate.replace(year=published.year + 1)
    elif candidate > this_month or (strict and candidate == this_month):
        candidate = candidate.replace(year=published.year - 1)
    return candidate


def weekday_date(weekday: int, published: dt.date, *, forward: bool = False, strict: bool = False) -> dt.date:
    """The latest `weekday` (0 = Monday) on or before publication, or the next on or after if `forward`.

    `strict` excludes the publication day itself ("last Sunday" written on a Sunday is a week back).

    >>> weekday_date(6, dt.date(2022, 2, 20))  # "on Sunday", published Sunday
    datetime.date(2022, 2, 20)
    >>> weekday_date(2, dt.date(2021, 12, 2))  # "on Wednesday", published Thursday
    datetime.date(2021, 12, 1)
    >>> weekday_date(0, dt.date(2021, 12, 2), forward=True)  # "will meet on Monday"
    datetime.date(2021, 12, 6)
    """
    if forward:
        ahead = (weekday - published.weekday()) % 7
        return published + dt.timedelta(days=ahead or (7 if strict else 0))
    back = (published.weekday() - weekday) % 7
    return published - dt.timedelta(days=back or (7 if strict else 0))


def _fold(matched: str) -> str:
    """The table key of a matched word. The patterns match case-insensitively in Unicode, where "ſ" is an
    "s", "K" (Kelvin) a "k" and "İ" an "i"; folding the same way keeps every match a key.

    >>> _fold("Yeſterday"), _fold("MONDAY"), _fold("Apr")
    ('yesterday', 'monday', 'apr')
    """
    decomposed = unicodedata.normalize("NFKD", matched.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _add_months(first: dt.date, months: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


# --- finding expressions -----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class DateExpression:
    """One date expression in a sentence: sentence[start:end] == date.cue, resolved, with its tier."""

    start: int
    end: int
    date: EventDate
    tier: int


def points_forward(sentence: str, start: int, end: int, vocabulary: DateVocabulary) -> bool:
    """Whether a future cue governs the date expression at sentence[start:end].

    The cue must be in the expression's own clause, before it; or just after it when the expression opens
    the sentence or is possessive ("Monday's talks will…").

    >>> v = load_date_vocabulary()
    >>> s = "Drills that began on Thursday will end on Sunday"
    >>> points_forward(s, 21, 29, v), points_forward(s, 42, 48, v)
    (False, True)
    """
    before = sentence[max(0, start - CUE_WINDOW):start]
    breaks = list(_CLAUSE_BREAK.finditer(before))
    if breaks:
        before = before[breaks[-1].end():]
    if _has_future_cue(before, vocabulary):
        return True
    possessive = sentence.startswith(("'s", "’s"), end)
    opens = " ".join(sentence[:start].split()).lower() in _SENTENCE_OPENERS
    if not (possessive or opens):
        return False
    after = sentence[end:end + CUE_WINDOW].lstrip("'’s,; ")
    found = _CLAUSE_BREAK.search(after)
    return _has_future_cue(after[:found.start()] if found else after, vocabulary)


def _has_future_cue(clause: str, vocabulary: DateVocabulary) -> bool:
    return any(not vocabulary.past_marker_pattern.search(clause, 0, cue.start())
               for cue in vocabulary.future_pattern.finditer(clause))


def find_dates(sentence: str, published: dt.date, *,
               vocabulary: DateVocabulary | None = None) -> list[DateExpression]:
    """Every date expression of a sentence, resolved against `published`, in text order, not overlapping.

    Where two expressions overlap the longer wins ("Thursday, December 2" over "Thursday"). Expressions
    inside a look-alike phrase ("Sunday Times") and dates beyond HORIZON_DAYS are left out.

    >>> [e.date.cue for e in find_dates("Blinken warned on Wednesday, a day after talks on Dec. 1.",
    ...                                  dt.date(2021, 12, 2))]
    ['Wednesday', 'Dec. 1']
    """
    vocab = vocabulary if vocabulary is not None else _load_date_vocabulary(VOCABULARY_FILE)
    found = sorted(_candidates(sentence, published, vocab), key=lambda e: (e.start, -e.end))
    if not found:
        return []
    blocked = ([(m.start(), m.end()) for m in vocab.not_date_pattern.finditer(sentence)]
               if vocab.not_date_pattern is not None else [])
    horizon = dt.timedelta(days=HORIZON_DAYS)
    longest: list[DateExpression] = []
    for expr in found:
        if not longest or expr.start >= longest[-1].end:
            longest.append(expr)
    # filtered after the overlaps are settled: "Tuesday" in "Tuesday, 19 Nov 2024" goes with its date
    return [expr for expr in longest
            if abs(expr.date.date - published) <= horizon
            and not any(s < expr.end and expr.start < e for s, e in blocked)]


def _candidates(sentence: str, published: dt.date, vocab: DateVocabulary) -> Iterator[DateExpression]:
    def expression(match: re.Match[str], date: dt.date | None, precision: DatePrecision,
                   tier: int, start: int | None = None) -> Iterator[DateExpression]:
        if date is not None:
            begin = match.start() if start is None else start
            yield DateExpression(begin, match.end(), EventDate(date, precision, sentence[begin:match.end()]),
                                 tier)

    day, week, month = DatePrecision.DAY, DatePrecision.WEEK, DatePrecision.MONTH
    lowered = sentence.lower() if sentence.isascii() else None  # for `_may_hold`
    has_month, has_digit = bool(_MONTH_HINT.search(sentence)), bool(_DIGIT_HINT.search(sentence))
    for pattern in (_MONTH_DAY, _DAY_MONTH) if has_month and has_digit else ():
        for m in pattern.finditer(sentence):
            number, day_of_month = MONTHS[_fold(m["m"].rstrip("."))], int(m["d"])
            if m["y"]:
                date = _safe_date(int(m["y"]), number, day_of_month)
            else:
                date = nearest_year(number, day_of_month, published,
                                    forward=points_forward(sentence, m.start(), m.end(), vocab))
            yield from expression(m, date, day, TIER_CALENDAR)
    # both all-number shapes hold a year (19xx or 20xx) and their separators: cheap tests first
    has_year = has_digit and ("19" in sentence or "20" in sentence)
    for m in _ISO_DATE.finditer(sentence) if has_year and "-" in sentence else ():
        yield from expression(m, _safe_date(int(m["y"]), int(m["m"]), int(m["d"])), day, TIER_CALENDAR)
    for m in _NUMERIC_DATE.finditer(sentence) if has_year and ("." in sentence or "/" in sentence) else ():
        first, second, year = int(m["d"]), int(m["m"]), int(m["y"])
        # day-first (European and ISO-adjacent usage); month-first only when day-first is impossible
        date = _safe_date(year, second, first) or _safe_date(year, first, second)
        yield from expression(m, date, day, TIER_CALENDAR)
    for m in _MONTH_ONLY.finditer(sentence) if has_month else ():
        pre = " ".join(_fold(m["pre"] or "").split())
        number = MONTHS[_fold(m["m"])]
        if m["y"]:
            yield from expression(m, dt.date(int(m["y"]), number, 1), month, TIER_MONTH)
        elif pre:
            direction: MonthDirection = "nearest"
            if pre.startswith(("last", "since")):
                direction = "past"
            elif pre == "next" or points_forward(sentence, m.start(), m.end(), vocab):
                direction = "future"
            date = nearest_month(number, published, direction=direction, strict=pre in ("last", "next"))
            yield from expression(m, date, month, TIER_MONTH)
    for m in _WEEKDAY_ONLY.finditer(sentence) if "day" in sentence or "DAY" in sentence else ():
        mod = _fold(m["mod"] or "")
        weekday = WEEKDAYS[_fold(m["wd"])]
        if mod in ("last", "past"):
            date = weekday_date(weekday, published, strict=True)
        elif mod in ("next", "coming"):
            date = weekday_date(weekday, published, forward=True, strict=True)
        else:
            date = weekday_date(weekday, published,
                                forward=points_forward(sentence, m.start(), m.end(), vocab))
        yield from expression(m, date, day, TIER_DAY, start=m.start() if mod else m.start("wd"))
    for m in vocab.relative_pattern.finditer(sentence) if _may_hold(lowered, vocab.relative_words) else ():
        phrase = " ".join(_fold(m.group()).split())
        if phrase in vocab.relative_days:
            date = published + dt.timedelta(days=vocab.relative_days[phrase])
            yield from expression(m, date, day, TIER_DAY)
        elif phrase in vocab.relative_weeks:
            date = _monday(published) + dt.timedelta(weeks=vocab.relative_weeks[phrase])
            yield from expression(m, date, week, TIER_WEEK)
        else:
            date = _add_months(published.replace(day=1), vocab.relative_months[phrase])
            yield from expression(m, date, month, TIER_MONTH)
    for m in _AGO.finditer(sentence) if _may_hold(lowered, ("ago",)) and _AGO_HINT.search(sentence) else ():
        raw = _fold(m["n"])
        n = int(raw) if raw.isdigit() else NUMBER_WORDS[raw]
        unit = _fold(m["unit"])
        if unit == "hour":
            yield from expression(m, published - dt.timedelta(days=n // 24), day, TIER_DAY)
        elif unit == "day":
            yield from expression(m, published - dt.timedelta(days=n), day, TIER_DAY)
        elif unit == "week":
            yield from expression(m, _monday(published - dt.timedelta(weeks=n)), week, TIER_WEEK)
        else:
            yield from expression(m, _add_months(published.replace(day=1), -n), month, TIER_MONTH)


# --- the policy ----------------------------------------------------------------------------------------

def choose_date(expressions: Sequence[DateExpression]) -> DateExpression | None:
    """The expression that dates the sentence: the best tier, then the first in the text.

    Tiers, best first: a calendar date with a day, another day (weekday, "yesterday"), a week, a month.
    A calendar date beats an earlier weekday because it is what the reporter pinned down: in "Russia
    said on Tuesday that the drills began on February 10" the drills' place belongs to February 10.

    >>> published = dt.date(2022, 2, 20)
    >>> choose_date(find_dates("Russia said on Tuesday the drills began on February 10.", published)).date.cue
    'February 10'
    >>> choose_date([]) is None
    True
    """
    return min(expressions, key=lambda e: (e.tier, e.start), default=None)


def date_sentence(sentence: str, published: dt.date, *,
                  vocabulary: DateVocabulary | None = None) -> EventDate:
    """The event date of what a sentence reports; the publication date (PUBLISHED, cue '') if it names none.

    >>> date_sentence("Incursions into Poland last night.", dt.date(2021, 11, 14))
    EventDate(date=datetime.date(2021, 11, 13), precision=<DatePrecision.DAY: 'day'>, cue='last night')
    >>> date_sentence("He said Putin may claim provocation.", dt.date(2021, 12, 2)).precision
    <DatePrecision.PUBLISHED: 'published'>
    """
    chosen = choose_date(find_dates(sentence, published, vocabulary=vocabulary))
    return chosen.date if chosen is not None else EventDate(published, DatePrecision.PUBLISHED, "")
