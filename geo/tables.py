"""Events, sources and the timeline as tables a person reads: what the dashboard and exports show.

Pure pandas over the frames of `Store.query` and `Store.sources`. Category values become the labels of
`geo.map_style` (with their glyphs, so a table never relies on colour); URLs that are not plain
http(s) links are dropped (`geo.html_escape.safe_url`), so a table's link column links nowhere else.
"""

from __future__ import annotations

import pandas as pd

from geo.html_escape import safe_url
from geo.map_style import category_style

__all__ = ["EVENT_TABLE_COLUMNS", "MAX_TABLE_ROWS", "SOURCE_TABLE_COLUMNS", "TIMELINE_COLUMNS",
           "category_label", "events_table", "sources_table", "timeline"]

EVENT_TABLE_COLUMNS = ("date", "place", "country", "category", "reports", "articles", "confidence",
                       "date precision", "first seen")
SOURCE_TABLE_COLUMNS = ("published", "outlet", "category", "mention", "sentence", "cue", "date cue",
                        "resolved by", "confidence", "title", "link")  # the evidence first, then where
TIMELINE_COLUMNS = ("date", "category", "events")
MAX_TABLE_ROWS = 10_000  # events a table lists: more than anyone reads; the browser stays quick


def category_label(category: str) -> str:
    """The glyph and label of a category value.

    >>> category_label("front_line")
    '✕ Front line / fighting'
    """
    style = category_style(category)
    return f"{style.glyph} {style.label}"


def _labels(categories: pd.Series) -> pd.Series:
    return categories.astype("str").map({c: category_label(c) for c in categories.unique()})


def events_table(events: pd.DataFrame) -> pd.DataFrame:
    """One row per event of a `Store.query` frame (EVENT_COLUMNS), in its order: EVENT_TABLE_COLUMNS.

    >>> events = pd.DataFrame({"event_date": [pd.Timestamp("2022-02-20")], "name": ["Pionerske"],
    ...     "country": ["UA"], "category": ["front_line"], "source_count": [2], "article_count": [1],
    ...     "confidence": [0.93], "date_precision": ["day"], "first_seen": [pd.Timestamp("2022-02-20")]})
    >>> events_table(events).iloc[0, 1:4].tolist()
    ['Pionerske', 'UA', '✕ Front line / fighting']
    """
    return pd.DataFrame({
        "date": events["event_date"].dt.date,
        "place": events["name"],
        "country": events["country"],
        "category": _labels(events["category"]),
        "reports": events["source_count"],
        "articles": events["article_count"],
        "confidence": events["confidence"].round(2),
        "date precision": events["date_precision"],
        "first seen": events["first_seen"].dt.date,
    }, columns=list(EVENT_TABLE_COLUMNS)).reset_index(drop=True)


def sources_table(sources: pd.DataFrame) -> pd.DataFrame:
    """One row per mention of a `Store.sources` frame, earliest publication first: SOURCE_TABLE_COLUMNS.

    ``link`` is the article URL if it is an absolute http(s) URL, else missing.

    >>> rows = pd.DataFrame({"event_key": ["p|diplomacy|2022-01-10"],
    ...     "published": [pd.Timestamp("2022-01-10")], "outlet": ["AP"], "title": ["T"],
    ...     "url": ["javascript:alert(1)"], "mention": ["Kyiv"],
    ...     "sentence": ["Kyiv said."], "cue": ["actor:said"], "date_cue": [""], "method": ["alias"],
    ...     "confidence": [0.9]})
    >>> row = sources_table(rows).iloc[0]
    >>> row["link"] is None, row["category"]
    (True, '◆ Diplomacy')
    """
    frame = sources.sort_values("published", kind="stable") if "published" in sources else sources
    categories = frame["event_key"].astype("str").str.rsplit("|", n=2).str[1]
    return pd.DataFrame({
        "published": frame["published"].dt.date,
        "outlet": frame["outlet"],
        "category": _labels(categories),
        "mention": frame["mention"],
        "sentence": frame["sentence"],
        "cue": frame["cue"],
        "date cue": frame["date_cue"],
        "resolved by": frame["method"],
        "confidence": frame["confidence"].astype(float).round(2),
        "title": frame["title"],
        "link": [safe_url(url) for url in frame["url"]],
    }, columns=list(SOURCE_TABLE_COLUMNS)).reset_index(drop=True)


def timeline(day_counts: pd.DataFrame) -> pd.DataFrame:
    """Events per day and category label, days in order: TIMELINE_COLUMNS, for a stacked bar chart.

    `day_counts` is a `Store.day_counts` frame (event_date, category, events).

    >>> day = pd.Timestamp("2022-01-10")
    >>> counts = pd.DataFrame({"event_date": [day, day + pd.Timedelta(days=1)],
    ...                        "category": ["other", "migration"], "events": [2, 1]})
    >>> for row in timeline(counts).itertuples(index=False):
    ...     print(row.date.date(), row.category, row.events)
    2022-01-10 ● Other 2
    2022-01-11 → Migration / refugees 1
    """
    if day_counts.empty:
        return pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"), "category": pd.Series(dtype="str"),
                             "events": pd.Series(dtype="int64")})
    counts = (day_counts.assign(category=_labels(day_counts["category"]))
              .groupby(["event_date", "category"], sort=True)["events"].sum())
    return counts.reset_index().rename(columns={"event_date": "date"})
