"""Publication-date inference: when was an article written, judging only from its text?

Used by `geo.articles` when no metadata (manifest, front matter, HTML, JSONL) gives a date. Kept apart
because it is a self-contained policy with its own regexes and test table: take a standalone date line
near the top, else the latest full date in the text, and warn when the header date looks like a
republication stamp. Pure and clock-free: nothing here knows today's date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

__all__ = ["DISAGREEMENT_DAYS", "HEADER_LINES", "DateInference", "infer_published"]

HEADER_LINES = 10  # a date line counts as the header date only among the first non-empty lines
DISAGREEMENT_DAYS = 60

# Plain regex + datetime rather than dateparser: the shapes are few, and this is exact, fast on whole
# texts and independent of any clock.

_MONTHS = {name: number for number, names in enumerate(
    ("jan january", "feb february", "mar march", "apr april", "may", "jun june", "jul july",
     "aug august", "sep sept september", "oct october", "nov november", "dec december"), start=1)
    for name in names.split()}
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_YEAR = r"(?:19|20)\d\d"
_FULL_DATE = re.compile(
    rf"\b(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m1>{_MONTH}),?\s+(?P<y1>{_YEAR})"
    rf"|(?P<m2>{_MONTH})\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y2>{_YEAR})"
    rf"|(?P<y3>{_YEAR})-(?P<m3>\d\d)-(?P<d3>\d\d)"
    rf"|(?P<d4>\d{{1,2}})(?P<sep>[./])(?P<m4>\d{{1,2}})(?P=sep)(?P<y4>{_YEAR}))\b",
    re.IGNORECASE)
_DATE_LINE_HEAD = re.compile(
    r"(?:(?:published|updated|last updated|posted|date)\s*:?\s*(?:on\s+)?)?"
    r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s*)?", re.IGNORECASE)
_DATE_LINE_TAIL = re.compile(
    r"(?:[T\s,]*(?:at\s+)?\d{1,2}[:.]\d\d(?:[:.]\d\d(?:\.\d+)?)?\s*(?:[aApP]\.?[mM]\.?)?)?"
    r"\s*(?:Z|\(?(?:[A-Z]{2,5}|UTC|GMT)?\s*(?:[+-]\d\d?(?::?\d\d)?)?\)?)?\s*\.?")
# Bare years that place the writer in time ("clashes increased throughout 2021"); historical years
# ("since 2014", "Georgia in 2008") say nothing about when the article was written, so they are ignored.
_PRESENT_YEAR = re.compile(
    rf"\b(?:throughout|so far in|(?:earlier|later) in|all of|(?:for )?most of|the (?:rest|end|start|"
    rf"beginning) of)\s+(?P<year>{_YEAR})\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class DateInference:
    """A publication date guessed from the text, what it rests on, and any doubt about it."""

    date: dt.date | None
    evidence: str
    warnings: tuple[str, ...] = ()


def infer_published(text: str) -> DateInference:
    """Guess when an article was published from a date line near its top, else its latest full date.

    A header date is checked against the text: if the latest full date in the body is over
    `DISAGREEMENT_DAYS` older, or the body speaks of a year ("throughout 2021") at least two years
    older, the header is probably a republication stamp and a warning says so.

    >>> infer_published("Putin warns Nato\\n\\n30.11.2021\\n\\nTroops massed on Tuesday.").date
    datetime.date(2021, 11, 30)
    >>> infer_published("Drills began on February 10, 2022 and end Sunday.").evidence
    'latest full date in text'
    """
    header = _header_date(text)
    body_dates = [date for match in _FULL_DATE.finditer(text)
                  if (date := _match_date(match)) and not (header and header[2] <= match.start() < header[3])]
    if header is None:
        if body_dates:
            return DateInference(max(body_dates), "latest full date in text")
        return DateInference(None, "no date found")
    date, line = header[0], header[1]
    latest: str | None = None
    if body_dates and (date - max(body_dates)).days > DISAGREEMENT_DAYS:
        latest = max(body_dates).isoformat()
    years = [int(match.group("year")) for match in _PRESENT_YEAR.finditer(text)]
    if not body_dates and years and date.year - max(years) >= 2:
        latest = str(max(years))
    warnings = () if latest is None else (
        f"header date {date.isoformat()} disagrees with dates in the text (latest {latest}); "
        "check the publication date",)
    return DateInference(date, f"date line {line!r} near the top", warnings)


def _header_date(text: str) -> tuple[dt.date, str, int, int] | None:
    """The first standalone date line among the first `HEADER_LINES` non-empty lines: date, line, span."""
    offset, seen = 0, 0
    for line in text.split("\n"):
        start, offset = offset, offset + len(line) + 1
        stripped = line.strip()
        if not stripped:
            continue
        seen += 1
        if seen > HEADER_LINES:
            return None
        match = _FULL_DATE.search(stripped) if len(stripped) <= 80 else None
        if (match and _DATE_LINE_HEAD.fullmatch(stripped[:match.start()])
                and _DATE_LINE_TAIL.fullmatch(stripped[match.end():])
                and (date := _match_date(match))):
            return date, stripped, start, start + len(line)
    return None


def _match_date(match: re.Match[str]) -> dt.date | None:
    """The date a `_FULL_DATE` match names; day-first for numeric dates unless only month-first fits."""
    groups = match.groupdict()
    for i in "1234":
        if groups[f"y{i}"]:
            month_text, day, year = groups[f"m{i}"], int(groups[f"d{i}"]), int(groups[f"y{i}"])
            break
    else:
        return None
    month = int(month_text) if month_text.isdigit() else _MONTHS[month_text.rstrip(".").lower()]
    if i == "4" and month > 12 >= day:
        day, month = month, day
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None
