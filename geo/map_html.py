"""Popup and tooltip HTML of map points, built from untrusted text that is escaped here, once.

Everything that comes from articles (place names as written, sentences, outlets, titles, URLs) is
attacker-controlled: a crafted article must not run script in the page of whoever opens the map.
So every such value goes through `geo.html_escape` on its way into markup (`popup_points` escapes a
frame's text columns in one vectorised pass, `popup_html` the sources of a point), and a URL becomes
a link only if `safe_url` accepts it (absolute http(s): no ``javascript:``, ``data:``...).
Leaflet puts popup and tooltip strings into ``innerHTML``, so this escaping is what keeps them inert;
`geo.folium_map` then embeds the finished strings in a script as JSON (`script_json`).
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np
import pandas as pd

from geo.html_escape import escape_text, escape_texts, safe_url
from geo.map_points import PointSources
from geo.map_style import category_style

__all__ = ["MAX_LINKS", "MAX_SENTENCE", "PopupPoint", "popup_html", "popup_points", "tooltip_html"]

MAX_LINKS = 3  # article links per popup; the rest are counted ("+3 more")
MAX_SENTENCE = 200  # characters of the evidence sentence shown

_DATE_PRECISION = {"day": "exact day", "week": "week only", "month": "month only",
                   "published": "publication date, no date in the text"}


class PopupPoint(NamedTuple):
    """One aggregated point as its popup needs it. Fields ending in ``_html`` are escaped already;
    `place_id` and `category` are keys (never written into markup as they are)."""

    place_id: str
    category: str
    name_html: str
    country_html: str
    first_day: str  # ISO dates, written by numpy
    last_day: str
    precision_html: str  # the date precision in words
    reports: int
    articles: int
    events: int
    confidence: float


def popup_points(points: pd.DataFrame) -> list[PopupPoint]:
    """The `PopupPoint` of each row of an `aggregate_points` frame, column by column.

    >>> frame = pd.DataFrame({"place_id": ["p"], "category": ["other"], "name": ["<P>"], "country": [None],
    ...     "first_date": [pd.Timestamp("2022-01-01")], "last_date": [pd.Timestamp("2022-01-03")],
    ...     "date_precision": ["week"], "reports": [3], "articles": [2], "events": [2], "confidence": [0.8]})
    >>> point = popup_points(frame)[0]
    >>> point.name_html, point.country_html, point.first_day, point.precision_html
    ('&lt;P&gt;', '', '2022-01-01', 'week only')
    """
    def keys(name: str) -> list[str]:
        values: list[str] = points[name].astype("str").tolist()
        return values

    def day(name: str) -> list[str]:
        values: list[str] = np.datetime_as_string(points[name].to_numpy(dtype="datetime64[D]"),
                                                  unit="D").tolist()
        return values

    precision = points["date_precision"].map(lambda p: _DATE_PRECISION.get(p, p))
    columns = (keys("place_id"), keys("category"), escape_texts(points["name"]),
               escape_texts(points["country"]), day("first_date"), day("last_date"), escape_texts(precision),
               points["reports"].astype(int).tolist(), points["articles"].astype(int).tolist(),
               points["events"].astype(int).tolist(), points["confidence"].astype(float).tolist())
    return [PopupPoint(*values) for values in zip(*columns, strict=True)]


def tooltip_html(point: PopupPoint) -> str:
    """The hover text of a point: glyph, place name and report count.

    >>> tooltip_html(PopupPoint("p", "diplomacy", "&lt;b&gt;Kyiv", "", "", "", "", 2, 1, 1, 0.5))
    '◆ &lt;b&gt;Kyiv · 2 reports'
    """
    return f"{category_style(point.category).glyph} {point.name_html} · {_count(point.reports, 'report')}"


def popup_html(point: PopupPoint, sources: PointSources | None = None, *, sources_left_out: bool = False
               ) -> str:
    """The popup of one aggregated point.

    Shows place, category, date range and its precision, reports, and how sure the place is; with
    `sources`, also the outlets linked to their articles, the first evidence sentence and the
    resolution method of the best-resolved mention (all escaped here); `sources_left_out` says the
    map left them out to stay small.

    >>> point = PopupPoint("p", "other", "A &lt;i&gt;", "UA", "2022-01-01", "2022-01-03", "exact day",
    ...                    3, 2, 2, 0.8)
    >>> print(popup_html(point))
    <b>● A &lt;i&gt;</b> (UA)<br>Other<br>2022-01-01 – 2022-01-03 · date: exact day<br>3 reports, \
2 article mentions, on 2 days<br><small>place confidence 0.80</small>
    """
    style = category_style(point.category)
    dates = point.first_day if point.first_day == point.last_day else f"{point.first_day} – {point.last_day}"
    country = f" ({point.country_html})" if point.country_html else ""
    parts = [f"<b>{style.glyph} {point.name_html}</b>{country}",
             escape_text(style.label),
             f"{dates}{f' · date: {point.precision_html}' if point.precision_html else ''}",
             f"{_count(point.reports, 'report')}"
             f"{', ' + _count(point.articles, 'article mention') if point.articles else ''}"
             f", on {_count(point.events, 'day')}"]
    if sources is None:
        left_out = "; sources left out of this map: narrow the dates" if sources_left_out else ""
        parts.append(f"<small>place confidence {point.confidence:.2f}{left_out}</small>")
        return "<br>".join(parts)
    if sources.links:
        links = [_link(outlet, url) for outlet, url in sources.links[:MAX_LINKS]]
        more = len(sources.links) - MAX_LINKS
        parts.append("Sources: " + ", ".join(links) + (f" +{more} more" if more > 0 else ""))
    elif sources.outlets:
        parts.append("Sources: " + escape_text(", ".join(sources.outlets)))
    if sources.sentence:
        sentence = sources.sentence
        if len(sentence) > MAX_SENTENCE:
            sentence = sentence[:MAX_SENTENCE - 1].rstrip() + "…"
        parts.append(f"<i>“{escape_text(sentence)}”</i>")
    parts.append(f"<small>place resolved by {escape_text(sources.method or 'unknown rule')}, "
                 f"confidence {sources.confidence:.2f}</small>")
    return "<br>".join(parts)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'s' * (n != 1)}"


@functools.lru_cache(maxsize=8192)  # one article links from many points: check and escape it once
def _link(outlet: str, url: str) -> str:
    label = escape_text(outlet) or "article"
    href = safe_url(url)
    if href is None:
        return label
    return f'<a href="{escape_text(href)}" target="_blank" rel="noopener">{label}</a>'
