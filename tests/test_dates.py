"""Event dates of sentences: a table of cases per rule, false-date guards, the vocabulary file, invariants."""

from __future__ import annotations

import datetime as dt
import itertools
import tomllib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.dates import (
    HORIZON_DAYS,
    VOCABULARY_FILE,
    MonthDirection,
    choose_date,
    date_sentence,
    find_dates,
    load_date_vocabulary,
    nearest_month,
    nearest_year,
    parse_date_vocabulary,
    weekday_date,
)
from geo.models import DatePrecision, EventDate

D = dt.date
DAY, WEEK, MONTH, PUB = DatePrecision.DAY, DatePrecision.WEEK, DatePrecision.MONTH, DatePrecision.PUBLISHED

JAN26 = D(2022, 1, 26)  # a Wednesday
FEB20 = D(2022, 2, 20)  # a Sunday
DEC02 = D(2021, 12, 2)  # a Thursday
NOV14 = D(2021, 11, 14)  # a Sunday
NOV30 = D(2021, 11, 30)  # a Tuesday

# sentence, published, expected date, precision, expected cue (None: not checked)
CASES = [
    # --- real sentences from the seed articles
    ("Ukrainian soldiers walk in a trench along the front line in Avdiika, Ukraine, on Thursday, December 2.",
     JAN26, D(2021, 12, 2), DAY, "Thursday, December 2"),
    ("A Ukrainian soldier stands in a trench on the line of separation near Marinka, Ukraine, on December 8",
     JAN26, D(2021, 12, 8), DAY, "December 8"),
    ("Russian military vehicles near Yelna, Russia, on November 9", JAN26, D(2021, 11, 9), DAY, "November 9"),
    ("Belarusian officials said the large-scale joint drills end on Sunday", FEB20, D(2022, 2, 20), DAY,
     "Sunday"),
    ("The 10-day exercise, which began on February 10, is taking place in Belarus", FEB20, D(2022, 2, 10),
     DAY, "February 10"),
    ("Putin warns Nato 30.11.2021", NOV30, D(2021, 11, 30), DAY, "30.11.2021"),
    ("US Secretary of State Antony Blinken warned on Wednesday that Russia has plans for an attack",
     DEC02, D(2021, 12, 1), DAY, "Wednesday"),
    ("He said Putin may claim provocation to justify an attack", DEC02, DEC02, PUB, ""),
    ("Russia has massed 100,000 troops near the border", DEC02, DEC02, PUB, ""),
    ("Belarusian forces made incursions into Poland last night", NOV14, D(2021, 11, 13), DAY, "last night"),
    ("Russia moved troops closer to the border earlier this month", NOV14, D(2021, 11, 1), MONTH,
     "earlier this month"),
    # --- explicit calendar dates
    ("Talks began on 8 December in Geneva", JAN26, D(2021, 12, 8), DAY, "8 December"),
    ("Talks began on Dec. 8 in Geneva", JAN26, D(2021, 12, 8), DAY, "Dec. 8"),
    ("Drills started Sept. 14", D(2021, 9, 20), D(2021, 9, 14), DAY, "Sept. 14"),
    ("Talks began on the 8th of December", JAN26, D(2021, 12, 8), DAY, "8th of December"),
    ("The report was dated Jan. 26, 2022.", D(2022, 2, 1), D(2022, 1, 26), DAY, "Jan. 26, 2022"),
    ("The report was dated January 26 2022", D(2022, 2, 1), D(2022, 1, 26), DAY, "January 26 2022"),
    ("The report was dated 26 January 2022", D(2022, 2, 1), D(2022, 1, 26), DAY, "26 January 2022"),
    ("Posted 2021-11-30 by the ministry", NOV30, D(2021, 11, 30), DAY, "2021-11-30"),
    ("Updated 2021-11-30T10:00Z", NOV30, D(2021, 11, 30), DAY, "2021-11-30"),
    ("Signed 11/30/2021 in Minsk", D(2021, 12, 5), D(2021, 11, 30), DAY, "11/30/2021"),
    ("Signed 01/12/2021 in Minsk", D(2021, 12, 5), D(2021, 12, 1), DAY, "01/12/2021"),  # day-first
    ("Victory Day parade on May 9", D(2021, 5, 10), D(2021, 5, 9), DAY, "May 9"),
    ("It happened on DECEMBER 8", JAN26, D(2021, 12, 8), DAY, "DECEMBER 8"),
    ("Fighting flared on December 8-9", JAN26, D(2021, 12, 8), DAY, "December 8"),
    ("On Thursday 2 December troops moved", JAN26, D(2021, 12, 2), DAY, "Thursday 2 December"),
    ("Drills in the Rostov region on Tuesday, 14 December.", JAN26, D(2021, 12, 14), DAY,
     "Tuesday, 14 December"),
    ("Troops in Crimea on Tuesday January 18.", JAN26, D(2022, 1, 18), DAY, "Tuesday January 18"),
    # --- the year of a yearless date
    ("Talks on January 10 in Geneva", D(2022, 1, 8), D(2022, 1, 10), DAY, "January 10"),  # within grace
    ("Talks on January 20 in Geneva", D(2022, 1, 8), D(2022, 1, 20), DAY, "January 20"),  # 12 days ahead
    ("Clashes on March 30 in Donbas", D(2022, 1, 8), D(2021, 3, 30), DAY, "March 30"),  # 81 days ahead
    ("The Olympics are beginning on February 4th", JAN26, D(2022, 2, 4), DAY, "February 4th"),
    ("Staff were ordered to fly home by January 31", DEC02, D(2022, 1, 31), DAY, "January 31"),
    ("Talks will be held on May 10", JAN26, D(2022, 5, 10), DAY, "May 10"),
    ("Talks were held on May 10", JAN26, D(2021, 5, 10), DAY, "May 10"),
    ("Talks will be held on January 20 in Geneva", D(2022, 1, 8), D(2022, 1, 20), DAY, "January 20"),
    ("Talks are scheduled for February 10", JAN26, D(2022, 2, 10), DAY, "February 10"),
    ("Clashes on December 30", D(2022, 1, 2), D(2021, 12, 30), DAY, "December 30"),
    ("Talks on January 3", D(2021, 12, 30), D(2022, 1, 3), DAY, "January 3"),
    ("A leap day on February 29", D(2022, 3, 1), D(2022, 3, 1), PUB, ""),  # no leap year near 2022
    ("A leap day on February 29", D(2024, 3, 1), D(2024, 2, 29), DAY, "February 29"),
    # --- weekdays
    ("The drills end on Sunday", D(2022, 2, 17), D(2022, 2, 20), DAY, "Sunday"),  # present = scheduled
    ("The drills ended on Sunday", D(2022, 2, 17), D(2022, 2, 13), DAY, "Sunday"),
    ("Shelling was reported on Thursday", DEC02, DEC02, DAY, "Thursday"),  # the publication day
    ("Shelling was reported last Thursday", DEC02, D(2021, 11, 25), DAY, "last Thursday"),
    ("Shelling was reported last Tuesday", DEC02, D(2021, 11, 30), DAY, "last Tuesday"),
    ("Shelling was reported this past Monday", DEC02, D(2021, 11, 29), DAY, "past Monday"),
    ("Sunday's talks in Geneva ended without agreement", JAN26, D(2022, 1, 23), DAY, "Sunday"),
    ("Monday's talks will be held in Geneva", JAN26, D(2022, 1, 31), DAY, "Monday"),
    ("Blinken will meet Lavrov on Friday", JAN26, D(2022, 1, 28), DAY, "Friday"),
    ("Blinken is due to meet Lavrov on Friday", JAN26, D(2022, 1, 28), DAY, "Friday"),
    ("Blinken is set to meet Lavrov on Wednesday", JAN26, JAN26, DAY, "Wednesday"),
    ("Denmark has said it will deploy four F-16 fighter jets to a nearby Lithuanian airbase in Siauliai on "
     "Thursday.", JAN26, D(2022, 1, 27), DAY, "Thursday"),
    ("Russia had planned drills on Sunday", FEB20, FEB20, DAY, "Sunday"),
    ("Russia had planned drills on Saturday", FEB20, D(2022, 2, 19), DAY, "Saturday"),
    ("Talks are scheduled for next Wednesday", JAN26, D(2022, 2, 2), DAY, "next Wednesday"),
    ("On Friday, Blinken will travel to Kyiv", JAN26, D(2022, 1, 28), DAY, "Friday"),
    ("On Friday, Blinken travelled to Kyiv", JAN26, D(2022, 1, 21), DAY, "Friday"),
    ("Drills that began on Monday will end on Sunday", D(2022, 2, 17), D(2022, 2, 14), DAY, "Monday"),
    ("After the end of drills on Sunday, troops stayed", D(2022, 2, 17), D(2022, 2, 13), DAY, "Sunday"),
    # --- relative days, weeks, months
    ("Troops crossed the border today", NOV14, NOV14, DAY, "today"),
    ("Troops crossed the border tonight", NOV14, NOV14, DAY, "tonight"),
    ("Explosions were heard this morning", NOV14, NOV14, DAY, "this morning"),
    ("Explosions were heard yesterday", NOV14, D(2021, 11, 13), DAY, "yesterday"),
    ("Yesterday, explosions were heard", NOV14, D(2021, 11, 13), DAY, "Yesterday"),
    ("Explosions were heard the day before yesterday", NOV14, D(2021, 11, 12), DAY,
     "the day before yesterday"),
    ("Talks resume tomorrow", NOV14, D(2021, 11, 15), DAY, "tomorrow"),
    ("The convoy left three days ago", NOV14, D(2021, 11, 11), DAY, "three days ago"),
    ("The convoy left 3 days ago", NOV14, D(2021, 11, 11), DAY, "3 days ago"),
    ("The convoy left a day ago", NOV14, D(2021, 11, 13), DAY, "a day ago"),
    ("The convoy left 5 hours ago", NOV14, NOV14, DAY, "5 hours ago"),
    ("The convoy left 36 hours ago", NOV14, D(2021, 11, 13), DAY, "36 hours ago"),
    ("The convoy left two weeks ago", NOV14, D(2021, 10, 25), WEEK, "two weeks ago"),
    ("The convoy left two months ago", NOV14, D(2021, 9, 1), MONTH, "two months ago"),
    ("Troops arrived earlier this week", DEC02, D(2021, 11, 29), WEEK, "earlier this week"),
    ("Troops arrived this week", DEC02, D(2021, 11, 29), WEEK, "this week"),
    ("Troops arrived last week", DEC02, D(2021, 11, 22), WEEK, "last week"),
    ("Talks are planned next week", DEC02, D(2021, 12, 6), WEEK, "next week"),
    ("Troops arrived this month", DEC02, D(2021, 12, 1), MONTH, "this month"),
    ("Troops arrived last month", DEC02, D(2021, 11, 1), MONTH, "last month"),
    ("Troops arrived last month", JAN26, D(2021, 12, 1), MONTH, "last month"),
    # --- months without a day
    ("Satellite images taken in November show tanks", JAN26, D(2021, 11, 1), MONTH, "in November"),
    ("Troops massed in early December", JAN26, D(2021, 12, 1), MONTH, "in early December"),
    ("Troops massed in mid-December", JAN26, D(2021, 12, 1), MONTH, "in mid-December"),
    ("Troops massed in late January", JAN26, D(2022, 1, 1), MONTH, "in late January"),
    ("Troops have massed since November", JAN26, D(2021, 11, 1), MONTH, "since November"),
    ("Troops massed in November 2021", JAN26, D(2021, 11, 1), MONTH, "in November 2021"),
    ("Troops massed throughout November 2021", JAN26, D(2021, 11, 1), MONTH, "throughout November 2021"),
    ("Troops massed until March", JAN26, D(2021, 3, 1), MONTH, "until March"),
    ("Troops will stay until March", JAN26, D(2022, 3, 1), MONTH, "until March"),
    ("Putin may decide to use force by mid-February", JAN26, D(2022, 2, 1), MONTH, "by mid-February"),
    ("Troops have massed since February", JAN26, D(2021, 2, 1), MONTH, "since February"),
    ("Troops massed in March", JAN26, D(2021, 3, 1), MONTH, "in March"),
    ("The meeting was originally set to take place in November", JAN26, D(2021, 11, 1), MONTH,
     "in November"),
    ("Talks are set to take place in November", JAN26, D(2022, 11, 1), MONTH, "in November"),
    ("Elections are expected in May", JAN26, D(2022, 5, 1), MONTH, "in May"),
    ("Clashes last December", D(2021, 12, 20), D(2020, 12, 1), MONTH, "last December"),
    # --- choosing among several expressions
    ("Russia said on Tuesday the drills began on February 10", FEB20, D(2022, 2, 10), DAY, "February 10"),
    ("Troops massed last week and again yesterday", DEC02, D(2021, 12, 1), DAY, "yesterday"),
    ("In November and again last week, troops massed", DEC02, D(2021, 11, 22), WEEK, "last week"),
    ("On December 8 and December 9 shells fell", JAN26, D(2021, 12, 8), DAY, "December 8"),
    # --- false dates
    ("Putin may claim the West provoked him", DEC02, DEC02, PUB, ""),
    ("May be a provocation, he said", DEC02, DEC02, PUB, ""),
    ("Former prime minister Theresa May said", DEC02, DEC02, PUB, ""),
    ("Protesters march on the embassy", DEC02, DEC02, PUB, ""),
    ("Troops march 10 km to the border", DEC02, DEC02, PUB, ""),
    ("Protesters plan a march in Minsk", DEC02, DEC02, PUB, ""),
    ("The 1st Brigade and the 2nd Army moved", DEC02, DEC02, PUB, ""),
    ("Russia has S-400 systems and Su-35 jets", DEC02, DEC02, PUB, ""),
    ("The 10-day exercise involves 30,000 troops", DEC02, DEC02, PUB, ""),
    ("Its 2014 invasion of Crimea", DEC02, DEC02, PUB, ""),
    ("Tuesday, 19 Nov 2024", DEC02, DEC02, PUB, ""),  # a republication stamp, not "Tuesday"
    ("Since 2014, 14,000 people have died", DEC02, DEC02, PUB, ""),
    ("The annexation on March 18, 2014 was condemned", DEC02, DEC02, PUB, ""),  # beyond the horizon
    ("The alert came at 18:04 GMT", DEC02, DEC02, PUB, ""),
    ("Support rose to 58.3% from 41.2%", DEC02, DEC02, PUB, ""),
    ("Version 1.12.2021b of the map", DEC02, DEC02, PUB, ""),
    ("Prices rose 12.5 per cent", DEC02, DEC02, PUB, ""),
    ("Russia Today reported the claims", DEC02, DEC02, PUB, ""),
    ("The Sunday Times reported the claims", DEC02, DEC02, PUB, ""),
    ("The Good Friday Agreement was cited", DEC02, DEC02, PUB, ""),
    ("The Marines deployed", DEC02, DEC02, PUB, ""),
    ("Troops are in the area", DEC02, DEC02, PUB, ""),
    ("", DEC02, DEC02, PUB, ""),
]


