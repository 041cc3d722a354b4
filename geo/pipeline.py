"""Composing the stages. Pure: no disk, network or clock here (the online lookup is injected)."""

from __future__ import annotations

from geo.config import Config
from geo.gazetteer import Gazetteer
from geo.mentions import Vocabulary, find_mentions
from geo.models import ResolvedPlace
from geo.resolve import OnlineLookup, Resolver


def geoparse(text: str, gazetteer: Gazetteer, config: Config, *, online: OnlineLookup | None = None,
             vocabulary: Vocabulary | None = None) -> list[ResolvedPlace]:
    """Every place mention in the text with the place chosen for it (or unresolved), in text order."""
    mentions = find_mentions(text, gazetteer, vocabulary)
    return Resolver(gazetteer, config, online).resolve(text, mentions)
