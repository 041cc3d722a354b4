"""Crisis Map: news articles -> places (and, later, dates and categories) on a map.

Public surface; import from here outside the package.
"""

from __future__ import annotations

from geo.articles import ReadProblem, ReadResult, infer_published, iter_articles, read_articles
from geo.config import Config, load_config, parse_theatre
from geo.errors import ArticleError, ConfigError, GazetteerError, GeocoderError, GeoError, GoldFileError
from geo.evaluate import Scores, read_gold, score
from geo.gazetteer import Gazetteer, load_gazetteer
from geo.mentions import find_mentions
from geo.models import Article, Mention, Place, Precision, ResolvedPlace
from geo.pipeline import geoparse
from geo.resolve import Resolver, fuzzy_match

__all__ = [
    "Article",
    "ArticleError",
    "Config",
    "ConfigError",
    "Gazetteer",
    "GazetteerError",
    "GeoError",
    "GeocoderError",
    "GoldFileError",
    "Mention",
    "Place",
    "Precision",
    "ReadProblem",
    "ReadResult",
    "ResolvedPlace",
    "Resolver",
    "Scores",
    "find_mentions",
    "fuzzy_match",
    "geoparse",
    "infer_published",
    "iter_articles",
    "load_config",
    "load_gazetteer",
    "parse_theatre",
    "read_articles",
    "read_gold",
    "score",
]
