"""Popup and tooltip HTML of map points, built from untrusted text that is escaped here, once.

Everything that comes from articles (place names as written, sentences, outlets, titles, URLs) is
attacker-controlled: a crafted article must not run script in the page of whoever opens the map.
So every such value goes through `geo.html_escape` on its way into markup (`point_markup` escapes a
frame's text columns in vectorised passes, and the sources of each point), and a URL becomes
a link only if `safe_url` accepts it (absolute http(s): no ``javascript:``, ``data:``...).
Leaflet puts popup and tooltip strings into ``innerHTML``, so this escaping is what keeps them inert;
`geo.folium_map` then embeds the finished strings in a script as JSON (`script_json`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

import numpy as np
import pandas as pd

from geo.html_escape import escape_text, escape_texts, safe_url
from geo.map_points import PointKey, PointSources
from geo.map_style import category_style, count_phrase

__all__ = ["MAX_LINKS", "MAX_SENTENCE", "point_markup"]

MAX_LINKS = 3  # article links per popup; the rest are counted ("+3 more")
MAX_SENTENCE = 200  # characters of the evidence sentence shown

_DATE_PRECISION = {"day": "exact day", "week": "week only", "month": "month only",
                   "published": "publication date, no date in the text"}


def point_markup(points: pd.DataFrame, details: Mapping[PointKey, PointSources] | None = None
                 ) -> tuple[list[str], list[str]]:
    """The tooltip and the popup HTML of each row of an `aggregate_points` frame, in its order.

    A tooltip is glyph, place name and report count. A popup shows place, category, date range and
    its precision, reports, and how sure the place is; a point with sources in `details`
    (`sources_by_point`) also shows its outlets linked to their articles, the first evidence sentence
    and the resolution method of the best-resolved mention; when `details` is given, the others say
    their sources were left out to keep the map small. Built column by column (a map draws thousands
    of points): each text value is escaped once, per column.

    >>> frame = pd.DataFrame({"place_id": ["p"], "category": ["other"], "name": ["A <i>"],
    ...     "country": ["UA"], "first_date": [pd.Timestamp("2022-01-01")],
    ...     "last_date": [pd.Timestamp("2022-01-03")], "date_precision": ["day"], "reports": [3],
    ...     "articles": [2], "events": [2], "confidence": [0.8]})
    >>> tooltips, popups = point_markup(frame)
    >>> print(tooltips[0])
    ● A &lt;i&gt; · 3 reports
    >>> print(popups[0])
    <b>● A &lt;i&gt;</b> (UA)<br>Other<br>2022-01-01 – 2022-01-03 · date: exact day<br>3 reports, \
2 article mentions, on 2 days<br><small>place confidence 0.80</small>
    """
    categories: list[str] = points["category"].astype("str").tolist()
    styles = {category: category_style(category) for category in set(categories)}
    labels = {category: escape_text(style.label) for category, style in styles.items()}
    precisions: list[str] = points["date_precision"].fillna("").astype("str").tolist()
    precision_html = {p: f" · date: {escape_text(_DATE_PRECISION.get(p, p))}" if p else ""
                      for p in set(precisions)}
    glyphs = [styles[category].glyph for category in categories]
    names = escape_texts(points["name"])
    reports = _counts(points["reports"], "report")
    tooltips = [f"{glyph} {name} · {count}"
                for glyph, name, count in zip(glyphs, names, reports, strict=True)]
    dates = [first if first == last else f"{first} – {last}"
             for first, last in zip(_days(points["first_date"]), _days(points["last_date"]), strict=True)]
    articles = [f", {text}" if text else ""
                for text in _counts(points["articles"], "article mention", zero="")]
    on_days = _counts(points["events"], "day")
    countries = [f" ({country})" if country else "" for country in escape_texts(points["country"])]
    heads = [f"<b>{glyph} {name}</b>{country}<br>{labels[category]}<br>{date}{precision_html[precision]}"
             f"<br>{count}{article}, on {day}"
             for glyph, name, country, category, date, precision, count, article, day
             in zip(glyphs, names, countries, categories, dates, precisions, reports, articles, on_days,
                    strict=True)]
    left_out = "; sources left out of this map: narrow the dates" if details is not None else ""
    keys = zip(points["place_id"].astype("str").tolist(), categories, strict=True)
    sources = [None] * len(categories) if details is None else [details.get(key) for key in keys]
    popups = [head + (f"<br><small>place confidence {confidence:.2f}{left_out}</small>" if found is None
                      else _sources_html(found))
              for head, found, confidence
              in zip(heads, sources, points["confidence"].astype(float).tolist(), strict=True)]
    return tooltips, popups


def _sources_html(sources: PointSources) -> str:
    """The lines of a popup about its evidence: outlets and links, sentence, resolution method."""
    parts = [""]
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


def _counts(values: pd.Series, noun: str, *, zero: str | None = None) -> list[str]:
    """`count_phrase` of each value (`zero` for 0, if given), formatted once per distinct value."""
    numbers: list[int] = values.astype(int).tolist()
    texts = {n: zero if n == 0 and zero is not None else count_phrase(n, noun) for n in set(numbers)}
    return [texts[n] for n in numbers]


def _days(values: pd.Series) -> list[str]:
    """ISO day of each datetime value, formatted once per distinct day."""
    days, nth = np.unique(values.to_numpy(dtype="datetime64[D]"), return_inverse=True)
    iso: list[str] = np.datetime_as_string(days, unit="D")[nth].tolist()
    return iso


@functools.lru_cache(maxsize=8192)  # one article links from many points: check and escape it once
def _link(outlet: str, url: str) -> str:
    label = escape_text(outlet) or "article"
    href = safe_url(url)
    if href is None:
        return label
    return f'<a href="{escape_text(href)}" target="_blank" rel="noopener">{label}</a>'
