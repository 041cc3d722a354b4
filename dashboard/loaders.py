"""All caching around geo.* calls: the pipeline never reruns on a widget change."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from geo import Config, Gazetteer, ResolvedPlace, geoparse, load_gazetteer, read_articles

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@st.cache_resource(show_spinner="Loading the gazetteer (first start builds its index, ~20 s)…")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


@st.cache_data(show_spinner="Finding places in the seed articles…")
def seed_places() -> list[tuple[str, str | None, list[ResolvedPlace]]]:
    """(article id, outlet, resolved places) for every seed article."""
    result = read_articles([SEEDS], on_invalid="skip")
    return [(a.id, a.source, geoparse(a.text, gazetteer(), Config())) for a in result.articles]
