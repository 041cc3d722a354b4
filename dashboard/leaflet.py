"""Leaflet from this server instead of a CDN, so the map draws with no internet (basemap "None").

folium's map asks the browser for Leaflet, jQuery, Bootstrap and Font Awesome from CDNs; our maps use
only Leaflet (see `geo.map_offline`). `dashboard/static` links to the vendored Leaflet 1.9.4 in
data/vendor/leaflet/, which Streamlit serves under /app/static/ (`server.enableStaticServing`).
"""

from __future__ import annotations

import folium

LEAFLET_JS = "/app/static/leaflet.js"
LEAFLET_CSS = "/app/static/leaflet.css"


def serve_leaflet_locally(fmap: folium.Map) -> folium.Map:
    """`fmap` loading Leaflet from this server and nothing from elsewhere (tiles aside)."""
    fmap.default_js = [("leaflet", LEAFLET_JS)]
    fmap.default_css = [("leaflet_css", LEAFLET_CSS)]
    return fmap