@pytest.mark.parametrize(("sentence", "published", "date", "precision", "cue"), CASES,
                         ids=[f"{c[0][:40]}@{c[1]}" for c in CASES])
def test_date_sentence(sentence: str, published: dt.date, date: dt.date, precision: DatePrecision,
                       cue: str | None) -> None:
    result = date_sentence(sentence, published)
    assert (result.date, result.precision) == (date, precision)
    if cue is not None:
        assert result.cue == cue


def test_no_date_is_the_publication_date() -> None:
    assert date_sentence("Troops massed near Yelnya.", DEC02) == EventDate(DEC02, PUB, "")


@pytest.mark.parametrize(("month", "day", "published", "forward", "expected"), [
    (12, 8, JAN26, False, D(2021, 12, 8)),
    (1, 26, JAN26, False, JAN26),
    (2, 2, JAN26, False, D(2022, 2, 2)),
    (4, 5, JAN26, False, D(2022, 4, 5)),  # 69 days ahead, 296 back: 4 x 69 < 296
    (4, 10, JAN26, False, D(2021, 4, 10)),  # 74 days ahead, 291 back: 4 x 74 > 291
    (2, 3, JAN26, True, D(2022, 2, 3)),
    (1, 20, JAN26, True, D(2022, 1, 20)),  # forward allows a few days back too
    (1, 10, JAN26, True, D(2023, 1, 10)),
    (2, 30, JAN26, False, None),
])
def test_nearest_year(month: int, day: int, published: dt.date, forward: bool,
                      expected: dt.date | None) -> None:
    assert nearest_year(month, day, published, forward=forward) == expected


