"""Crisis Map: news articles -> places, event categories and dates -> a store, maps and exports.

Public surface; import from here outside the package. The map and export modules (`geo.filters`,
`geo.folium_map`, `geo.export`, `geo.map_image`, `geo.briefing_html`) and the engines are imported from
their own modules: they load geopandas, folium or matplotlib, which the text pipeline does not need.
"""

from __future__ import annotations

from geo.articles import ReadProblem, ReadResult, infer_published, iter_articles, read_articles
from geo.classify import classify_mention
from geo.config import Config, load_config, parse_theatre
from geo.dates import date_sentence
from geo.errors import (
    ArticleError,
    ConfigError,
    EngineError,
    ExportError,
    GazetteerError,
    GeocoderError,
    GeoError,
    GoldFileError,
    StoreError,
)
from geo.evaluate import Scores, read_gold, score
from geo.gazetteer import Gazetteer, load_gazetteer
from geo.ingest import IngestSummary, ensure_seed_store  # not `ingest`: it would hide its module
from geo.mentions import find_mentions
from geo.models import (
    Article,
    Category,
    Classification,
    DatePrecision,
    Event,
    EventDate,
    Mention,
    Place,
    Precision,
    ResolvedPlace,
)
from geo.pipeline import Extraction, extract_events, geoparse
from geo.resolve import Resolver, fuzzy_match
from geo.store import Store, open_store

__all__ = [
    "Article",
    "ArticleError",
    "Category",
    "Classification",
    "Config",
    "ConfigError",
    "DatePrecision",
    "EngineError",
    "Event",
    "EventDate",
    "ExportError",
    "Extraction",
    "Gazetteer",
    "GazetteerError",
    "GeoError",
    "GeocoderError",
    "GoldFileError",
    "IngestSummary",
    "Mention",
    "Place",
    "Precision",
    "ReadProblem",
    "ReadResult",
    "ResolvedPlace",
    "Resolver",
    "Scores",
    "Store",
    "StoreError",
    "classify_mention",
    "date_sentence",
    "ensure_seed_store",
    "extract_events",
    "find_mentions",
    "fuzzy_match",
    "geoparse",
    "infer_published",
    "iter_articles",
    "load_config",
    "load_gazetteer",
    "open_store",
    "parse_theatre",
    "read_articles",
    "read_gold",
    "score",
]
