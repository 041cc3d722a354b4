"""What the map page shows under the map: the clicked point's sources, downloads of the view, the
timeline, the events table.

Article text reaches the page only through st.dataframe (rendered as text) or `escape_markdown`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import loaders
from geo.export import EXPORT_FORMATS, MIME_TYPES, export_file_name
from geo.filters import EventFilter
from geo.html_escape import escape_markdown
from geo.map_points import points_at
from geo.map_style import CATEGORY_STYLES, count_phrase
from geo.tables import category_label, events_table, sources_table, timeline

_COLOURS = {category_label(category.value): style.colour for category, style in CATEGORY_STYLES.items()}


def clicked_points(drawn: pd.DataFrame, clicked: Mapping[str, Any] | None) -> pd.DataFrame | None:
    """The drawn points under the last click of `st_folium`, or None before any click."""
    where = (clicked or {}).get("last_object_clicked")
    if not where or "lat" not in where or "lng" not in where:
        return None
    return points_at(drawn, float(where["lat"]), float(where["lng"]))


def details(chosen: pd.DataFrame | None, sources: pd.DataFrame | None) -> None:
    """The clicked place: what was reported there, then every source sentence behind it."""
    if chosen is None or chosen.empty or sources is None:
        st.info("Click a circle on the map to see its sources here: outlets, links, the sentences, "
                "the cue that set the category and how the place was resolved.")
        return
    first = chosen.iloc[0]
    country = f" ({first['country']})" if first["country"] else ""
    st.subheader(escape_markdown(f"{first['name']}{country}"))
    summary = "; ".join(f"{category_label(row.category)}: {count_phrase(row.reports, 'report')} on "
                        f"{count_phrase(row.events, 'day')}, {pd.Timestamp(row.first_date).date()} – "
                        f"{pd.Timestamp(row.last_date).date()}" for row in chosen.itertuples(index=False))
    st.caption(escape_markdown(summary))
    st.dataframe(sources_table(sources), hide_index=True, width="stretch", column_config={
        "link": st.column_config.LinkColumn("link", display_text="open"),
        "sentence": st.column_config.TextColumn("sentence", width="large"),
        "confidence": st.column_config.NumberColumn("confidence", format="%.2f")})


def timeline_chart(day_counts: pd.DataFrame, query: EventFilter) -> None:
    """Events per day (`Store.day_counts`), stacked by category in the map's colours, over the whole
    date window."""
    frame = timeline(day_counts)
    if frame.empty:
        st.caption("No events match these filters.")
        return
    # the axis spans the window, not just the days with events, so playing moves the bars along
    days = (pd.Timestamp(query.start or frame["date"].min()), pd.Timestamp(query.end or frame["date"].max()))
    domain = [days[0].isoformat(), (days[1] + pd.Timedelta(days=1)).isoformat()]
    chart = alt.Chart(frame).mark_bar().encode(
        x=alt.X("yearmonthdate(date):T", title=None, scale=alt.Scale(domain=domain)),
        y=alt.Y("sum(events):Q", title="events per day"),
        color=alt.Color("category:N", title=None, legend=alt.Legend(orient="bottom"),
                        scale=alt.Scale(domain=list(_COLOURS), range=list(_COLOURS.values()))),
        tooltip=[alt.Tooltip("yearmonthdate(date):T", title="day"), "category:N", "events:Q"],
    ).properties(height=180)
    st.altair_chart(chart, width="stretch")


def table(events: pd.DataFrame, *, total: int) -> None:
    """The first events of the view (at most MAX_TABLE_ROWS of its `total`), sortable by any column
    (click its header)."""
    note = ""
    if len(events) < total:
        note = f"; the first {len(events):,} are listed, narrow the filters for the rest"
    st.caption(f"{total:,} events{note}")
    st.dataframe(events_table(events), hide_index=True, width="stretch", column_config={
        "confidence": st.column_config.NumberColumn("confidence", format="%.2f")})


def downloads(path: str, rev: loaders.Revision, query: EventFilter) -> None:
    """One button per export format; each file holds exactly this view (filters and dates) and is
    made only when its button is clicked."""
    for column, fmt in zip(st.columns(len(EXPORT_FORMATS)), EXPORT_FORMATS, strict=True):
        make = functools.partial(loaders.export, path, rev, query, fmt)
        column.download_button(_FORMAT_LABELS.get(fmt, fmt.upper()), data=make,
                               file_name=export_file_name(query, fmt), mime=MIME_TYPES[fmt],
                               on_click="ignore", key=f"download-{fmt}", width="stretch",
                               help=_FORMAT_HELP.get(fmt))


_FORMAT_LABELS = {"geojson": "GeoJSON", "gpkg": "GeoPackage", "html": "HTML map"}
_FORMAT_HELP = {
    "geojson": "every event of the view as one RFC 7946 FeatureCollection (geojson.io, QGIS, Leaflet)",
    "gpkg": "one layer per category plus 'all', for QGIS or ArcGIS",
    "csv": "one row per event, with lat and lon columns",
    "html": "a standalone map page that works offline: title, dates, legend, sources",
    "png": "an image for slides, drawn from the boundaries (no tiles)",
    "svg": "the same image as editable vector graphics",
    "pdf": "the same image as a PDF page",
}
