"""Crisis Map dashboard entry point: `streamlit run dashboard/app.py`.

Page config, navigation between the map and the About page, and the one place where an expected
failure (a GeoError: an unreadable store, a bad config file) becomes a message instead of a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `streamlit run` from a clone

import streamlit as st

from geo.errors import GeoError
from geo.html_escape import escape_markdown

st.set_page_config(page_title="Crisis Map", page_icon="🗺️", layout="wide")

VIEWS = Path(__file__).resolve().parent / "views"
page = st.navigation([st.Page(VIEWS / "map.py", title="Map", icon="🗺️", default=True),
                      st.Page(VIEWS / "about.py", title="About the data", icon="ℹ️", url_path="about")])
try:
    page.run()
except GeoError as exc:
    st.error(f"Crisis Map cannot show this page: {escape_markdown(exc)}")
