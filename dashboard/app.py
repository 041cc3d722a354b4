"""Crisis Map dashboard entry point: `streamlit run dashboard/app.py`.

This first version maps every place the seed articles mention; events, dates, filters and the date
slider arrive with the events and dashboard issues.
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `streamlit run` from a clone

import folium
import streamlit as st
from streamlit_folium import st_folium

from dashboard import loaders

THEATRE_BOUNDS = [[44.0, 20.0], [60.5, 41.0]]

st.set_page_config(page_title="Crisis Map", layout="wide")
st.title("Crisis Map")
st.caption("Places named in the seed articles (Nov 2021 – Feb 2022). Place data © GeoNames (CC BY 4.0).")

articles = loaders.seed_places()
rows = [(article_id, outlet, r) for article_id, outlet, places in articles for r in places if r.place]
st.metric("places found", len(rows))

fmap = folium.Map(tiles="OpenStreetMap", control_scale=True)
fmap.fit_bounds(THEATRE_BOUNDS)
for article_id, outlet, r in rows:
    assert r.place is not None
    label = html.escape(f"{r.mention.surface} → {r.place.name} ({r.place.country})")
    detail = html.escape(f"{outlet or article_id} · {r.method}, confidence {r.confidence}")
    folium.CircleMarker(
        [r.place.lat, r.place.lon], radius=5, weight=1, fill=True,
        popup=folium.Popup(f"<b>{label}</b><br>{detail}", max_width=320),
        tooltip=folium.Tooltip(label),
    ).add_to(fmap)
st_folium(fmap, key="map", height=560, use_container_width=True, returned_objects=[])

st.dataframe(
    [{"article": Path(a).name, "mention": r.mention.surface, "place": r.place.name if r.place else "",
      "country": r.place.country if r.place else "", "method": r.method, "confidence": r.confidence}
     for a, _, r in rows],
    width="stretch", hide_index=True,
)