@pytest.mark.parametrize(("month", "published", "direction", "strict", "expected"), [
    (11, JAN26, "nearest", False, D(2021, 11, 1)),
    (1, JAN26, "nearest", False, D(2022, 1, 1)),
    (2, JAN26, "nearest", False, D(2022, 2, 1)),  # the coming month
    (3, JAN26, "nearest", False, D(2021, 3, 1)),
    (1, D(2021, 12, 2), "nearest", False, D(2022, 1, 1)),  # the coming month, across the year
    (1, JAN26, "past", True, D(2021, 1, 1)),
    (2, JAN26, "past", False, D(2021, 2, 1)),
    (2, JAN26, "future", False, D(2022, 2, 1)),
    (1, JAN26, "future", False, D(2022, 1, 1)),
    (1, JAN26, "future", True, D(2023, 1, 1)),
])
def test_nearest_month(month: int, published: dt.date, direction: MonthDirection, strict: bool,
                       expected: dt.date) -> None:
    assert nearest_month(month, published, direction=direction, strict=strict) == expected


@pytest.mark.parametrize(("weekday", "forward", "strict", "expected"), [
    (6, False, False, FEB20),
    (6, False, True, D(2022, 2, 13)),
    (6, True, False, FEB20),
    (6, True, True, D(2022, 2, 27)),
    (0, False, False, D(2022, 2, 14)),
    (0, True, False, D(2022, 2, 21)),
    (5, False, False, D(2022, 2, 19)),
])
def test_weekday_date(weekday: int, forward: bool, strict: bool, expected: dt.date) -> None:
    assert weekday_date(weekday, FEB20, forward=forward, strict=strict) == expected


