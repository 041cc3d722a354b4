"""The map page: the crisis on a map of the chosen view, with its timeline, events and sources."""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from dashboard import loaders, panels, sidebar, state
from dashboard.leaflet import serve_leaflet_locally
from geo.folium_map import MAX_POINTS, build_map

path, _ = loaders.event_store()
revision = loaders.revision(path)
facts = loaders.store_facts(str(path), revision)
first, last = facts.stats.first_date, facts.stats.last_date

with st.sidebar:
    query = sidebar.filters(facts) if first is not None else None
    sidebar.upload_box()
if query is None or first is None or last is None:
    st.info("The event store holds no events yet: add articles under «Add articles» in the sidebar.")
    st.stop()
state.write_url(query)

points = loaders.points(str(path), revision, query)
events = int(points["events"].sum())
st.caption(f"{query.title()} · {events:,} events at {len(points):,} places and categories · "
           "circle area grows with the number of reports; click a circle for its sources")

fmap = build_map(points, boundaries=loaders.boundaries(), view=query.view, basemap=query.basemap,
                 details=loaders.point_details(str(path), revision, query), title=query.title())
clicked = st_folium(serve_leaflet_locally(fmap), key="map", returned_objects=["last_object_clicked"],
                    height=560, use_container_width=True)

chosen = panels.clicked_points(points.head(MAX_POINTS), clicked)
keys = () if chosen is None else tuple(key for point_keys in chosen["event_keys"] for key in point_keys)
panels.details(chosen, loaders.sources(str(path), revision, keys) if keys else None)

st.subheader("Download this view")
panels.downloads(str(path), revision, query)
st.subheader("Timeline")
panels.timeline_chart(loaders.day_counts(str(path), revision, query), query)
st.subheader("Events")
panels.table(loaders.first_events(str(path), revision, query), total=events)

state.keep_playing(first, last)
