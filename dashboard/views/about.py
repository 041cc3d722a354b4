"""About the data: where the articles, places, borders and map tiles come from, under which terms."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import loaders
from geo.map_style import CATEGORY_STYLES

ABOUT = Path(__file__).resolve().parent.parent / "about.md"  # sources and licences: text, kept as text

path, _ = loaders.event_store()
facts = loaders.store_facts(str(path), loaders.revision(path))
stats = facts.stats

st.header("About the data")
st.markdown("""
Crisis Map reads news articles, finds every place they name, and turns each place mention into an
**event**: where (a gazetteer place), what (a category decided by cue words in its sentence) and when
(a date in the sentence, read against the article's publication date, or that date itself). Events of
the same place, category and day are merged; every source sentence stays attached, so a click on the
map always shows *why* a point is there.
""")

st.subheader("This event store")
dates = f"{stats.first_date} – {stats.last_date}" if stats.first_date else "no events yet"
store_facts = {"articles": stats.articles, "events": stats.events, "place mentions": stats.mentions,
               "unresolved mentions": stats.unresolved, "event dates": dates, "outlets": len(facts.outlets)}
st.dataframe([{"": name, "value": str(value)} for name, value in store_facts.items()], hide_index=True)

st.subheader("Categories")
st.dataframe([{"": f"{style.glyph}", "category": style.label, "colour": style.colour}
              for style in CATEGORY_STYLES.values()], hide_index=True)

st.markdown(ABOUT.read_text(encoding="utf-8"))