def test_find_dates_spans_are_the_cues_and_do_not_overlap() -> None:
    sentence = ("On Thursday, December 2, Blinken said that yesterday, last week and in early November "
                "troops massed; talks are due on Monday, 2021-12-06.")
    found = find_dates(sentence, DEC02)
    assert [e.date.cue for e in found] == ["Thursday, December 2", "yesterday", "last week",
                                           "in early November", "Monday", "2021-12-06"]
    for e in found:
        assert sentence[e.start:e.end] == e.date.cue
    assert all(a.end <= b.start for a, b in itertools.pairwise(found))
    chosen = choose_date(found)
    assert chosen is not None and chosen.date.cue == "Thursday, December 2"


def test_vocabulary_file_is_well_formed() -> None:
    table = tomllib.loads(VOCABULARY_FILE.read_text(encoding="utf-8"))
    sections = ("relative_days", "relative_weeks", "relative_months")
    phrases = [p for section in sections for p in table[section]]
    assert len(phrases) == len(set(phrases)), "a relative phrase is listed twice"
    assert all(p == p.lower().strip() for p in phrases), "relative phrases are written in lower case"
    future = table["cues"]["future"]
    assert future and len(future) == len(set(future))
    assert all(f == f.lower().strip() for f in future)
    date_words = ("today", "sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
    for phrase in table["cues"]["not_dates"]:
        assert any(w in phrase.lower() for w in date_words), f"{phrase!r} hides no date word"
    vocab = load_date_vocabulary()
    assert vocab.relative_days["yesterday"] == -1 and vocab.relative_weeks["last week"] == -1


def test_vocabulary_rejects_bad_tables() -> None:
    with pytest.raises(ValueError, match="integer offset"):
        parse_date_vocabulary({"relative_days": {"yesterday": "minus one"}})
    with pytest.raises(ValueError, match="two relative sections"):
        parse_date_vocabulary({"relative_days": {"soon": 1}, "relative_weeks": {"soon": 1}})


def test_injected_vocabulary_is_used() -> None:
    vocab = parse_date_vocabulary({"relative_days": {"the other day": -2}})
    assert date_sentence("Shots fired the other day", NOV14, vocabulary=vocab) == EventDate(
        D(2021, 11, 12), DAY, "the other day")
    assert date_sentence("Shots fired yesterday", NOV14, vocabulary=vocab).precision is PUB


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(["on", "Sunday", "December", "8", "31", "2021", "in", "early", "May", "last",
                              "week", "ago", "3", "days", "will", ",", "30.11.2021", "2021-02-29", "the",
                              "yesterday", "next", "month", "99", "hours", "Feb.", "29", "1999-01-01"]),
             max_size=20).map(" ".join)),
       published=st.dates(min_value=D(2000, 1, 1), max_value=D(2030, 12, 31)))
def test_any_text_gives_a_date_near_publication(text: str, published: dt.date) -> None:
    result = date_sentence(text, published)
    assert abs((result.date - published).days) <= 400
    assert result.cue in text
    assert (result.precision is PUB) == (result.cue == "")
    assert HORIZON_DAYS <= 400


@pytest.mark.parametrize(("sentence", "expected"), [
    ("Yeſterday troops massed.", dt.date(2022, 1, 25)),  # "ſ" matches "s" case-insensitively
    ("On MONDAY talks resumed.", dt.date(2022, 1, 24)),
])
def test_unicode_case_variants_resolve_like_plain_letters(sentence: str, expected: dt.date) -> None:
    assert date_sentence(sentence, dt.date(2022, 1, 26)).date == expected
