"""Crisis Map: news articles -> places, dates and categories on a map.

Public surface (import from here, not from submodules, outside the package):
"""
from __future__ import annotations
