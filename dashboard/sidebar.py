"""The map page's sidebar: view, basemap, dates with play/step, filters, and adding articles."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard import loaders, state
from geo.filters import MAX_TEXT, VIEWS, EventFilter
from geo.folium_map import BASEMAPS
from geo.html_escape import escape_markdown
from geo.models import Category
from geo.tables import category_label
from geo.uploads import UPLOAD_MAX_BYTES

BASEMAP_NAMES = {"none": "None — works offline", "OpenStreetMap": "OpenStreetMap",
                 "CartoDB positron": "CartoDB positron"}
UPLOAD_TYPES = ["txt", "md", "html", "htm", "jsonl"]
KEEP = "session"  # widget values survive a visit to another page


def filters(facts: loaders.StoreFacts) -> EventFilter:
    """Draw the filter widgets (restored from the URL on a first run) and return their filter."""
    first, last = facts.stats.first_date, facts.stats.last_date
    assert first is not None and last is not None  # the page shows no sidebar for an empty store
    state.restore_from_url(first, last, countries=facts.countries, outlets=facts.outlets)
    state.apply_next_window()
    st.radio("View", list(VIEWS), format_func=VIEWS.__getitem__, key="view", persist_state=KEEP)
    st.selectbox("Basemap", list(BASEMAPS), format_func=BASEMAP_NAMES.__getitem__, key="basemap",
                 persist_state=KEEP)
    _dates(first, last)
    st.multiselect("Categories", [c.value for c in Category], format_func=category_label,
                   key="categories", placeholder="All categories", persist_state=KEEP)
    st.multiselect("Countries", list(facts.countries), key="countries", placeholder="All countries",
                   persist_state=KEEP)
    st.slider("Minimum place confidence", 0.0, 1.0, step=0.01, key="min_confidence", persist_state=KEEP,
              help="How sure the geoparser is of the place (1: no doubt)")
    st.selectbox("Outlet", ["", *facts.outlets], format_func=lambda outlet: outlet or "All outlets",
                 key="outlet", persist_state=KEEP)
    st.text_input("Search places and sentences", key="text", max_chars=MAX_TEXT, persist_state=KEEP,
                  placeholder="e.g. Avdiivka, or troops")
    return state.current_filter()


def _dates(first: dt.date, last: dt.date) -> None:
    if first == last:  # a slider needs two ends; a one-day store has one window
        st.session_state[state.DATES] = (first, last)
        st.caption(f"Events of {first.isoformat()}")
        return
    st.slider("Event dates", first, last, step=dt.timedelta(days=1), key=state.DATES, format="YYYY-MM-DD",
              persist_state=KEEP)
    st.number_input("Window (days)", min_value=1, max_value=366, key=state.WINDOW, persist_state=KEEP,
                    help="How many days ◀ step, step ▶ and play show at a time")
    back, forward, play = st.columns(3)
    back.button("◀ step", on_click=state.step, args=(first, last, False), width="stretch")
    forward.button("step ▶", on_click=state.step, args=(first, last, True), width="stretch")
    if st.session_state.get(state.PLAYING):
        play.button("■ stop", on_click=state.stop_playing, width="stretch", type="primary")
    else:
        play.button("▶ play", on_click=state.start_playing, args=(first, last), width="stretch")


def upload_box() -> None:
    """Add articles: upload, read, ingest with a progress bar, then one message per bad file."""
    st.session_state.setdefault("upload_round", 0)
    max_bytes = min(loaders.config().max_article_bytes, UPLOAD_MAX_BYTES)
    with st.expander("Add articles", expanded="upload_report" in st.session_state):
        files = st.file_uploader(
            "Articles: .txt, .md, .html, .jsonl", type=UPLOAD_TYPES, accept_multiple_files=True,
            key=f"uploads_{st.session_state.upload_round}", max_upload_size=max(1, max_bytes // 2**20),
            help="Give the publication date in front matter (published: 2022-02-20), the JSONL record or "
                 "the text; relative dates such as 'on Sunday' are read against it.")
        if files and st.button(f"Add {len(files)} file{'s' * (len(files) != 1)} to the map", type="primary"):
            bar = st.progress(0.0, text="Reading the articles…")
            summary = loaders.add_uploads(
                [(file.name, file.getvalue()) for file in files], max_bytes=max_bytes,
                on_progress=lambda done, total: bar.progress(done / max(total, 1),
                                                             text=f"Adding articles ({done}/{total})…"))
            st.session_state.upload_report = summary
            st.session_state.upload_round += 1  # a new, empty upload box
            st.rerun()
        summary = st.session_state.get("upload_report")
        if summary is not None:
            (st.success if summary.added_articles else st.info)(summary.describe())
            for reason in summary.skipped:
                st.warning(f"Skipped {escape_markdown(reason)}")
