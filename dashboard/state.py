"""Filter state: the sidebar's widgets <-> `EventFilter` <-> the page URL, and the play-through.

A shared link restores the view: on a session's first run the widgets are set from the URL
(`geo.filters.from_query_params`, which falls back to defaults for anything malformed); after every
run the URL is set from the widgets. Widget values persist for the session, so visiting the About page
loses nothing. The play button moves the date window with `st.rerun` after a short pause; a window
change can only be written before the slider is drawn, so a run hands it to the next one (`NEXT`).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Collection

import streamlit as st

from geo.filters import EventFilter, from_query_params, step_window

DATES, WINDOW, PLAYING, NEXT = "dates", "window_days", "playing", "next_dates"
FILTER_KEYS = ("view", "basemap", DATES, "categories", "countries", "min_confidence", "outlet", "text")
PLAY_PAUSE_S = 1.0  # long enough to read a map, short enough to see movement
DEFAULT_WINDOW_DAYS = 7


def restore_from_url(first: dt.date, last: dt.date, *, countries: Collection[str],
                     outlets: Collection[str]) -> None:
    """Set the widgets from the URL on the session's first run (the URL of a shared link)."""
    if "view" in st.session_state:
        return
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    url = from_query_params(params, date_range=(first, last), countries=countries, outlets=outlets)
    st.session_state.update({
        "view": url.view, "basemap": url.basemap, DATES: (url.start or first, url.end or last),
        "categories": list(url.categories), "countries": list(url.countries),
        "min_confidence": url.min_confidence, "outlet": url.outlet, "text": url.text})
    st.session_state.setdefault(WINDOW, DEFAULT_WINDOW_DAYS)


def apply_next_window() -> None:
    """Move the date window as the previous run's play step asked (call before drawing the slider)."""
    if NEXT in st.session_state:
        st.session_state[DATES] = st.session_state.pop(NEXT)


def current_filter() -> EventFilter:
    """The filter the widgets describe (call after drawing them)."""
    state = st.session_state
    start, end = state[DATES]
    return EventFilter(view=state["view"], start=start, end=end, categories=tuple(state["categories"]),
                       countries=tuple(state["countries"]), min_confidence=float(state["min_confidence"]),
                       outlet=state["outlet"] or "", text=(state["text"] or "").strip(),
                       basemap=state["basemap"])


def write_url(query: EventFilter) -> None:
    """Mirror the filter in the URL; only when it changed, so a click sends no needless message."""
    wanted = query.to_query_params()
    current = {key: st.query_params.get_all(key) for key in st.query_params}
    if current != {key: value if isinstance(value, list) else [value] for key, value in wanted.items()}:
        st.query_params.from_dict(wanted)


def step(first: dt.date, last: dt.date, forward: bool) -> None:
    """Button callback: the next or previous window of `WINDOW` days."""
    start, end = st.session_state[DATES]
    st.session_state[DATES] = step_window(start, end, days=int(st.session_state[WINDOW]), first=first,
                                          last=last, forward=forward)


def start_playing(first: dt.date, last: dt.date) -> None:
    """Button callback: play from the window shown (a window at the period's end starts over)."""
    days = int(st.session_state[WINDOW])
    start, end = st.session_state[DATES]
    if end >= last:  # played through, or the whole period shown: start at the first window
        start, end = step_window(first, last, days=days, first=first, last=last)
    elif (end - start).days + 1 != days:  # a hand-made selection: its first window
        start, end = step_window(start, end, days=days, first=first, last=last)
    st.session_state[DATES] = (start, end)
    st.session_state[PLAYING] = True


def stop_playing() -> None:
    st.session_state[PLAYING] = False


def keep_playing(first: dt.date, last: dt.date) -> None:
    """At the end of a run while playing: pause, then rerun with the next window (or stop at the end)."""
    if not st.session_state.get(PLAYING):
        return
    time.sleep(PLAY_PAUSE_S)
    start, end = st.session_state[DATES]
    following = step_window(start, end, days=int(st.session_state[WINDOW]), first=first, last=last)
    if following == (start, end):
        st.session_state[PLAYING] = False
    else:
        st.session_state[NEXT] = following
    st.rerun()
