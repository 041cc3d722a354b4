"""Tests for geo.pubdate: publication dates inferred from article text, and their warnings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.pubdate import infer_published

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.mark.parametrize(
    ("text", "date", "evidence", "warning"),
    [
        ("Putin warns Nato\n\n30.11.2021\n\nTroops on Tuesday.", dt.date(2021, 11, 30), "date line", None),
        ("Tuesday, 19 Nov 2024\nTalks.", dt.date(2024, 11, 19), "date line", None),
        ("November 30, 2021\nTalks.", dt.date(2021, 11, 30), "date line", None),
        ("2021-11-30\nTalks.", dt.date(2021, 11, 30), "date line", None),
        ("Headline\nPublished: Tue 30 Nov 2021 10.00 GMT\nTalks.", dt.date(2021, 11, 30), "date line", None),
        ("Tuesday, 19 Nov 2024\nPhoto taken Jan. 26, 2022 in Kyiv.", dt.date(2024, 11, 19), "date line",
         "latest 2022-01-26"),
        ("19 Nov 2024\nClashes grew throughout 2021.", dt.date(2024, 11, 19), "date line", "latest 2021"),
        ("30.11.2021\nRussia annexed Crimea in 2014; Nato deployed since 2017.", dt.date(2021, 11, 30),
         "date line", None),
        ("Drills began on February 10, 2022.\nPhoto: Jan. 26, 2022.", dt.date(2022, 2, 10),
         "latest full date in text", None),
        ("Talks on November 30, 2021 failed.", dt.date(2021, 11, 30), "latest full date in text", None),
        ("\n".join(["Line."] * 10 + ["30.11.2021"]), dt.date(2021, 11, 30), "latest full date in text", None),
        ("12/31/2021\nTalks.", dt.date(2021, 12, 31), "date line", None),
        ("31.02.2021\nTalks on Sunday.", None, "no date found", None),
        ("Drills end on Sunday, which began on February 10.", None, "no date found", None),
    ],
)
def test_infer_published(text: str, date: dt.date | None, evidence: str, warning: str | None) -> None:
    inference = infer_published(text)
    assert inference.date == date
    assert inference.evidence.startswith(evidence)
    if warning is None:
        assert inference.warnings == ()
    else:
        (message,) = inference.warnings
        assert warning in message and "check the publication date" in message


@pytest.mark.parametrize(
    ("seed", "date", "warns"),
    [
        ("000_c69f267599082179.txt", dt.date(2024, 11, 19), True),
        ("003_35b1bbc2d7056e5e.txt", dt.date(2021, 11, 30), False),
        ("004_7b84d3c831185d49.txt", None, False),
    ],
)
def test_infer_published_on_seeds(seed: str, date: dt.date | None, warns: bool) -> None:
    inference = infer_published((SEEDS / seed).read_text(encoding="utf-8"))
    assert inference.date == date
    assert bool(inference.warnings) is warns
    if date is not None:
        assert inference.evidence.startswith("date line")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=2000))
def test_any_text_gives_a_plausible_date_or_none(text: str) -> None:
    inference = infer_published(text)
    assert inference.date is None or 1900 <= inference.date.year < 2100
